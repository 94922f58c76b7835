"""GC-EXP-001's parameters for workspace paths: which part the pattern applies to
(`experiment_name_part`), and the folder's own pattern (`experiment_path_pattern`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from govcheck.check import CheckOptions, run

NAMES = """\
import mlflow
mlflow.set_experiment("/Users/jane@example.com/fraud-training")
mlflow.set_experiment("/Shared/Fraud Team/churn-training")
mlflow.set_experiment("fraud/detector")
"""


def lines(repo: Path) -> list[int]:
    report = run(CheckOptions(repo=str(repo), select=("GC-EXP-001",), no_mlflow=True))
    return sorted(f.location.line for f in report.findings if f.location and f.location.line)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("", []),  # the last segment of a path; plain names whole
        ("experiment_name_part: full", [2, 3]),  # whole paths: `/Users/...` breaks kebab-case
        # folders must be a team's shared folder
        ("experiment_path_pattern: '^/Shared/[a-z-]+$'", [2, 3]),
        ("experiment_path_pattern: '^/(Users|Shared)/'", []),
    ],
)
def test_parts_checked(make_repo: Callable[..., Path], params: str, expected: list[int]) -> None:
    config = f"version: 1\nparams: {{{params}}}\n" if params else "version: 1\n"
    repo = make_repo({"train.py": NAMES, ".govcheck.yaml": config})
    assert lines(repo) == expected
