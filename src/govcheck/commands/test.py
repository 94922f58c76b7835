"""`govcheck test [DIR]`: policy unit tests, DIR/<RULE-ID>/pass|fail trees + expected.yaml."""

from __future__ import annotations

import argparse
from pathlib import Path

from govcheck.commands.options import add_repo_options, repo_root
from govcheck.errors import EXIT_FINDINGS, EXIT_OK

HELP = "run policy unit tests: DIR/<RULE-ID>/pass|fail trees + expected.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        nargs="?",
        default="tests/policies",
        metavar="DIR",
        help="folder of test cases (default tests/policies)",
    )
    add_repo_options(parser)


def run(args: argparse.Namespace) -> int:
    from govcheck.config import Config, find_config
    from govcheck.policytest import run_all

    # The cases run against this repository's own policies (config and --policy), by path.
    root = repo_root(args.repo, required=False)
    config = find_config(root, args.config) if root else Config(path=None)
    own = [ref for ref, _ in config.policies if not ref.startswith("builtin:")]
    base = root or Path.cwd()
    policies = tuple(str((base / p).resolve()) for p in own) + tuple(
        str(Path(p).resolve()) for p in args.policy
    )
    results = run_all(Path(args.directory), policies)
    for r in results:
        status = "skip" if r.skipped else ("ok  " if r.ok else "FAIL")
        print(f"{status} {r.rule_id} {r.outcome}" + (f": {r.detail}" if r.detail else ""))
    failed = sum(1 for r in results if not r.ok)
    skipped = sum(1 for r in results if r.skipped)
    print(f"\n{len(results) - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return EXIT_FINDINGS if failed else EXIT_OK
