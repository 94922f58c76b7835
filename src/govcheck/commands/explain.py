"""`govcheck explain RULE`: a rule's documentation — why it exists and how to fix it."""

from __future__ import annotations

import argparse

from govcheck.commands.options import add_repo_options, rules_for
from govcheck.errors import EXIT_OK, UsageError, clip
from govcheck.model import source_text
from govcheck.suggest import suggest

HELP = "show a rule's documentation"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", metavar="RULE_ID", help="a rule's code or name")
    add_repo_options(parser)


def run(args: argparse.Namespace) -> int:
    rules = rules_for(args)
    found = [r for r in rules if args.rule in (r.id, r.info.name)]
    if not found:
        names = [r.id for r in rules] + [r.info.name for r in rules]
        raise UsageError(
            f"no rule '{clip(args.rule)}'{suggest(args.rule, names)} (see govcheck list-rules)"
        )
    info = found[0].info
    out = [
        f"{info.id}  {info.name}",
        info.title,
        "",
        (
            f"severity: {info.severity}    resource: {info.resource}    "
            f"defined at: {source_text(info.source)}"
        ),
    ]
    if found[0].for_each is not None:
        out.append(f"one finding per item of: {found[0].for_each}")
    if found[0].params:
        out.append(f"parameters: {', '.join(found[0].params)}")
    if info.tags:
        out.append(f"tags: {', '.join(info.tags)}")
    out += ["", "Why it matters", "--------------", info.description or "(no description)"]
    out += ["", "How to fix it", "-------------", info.help or "(no help)"]
    if info.help_uri:
        out += ["", f"More: {info.help_uri}"]
    print("\n".join(out))
    return EXIT_OK
