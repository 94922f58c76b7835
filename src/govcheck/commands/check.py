"""`govcheck check [PATH ...]`: check the repository (and MLflow) against the policies."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from govcheck.commands.options import (
    EXIT_CODES,
    add_feedback_options,
    add_model_options,
    add_repo_options,
    add_source_options,
    check_options,
    terminal_for,
)
from govcheck.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from govcheck.model import SEVERITY_RANK, Report
from govcheck.reporters import REPORTERS, text
from govcheck.terminal import wants_color

HELP = "check the repository (and MLflow) against the policies"
FAIL_ON = ("error", "warning", "note", "never")
EXTRA_OUTPUTS = ("sarif", "junit", "json", "markdown", "html")
# Formats that show every model as a row: the check then places resources in models.
MODEL_FORMATS = ("html",)
EPILOG = f"""\
{EXIT_CODES}

examples:
  govcheck check                                   # the whole repository, text report
  govcheck check --format sarif --output govcheck.sarif --junit-output junit.xml
  govcheck check models/fraud/train.yaml           # only what this file touches (pre-commit)
  govcheck check --changed-since origin/main --mlflow-uri sqlite:///mlflow.db
  govcheck check --html-output governance.html     # also the governance page
  govcheck check --baseline .govcheck/baseline.json  # fail only on findings not recorded
  govcheck check --changed-since origin/main --baseline-rev origin/main   # a pull request
  govcheck check --model fraud-detector@champion   # one registered model version
  govcheck check --model fraud-detector/7 --as-alias champion   # before champion moves to 7"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="limit the check to resources these files touch"
    )
    add_repo_options(parser)
    parser.add_argument(
        "--format",
        choices=tuple(REPORTERS),
        default="text",
        help="report written to stdout (default text)",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the --format report to FILE instead of stdout"
    )
    for fmt in EXTRA_OUTPUTS:
        parser.add_argument(
            f"--{fmt}-output", metavar="FILE", help=f"also write a {fmt} report to FILE"
        )
    add_source_options(parser)
    add_model_options(parser)
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help="only resources touched by changes since the merge base with REF",
    )
    known = parser.add_mutually_exclusive_group()
    known.add_argument(
        "--baseline",
        metavar="FILE",
        help="findings recorded in FILE (govcheck baseline) are reported as unchanged "
        "and do not fail the check",
    )
    known.add_argument(
        "--baseline-rev",
        metavar="REV",
        help="the same, with the baseline computed from the tree of commit REV",
    )
    parser.add_argument(
        "--staged",
        action="store_true",
        help="also re-check what the staged changes touch, deleted and renamed files "
        "included (the pre-commit hook); with no PATHs and nothing staged, check nothing",
    )
    parser.add_argument(
        "--fail-on", choices=FAIL_ON, help="lowest severity that fails the check (default error)"
    )
    parser.add_argument(
        "--fail-on-empty",
        action="store_true",
        help="exit 1 when a pack had nothing to check or the PATHs reach nothing",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file afresh and leave the cache in .git/govcheck/ untouched "
        "(`govcheck cache clear` empties it)",
    )
    add_feedback_options(parser)


def _staged(where: str, root: Path, config_arg: str | None) -> tuple[str, ...]:
    """The staged paths to re-check, deletions and renames included; a commit that would
    remove the config or a policy file it loads is refused by name."""
    from govcheck import staged
    from govcheck.config import find_config
    from govcheck.facts import gitrepo

    changes = gitrepo.staged_changes(where)
    removed = staged.removed_governance(changes, find_config(root, config_arg), root)
    if removed:
        raise UsageError(
            f"{'; '.join(removed)}. If that is intended, commit it on its own with the hook "
            "skipped (SKIP=govcheck git commit ...), so the removal is a reviewed change"
        )
    return tuple(str(root / c.path) for c in changes)


def exit_code(report: Report) -> int:
    if report.fail_on_empty and report.empty_scope:
        return EXIT_FINDINGS  # nothing to check counts as failing, when asked
    if report.fail_on == "never":
        return EXIT_OK
    floor = SEVERITY_RANK[report.fail_on]
    failing = any(SEVERITY_RANK[f.severity] >= floor for f in report.active())
    return EXIT_FINDINGS if failing else EXIT_OK


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from govcheck.atomic import write_atomic
    from govcheck.check import run as run_check
    from govcheck.facts import gitrepo

    paths = tuple(args.paths)
    where = args.repo or os.getcwd()
    if args.changed_since or args.staged:
        # git names changed files from the repository root, while PATHs are read from the
        # current directory: anchor them so --repo and subdirectories see the same changes.
        root = Path(str(gitrepo.open_repo(where).working_tree_dir))
    if args.changed_since:
        changed = gitrepo.changed_paths(where, args.changed_since)
        paths += tuple(str(root / p) for p in changed)
    if args.staged:
        paths += _staged(where, root, args.config)
    options = check_options(
        args,
        paths=paths,
        fail_on=args.fail_on,
        changed_only=bool(args.changed_since or args.staged),
        baseline=args.baseline,
        baseline_rev=args.baseline_rev,
        fail_on_empty=args.fail_on_empty,
        models=args.format in MODEL_FORMATS
        or any(getattr(args, f"{fmt}_output") for fmt in MODEL_FORMATS),
        cache=not args.no_cache,
    )
    feedback = terminal_for(args)
    try:
        report = run_check(replace(options, progress=feedback))
    finally:
        feedback.close()  # the progress line is gone before any report or error is written

    def write(target: str, text: str) -> None:
        try:
            write_atomic(target, text)
        except OSError as exc:  # a missing folder or no permission: the user's to fix
            raise UsageError(f"cannot write report {target}: {exc.strerror or exc}") from None

    for fmt in EXTRA_OUTPUTS:
        target = getattr(args, f"{fmt}_output")
        if target:
            write(target, REPORTERS[fmt](report))
    if args.output:
        write(args.output, REPORTERS[args.format](report))
    elif args.quiet and args.format == "text":
        sys.stdout.write(text.render(report, color=wants_color(args.color, sys.stdout), quiet=True))
    else:
        sys.stdout.write(REPORTERS[args.format](report, color=wants_color(args.color, sys.stdout)))
    return exit_code(report)
