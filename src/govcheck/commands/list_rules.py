"""`govcheck list-rules`: the rules a check would run, one line each (or JSON)."""

from __future__ import annotations

import argparse
import json

from govcheck.commands.options import add_repo_options, rules_for
from govcheck.errors import EXIT_OK
from govcheck.model import source_text

HELP = "list the rules that would run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output (default text)"
    )
    add_repo_options(parser)


def run(args: argparse.Namespace) -> int:
    every = rules_for(args)
    rules = [r for r in every if r.enabled]
    if args.format == "json":
        listing = [
            {
                "id": r.id,
                "name": r.info.name,
                "title": r.info.title,
                "severity": r.info.severity,
                "resource": r.info.resource,
                "tags": list(r.info.tags),
                "source": source_text(r.info.source),
            }
            for r in rules
        ]
        print(json.dumps(listing, indent=2))
        return EXIT_OK
    width = max((len(r.id) for r in rules), default=8)
    nwidth = max((len(r.info.name) for r in rules), default=8)
    for r in rules:
        print(f"{r.id:<{width}}  {r.info.severity:<7}  {r.info.name:<{nwidth}}  {r.info.title}")
    off = [r.id for r in every if not r.enabled]
    said = f" ({len(off)} turned off in the config: {', '.join(off)})" if off else ""
    print(f"\n{len(rules)} rules{said}. `govcheck explain RULE_ID` shows one in full.")
    return EXIT_OK
