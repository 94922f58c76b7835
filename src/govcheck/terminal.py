"""The terminal side of progress and verbosity, and whether to colour.

Progress is drawn on stderr, one line rewritten in place, only when stderr is a terminal:
a redirected report or log never receives a carriage return or an escape code. It appears
only once work has taken a moment (a quick check shows nothing) and is wiped before
anything else is written. `--verbose` lines are written whatever stderr is; they were asked for.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from govcheck.progress import Detail, Event, Tick

COLOR_CHOICES = ("auto", "always", "never")


def wants_color(choice: str, stream: TextIO, env: Mapping[str, str] = os.environ) -> bool:
    """--color always|never wins; for auto, NO_COLOR (any value) turns colour off, then
    FORCE_COLOR (any value but 0/false) turns it on, else colour on a terminal that is
    not `dumb`. See https://no-color.org and https://force-color.org."""
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return _isatty(stream) and env.get("TERM") != "dumb"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


class Terminal:
    """A Progress sink that draws ticks on a terminal and prints --verbose details."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        verbose: bool = False,
        clock: Callable[[], float] = time.monotonic,
        delay: float = 0.5,  # seconds of work before any progress is drawn
        interval: float = 0.1,  # at most ten redraws a second
        env: Mapping[str, str] = os.environ,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.draws = not quiet and _isatty(self.stream) and env.get("TERM") != "dumb"
        self.verbose = verbose and not quiet
        self.clock = clock
        self.delay = delay
        self.interval = interval
        self.started = clock()
        self._shown = False  # a progress line is on screen
        self._last_draw = float("-inf")
        self._task_start: dict[tuple[str, str], tuple[float, int]] = {}

    def __call__(self, event: Event) -> None:
        if isinstance(event, Detail):
            if self.verbose:
                self.clear()
                self.stream.write(f"govcheck: {event.text}\n")
                self.stream.flush()
            return
        if not self.draws:
            return
        self._tick(event)

    def _tick(self, tick: Tick) -> None:
        now = self.clock()
        key = (tick.task, tick.unit)
        first = self._task_start.setdefault(key, (now, tick.count))
        if now - self.started < self.delay:
            return
        if not tick.done and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        line = self.line(tick, now - first[0], tick.count - first[1])
        self.stream.write(f"\r\x1b[K{line}")
        self.stream.flush()
        self._shown = True

    @staticmethod
    def line(tick: Tick, elapsed: float, counted: int) -> str:
        """ "reading MLflow: 12,000 runs, 12 pages (1,850 runs/s)" """
        text = f"{tick.task}: {tick.count:,} {tick.unit}"
        if tick.detail:
            text += f", {tick.detail}"
        if elapsed >= 0.5 and counted > 0:
            text += f" ({counted / elapsed:,.0f} {tick.unit}/s)"
        return text

    def clear(self) -> None:
        """Wipe the progress line, so what comes next starts on a clean line."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    close = clear
