"""COMMANDS: every `govcheck` subcommand, by name, in the order `--help` lists them.

Each module has HELP (one line), add_arguments(parser) and run(args) -> int; the CLI
builds its parser from this dict, so a command is declared once. Modules keep their
imports light at the top: a command pays for what it uses only when it runs.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from govcheck.commands import (
    baseline,
    cache,
    check,
    explain,
    init,
    list_rules,
    publish,
    snapshot,
    test,
    validate,
    verify,
)


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


COMMANDS: dict[str, Command] = {
    "check": check,
    "baseline": baseline,
    "verify": verify,
    "snapshot": snapshot,
    "publish": publish,
    "list-rules": list_rules,
    "explain": explain,
    "validate": validate,
    "init": init,
    "test": test,
    "cache": cache,
}
