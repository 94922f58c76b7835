"""`govcheck validate FILE ...`: check policy and config files, every error at file:line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govcheck.errors import EXIT_OK, EXIT_USAGE, UsageError

HELP = "check policy (and config) files, errors with file:line"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="POLICY_FILE",
        help="policy files, a .govcheck.yaml, or builtin:NAME",
    )


def _same_file(pack: Path, path: Path) -> bool:
    """Whether `path` is a built-in pack itself: the installed copy, or its source in a
    checkout of govcheck (same bytes), so validating it is no clash with itself."""
    try:
        return pack.resolve() == path.resolve() or pack.read_bytes() == path.read_bytes()
    except OSError:
        return False


def run(args: argparse.Namespace) -> int:
    from govcheck import builtin
    from govcheck.config import load_config
    from govcheck.facts.registry import PROVIDERS
    from govcheck.policy import load

    # Loaded beside the built-in packs so their parameters (models_glob, ...) are known
    # and a clash with a built-in rule id is caught here rather than at check time.
    packs = [(p, f"builtin:{n}") for n, p in builtin.pack_files().items()]

    errors: list[str] = []
    for name in args.files:
        path = Path(name)
        try:
            if path.name in (".govcheck.yaml", ".govcheck.yml"):
                load_config(path, name)
                print(f"{name}: ok (config)")
                continue
            own = [] if name.startswith("builtin:") else [(path, name)]
            others = [p for p in packs if not _same_file(p[0], path)]
            rules, _ = load(others + own, {}, {}, PROVIDERS)
            count = sum(1 for r in rules if r.info.source.path == name)
            print(f"{name}: ok ({count} rules)")
        except UsageError as exc:  # PolicyErrors too: every line of it
            errors += exc.lines()
    for line in errors:
        print(line, file=sys.stderr)
    return EXIT_USAGE if errors else EXIT_OK
