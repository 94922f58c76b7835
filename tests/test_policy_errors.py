"""Every malformed policy or config is exit 2 with one `file:line:col: message` per error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support import govcheck

GOOD_RULE = """\
  - id: ACME-001
    name: cards-exist
    title: Cards exist
    severity: error
    resource: directory
    require: {file_exists: README.md}
"""

# (policy text, expected line:col, fragment of the message)
BAD_POLICIES = {
    "bad-yaml": ("version: 1\nrules: [\n", "3:1", "invalid YAML"),
    "duplicate-key": ("version: 1\nrules:\n  - id: A\n    id: B\n", "4:5", "duplicate key 'id'"),
    "unknown-rule-key": (
        "version: 1\nrules:\n" + GOOD_RULE + "    colour: red\n",
        "9:5",
        "unknown key 'colour'",
    ),
    "unknown-top-key": ("version: 1\nrules: []\nrulez: []\n", "3:1", "unknown key 'rulez'"),
    "unknown-operator": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{field: name, matchs: '^x'}"),
        "8:28",
        "unknown operator 'matchs' in rule ACME-001 (did you mean 'matches'?)",
    ),
    "wrong-type": (
        "version: 1\nrules:\n" + GOOD_RULE + "    tags: not-a-list\n",
        "9:11",
        "'tags' must be a list",
    ),
    "bad-severity": (
        "version: 1\nrules:\n" + GOOD_RULE.replace("severity: error", "severity: fatal"),
        "6:15",
        "'severity' must be one of error, warning, note",
    ),
    "bad-regex": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{field: name, matches: '(a'}"),
        "8:37",
        "invalid regular expression",
    ),
    "unsupported-regex": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{field: name, matches: '(?<=a)b'}"),
        "8:37",
        "invalid regular expression",
    ),
    "unknown-resource": (
        "version: 1\nrules:\n" + GOOD_RULE.replace("resource: directory", "resource: folder"),
        "7:15",
        "unknown resource kind 'folder'",
    ),
    "missing-require": (
        "version: 1\nrules:\n" + GOOD_RULE.replace("    require: {file_exists: README.md}\n", ""),
        "3:5",
        "missing required key 'require'",
    ),
    "bad-param-reference": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{field: path, glob: '{modles_glob}'}"),
        "8:34",
        "unknown parameter '{modles_glob}'",
    ),
    "unknown-condition": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{file_exist: README.md}"),
        "8:15",
        "unknown condition 'file_exist'",
    ),
    "every-without-require": (
        "version: 1\nrules:\n" + GOOD_RULE.replace("{file_exists: README.md}", "{every: files}"),
        "8:15",
        "'every' needs a 'require'",
    ),
    "operand-not-number": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{field: size, gt: big}"),
        "8:32",
        "'gt': expects a number",
    ),
    "bad-field-path": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{field: 'a..b', exists: true}"),
        "8:22",
        "bad field path",
    ),
    "two-operators": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{field: name, equals: a, matches: b}"),
        "8:39",
        "several operators",
    ),
    "duplicate-rule-id": (
        "version: 1\nrules:\n" + GOOD_RULE + GOOD_RULE.replace("cards-exist", "other"),
        "9:5",
        "duplicate rule id",
    ),
    "bad-version": ("version: 3\nrules: []\n", "1:10", "unsupported version 3"),
    "not-a-mapping": ("- just\n- a list\n", "1:1", "a policy file is a mapping"),
    "unknown-builtin-schema": (
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("{file_exists: README.md}", "{schema: 'builtin:nope'}"),
        "8:23",
        "unknown built-in schema 'nope'",
    ),
    "bad-name": (
        "version: 1\nrules:\n" + GOOD_RULE.replace("cards-exist", "Cards Exist"),
        "4:11",
        "'name' value",
    ),
}


@pytest.fixture
def repo(make_repo):  # type: ignore[no-untyped-def]
    return make_repo({"models/a/README.md": "# A\n"})


@pytest.mark.parametrize("case", sorted(BAD_POLICIES))
def test_bad_policy_is_exit_2_with_one_located_line(repo: Path, case: str) -> None:
    text, where, fragment = BAD_POLICIES[case]
    (repo / "team.yaml").write_text(text, encoding="utf-8")
    done = govcheck("check", "--repo", str(repo), "--policy", str(repo / "team.yaml"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"team.yaml:{where}: "), lines[0]
    assert fragment in lines[0]


def test_validate_reports_every_error_of_a_file(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\nrules:\n"
        + GOOD_RULE.replace("severity: error", "severity: bad").replace(
            "{file_exists: README.md}", "{field: name, matchs: x}"
        ),
        encoding="utf-8",
    )
    done = govcheck("validate", str(policy))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(re.match(rf"{re.escape(str(policy))}:\d+:\d+: ", line) for line in lines)


BAD_CONFIGS = {
    "unknown-key": ("version: 1\npolicys: [builtin:all]\n", "2:1", "unknown key 'policys'"),
    "waiver-without-reason": (
        (
            "version: 1\nwaivers:\n  - rule: GC-CARD-001\n    target: models/a\n"
            "    expires: 2099-01-01\n"
        ),
        "3:5",
        "missing required key 'reason'",
    ),
    "waiver-without-expiry": (
        "version: 1\nwaivers:\n  - rule: GC-CARD-001\n    target: models/a\n    reason: legacy\n",
        "3:5",
        "missing required key 'expires'",
    ),
    "unknown-param": (
        "version: 1\nparams:\n  modles_glob: 'm/*'\n",
        "3:3",
        "unknown parameter 'modles_glob' in params (did you mean 'models_glob'?)",
    ),
    "bad-fail-on": ("version: 1\nfail_on: always\n", "2:10", "'fail_on' must be one of"),
    "bad-exclude-glob": (
        "version: 1\nexclude: [docs, 'x[z-a]']\n",
        "2:17",
        "invalid glob 'x[z-a]': invalid character class range: z-a",
    ),
    "bad-waiver-glob": (
        (
            "version: 1\nwaivers:\n  - {rule: GC-CARD-001, target: 'models/[b-a]', reason: r,"
            " expires: 2099-01-01}\n"
        ),
        "3:33",
        "invalid glob 'models/[b-a]'",
    ),
    "bad-experiment-glob": (
        "version: 1\nmlflow:\n  experiments: ['fraud-[9-0]']\n",
        "3:17",
        "invalid glob 'fraud-[9-0]'",
    ),
    "unknown-pack": (
        "version: 1\npolicies: [builtin:model-card]\n",
        "2:12",
        "unknown built-in pack 'model-card'",
    ),
    "config-duplicate-key": (
        "version: 1\nfail_on: error\nfail_on: note\n",
        "3:1",
        "duplicate key 'fail_on'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_exit_2_with_one_located_line(repo: Path, case: str) -> None:
    text, where, fragment = BAD_CONFIGS[case]
    (repo / ".govcheck.yaml").write_text(text, encoding="utf-8")
    done = govcheck("check", "--repo", str(repo))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f".govcheck.yaml:{where}: "), lines[0]
    assert fragment in lines[0]


def test_hostile_regex_cannot_hang_a_check(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"a.txt": "a" * 200_000 + "!"})
    (repo / "p.yaml").write_text(
        "version: 1\nrules:\n  - id: R-1\n    name: r\n    resource: file\n"
        "    require: {field: text, matches: '^(a+)+$'}\n",
        encoding="utf-8",
    )
    done = govcheck(
        "check",
        "--repo",
        str(repo),
        "--policy",
        str(repo / "p.yaml"),
        "--select",
        "R-1",
        timeout=30,
    )
    assert done.returncode == 1  # (a+)+$ does not match: a finding, found in linear time
    assert "R-1" in done.stdout


# --- hostile shapes: one line at file:line, never an internal error ----------------------
# In process (cli.main is the same error boundary as the command), to stay fast.

LAUGHS = (
    "a0: &a0 ["
    + ", ".join(["x"] * 9)
    + "]\n"
    + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9))
)
DEEP = "{not: " * 300 + "{field: name, equals: x}" + "}" * 300

HOSTILE_POLICIES = {
    "resource-a-list": (
        "version: 1\nrules:\n" + GOOD_RULE.replace("resource: directory", "resource: [file]"),
        "7:15",
        "'resource' must be a string, got a list in rule ACME-001",
    ),
    "rules-true": ("version: 1\nrules: true\n", "2:8", "'rules' must be a list, got a boolean"),
    "300-deep-conditions": (
        "version: 1\nrules:\n" + GOOD_RULE.replace("{file_exists: README.md}", DEEP),
        "8:596",
        "refused: nested deeper than 100 levels",
    ),
    "billion-laughs": (LAUGHS + "version: 1\nrules: *a8\n", "5:5", "refused: aliases expand"),
    "huge-name": (
        "version: 1\nrules:\n" + GOOD_RULE.replace("cards-exist", "X" * 100_000),
        "4:11",
        "'name' value 'XXXX",
    ),
    "tagged-list": ("version: 1\nrules: !!str []\n", "2:8", "!!str cannot hold a list"),
}

HOSTILE_CONFIGS = {
    "inf-timeout": (
        "version: 1\nmlflow: {timeout_seconds: .inf}\n",
        "2:27",
        "'timeout_seconds' must be at most 3600, got inf",
    ),
    "huge-builtin": (
        "version: 1\npolicies: ['builtin:" + "a" * 1_000_000 + "']\n",
        "2:12",
        "unknown built-in pack 'aaaa",
    ),
    "param-glob-from-config": (
        "version: 1\nparams:\n  models_glob: 'models/[z-a]'\n",
        "3:3",
        (
            "params.models_glob: 'glob': invalid glob 'models/[z-a]': invalid character class "
            "range: z-a (used by rule GC-MON-002)"
        ),
    ),
    "param-regex-from-config": (
        "version: 1\nparams:\n  experiment_name_pattern: '(('\n",
        "3:3",
        (
            "params.experiment_name_pattern: 'matches': invalid regular expression '((': "
            "missing ): (( (used by rule GC-EXP-001, GC-EXP-010)"
        ),
    ),
    "param-type-from-config": (
        "version: 1\nparams:\n  max_data_file_mb: lots\n",
        "3:3",
        "params.max_data_file_mb: 'gt': expects a number",
    ),
}


def _main_lines(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    from govcheck.cli import main

    code = main(list(argv))
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("case", sorted(HOSTILE_POLICIES))
def test_hostile_policy_is_one_located_line(
    repo: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text, where, fragment = HOSTILE_POLICIES[case]
    (repo / "team.yaml").write_text(text, encoding="utf-8")
    code, lines = _main_lines(capsys, "check", "--repo", str(repo), "--policy", "team.yaml")
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"team.yaml:{where}: "), lines[0][:300]
    assert fragment in lines[0] and len(lines[0]) < 400


@pytest.mark.parametrize("case", sorted(HOSTILE_CONFIGS))
def test_hostile_config_is_one_located_line(
    repo: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text, where, fragment = HOSTILE_CONFIGS[case]
    (repo / ".govcheck.yaml").write_text(text, encoding="utf-8")
    code, lines = _main_lines(capsys, "check", "--repo", str(repo), "--no-mlflow")
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f".govcheck.yaml:{where}: "), lines[0][:300]
    assert fragment in lines[0] and len(lines[0]) < 400
