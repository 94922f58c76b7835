"""`govcheck cache clear`: empty the content cache of parsed per-file facts and the kept
verdicts of whole checks.

`govcheck check` keeps what it parsed (located YAML/JSON/TOML, card front matter and
structure) in `govcheck/` inside the repository's git directory, keyed by each file's
content, so the next check parses only what changed; and its verdict, reused while
nothing it was computed from changes (verdicts.py). The cache is never tracked and
never trusted blindly: clearing it is never needed for correctness, only to reclaim the
space or to rule it out. `govcheck check --no-cache` runs without it.
"""

from __future__ import annotations

import argparse
import os

from govcheck.errors import EXIT_OK

HELP = "manage the content cache and kept verdicts in .git/govcheck/ (clear)"
ACTIONS = ("clear",)
EPILOG = """\
examples:
  govcheck cache clear              # remove the cache of the repository here
  govcheck cache clear --repo DIR"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="clear: remove every cached entry")
    parser.add_argument(
        "--repo",
        metavar="DIR",
        help="the repository (default: the one containing the current directory)",
    )


def run(args: argparse.Namespace) -> int:
    from govcheck.facts.gitrepo import open_repo
    from govcheck.filecache import cache_dir, clear

    repo = open_repo(args.repo or os.getcwd())
    directory = cache_dir(repo.common_dir)
    removed = clear(directory)
    size = sum(size for _, size in removed)
    if removed:
        print(f"removed {directory} ({size / 1024 / 1024:.1f} MB)")
    else:
        print(f"nothing to remove: {directory} holds no cache")
    return EXIT_OK
