"""`govcheck snapshot --output FILE`: record the MLflow metadata the rules read, as JSON.

The store is the one a check would read live (--mlflow-uri, config tracking_uri,
MLFLOW_TRACKING_URI, mlflow.db); a configured snapshot is never the source of a new one.
Only the fields the enabled rules (config policies and --policy files) read are recorded.
"""

from __future__ import annotations

import argparse

from govcheck.commands.options import (
    add_feedback_options,
    add_repo_options,
    live_store,
    terminal_for,
)
from govcheck.errors import EXIT_OK, UsageError

HELP = "record the MLflow metadata the rules need, as JSON (for offline checks)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_options(parser)
    parser.add_argument(
        "--mlflow-uri",
        metavar="URI",
        help="the tracking store to record (default: the one a check would read live)",
    )
    parser.add_argument(
        "--output",
        required=True,
        metavar="FILE",
        help="where to write the snapshot (FILE.json.gz: gzip); left as it is when its "
        "content would not change",
    )
    parser.add_argument(
        "--all-fields",
        action="store_true",
        help="record every field of every MLflow entity, not only those the rules read",
    )
    add_feedback_options(parser, color=False)


def run(args: argparse.Namespace) -> int:
    from govcheck.check import load_rules, rule_reads
    from govcheck.facts.mlflow_fieldset import record_paths
    from govcheck.facts.mlflow_store import resolve_scope, shown_uri
    from govcheck.facts.snapshot_store import write_snapshot
    from govcheck.progress import Detail

    root, config, uri, origin = live_store(
        args, "govcheck snapshot needs a live MLflow store: give --mlflow-uri URI"
    )
    fields = None
    if not args.all_fields:
        rules, _ = load_rules(config, root, tuple(args.policy))
        fields = record_paths(rule_reads(rules))
    shown = shown_uri(uri, root)
    feedback = terminal_for(args)
    feedback(Detail(f"MLflow: {shown} (from {origin})"))
    try:
        counts, digest, unchanged = write_snapshot(
            uri, args.output, resolve_scope(config.mlflow), fields, shown, feedback
        )
    except OSError as exc:  # a missing folder, a directory, no permission: the user's to fix
        raise UsageError(f"cannot write snapshot {args.output}: {exc.strerror or exc}") from None
    finally:
        feedback.close()
    summary = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
    if args.quiet:
        pass
    elif unchanged:
        print(f"{args.output} already records this ({summary}; digest {digest[:12]}); unchanged")
    else:
        print(f"wrote {args.output}: {summary} from {shown} (digest {digest[:12]})")
    return EXIT_OK
