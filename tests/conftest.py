"""Shared fixtures: every repository test builds a real git repository in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    import govcheck  # noqa: F401
except ImportError:  # not installed yet: run from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from support import Files, write_files

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


CHROMIUM = os.environ.get("GOVCHECK_CHROMIUM", "/usr/bin/chromium")
# Debian's chromium, never a browser Playwright downloads; a fresh profile, nothing fetched.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the session (a Playwright BrowserContext); tests open
    pages in it. Skipped when Playwright or Chromium is missing, unless
    GOVCHECK_REQUIRE_BROWSER=1 (.ci/run) makes that a failure."""
    required = os.environ.get("GOVCHECK_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("playwright is not installed (pip install '.[test]')")
    if not Path(CHROMIUM).is_file():
        if required:
            raise AssertionError(f"{CHROMIUM} not found (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium (or GOVCHECK_CHROMIUM)")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
