"""`govcheck check --model NAME@ALIAS | NAME/VERSION`: one registered model version, its
registered model and run, and its repository model with that model's files; nothing else.

The store is the session's sqlite world (mlflow_world.py); the repository is a clone of the
session repository (so the runs' commit is in its history) with two more models: churn-model
(a card, no monitoring) and unrelated (a card missing its sections), which no check of
another model may report.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mlflow_world import World

from govcheck.check import CheckOptions, run
from govcheck.errors import UsageError
from govcheck.model import Report
from support import CARD, govcheck


@pytest.fixture(scope="module")
def repo(ml_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("focus") / "repo"
    subprocess.run(["git", "clone", "-q", str(ml_repo), str(root)], check=True)
    files = {
        "models/churn-model/MODEL_CARD.md": CARD.replace("# M", "# churn-model"),
        "models/unrelated/MODEL_CARD.md": "# unrelated\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for args in (
        ["config", "user.name", "Test User"],
        ["config", "user.email", "test@example.com"],
        ["add", "--", *files],
        ["commit", "-q", "-m", "more models"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def check(repo: Path, world: World, model: str, as_alias: str | None = None) -> Report:
    return run(CheckOptions(repo=str(repo), mlflow_uri=world.uri, model=model, as_alias=as_alias))


def by_rule(report: Report) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report.findings:
        out.setdefault(f.rule_id, set()).add(f.entity or f.resource_id)
    return out


def test_an_alias_limits_the_check_to_its_version_and_repository_model(
    repo: Path, world: World
) -> None:
    report = check(repo, world, "fraud-detector@champion")
    good = world.run_ids["good-run"]
    judged = {c.resource_id for c in report.checked}
    # The version (traced, monitored), its registered model, its run; and its card.
    assert {
        "mlflow:model_version/fraud-detector/1",
        "mlflow:registered_model/fraud-detector",
        f"mlflow:run/{good}",
        "models/fraud-detector",
    } <= judged
    assert not {j for j in judged if j.startswith("mlflow:") and "fraud-detector" not in j} - {
        f"mlflow:run/{good}"
    }
    assert not [j for j in judged if "churn" in j or "unrelated" in j]
    # Only the model's own files are reported (its card lacks sections); no other model's.
    located = {f.location.path for f in report.findings if f.location}
    assert "models/fraud-detector/MODEL_CARD.md" in located
    assert all(p.startswith("models/fraud-detector/") for p in located)
    assert (
        "limited to model version fraud-detector/1 and repository model models/fraud-detector"
        in (report.notices)
    )


def test_a_failing_version_reports_its_own_lineage_and_registry_findings(
    repo: Path, world: World
) -> None:
    report = check(repo, world, "churn-model@champion")
    bad = f"mlflow:run/{world.run_ids['bad-commit']}"
    found = by_rule(report)
    assert found["GC-REG-002"] == {"mlflow:model_version/churn-model/1"}
    assert found["GC-REG-001"] == {"mlflow:registered_model/churn-model"}
    assert found["GC-RUN-001"] == {bad}
    # Its repository model has a card but no monitoring config.
    assert found["GC-MON-010"] == {"mlflow:model_version/churn-model/1"}
    assert "GC-REG-003" not in found  # the card is there
    assert not [f for f in report.findings if "unrelated" in str(f.location)]


def test_a_candidate_is_judged_as_serving_only_with_as_alias(repo: Path, world: World) -> None:
    # Version 3 was trained in a run with no commit and is behind no alias.
    plain = check(repo, world, "fraud-detector/3")
    assert "GC-REG-002" not in by_rule(plain)
    assert any(n.startswith("no rule judged model version fraud-detector/3") for n in plain.notices)
    gated = check(repo, world, "fraud-detector/3", as_alias="champion")
    assert by_rule(gated)["GC-REG-002"] == {"mlflow:model_version/fraud-detector/3"}
    message = next(f.message for f in gated.findings if f.rule_id == "GC-REG-002")
    assert message.startswith("Model 'fraud-detector' version 3 (alias champion) does not trace")
    # The store's own view is unchanged: version 1 is still the champion.
    assert "mlflow:model_version/fraud-detector/1" not in by_rule(gated).get("GC-REG-002", set())


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "fraud-detector@canary",
            (
                "--model fraud-detector@canary: registered model 'fraud-detector' has no alias "
                "'canary' (its aliases: champion, production)"
            ),
        ),
        (
            "fraud-detector/9",
            (
                "--model fraud-detector/9: registered model 'fraud-detector' has no version 9 "
                "(its versions: 1, 2, 3)"
            ),
        ),
        (
            "fraud-detektor@champion",
            (
                "--model fraud-detektor@champion: no registered model 'fraud-detektor' in MLflow"
                " (did you mean 'fraud-detector'?)"
            ),
        ),
        ("fraud-detector", "--model takes NAME@ALIAS or NAME/VERSION"),
    ],
)
def test_an_unknown_alias_or_version_is_a_usage_error(
    repo: Path, world: World, spec: str, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        check(repo, world, spec)
    assert caught.value.message.startswith(message)


def test_cli_exit_codes_for_an_unknown_alias_and_an_unreachable_store(
    repo: Path, world: World
) -> None:
    unknown = govcheck("check", "--repo", str(repo), "--mlflow-uri", world.uri, "--model", "x@y")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == ["--model x@y: no registered model 'x' in MLflow"]
    down = govcheck(
        "check", "--repo", str(repo), "--mlflow-uri", "http://127.0.0.1:9", "--model", "x@y"
    )
    assert down.returncode == 3, down.stderr
    assert len(down.stderr.strip().splitlines()) == 1


def test_publish_one_version_then_refuse_a_dirty_tree(
    repo: Path, store_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from govcheck.cli import main
    from mlflow import MlflowClient

    uri = f"sqlite:///{store_copy}"
    args = ["publish", "--repo", str(repo), "--mlflow-uri", uri, "--select", "GC-REG,GC-RUN"]
    assert main([*args, "--model", "churn-model@champion"]) == 0
    client = MlflowClient(uri, registry_uri=uri)
    tags = client.get_model_version("churn-model", "1").tags
    assert (tags["govcheck.status"], tags["govcheck.errors"], tags["govcheck.warnings"]) == (
        "fail",
        "2",
        "2",
    )
    # One version's publish leaves its registered model's summary (of all its aliases) alone.
    assert not [k for k in client.get_registered_model("churn-model").tags if "govcheck" in k]
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith("wrote 6 tag(s) on 1 model version(s) and 0 registered model(s)")
    )
    readme = repo / "README.md"
    saved = readme.read_text()
    readme.write_text(saved + "edited\n")
    try:
        assert main(args) == 2
    finally:
        readme.write_text(saved)
    assert "a published verdict names the commit it was reached on" in capsys.readouterr().err


def test_a_model_report_records_the_version_and_verifies(
    repo: Path, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from govcheck.cli import main

    out = tmp_path / "report.json"
    spec = ["--model", "fraud-detector/3", "--as-alias", "champion"]
    base = ["--repo", str(repo), "--mlflow-uri", world.uri]
    assert main(["check", *base, *spec, "--format", "json", "--output", str(out)]) == 1
    prov = json.loads(out.read_text())["provenance"]
    assert (prov["model"], prov["as_alias"]) == ("fraud-detector/3", "champion")
    capsys.readouterr()
    # verify re-runs the same limited check: same findings, not the whole store's.
    assert main(["verify", str(out), "--repo", str(repo)]) == 0, capsys.readouterr().out
