"""Baselines over MLflow findings: matched by entity, and --baseline-rev reads the store once
for both the commit's check and the working tree's."""

from __future__ import annotations

import json
from pathlib import Path

from mlflow_world import World, expected

from govcheck.check import CheckOptions, run
from govcheck.cli import main
from govcheck.progress import Event, Tick

RULES = ("GC-RUN-001", "GC-REG-001")


def test_baseline_rev_reads_mlflow_once(ml_repo: Path, world: World) -> None:
    events: list[Event] = []
    report = run(
        CheckOptions(
            repo=str(ml_repo),
            mlflow_uri=world.uri,
            select=RULES,
            baseline_rev="HEAD",
            progress=events.append,
        )
    )
    runs = [e.count for e in events if isinstance(e, Tick) and e.unit == "runs"]
    models = [e.count for e in events if isinstance(e, Tick) and e.unit == "registered models"]
    # One page each: a second read of the store would tick again.
    assert (runs, models) == ([7], [4])
    want = expected(world)
    assert {f.entity for f in report.findings} == want["GC-RUN-001"] | want["GC-REG-001"]
    assert {f.baseline_state for f in report.findings} == {"unchanged"}
    assert report.absent == () and sum(1 for _ in report.active()) == 0


def test_a_baseline_file_matches_mlflow_findings_by_entity(
    ml_repo: Path, world: World, tmp_path: Path, capsys: object
) -> None:
    out = tmp_path / "baseline.json"
    base = ["--repo", str(ml_repo), "--mlflow-uri", world.uri, "--select", ",".join(RULES)]
    assert main(["baseline", *base, "--output", str(out), "--quiet"]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    entities = {f["entity"] for f in document["findings"]}
    want = expected(world)
    assert entities == want["GC-RUN-001"] | want["GC-REG-001"]
    # Drop one recorded finding: the check finds it again as new, the rest unchanged.
    dropped = document["findings"].pop()
    out.write_text(json.dumps(document), encoding="utf-8")
    assert main(["check", *base, "--baseline", str(out), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    new = [f["entity"] for f in report["findings"] if f["baseline_state"] == "new"]
    assert new == [dropped["entity"]]
    assert report["counts"]["baselined"] == len(entities) - 1
