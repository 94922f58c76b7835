"""Permanent choices in the config (issue 10, item 6): `rules:` turns rules off or changes
their severity, by code, name or code prefix, validated at its line with did-you-mean;
`.govcheck.yml` is read too; `govcheck validate` without arguments gives exactly the errors
`govcheck check` gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from govcheck.check import CheckOptions, run
from govcheck.errors import PolicyErrors, UsageError
from support import GOOD_MODEL, govcheck

MakeRepo = Callable[..., Path]

# One card placeholder (GC-CARD-004, a warning) and a model folder without a card
# (GC-CARD-001), served (GC-MON-001).
PLANTED = {
    **GOOD_MODEL,
    "models/m/MODEL_CARD.md": GOOD_MODEL["models/m/MODEL_CARD.md"].replace("\na\n", "\nTBD\n"),
    "models/x/train.py": "print(1)\n",
}


def config(rules: str, extra: str = "") -> str:
    return f"version: 1\nparams: {{deployed_models: [x]}}\nrules:\n{rules}{extra}"


def found(repo: Path, **options: object) -> dict[str, str]:
    report = run(CheckOptions(repo=str(repo), no_mlflow=True, **options))  # type: ignore[arg-type]
    return {f.rule_id: f.severity for f in report.findings}


def test_rules_off_and_severity_by_code_name_and_prefix(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            **PLANTED,
            ".govcheck.yaml": config(
                "  GC-MON-001: off\n"  # YAML reads off as false
                "  model-card-no-placeholders: {severity: error}\n"
                "  GC-CARD-001: note\n"
            ),
        }
    )
    assert found(repo) == {"GC-CARD-004": "error", "GC-CARD-001": "note"}
    # --select naming an off rule runs it; a prefix does not switch it back on
    assert found(repo, select=("GC-MON-001",)) == {"GC-MON-001": "error"}
    assert found(repo, select=("GC-MON",)) == {}


def test_a_prefix_turns_a_pack_off_and_a_later_entry_wins(make_repo: MakeRepo) -> None:
    repo = make_repo({**PLANTED, ".govcheck.yaml": config("  GC-CARD: off\n  GC-CARD-001: on\n")})
    assert found(repo) == {"GC-CARD-001": "error", "GC-MON-001": "error"}


def test_an_unknown_rule_is_an_error_at_its_line_with_did_you_mean(make_repo: MakeRepo) -> None:
    repo = make_repo({**PLANTED, ".govcheck.yaml": config("  monitoring-config-presnt: off\n")})
    with pytest.raises(PolicyErrors) as caught:
        run(CheckOptions(repo=str(repo), no_mlflow=True))
    assert caught.value.lines() == [
        (
            ".govcheck.yaml:4:3: unknown rule 'monitoring-config-presnt' in rules"
            " (did you mean 'monitoring-config-present'?)"
        )
    ]


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("of", 4),
        ("{severity: critical}", 4),
        ("{level: note}", 4),
        ("[off]", 4),
    ],
)
def test_a_bad_setting_is_an_error_at_its_line(make_repo: MakeRepo, value: str, line: int) -> None:
    repo = make_repo({**PLANTED, ".govcheck.yaml": config(f"  GC-MON-001: {value}\n")})
    with pytest.raises(PolicyErrors) as caught:
        run(CheckOptions(repo=str(repo), no_mlflow=True))
    (message,) = caught.value.lines()
    assert message.startswith(f".govcheck.yaml:{line}:")
    assert "rules: 'GC-MON-001' takes off, on, a severity (error, warning, note)" in message


def test_govcheck_yml_is_read_and_two_configs_are_one_clear_error(make_repo: MakeRepo) -> None:
    repo = make_repo({**PLANTED, ".govcheck.yml": config("  GC-CARD-001: off\n")})
    assert "GC-CARD-001" not in found(repo)
    (repo / ".govcheck.yaml").write_text("version: 1\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        run(CheckOptions(repo=str(repo), no_mlflow=True))
    assert len(caught.value.lines()) == 1
    assert "both .govcheck.yaml and .govcheck.yml" in caught.value.lines()[0]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("version: 1\nparams: {models_glob: 'models/*', cardfiles: [x.md]}\n", "cardfiles"),
        ("version: 1\npolicies: [builtin:model-card]\n", "unknown built-in pack 'model-card'"),
        ("version: 1\nrules: {GC-CARD-09: off}\n", "unknown rule 'GC-CARD-09'"),
        ("version: 1\nexclude: ['[z-a]']\n", "[z-a]"),
    ],
)
def test_validate_without_arguments_gives_the_errors_check_gives(
    make_repo: MakeRepo, text: str, error: str
) -> None:
    repo = make_repo({**GOOD_MODEL, ".govcheck.yaml": text})
    checked = govcheck("check", "--no-mlflow", cwd=repo)
    validated = govcheck("validate", cwd=repo)
    assert checked.returncode == validated.returncode == 2
    assert validated.stderr == checked.stderr and error in validated.stderr
    assert govcheck("validate", ".govcheck.yaml", cwd=repo).stderr == checked.stderr


def test_validate_without_arguments_passes_a_good_config(make_repo: MakeRepo) -> None:
    repo = make_repo({**GOOD_MODEL, ".govcheck.yml": "version: 1\nrules: {GC-MON-001: off}\n"})
    done = govcheck("validate", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ".govcheck.yml: ok (config; 1 rule turned off)\n"


def test_a_severity_set_in_the_config_changes_the_policy_hash(make_repo: MakeRepo) -> None:
    plain = make_repo({**PLANTED, ".govcheck.yaml": config("  GC-MON-001: on\n")})
    noted = make_repo({**PLANTED, ".govcheck.yaml": config("  GC-MON-001: note\n")})
    hashes = [
        run(CheckOptions(repo=str(r), no_mlflow=True)).provenance.policy_hash  # type: ignore[union-attr]
        for r in (plain, noted)
    ]
    assert hashes[0] != hashes[1]
