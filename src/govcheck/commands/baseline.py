"""`govcheck baseline`: record the findings a team already knows about, by fingerprint.

`govcheck check --baseline FILE` then fails only on findings the baseline does not hold.
Waived findings are not recorded, so an expiring waiver still brings its finding back.
"""

from __future__ import annotations

import argparse

from govcheck.commands.options import (
    add_feedback_options,
    add_repo_options,
    add_source_options,
    check_options,
    repo_root,
    terminal_for,
)
from govcheck.errors import EXIT_OK, UsageError

HELP = "record the current findings, so checks fail only on new ones (--baseline)"
DEFAULT_OUTPUT = ".govcheck/baseline.json"
EPILOG = """\
examples:
  govcheck baseline                                # writes .govcheck/baseline.json
  govcheck check --baseline .govcheck/baseline.json
  govcheck baseline --rev v1.2.0 --output /tmp/baseline.json   # as of a commit"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_options(parser)
    add_source_options(parser)
    parser.add_argument(
        "--output",
        metavar="FILE",
        help=f"where to write the baseline (default: {DEFAULT_OUTPUT} in the repository)",
    )
    add_feedback_options(parser, color=False)


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import replace

    from govcheck import baseline
    from govcheck.atomic import write_atomic
    from govcheck.check import run as run_check

    root = repo_root(args.repo, required=True)
    assert root is not None
    output = args.output or str(root / DEFAULT_OUTPUT)
    feedback = terminal_for(args)
    try:
        report = run_check(replace(check_options(args), progress=feedback))
    finally:
        feedback.close()
    document = baseline.document(report)
    if not args.output:  # the default place: .govcheck/ may not exist yet
        (root / DEFAULT_OUTPUT).parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomic(output, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    except OSError as exc:  # a missing folder or no permission: the user's to fix
        raise UsageError(f"cannot write baseline {output}: {exc.strerror or exc}") from None
    if not args.quiet:
        found = len(document["findings"])
        rules = len({f["rule_id"] for f in document["findings"]})
        commit = f" at commit {report.repo.head[:12]}" if report.repo.head else ""
        print(f"wrote {output}: {found} findings of {rules} rules{commit}")
    return EXIT_OK
