"""A check limited to one file (pre-commit's) says what the full check says about it.

For every rule case tree and example repository, and every file in it: the findings of
`govcheck check FILE` are findings of the full check (limiting adds none: a model whose
monitor is declared in another file is not reported as unmonitored when only its card is
checked), and every finding the full check places in FILE is among them (limiting hides
none that belong to the file).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from govcheck.check import CheckOptions, run
from govcheck.model import Finding
from support import CASES, git_copy, repo_case_dirs

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
Git = Callable[..., str]


def trees() -> list[Any]:
    found = [
        pytest.param(folder / outcome, id=f"{folder.name}-{outcome}")
        for folder in repo_case_dirs()
        for outcome in ("pass", "fail")
    ]
    found += [pytest.param(EXAMPLES / name, id=name) for name in ("ml-repo", "compliant-repo")]
    return found


def _key(f: Finding) -> tuple[Any, ...]:
    loc = f.location
    return (
        f.rule_id,
        f.resource_id,
        f.message,
        loc.path if loc else None,
        loc.line if loc else None,
    )


def _findings(repo: Path, no_mlflow: bool, *paths: str) -> set[tuple[Any, ...]]:
    options = CheckOptions(
        repo=str(repo), paths=tuple(str(repo / p) for p in paths), no_mlflow=no_mlflow
    )
    return {_key(f) for f in run(options).findings}


@pytest.mark.parametrize("tree", trees())
def test_a_check_of_one_file_agrees_with_the_full_check(
    tree: Path, tmp_path: Path, run_git: Git
) -> None:
    repo = git_copy(tree, tmp_path / "repo", run_git)
    config = repo / ".govcheck.yaml"
    # Trees of rules that look names up in MLflow name a snapshot; the rest run without.
    no_mlflow = not (config.is_file() and "snapshot" in config.read_text(encoding="utf-8"))
    full = _findings(repo, no_mlflow)
    for path in run_git(repo, "ls-files").splitlines():
        limited = _findings(repo, no_mlflow, path)
        assert limited - full == set(), f"checking only {path} reports what the full check does not"
        placed_here = {k for k in full if k[3] == path}
        assert placed_here - limited == set(), f"checking only {path} misses its findings"


def test_the_trees_are_found() -> None:
    # The parametrization above must not quietly shrink to nothing.
    assert CASES.is_dir() and len(trees()) > 60
