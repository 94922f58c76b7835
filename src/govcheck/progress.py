"""How far long work got, as data: facts and MLflow readers report it, the CLI shows it.

A `Progress` sink is any callable taking one event. The default, `silent`, drops them all,
so library callers and tests see nothing and nothing below the command line knows what a
terminal is (the terminal side is govcheck/terminal.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Tick:
    """Long work advanced: `count` items of `unit` so far, e.g. 12,000 runs over 12 pages."""

    task: str  # what is being done: "reading MLflow", "reading files", "writing snapshot"
    count: int
    unit: str  # "runs", "files", ...
    detail: str = ""  # more about it, e.g. "12 pages"
    done: bool = False


@dataclass(frozen=True)
class Detail:
    """A line `--verbose` shows: which config, store, files and rules a check uses."""

    text: str


Event = Tick | Detail


class Progress(Protocol):
    def __call__(self, event: Event) -> None: ...


def silent(event: Event) -> None:
    """The default sink: nobody is watching."""
    return
