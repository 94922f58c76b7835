"""`govcheck snapshot --output FILE`: record the MLflow metadata the rules read, as JSON.

The store is the one a check would read live (--mlflow-uri, config tracking_uri,
MLFLOW_TRACKING_URI, mlflow.db); a configured snapshot is never the source of a new one.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace

from govcheck.commands.options import (
    add_feedback_options,
    add_repo_options,
    repo_root,
    terminal_for,
)
from govcheck.errors import EXIT_OK, UsageError

HELP = "record the MLflow metadata the rules need, as JSON (for offline checks)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_options(parser, policies=False)
    parser.add_argument(
        "--mlflow-uri",
        metavar="URI",
        help="the tracking store to record (default: the one a check would read live)",
    )
    parser.add_argument(
        "--output", required=True, metavar="FILE", help="where to write the snapshot"
    )
    add_feedback_options(parser, color=False)


def run(args: argparse.Namespace) -> int:
    from govcheck.config import find_config
    from govcheck.facts.mlflow_store import resolve_scope, resolve_store
    from govcheck.facts.snapshot_store import write_snapshot
    from govcheck.progress import Detail
    from govcheck.redact import redact_url

    root = repo_root(args.repo, required=True)
    assert root is not None
    config = find_config(root, args.config)
    live = replace(config.mlflow, snapshot=None)
    choice = resolve_store(live, root, os.environ, uri=args.mlflow_uri)
    if choice.uri is None:
        raise UsageError("govcheck snapshot needs a live MLflow store: give --mlflow-uri URI")
    feedback = terminal_for(args)
    feedback(Detail(f"MLflow: {redact_url(choice.uri)} (from {choice.origin})"))
    try:
        counts = write_snapshot(choice.uri, args.output, resolve_scope(live), feedback)
    except OSError as exc:  # a missing folder, a directory, no permission: the user's to fix
        raise UsageError(f"cannot write snapshot {args.output}: {exc.strerror or exc}") from None
    finally:
        feedback.close()
    summary = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
    if not args.quiet:
        print(f"wrote {args.output}: {summary} from {redact_url(choice.uri)}")
    return EXIT_OK
