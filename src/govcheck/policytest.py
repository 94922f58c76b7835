"""`govcheck test DIR`: policy unit tests as files in folders.

DIR/<RULE-ID>/pass/ and DIR/<RULE-ID>/fail/ are small repository trees; expected.yaml
lists the findings the fail tree must give, exactly: `- {path: ..., line: ...,
message_contains: ...}` (line and message_contains optional). Each tree is checked as its
own git repository with only that rule selected, against the same policies as a check of
the current repository.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcheck.boundary import in_git_dir
from govcheck.errors import UsageError
from govcheck.yamlsrc import load_one


@dataclass(frozen=True)
class CaseResult:
    rule_id: str
    outcome: str  # "pass" | "fail"
    ok: bool
    detail: str = ""
    skipped: bool = False


def _git(root: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "govcheck",
        "GIT_AUTHOR_EMAIL": "govcheck@localhost",
        "GIT_COMMITTER_NAME": "govcheck",
        "GIT_COMMITTER_EMAIL": "govcheck@localhost",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise UsageError(f"git {args[0]} failed in a test case copy: {done.stderr.strip()}")


def _git_dirs(directory: str, names: list[str]) -> list[str]:
    return [name for name in names if in_git_dir([name])]


def as_repository(tree: Path, dest: Path) -> Path:
    """The tree as the one commit of a new repository (`gitattributes` becomes active).

    Symlinks are copied as links, never followed: one that leaves the case tree (or goes
    into .git) then points outside the copy, where a check skips it, and a loop is just a
    link. A `.git` inside the tree is not copied, so no case's own git config or hooks
    ever apply."""
    shutil.copytree(tree, dest, symlinks=True, ignore=_git_dirs)
    for attributes in dest.rglob("gitattributes"):
        if attributes.is_file() and not attributes.is_symlink():
            attributes.rename(attributes.with_name(".gitattributes"))
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "case")
    return dest


def expected_findings(folder: Path) -> list[dict[str, Any]]:
    path = folder / "expected.yaml"
    if path.is_symlink():
        raise UsageError(f"{path} is a symlink: case files are read only as regular files")
    if not path.is_file():
        raise UsageError(f"missing {path}: list the findings the fail case must give")
    data = load_one(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(data, list) or not all(isinstance(d, dict) and "path" in d for d in data):
        raise UsageError(f"{path}: expected a list of {{path, line, message_contains}} entries")
    return data


def run_case(folder: Path, outcome: str, policies: tuple[str, ...], work: Path) -> CaseResult:
    from govcheck.check import CheckOptions, run

    rule_id = folder.name
    tree = folder / outcome
    if folder.is_symlink() or tree.is_symlink():
        link = folder if folder.is_symlink() else tree
        return CaseResult(rule_id, outcome, False, f"{link} is a symlink: not followed")
    repo = as_repository(tree, work / f"{rule_id}-{outcome}")
    report = run(CheckOptions(repo=str(repo), policies=policies, select=(rule_id,), no_mlflow=True))
    findings = [f for f in report.findings if f.rule_id == rule_id]
    if any(s.rule_id == rule_id for s in report.skipped):
        return CaseResult(rule_id, outcome, True, "needs an MLflow store", skipped=True)
    got = sorted(
        (
            (f.location.path if f.location else "", f.location.line if f.location else None)
            for f in findings
        ),
        key=_spot_order,
    )
    if outcome == "pass":
        if findings:
            return CaseResult(rule_id, outcome, False, f"expected no finding, got {_show(got)}")
        if not any(c.rule_id == rule_id for c in report.checked):
            return CaseResult(rule_id, outcome, False, "the rule selected nothing in the pass tree")
        return CaseResult(rule_id, outcome, True)
    expected = expected_findings(folder)
    want = sorted(((str(e["path"]), e.get("line")) for e in expected), key=_spot_order)
    if got != want:
        return CaseResult(rule_id, outcome, False, f"expected {_show(want)}, got {_show(got)}")
    for e in expected:
        fragment = e.get("message_contains")
        spot = (str(e["path"]), e.get("line"))
        messages = [
            f.message for f in findings if f.location and (f.location.path, f.location.line) == spot
        ]
        if fragment and not any(str(fragment) in m for m in messages):
            return CaseResult(
                rule_id, outcome, False, f"no message at {spot[0]}:{spot[1]} contains {fragment!r}"
            )
    return CaseResult(rule_id, outcome, True)


def _spot_order(spot: tuple[str, Any]) -> tuple[str, int]:
    """A file-level finding (no line) sorts before the same file's line findings."""
    return spot[0], spot[1] if isinstance(spot[1], int) else 0


def _show(items: list[tuple[str, Any]]) -> str:
    return ", ".join(f"{p}:{line}" if line else p for p, line in items) or "nothing"


def run_all(directory: Path, policies: tuple[str, ...]) -> list[CaseResult]:
    if not directory.is_dir():
        raise UsageError(f"test directory not found: {directory}")
    folders = sorted(
        p
        for p in directory.iterdir()
        if not in_git_dir([p.name]) and ((p / "pass").is_dir() or (p / "fail").is_dir())
    )
    if not folders:
        raise UsageError(
            f"no test cases in {directory} (expected <RULE-ID>/pass and <RULE-ID>/fail folders)"
        )
    results = []
    with tempfile.TemporaryDirectory(prefix="govcheck-test-") as tmp:
        for folder in folders:
            for outcome in ("pass", "fail"):
                if (folder / outcome).is_dir():
                    results.append(run_case(folder, outcome, policies, Path(tmp)))
    return results
