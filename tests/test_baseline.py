"""Baselines in a repository with history: recorded at one commit, the next change's check
fails only on what it adds; known findings are unchanged, fixed ones absent (once)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from govcheck.cli import main
from support import CARD, GOOD_MODEL

MakeRepo = Callable[..., Path]
Git = Callable[..., str]

# Commit A: known problems. models/legacy has no card and, served, no monitoring config;
# one unpinned data reference.
DEPLOYED = "version: 1\nparams: {deployed_models: [legacy]}\n"
BEFORE = {
    **GOOD_MODEL,
    ".govcheck.yaml": DEPLOYED,
    "models/legacy/train.py": "print('legacy')\n",
    "configs/data.yaml": "owner: data-team\ntrain: s3://bucket/train.csv\n",
}


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--format", "json", "--no-mlflow", *args])
    return code, json.loads(capsys.readouterr().out)


def states(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["location"]["path"], f["baseline_state"]) for f in report["findings"]}


@pytest.fixture
def history(make_repo: MakeRepo, run_git: Git) -> Path:
    """Commit A (BEFORE, with its baseline committed), then an uncommitted change B: lines
    inserted above the known reference, a new unpinned reference, and the legacy card."""
    root = make_repo(BEFORE)
    assert main(["baseline", "--repo", str(root), "--no-mlflow", "--quiet"]) == 0
    run_git(root, "add", ".govcheck/baseline.json")
    run_git(root, "commit", "-q", "-m", "baseline")
    run_git(root, "tag", "A")
    (root / "configs/data.yaml").write_text(
        "# Training data for the fraud model.\n# Reviewed by the data team.\n"
        + BEFORE["configs/data.yaml"],
        encoding="utf-8",
    )
    (root / "configs/new.yaml").write_text("eval: s3://bucket/eval.csv\n", encoding="utf-8")
    (root / "models/legacy/README.md").write_text(CARD, encoding="utf-8")
    run_git(root, "add", "-A")
    return root


def test_the_baseline_file_records_active_findings_by_fingerprint(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    waiver = DEPLOYED + (
        "waivers:\n  - {rule: GC-MON-001, target: models/legacy, reason: retired,"
        " expires: 2099-01-01}\n"
    )
    root = make_repo({**BEFORE, ".govcheck.yaml": waiver})
    out = root / "known.json"
    assert main(["baseline", "--repo", str(root), "--no-mlflow", "--output", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: 2 findings of 2 rules at commit ")
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("govcheck-baseline", 1)
    recorded = {(f["rule_id"], f["path"], f["line"]) for f in document["findings"]}
    # The waived GC-MON-001 is not recorded: when its waiver expires, it fails again.
    assert recorded == {
        ("GC-CARD-001", "models/legacy/train.py", None),
        ("GC-DATA-001", "configs/data.yaml", 2),
    }
    assert all(len(f["fingerprint"].split(":")[0]) == 64 for f in document["findings"])


def test_the_next_change_fails_only_on_what_it_adds(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, plain = check(capsys, "--repo", str(history))
    assert code == 1 and plain["counts"]["error"] == 3  # without a baseline, old ones fail too
    code, report = check(
        capsys, "--repo", str(history), "--baseline", str(history / ".govcheck/baseline.json")
    )
    assert code == 1
    assert states(report) == {
        ("GC-DATA-001", "configs/data.yaml", "unchanged"),  # moved two lines down: still known
        ("GC-MON-001", "models/legacy/README.md", "unchanged"),
        ("GC-DATA-001", "configs/new.yaml", "new"),
    }
    assert [(f["rule_id"], f["baseline_state"]) for f in report["absent"]] == [
        ("GC-CARD-001", "absent")  # the card was added: fixed, reported once
    ]
    assert report["counts"] == {
        "error": 1,
        "warning": 0,
        "note": 0,
        "suppressed": 0,
        "baselined": 2,
        "absent": 1,
    }
    # Without the new reference, the change passes.
    (history / "configs/new.yaml").write_text("eval: local\n", encoding="utf-8")
    code, _ = check(
        capsys, "--repo", str(history), "--baseline", str(history / ".govcheck/baseline.json")
    )
    assert code == 0


def test_baseline_rev_computes_the_baseline_from_a_commit(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check(capsys, "--repo", str(history), "--baseline-rev", "A")
    assert code == 1 and report["baseline"].startswith("commit ")
    assert {s for s in states(report) if s[2] == "new"} == {
        ("GC-DATA-001", "configs/new.yaml", "new")
    }
    assert [f["rule_id"] for f in report["absent"]] == ["GC-CARD-001"]
    # A pull request's check: only what changed since A, compared with A.
    code, report = check(
        capsys, "--repo", str(history), "--changed-since", "A", "--baseline-rev", "A"
    )
    assert code == 1
    assert states(report) == {
        ("GC-DATA-001", "configs/data.yaml", "unchanged"),
        ("GC-MON-001", "models/legacy/README.md", "unchanged"),
        ("GC-DATA-001", "configs/new.yaml", "new"),
    }
    assert [f["rule_id"] for f in report["absent"]] == ["GC-CARD-001"]


def test_a_path_limited_check_calls_nothing_fixed_that_it_did_not_look_at(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = str(history / ".govcheck/baseline.json")
    code, report = check(
        capsys, "--repo", str(history), str(history / "configs"), "--baseline", baseline
    )
    assert code == 1 and report["absent"] == []  # models/legacy was not checked
    code, report = check(
        capsys, "--repo", str(history), str(history / "models/legacy"), "--baseline", baseline
    )
    assert code == 0
    assert [f["rule_id"] for f in report["absent"]] == ["GC-CARD-001"]  # checked, and passed


def test_text_leads_with_the_new_findings_and_counts_the_rest(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = str(history / ".govcheck/baseline.json")
    assert main(["check", "--repo", str(history), "--no-mlflow", "--baseline", baseline]) == 1
    out = capsys.readouterr().out
    assert out.startswith("configs/new.yaml\n")
    assert "models/legacy" not in out and "configs/data.yaml" not in out
    assert f"Baseline {baseline}: 2 findings unchanged, 1 fixed; only new findings count." in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline file not found"),
        ("{", "cannot read baseline"),
        ('{"format": "govcheck-baseline", "version": 2}', "not a govcheck baseline: $"),
    ],
)
def test_a_bad_baseline_is_a_usage_error(
    make_repo: MakeRepo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    root = make_repo(BEFORE)
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["check", "--repo", str(root), "--baseline", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_baseline_and_baseline_rev_exclude_each_other(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(BEFORE)
    assert main(["check", "--repo", str(root), "--baseline", "x", "--baseline-rev", "HEAD"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
