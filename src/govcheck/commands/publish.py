"""`govcheck publish`: write each judged model version's verdict to MLflow as tags.

The check runs here (the same rules, config and store as `govcheck check`), once over the
whole store to find the versions the rules judge, then once per version limited to it
(`--model`, MLflow read once for all): its findings are those about the version, its
registered model, its run and its repository model's files. Why not from a saved JSON
report: a report does not say which findings belong to which version (a run, a card), and a
verdict written to the registry should be the one this commit gives now.

Only differing tags are written (publish.py); with --dry-run nothing is. Permission is
proven before the first write (registry_writer.py): exit 3, nothing written.
"""

from __future__ import annotations

import argparse
from collections.abc import Hashable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from govcheck.commands.options import (
    add_feedback_options,
    add_model_options,
    add_repo_options,
    add_rule_filters,
    live_store,
    terminal_for,
)
from govcheck.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from govcheck.facts.mlflow_source import MlflowData
    from govcheck.model import Report
    from govcheck.registry_writer import RegistryWriter

HELP = "write each judged model version's verdict to MLflow as govcheck.* tags"
EPILOG = """\
exit codes:
  0  published (or, with --dry-run, shown), whatever the verdicts: `check` gates
  2  usage, configuration or policy error
  3  a data source failed, or the credentials may not write tags (nothing written)

examples:
  govcheck publish --mlflow-uri https://mlflow.example.com --dry-run
  govcheck publish --mlflow-uri https://mlflow.example.com --report-url "$RUN_URL"
  govcheck publish --model fraud-detector/7 --as-alias champion   # a candidate's verdict

credentials: MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_options(parser)
    parser.add_argument(
        "--mlflow-uri",
        metavar="URI",
        help="the tracking store to judge and write to (default: the live store a check "
        "would read; never a snapshot)",
    )
    add_rule_filters(parser)
    parser.add_argument(
        "--rev",
        metavar="REV",
        help="judge the tree of a commit (default: HEAD, which must be clean)",
    )
    add_model_options(parser)
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "note", "never"),
        help="lowest severity that makes a version's status fail (default error)",
    )
    parser.add_argument(
        "--report-url",
        metavar="URL",
        help="written as govcheck.report_url with each new verdict (e.g. the CI run)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the tags that would be written; write none"
    )
    add_feedback_options(parser, color=False)


def run(args: argparse.Namespace) -> int:
    from govcheck import publish
    from govcheck.check import CheckOptions
    from govcheck.check import run as run_check
    from govcheck.facts.mlflow_source import carried_reader
    from govcheck.facts.mlflow_store import resolve_scope
    from govcheck.redact import redact_url
    from govcheck.registry_writer import RegistryWriter

    root, config, uri, _ = live_store(
        args, "govcheck publish needs a live MLflow store to write to: give --mlflow-uri URI"
    )
    try:  # without the mlflow extra: one line, before any work
        import mlflow  # noqa: F401
    except ImportError:
        raise UsageError(
            "govcheck publish writes through the MLflow client: pip install 'govcheck[mlflow]'"
        ) from None
    options = CheckOptions(
        repo=str(root),
        config=args.config,
        policies=tuple(args.policy),
        select=tuple(args.select),
        ignore=tuple(args.ignore),
        mlflow_uri=uri,
        rev=args.rev,
        fail_on=args.fail_on,
        model=args.model,
        as_alias=args.as_alias,
    )
    feedback = terminal_for(args)
    carry: dict[Hashable, Any] = {}  # one MLflow read for every check below
    try:
        whole = run_check(replace(options, progress=feedback), carry)
        _refuse_dirty(whole)
        keys = publish.judged_versions(whole)
        reports: dict[tuple[str, str], Report] = {}
        for name, number in keys:
            reports[(name, number)] = (
                whole
                if args.model
                else run_check(replace(options, model=f"{name}/{number}"), carry)
            )
    finally:
        feedback.close()
    where = redact_url(uri)
    if not reports:
        hint = " (add --as-alias ALIAS to judge a candidate as serving)" if args.model else ""
        print(
            f"no model version in MLflow at {where} was judged by the rules{hint}: nothing to publish"
        )
        return EXIT_OK

    plan = _plan(reports, whole, carried_reader(carry), bool(args.model), args.report_url)
    writer = RegistryWriter(uri, resolve_scope(config.mlflow).timeout_seconds)
    return _apply(plan, writer, where, len(reports), args.dry_run, args.quiet)


def _plan(
    reports: dict[tuple[str, str], Report],
    whole: Report,
    data: MlflowData | None,
    one_version: bool,
    report_url: str | None,
) -> list[tuple[str, str | None, dict[str, str]]]:
    """(name, version or None for the registered model, tags to set), entity by entity."""
    from govcheck import publish

    assert data is not None  # the checks read the store
    # The tags as the check read them moments ago (no request per entity: each one costs
    # a password check on a basic-auth server).
    now = publish.Registry.of(data.model_versions(), data.registered_models())
    checked_at = whole.started_at
    plan: list[tuple[str, str | None, dict[str, str]]] = []
    statuses: dict[tuple[str, str], publish.VerdictStatus] = {}
    base = publish.version_tags(publish.verdict(whole), whole)  # its commit and policy hash
    for (name, number), report in reports.items():
        found = publish.verdict(report)
        statuses[(name, number)] = found.status
        wanted = publish.version_tags(found, report)
        current = now.version_tags.get((name, number), {})
        diff = publish.changes(current, wanted, checked_at, report_url)
        if diff:
            plan.append((name, number, diff))
    if not one_version:  # a registered model's summary needs all its versions judged
        for name in sorted({n for n, _ in reports}):
            serving = {
                alias: (number, statuses[(name, number)])
                for alias, number in now.aliases.get(name, {}).items()
                if (name, number) in statuses
            }
            if not serving:
                continue
            wanted = publish.model_tags(serving, base)
            diff = publish.changes(now.model_tags.get(name, {}), wanted, checked_at, report_url)
            if diff:
                plan.append((name, None, diff))

    return plan


def _apply(
    plan: list[tuple[str, str | None, dict[str, str]]],
    writer: RegistryWriter,
    where: str,
    judged: int,
    dry_run: bool,
    quiet: bool = False,
) -> int:
    """Print the plan (with --quiet, only a dry run's), then (unless a dry run) prove
    permission and write it."""
    from govcheck.publish import STATUS

    for name, version, tags in plan:
        shown = ", ".join(f"{k}={_shown(k, v)}" for k, v in sorted(tags.items()))
        what = f"model version {name}/{version}" if version else f"registered model {name}"
        if dry_run or not quiet:
            print(f"{'would set' if dry_run else 'set'} {what}: {shown}")
    if not plan:
        print(
            f"MLflow at {where} already holds the verdicts of {judged} model version(s): "
            "nothing written"
        )
        return EXIT_OK
    count = sum(len(tags) for _, _, tags in plan)
    versions = sum(1 for _, version, _ in plan if version)
    summary = (
        f"{count} tag(s) on {versions} model version(s) and {len(plan) - versions} "
        "registered model(s)"
    )
    if dry_run:
        print(f"dry run: would write {summary} to MLflow at {where}; nothing written")
        return EXIT_OK
    for name in sorted({name for name, _, _ in plan}):
        writer.check_permission(name)  # every one before the first write
    for name, version, tags in plan:
        # The status last: whoever reads a new status reads the rest of its verdict too.
        for key in sorted(tags, key=lambda k: (k == STATUS, k)):
            if version:
                writer.set_version_tag(name, version, key, tags[key])
            else:
                writer.set_model_tag(name, key, tags[key])
    print(f"wrote {summary} to MLflow at {where}")
    return EXIT_OK


def _refuse_dirty(report: Report) -> None:
    prov = report.provenance
    if prov is not None and prov.dirty:
        listed = ", ".join(prov.changed_paths[:5])
        raise UsageError(
            f"the working tree differs from commit {(prov.commit or '')[:12]} ({listed}): a "
            "published verdict names the commit it was reached on; commit first, or publish "
            "--rev HEAD"
        )


def _shown(key: str, value: str) -> str:
    from govcheck.publish import REPORT_URL
    from govcheck.redact import redact_url

    return redact_url(value) if key == REPORT_URL and value else value
