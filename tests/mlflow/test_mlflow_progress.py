"""Progress while reading MLflow: counts of runs and pages as they arrive, drawn on a
terminal's stderr and never written into a redirected report."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow_world import populate_bulk

from govcheck.facts.mlflow_live import LiveStore
from govcheck.facts.mlflow_store import Scope
from govcheck.progress import Event, Tick
from support import INSTALLED, SRC

RUNS = 1500  # two pages of 1,000


@pytest.fixture(scope="module")
def bulk_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("bulk") / "mlflow.db"
    populate_bulk(f"sqlite:///{db}", str(db), RUNS)
    return db


def test_live_reads_report_items_and_pages_as_they_arrive(bulk_db: Path) -> None:
    events: list[Event] = []
    store = LiveStore(f"sqlite:///{bulk_db}", Scope(), events.append)
    runs = store.runs()
    ticks = [e for e in events if isinstance(e, Tick) and e.unit == "runs"]
    assert [(t.count, t.detail) for t in ticks] == [(1000, "1 page"), (RUNS, "2 pages")]
    assert len(runs) == RUNS
    assert all(t.task == "reading MLflow" for t in ticks)


def _check(repo: Path, uri: str, stdout: int, stderr: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "NO_COLOR")}
    env["TERM"] = "xterm"
    if not INSTALLED:
        env["PYTHONPATH"] = str(SRC)
    return subprocess.Popen(
        [sys.executable, "-m", "govcheck", "check", "--repo", str(repo)]
        + ["--mlflow-uri", uri, "--select", "GC-RUN-002"],
        stdout=stdout,
        stderr=stderr,
        env=env,
    )


@pytest.mark.slow
def test_progress_on_a_terminal_never_in_the_redirected_report(
    bulk_server: str, make_repo: object, tmp_path: Path
) -> None:
    # Through a real server, page by page, as the reads that take a while are; a sqlite
    # store is read directly, too fast for progress to be drawn (it waits 0.5 s).
    repo = make_repo({"README.md": "# r\n"})  # type: ignore[operator]
    master, slave = pty.openpty()
    report = tmp_path / "report.txt"
    seen = b""
    with open(report, "wb") as out:
        proc = _check(repo, bulk_server, out.fileno(), slave)
        os.close(slave)
        while True:  # read as it comes: a full pty buffer would block the child
            if select.select([master], [], [], 1.0)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child's end is closed
                    chunk = b""
                seen += chunk
                if chunk:
                    continue
            if proc.poll() is not None:
                break
    os.close(master)
    assert proc.wait(timeout=300) == 0
    screen = seen.decode()
    assert "reading MLflow: 1,000 runs, 1 page" in screen or "reading MLflow: 2,500 runs" in screen
    assert screen.endswith("\r\x1b[K")  # wiped before the process ended
    text = report.read_text(encoding="utf-8")
    assert "No findings." in text
    assert "reading" not in text and "\r" not in text and "\x1b" not in text
