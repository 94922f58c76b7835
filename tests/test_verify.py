"""`govcheck verify REPORT.json`: the check re-run at the report's commit, the verdict compared."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from govcheck.cli import main
from support import GOOD_MODEL, TEAM_POLICY, registry_snapshot

MakeRepo = Callable[..., Path]


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


UNPINNED = "data: s3://bucket/train.csv\n"


def check(root: Path, out: str, *args: str) -> int:
    return main(["check", "--repo", str(root), "--format", "json", "--output", out, *args])


def verify(root: Path, report: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["verify", report, "--repo", str(root)])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


def commit(root: Path, files: dict[str, str], message: str = "change") -> str:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def test_a_report_from_an_earlier_commit_is_confirmed(
    make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({**GOOD_MODEL, "train.yaml": UNPINNED})
    first = git(root, "rev-parse", "HEAD").strip()
    report = str(tmp_path / "report.json")
    assert check(root, report) == 1
    # The repository moves on: new violations, the old one fixed. The old verdict still holds.
    commit(root, {"train.yaml": "data: s3://bucket/train.csv?versionId=abc\n", "x.yaml": UNPINNED})
    code, lines = verify(root, report, capsys)
    assert code == 0
    assert lines == [
        f"verified: the verdict on {first[:12]} is the same: 1 finding(s), 1 active, exit 1"
    ]


def test_a_report_made_on_uncommitted_changes_shows_the_differences(
    make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({**GOOD_MODEL, "train.yaml": "a: 1\n"})
    head = git(root, "rev-parse", "HEAD").strip()
    (root / "train.yaml").write_text(UNPINNED)  # not committed
    report = str(tmp_path / "report.json")
    assert check(root, report) == 1
    code, lines = verify(root, report, capsys)
    assert code == 1
    assert lines[0] == (
        f"note: the report was made from a working tree that differed from {head[:12]} in "
        "1 path(s) (train.yaml); this re-run reads the commit"
    )
    assert lines[1].startswith(f"the verdict on {head[:12]} differs from the report's")
    assert lines[2].startswith("- GC-DATA-001 train.yaml:1:7: s3://bucket/train.csv is not pinned")
    assert lines[3:] == ["exit 1 -> 0"]


def test_a_report_edited_after_the_fact_is_caught(
    make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({**GOOD_MODEL, "train.yaml": UNPINNED})
    report = tmp_path / "report.json"
    check(root, str(report))
    data = json.loads(report.read_text())
    data["findings"] = []  # "no findings"
    report.write_text(json.dumps(data))
    code, lines = verify(root, str(report), capsys)
    assert code == 1
    assert lines[1].startswith("+ GC-DATA-001 train.yaml:1:7:")


def test_policies_that_hash_differently_stop_it_in_one_line(
    make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "version: 1\npolicies: [builtin:all, team.yaml]\n"
    root = make_repo({**GOOD_MODEL, ".govcheck.yaml": config, "team.yaml": TEAM_POLICY})
    report = str(tmp_path / "report.json")
    check(root, report)
    (root / "team.yaml").write_text(TEAM_POLICY.replace("severity: error", "severity: note"))
    code, lines = verify(root, report, capsys)
    assert code == 2
    [line] = lines
    assert line.startswith("the policies now hash to ")
    assert line.endswith(
        "(a rule's definition or a parameter it uses has changed): re-run with the config "
        "and policies the report was made with"
    )


def test_the_snapshot_the_report_read_is_found_in_its_commit(
    make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "version: 1\npolicies: [builtin:all, team.yaml]\nmlflow: {snapshot: mlflow.json}\n"
    files = {**GOOD_MODEL, ".govcheck.yaml": config, "team.yaml": TEAM_POLICY}
    root = make_repo({**files, "mlflow.json": registry_snapshot({"m": ""})})
    report = str(tmp_path / "report.json")
    assert check(root, report) == 1
    recorded = json.loads(Path(report).read_text())["provenance"]
    assert recorded["mlflow_snapshot"] == "mlflow.json" and recorded["snapshot_digest"]
    # Later the snapshot is recorded again (the model got its description), and committed.
    commit(root, {"mlflow.json": registry_snapshot({"m": "Scores transactions."})})
    code, lines = verify(root, report, capsys)
    assert (code, lines[-1][:9]) == (0, "verified:")
    # A snapshot never committed, since replaced: nothing has the content the report read.
    other = make_repo({**files, "mlflow.json": "{}"})
    (other / "mlflow.json").write_text(registry_snapshot({"m": ""}))
    report2 = str(tmp_path / "report2.json")
    check(other, report2)
    (other / "mlflow.json").write_text(registry_snapshot({"m": "x"}))
    code, lines = verify(other, report2, capsys)
    assert code == 2
    digest = json.loads(Path(report2).read_text())["provenance"]["snapshot_digest"]
    head = git(other, "rev-parse", "HEAD").strip()
    assert lines == [
        (
            f"the report read MLflow snapshot mlflow.json with digest {digest[:12]}; neither "
            f"the working tree's file nor the one in {head[:12]} has that content"
        )
    ]


def test_a_report_without_provenance_cannot_be_verified(
    make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(GOOD_MODEL)
    report = tmp_path / "report.json"
    check(root, str(report))
    data = json.loads(report.read_text())
    data["provenance"] = None
    report.write_text(json.dumps(data))
    code, lines = verify(root, str(report), capsys)
    assert code == 2
    assert lines == [
        f"{report} records no provenance (made by an older govcheck): nothing to re-run"
    ]
