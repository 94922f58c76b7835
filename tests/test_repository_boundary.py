"""Nothing under .git/ is ever read as repository content: not through a tracked symlink,
a policy or config path, a snapshot path, or a `govcheck test` case."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govcheck.check import CheckOptions, run
from govcheck.errors import PolicyErrors, UsageError
from govcheck.policytest import run_all
from govcheck.reporters import REPORTERS

TOKEN = "TOKEN-SECRET"
ECHO_POLICY = """\
version: 1
rules:
  - id: T-1
    name: echo
    resource: file
    where: {field: suffix, equals: .yaml}
    require: {field: text, equals: nothing}
    message: "{path}: {text} {data}"
"""


@pytest.fixture
def repo(make_repo, run_git) -> Path:  # type: ignore[no-untyped-def]
    root = make_repo({"policies/echo.yaml": ECHO_POLICY, "ok.yaml": "a: 1\n"})
    run_git(root, "config", "http.extraheader", f"AUTHORIZATION: basic {TOKEN}")
    return root


def test_a_tracked_symlink_to_git_config_is_skipped_with_a_notice(repo: Path, run_git) -> None:  # type: ignore[no-untyped-def]
    os.symlink(".git/config", repo / "leak.yaml")
    run_git(repo, "add", "leak.yaml")
    report = run(CheckOptions(repo=str(repo), policies=("policies/echo.yaml",), no_mlflow=True))
    assert "skipped symlink leak.yaml: points outside the repository" in report.notices
    assert "leak.yaml" not in [f.resource_id for f in report.findings]
    for render in REPORTERS.values():
        assert TOKEN not in render(report)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("policies: [.git/config]", "policy .git/config is inside a .git directory: not read"),
        ("policies: [.git/]", "policy .git/ is inside a .git directory: not read"),
        ("policies: [link/config]", "policy link/config is inside a .git directory: not read"),
        ("mlflow: {snapshot: .git/config}", "mlflow.snapshot is inside a .git directory"),
    ],
)
def test_config_paths_into_git_are_refused_at_their_line(
    repo: Path, config: str, message: str
) -> None:
    os.symlink(".git", repo / "link")
    (repo / ".govcheck.yaml").write_text(f"version: 1\n{config}\n")
    with pytest.raises(UsageError) as caught:
        run(CheckOptions(repo=str(repo)))
    lines = caught.value.lines()
    assert len(lines) == 1 and message in lines[0] and TOKEN not in lines[0]
    assert lines[0].startswith(".govcheck.yaml:2:")


def test_policy_and_config_arguments_into_git_are_refused(repo: Path) -> None:
    for options in (
        CheckOptions(repo=str(repo), policies=(str(repo / ".git" / "config"),)),
        CheckOptions(repo=str(repo), config=str(repo / ".git" / "config")),
    ):
        with pytest.raises((UsageError, PolicyErrors)) as caught:
            run(options)
        text = "\n".join(caught.value.lines())
        assert "inside a .git directory: not read" in text and TOKEN not in text


def _cases(root: Path) -> Path:
    case = root / "cases" / "T-1"
    (case / "pass").mkdir(parents=True)
    (case / "pass" / "a.yaml").write_text("nothing")
    (case / "fail").mkdir()
    (case / "fail" / "a.yaml").write_text("a: 1\n")
    (case / "expected.yaml").write_text("- {path: a.yaml}\n")
    return root / "cases"


def test_govcheck_test_never_follows_links_out_of_a_case_tree(repo: Path) -> None:
    cases = _cases(repo)
    fail = cases / "T-1" / "fail"
    os.symlink(str(repo / ".git" / "config"), fail / "abs.yaml")  # absolute, into .git
    os.symlink("../../../.git/config", fail / "rel.yaml")  # relative, out of the tree
    os.symlink(".", fail / "loop")  # a loop
    os.symlink("self", fail / "self")  # a link to itself
    (fail / ".git").mkdir()  # a case's own git dir: never copied, never used
    (fail / ".git" / "config").write_text("[core]\n\tfsmonitor = touch /tmp/pwned\n")
    policy = str(repo / "policies" / "echo.yaml")
    results = run_all(cases, (policy,))
    assert [(r.outcome, r.ok) for r in results] == [("pass", True), ("fail", True)], results


def test_govcheck_test_refuses_symlinked_case_trees(repo: Path, tmp_path: Path) -> None:
    cases = _cases(repo)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (cases / "T-1" / "pass" / "a.yaml").unlink()
    (cases / "T-1" / "pass").rmdir()
    os.symlink(str(elsewhere), cases / "T-1" / "pass")
    results = run_all(cases, (str(repo / "policies" / "echo.yaml"),))
    bad = next(r for r in results if r.outcome == "pass")
    assert not bad.ok and bad.detail.endswith("is a symlink: not followed")
    (cases / "T-1" / "expected.yaml").unlink()
    os.symlink(str(repo / ".git" / "config"), cases / "T-1" / "expected.yaml")
    with pytest.raises(UsageError, match="is a symlink"):
        run_all(cases, (str(repo / "policies" / "echo.yaml"),))
