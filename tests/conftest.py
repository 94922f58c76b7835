"""Shared fixtures: every repository test builds a real git repository in tmp_path."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

try:
    import govcheck  # noqa: F401
except ImportError:  # not installed yet: run from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

Files = Mapping[str, str | bytes]
MakeRepo = Callable[..., Path]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("govcheck")
    group.addoption(
        "--fuzz-cases",
        type=int,
        default=200,
        help="cases the input fuzzer runs (tests/test_fuzz.py; default 200, try 10000)",
    )
    group.addoption(
        "--fuzz-seed", type=int, default=13, help="the fuzzer's seed (a failure names it)"
    )
    group.addoption(
        "--fuzz-start", type=int, default=0, help="the first case index (to replay one case)"
    )


def git(root: Path, *args: str) -> str:
    """Run git in root with a fixed identity; returns stdout. Fails the test on error."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def write_files(root: Path, files: Files) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """make_repo(files, commit=True) -> root of a new git repository holding `files`.

    The files are added to the index; with commit=True they are also committed. Each call
    makes a fresh repository (repo, repo-2, ...) under tmp_path.
    """
    counter = iter(range(1, 1000))

    def make(files: Files, commit: bool = True) -> Path:
        n = next(counter)
        root = tmp_path / ("repo" if n == 1 else f"repo-{n}")
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.name", "Test User")
        git(root, "config", "user.email", "test@example.com")
        git(root, "config", "commit.gpgsign", "false")
        write_files(root, files)
        if files:
            git(root, "add", "--", *files)
        if commit:
            git(root, "commit", "-q", "--allow-empty", "-m", "initial")
        return root

    return make


@pytest.fixture
def run_git() -> Callable[..., str]:
    """run_git(root, *args) -> stdout: git in a test repository, failing the test on error."""
    return git
