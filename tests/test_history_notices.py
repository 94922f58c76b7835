"""What a check cannot know, said instead of guessed: a shallow clone skips rules that look
commits up (with the fetch-depth hint) rather than call lineage broken, and an old MLflow
snapshot gets a notice."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from govcheck.check import SHALLOW_REASON, CheckOptions, run
from support import TEAM_POLICY, registry_snapshot

# A repository rule that looks a commit up: the commit a deployment file pins.
PIN_POLICY = """version: 1
rules:
  - id: TEAM-PIN
    name: deploy-pin-exists
    title: Deployments pin a commit of this repository
    severity: error
    resource: file
    where: {field: path, equals: deploy.yaml}
    require: {git_commit_exists: data.commit}
    message: "{path} pins a commit that is not in this repository"
"""


@pytest.fixture
def clones(
    make_repo: Callable[..., Path], run_git: Callable[..., str], tmp_path: Path
) -> tuple[Path, Path]:
    """(full clone, shallow clone) of a repository whose deploy.yaml pins its first commit."""
    origin = make_repo({"policy.yaml": PIN_POLICY, "README.md": "# r\n"})
    first = run_git(origin, "rev-parse", "HEAD").strip()
    (origin / "deploy.yaml").write_text(f"commit: {first}\n", encoding="utf-8")
    run_git(origin, "add", "deploy.yaml")
    run_git(origin, "commit", "-q", "-m", "deploy")
    full, shallow = tmp_path / "full", tmp_path / "shallow"
    for target, depth in ((full, []), (shallow, ["--depth", "1"])):
        subprocess.run(
            ["git", "clone", "-q", *depth, f"file://{origin}", str(target)],
            check=True,
            capture_output=True,
        )
    return full, shallow


def test_a_shallow_clone_skips_history_rules_with_the_fix(clones: tuple[Path, Path]) -> None:
    full, shallow = clones

    def check(root: Path) -> tuple[list[str], list[tuple[str, str]]]:
        report = run(CheckOptions(repo=str(root), policies=(str(root / "policy.yaml"),)))
        return [f.rule_id for f in report.findings], [(s.rule_id, s.reason) for s in report.skipped]

    findings, skipped = check(full)
    assert "TEAM-PIN" not in findings and ("TEAM-PIN", SHALLOW_REASON) not in skipped
    findings, skipped = check(shallow)
    assert "TEAM-PIN" not in findings  # the pinned commit exists; it was just not fetched
    assert ("TEAM-PIN", SHALLOW_REASON) in skipped
    assert "fetch-depth: 0" in SHALLOW_REASON
    # Rules that need no history still run in the shallow clone.
    assert all(rule != "GC-CARD-001" for rule, _ in skipped)


def test_an_old_snapshot_gets_a_notice(make_repo: Callable[..., Path]) -> None:
    old = json.loads(registry_snapshot({"m": "Scores."}))
    old["recorded_at"] = "2020-01-01T00:00:00+00:00"
    config = "version: 1\nmlflow:\n  snapshot: mlflow.json\n  snapshot_max_age_days: 7\n"
    root = make_repo(
        {".govcheck.yaml": config, "team.yaml": TEAM_POLICY, "mlflow.json": json.dumps(old)}
    )
    report = run(CheckOptions(repo=str(root), policies=(str(root / "team.yaml"),)))
    [notice] = [n for n in report.notices if "recorded" in n]
    assert notice.startswith(f"MLflow snapshot {root / 'mlflow.json'} was recorded ")
    assert "mlflow.snapshot_max_age_days: 7" in notice and "govcheck snapshot" in notice
    fresh = dict(old)
    fresh["recorded_at"] = datetime.now(timezone.utc).isoformat()  # recorded just now
    (root / "mlflow.json").write_text(json.dumps(fresh), encoding="utf-8")
    report = run(CheckOptions(repo=str(root), policies=(str(root / "team.yaml"),)))
    assert not [n for n in report.notices if "recorded" in n]
