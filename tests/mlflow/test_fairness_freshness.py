"""The fairness and freshness packs against a real MLflow store and a real git history.

One sqlite store, written through MlflowClient with a local artifact root, and one git
repository whose files were committed at chosen times (GIT_COMMITTER_DATE). Every model
breaks at most one rule, so "exactly these findings" pins down both misses and false
positives; the same check from a snapshot must give the same findings.

    model           serving version (alias)        breaks
    fraud-detector  1 (champion), dpd 0.23         GC-FAIR-002, GC-FRESH-001 (card 90 days old)
    churn-model     1 (production), report only    GC-FAIR-003 (no fairness section),
                                                   GC-FRESH-002 (monitoring 90 days old)
    ranker          1 (champion), auc only         GC-FAIR-001, GC-FRESH-003 (run 400 days old)
    ranker          2 (no alias), dpd 0.5          nothing: not serving
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from mlflow_servers import start_server

from govcheck.check import CheckOptions, load_rules, rule_reads, run
from govcheck.config import find_config
from govcheck.facts.mlflow_fieldset import record_paths
from govcheck.facts.mlflow_store import Scope
from govcheck.facts.snapshot_store import read_snapshot, write_snapshot
from govcheck.model import Report

DAY = 86400
NOW = time.time()
SELECT = ("GC-FAIR", "GC-FRESH")

FAIR_SECTION = (
    "## Bias and Fairness\nCompared across age bands with Fairlearn: demographic parity "
    "difference and equalized odds ratio are logged with each training run.\n"
)
MONITORING = """model: {name}
alias: champion
owner: ml-team@example.com
schedule: daily
baseline: {{dataset: "s3://ml-data/{name}/train.parquet?versionId=3HL4kqtJlcpXroDTDmJ"}}
metrics:
  - {{name: auc, threshold: {{min: 0.85}}}}
alerts:
  - {{channel: slack, target: "#ml-alerts"}}
"""


def card(name: str, fairness: bool) -> str:
    body = f"# {name}\n\n## Intended Use\nScores requests for the {name} team.\n\n"
    return body + (FAIR_SECTION if fairness else "## Limitations\nTrained on 2025 data.\n")


def demographic_parity_difference(y_pred: list[int], group: list[str]) -> float:
    """Fairlearn's definition: the largest gap between groups' selection rates."""
    rates = []
    for g in sorted(set(group)):
        chosen = [p for p, h in zip(y_pred, group) if h == g]
        rates.append(sum(chosen) / len(chosen))
    return max(rates) - min(rates)


def git(root: Path, *args: str, when: float | None = None) -> str:
    env = dict(os.environ)
    if when is not None:
        stamp = f"@{int(when)} +0000"
        env.update(GIT_COMMITTER_DATE=stamp, GIT_AUTHOR_DATE=stamp)
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.strip()


def commit(root: Path, files: dict[str, str], when: float, message: str) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", "--", *files)
    git(root, "commit", "-q", "-m", message, when=when)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from mlflow.entities import Metric

    from mlflow import MlflowClient

    base = tmp_path_factory.mktemp("fairness")
    root = base / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test User")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")
    old = NOW - 90 * DAY
    commit(
        root,
        {
            "models/fraud-detector/MODEL_CARD.md": card("fraud-detector", True),
            "models/fraud-detector/monitoring.yaml": MONITORING.format(name="fraud-detector"),
            "models/churn-model/monitoring.yaml": MONITORING.format(name="churn-model"),
            "models/ranker/monitoring.yaml": MONITORING.format(name="ranker"),
            ".govcheck.yaml": "version: 1\nparams:\n  max_model_age_days: 365\n",
        },
        old,
        "models",
    )
    # Written for the versions that serve now: changed after the 90-day-old commit.
    commit(
        root,
        {
            "models/churn-model/MODEL_CARD.md": card("churn-model", False),
            "models/ranker/MODEL_CARD.md": card("ranker", True),
            "models/fraud-detector/monitoring.yaml": MONITORING.format(name="fraud-detector")
            + "# thresholds reviewed for version 1\n",
            "models/ranker/monitoring.yaml": MONITORING.format(name="ranker") + "# reviewed\n",
        },
        NOW - 60,
        "cards for the serving versions",
    )
    # a rename is not a change: the card keeps its 90-day-old date
    git(root, "mv", "models/fraud-detector/MODEL_CARD.md", "models/fraud-detector/model_card.md")
    git(root, "commit", "-q", "-m", "rename the card", when=NOW - 30)

    uri = f"sqlite:///{base / 'mlflow.db'}"
    client = MlflowClient(uri, registry_uri=uri)
    exp = client.create_experiment("models", artifact_location=(base / "artifacts").as_uri())
    y_pred = [1, 1, 1, 0, 1, 0, 0, 0, 1, 0]
    group = ["a", "a", "a", "a", "a", "b", "b", "b", "b", "b"]
    dpd = demographic_parity_difference(y_pred, group)  # 0.8 - 0.2

    def train(
        name: str, metrics: dict[str, float], started: float = NOW, report: bool = False
    ) -> str:
        r = client.create_run(exp, start_time=int(started * 1000), run_name=name)
        stamp = int(started * 1000)
        client.log_batch(
            r.info.run_id, metrics=[Metric(k, v, stamp, 0) for k, v in metrics.items()]
        )
        if report:
            page = base / "fairness_report.html"
            page.write_text("<h1>Fairness</h1>", encoding="utf-8")
            client.log_artifact(r.info.run_id, str(page), "evaluation")
        client.set_terminated(r.info.run_id)
        return str(r.info.run_id)

    runs = {
        "fraud": train(
            "fraud",
            {
                "auc": 0.93,
                "demographic_parity_difference_age": round(dpd - 0.37, 2),
                "equalized_odds_ratio_age": 0.9,
            },
        ),
        "churn": train("churn", {"auc": 0.81}, report=True),
        "ranker-1": train("ranker-1", {"ndcg": 0.7}, started=NOW - 400 * DAY),
        "ranker-2": train("ranker-2", {"demographic_parity_difference": 0.5}),
    }
    for model in ("fraud-detector", "churn-model", "ranker"):
        client.create_registered_model(model)
    for model, run_key, alias in (
        ("fraud-detector", "fraud", "champion"),
        ("churn-model", "churn", "production"),
        ("ranker", "ranker-1", "champion"),
        ("ranker", "ranker-2", None),
    ):
        version = client.create_model_version(
            model, f"runs:/{runs[run_key]}/model", run_id=runs[run_key]
        )
        if alias:
            client.set_registered_model_alias(model, alias, version.version)
    return {"root": root, "uri": uri, "runs": runs, "base": base, "dpd": dpd}


def found(report: Report) -> list[tuple[str, str, str]]:
    return sorted(
        (f.rule_id, f.entity or (f.location.path if f.location else ""), f.message)
        for f in report.findings
    )


def live(world: dict[str, Any]) -> Report:
    return run(CheckOptions(repo=str(world["root"]), select=SELECT, mlflow_uri=world["uri"]))


def test_every_violation_is_found_with_both_values_and_nothing_else(
    world: dict[str, Any],
) -> None:
    assert world["dpd"] == pytest.approx(0.6)
    got = found(live(world))
    where = [(rule, entity) for rule, entity, _ in got]
    assert where == [
        ("GC-FAIR-001", "mlflow:model_version/ranker/1"),
        ("GC-FAIR-002", "mlflow:model_version/fraud-detector/1"),
        ("GC-FAIR-003", "models/churn-model/MODEL_CARD.md"),
        ("GC-FRESH-001", "models/fraud-detector/model_card.md"),
        ("GC-FRESH-002", "models/churn-model/MODEL_CARD.md"),
        ("GC-FRESH-003", "mlflow:model_version/ranker/1"),
    ]
    messages = {rule: message for rule, _, message in got}
    runs = world["runs"]
    assert f"its run {runs['ranker-1']} logged no metric" in messages["GC-FAIR-001"]
    assert (
        f"run {runs['fraud']} logged demographic_parity_difference_age = 0.23, outside its "
        "fairness threshold (demographic_parity_difference_age is 0.23, above 0.1 "
        "(fairness_thresholds['**/*demographic_parity_difference*']: max 0.1))"
    ) in messages["GC-FAIR-002"]
    today = time.strftime("%Y-%m-%d", time.gmtime(NOW))
    ninety = time.strftime("%Y-%m-%d", time.gmtime(NOW - 90 * DAY))
    assert (
        f"last changed {ninety}, but 'fraud-detector' version 1 (alias champion) was "
        f"registered {today}" in messages["GC-FRESH-001"]
    )
    assert "monitoring config models/churn-model/monitoring.yaml" in messages["GC-FRESH-002"]
    assert f"last changed {ninety}" in messages["GC-FRESH-002"]
    started = time.strftime("%Y-%m-%d", time.gmtime(NOW - 400 * DAY))
    assert f"started {started}, older than max_model_age_days (365)" in messages["GC-FRESH-003"]
    assert "(400 days old), expected after" in messages["GC-FRESH-003"]


def test_a_snapshot_gives_the_same_findings(world: dict[str, Any], tmp_path: Path) -> None:
    root = world["root"]
    rules, _ = load_rules(find_config(root, None), root)
    rules = [r for r in rules if r.id.startswith(SELECT)]
    output = str(tmp_path / "snapshot.json")
    write_snapshot(world["uri"], output, Scope(), record_paths(rule_reads(rules)))
    recorded = read_snapshot(output)
    # what the rules read, and no more: metrics and artifacts of the runs, not their params
    assert "run.artifacts" in "".join(recorded["fields"]["model_versions"])
    churn = next(v for v in recorded["model_versions"] if v["name"] == "churn-model")
    assert churn["run"]["artifacts"] == ["evaluation/fairness_report.html"]
    assert "params" not in churn["run"]
    offline = run(CheckOptions(repo=str(root), select=SELECT, mlflow_snapshot=output))
    assert found(offline) == found(live(world))


def test_under_rev_last_changed_is_that_commits_history(world: dict[str, Any]) -> None:
    """At the first commit the churn card did not exist yet and the fraud card's date is
    that commit's: the freshness verdicts are those of that tree."""
    root = world["root"]
    first = git(root, "rev-list", "--max-parents=0", "HEAD")
    report = run(
        CheckOptions(repo=str(root), select=("GC-FRESH-001",), mlflow_uri=world["uri"], rev=first)
    )
    assert [(f.location.path if f.location else "") for f in report.findings] == [
        "models/fraud-detector/MODEL_CARD.md"
    ]


def test_without_a_store_the_packs_are_skipped_and_say_so(world: dict[str, Any]) -> None:
    report = run(CheckOptions(repo=str(world["root"]), select=SELECT, no_mlflow=True))
    assert not report.findings
    assert {s.rule_id for s in report.skipped} == {
        "GC-FAIR-001",
        "GC-FAIR-002",
        "GC-FAIR-003",
        "GC-FRESH-001",
        "GC-FRESH-002",
        "GC-FRESH-003",
    }


@pytest.mark.slow
def test_a_real_mlflow_server_gives_the_same_findings(world: dict[str, Any]) -> None:
    """Over HTTP: versions, runs and metrics through the client, artifacts listed through
    `list_artifacts` (the run's file:// root, read where the client runs)."""
    workdir = world["base"] / "server"
    workdir.mkdir()
    db = workdir / "mlflow.db"
    shutil.copyfile(world["base"] / "mlflow.db", db)  # a server may write to its database
    server = start_server(db, workdir)
    try:
        server.wait_healthy()
        over_http = run(CheckOptions(repo=str(world["root"]), select=SELECT, mlflow_uri=server.url))
    finally:
        server.stop()
    assert found(over_http) == found(live(world))


def test_artifacts_a_sqlite_store_cannot_list_are_a_notice(make_repo: Any, tmp_path: Path) -> None:
    """Runs logged through a server's artifact proxy keep `mlflow-artifacts:` roots, which
    only that server can list: the check goes on, says so, and finds no report."""
    from mlflow import MlflowClient

    uri = f"sqlite:///{tmp_path / 'proxied.db'}"
    client = MlflowClient(uri, registry_uri=uri)
    exp = client.create_experiment("proxied", artifact_location="mlflow-artifacts:/proxied")
    run_id = client.create_run(exp).info.run_id
    client.create_registered_model("scorer")
    client.create_model_version("scorer", f"runs:/{run_id}/model", run_id=run_id)
    client.set_registered_model_alias("scorer", "champion", "1")
    repo = make_repo({"README.md": "# scorer\n"})
    report = run(CheckOptions(repo=str(repo), select=("GC-FAIR-001",), mlflow_uri=uri))
    assert [f.entity for f in report.findings] == ["mlflow:model_version/scorer/1"]
    (notice,) = [n for n in report.notices if "artifacts" in n]
    assert notice.startswith(f"cannot list the artifacts of run {run_id} at mlflow-artifacts:/")
    assert notice.endswith("rules reading run.artifacts see none for this run")


def test_a_candidate_is_judged_before_its_alias_moves(world: dict[str, Any]) -> None:
    """The deployment gate: `--model ranker/2 --as-alias champion` judges version 2 as the
    serving one: its fairness metric is out of bounds, and it is the newest serving version
    the card and monitoring config are held against (both changed before it, within 30
    days: fresh)."""
    report = run(
        CheckOptions(
            repo=str(world["root"]),
            select=SELECT,
            mlflow_uri=world["uri"],
            model="ranker/2",
            as_alias="champion",
        )
    )
    assert [(f.rule_id, f.entity) for f in report.findings] == [
        ("GC-FAIR-002", "mlflow:model_version/ranker/2")
    ]
    assert "demographic_parity_difference = 0.5" in report.findings[0].message
