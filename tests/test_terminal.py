"""The terminal side of progress: drawn only on a terminal, after a moment, at most ten times
a second, wiped before anything else; --verbose details; and when to colour."""

from __future__ import annotations

import io

import pytest

from govcheck.progress import Detail, Tick
from govcheck.terminal import Terminal, wants_color


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def terminal(stream: io.StringIO, clock: Clock, **kw: bool) -> Terminal:
    return Terminal(stream, clock=clock, delay=0.5, interval=0.1, env={}, **kw)


def test_progress_waits_a_moment_then_redraws_one_line_with_a_rate() -> None:
    out, clock = TTY(), Clock()
    term = terminal(out, clock)
    term(Tick("reading MLflow", 1000, "runs", "1 page"))
    assert out.getvalue() == ""  # a quick check shows nothing
    clock.now += 1.0
    term(Tick("reading MLflow", 3000, "runs", "3 pages"))
    assert out.getvalue() == "\r\x1b[Kreading MLflow: 3,000 runs, 3 pages (2,000 runs/s)"
    clock.now += 0.05
    term(Tick("reading MLflow", 3500, "runs", "4 pages"))  # too soon: not redrawn
    assert out.getvalue().count("\r") == 1
    term(Tick("reading MLflow", 4000, "runs", "4 pages", done=True))  # the last count always
    assert out.getvalue().endswith("reading MLflow: 4,000 runs, 4 pages (2,857 runs/s)")
    term.close()
    assert out.getvalue().endswith("\r\x1b[K")
    term.close()  # nothing left to wipe
    assert out.getvalue().count("\r") == 3


def test_verbose_details_wipe_the_progress_line_first() -> None:
    out, clock = TTY(), Clock()
    term = terminal(out, clock, verbose=True)
    clock.now += 1
    term(Tick("reading files", 12, "files"))
    term(Detail("MLflow: sqlite:///mlflow.db (from mlflow.tracking_uri)"))
    assert out.getvalue() == (
        "\r\x1b[Kreading files: 12 files\r\x1b[K"
        "govcheck: MLflow: sqlite:///mlflow.db (from mlflow.tracking_uri)\n"
    )


@pytest.mark.parametrize(
    ("stream", "kw"),
    [(io.StringIO(), {}), (TTY(), {"quiet": True})],
    ids=["redirected", "quiet"],
)
def test_no_progress_when_redirected_or_quiet(stream: io.StringIO, kw: dict[str, bool]) -> None:
    clock = Clock()
    term = terminal(stream, clock, **kw)
    clock.now += 5
    term(Tick("reading files", 5000, "files", done=True))
    term(Detail("only with --verbose"))
    term.close()
    assert stream.getvalue() == ""


def test_verbose_details_reach_a_redirected_stream() -> None:
    out = io.StringIO()
    term = terminal(out, Clock(), verbose=True)
    term(Tick("reading files", 5000, "files", done=True))
    term(Detail("files: 5000 tracked"))
    assert out.getvalue() == "govcheck: files: 5000 tracked\n"


@pytest.mark.parametrize(
    ("choice", "tty", "env", "expected"),
    [
        ("always", False, {"NO_COLOR": "1"}, True),  # the option wins
        ("never", True, {"FORCE_COLOR": "1"}, False),
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("auto", False, {"FORCE_COLOR": "0"}, False),
        ("auto", True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ("auto", True, {"TERM": "dumb"}, False),
    ],
)
def test_when_to_colour(choice: str, tty: bool, env: dict[str, str], expected: bool) -> None:
    assert wants_color(choice, TTY() if tty else io.StringIO(), env) is expected
