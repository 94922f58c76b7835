"""The benchmark command runs and prints its table (never a timing assertion).

`python benchmarks/run.py --quick` on tiny generated fixtures: the repository part always,
the MLflow part (sqlite store and a real `mlflow server`) with the slow tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
HEADER = "| | measurement | govcheck | baseline | ratio | target | met |"


def run_quick(tmp_path: Path, *extra: str) -> tuple[str, str]:
    out = tmp_path / "table.md"
    done = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--cache",
            str(tmp_path / "cache"),
            "--output",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, out.read_text(encoding="utf-8")


def rows(table: str) -> dict[str, list[str]]:
    """measurement key (a..h) -> the measurement texts of its rows."""
    out: dict[str, list[str]] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 7 and cells[0] in "abcdefgh" and cells[0]:
            out.setdefault(cells[0], []).append(cells[1])
    return out


def test_quick_repo_benchmarks_print_their_table(tmp_path: Path) -> None:
    stdout, written = run_quick(tmp_path, "--no-mlflow")
    assert HEADER in stdout and stdout.strip() == written.strip()
    found = rows(written)
    assert set(found) == {"a", "b", "c", "d", "f", "g", "h"}
    assert any("warm" in what for what in found["h"])
    assert any("editing one file" in what for what in found["h"])
    assert any("--version" in what for what in found["a"])
    assert "Machine: " in written and "nproc" in written
    # the generated fixture is a real git repository of the asked size
    listing = subprocess.run(
        ["git", "ls-files"],
        cwd=tmp_path / "cache" / "repo-200-v3",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(listing) == 200 and "models/model-0001/monitoring.yaml" in listing


def test_quick_does_not_touch_the_committed_results(tmp_path: Path) -> None:
    readme = ROOT / "benchmarks" / "README.md"
    before = readme.read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--no-mlflow", "--cache", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert HEADER in done.stdout
    assert readme.read_text(encoding="utf-8") == before


@pytest.mark.slow
def test_quick_mlflow_benchmarks_count_server_requests(tmp_path: Path) -> None:
    _, written = run_quick(tmp_path)
    found = rows(written)
    assert "e" in found, written
    assert not any("skipped" in line for line in written.splitlines() if line.startswith("| e")), (
        written
    )
    server = [what for what in found["e"] if "mlflow server" in what]
    assert server and all("HTTP requests" in what for what in server)


@pytest.mark.slow
def test_the_html_page_benchmark_prints_its_table(browser: object) -> None:
    """benchmarks/html_page.py on a tiny report (the `browser` fixture only says whether
    chromium and Playwright are there)."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "html_page.py"),
            "--models",
            "4",
            "--rules",
            "6",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| 4 models x 6 rules," in done.stdout
    assert "| browser: load event |" in done.stdout and "main thread CPU" in done.stdout
