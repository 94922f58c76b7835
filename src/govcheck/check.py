"""One check, from options to Report: load config and policies, resolve the check's
context once, gather facts, evaluate, apply waivers."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from govcheck import __version__, baseline, engine, waivers
from govcheck.config import Config, find_config, policy_paths
from govcheck.context import DEFAULT_MAX_FILE_MB, CheckContext, MlflowSettings
from govcheck.errors import UsageError, clip
from govcheck.facts import gitrepo
from govcheck.facts.base import Facts, RepoSource
from govcheck.facts.mlflow_store import (
    DEFAULT_SNAPSHOT_MAX_AGE_DAYS,
    resolve_scope,
    resolve_store,
)
from govcheck.facts.registry import PROVIDERS
from govcheck.model import FailOn, Finding, Location, Report
from govcheck.policy import Rule, load
from govcheck.progress import Detail, Progress, silent
from govcheck.redact import redact_url

# In a shallow clone a commit not found may simply not have been fetched: rules that look
# commits up are skipped, with the fix, rather than report lineage that is not broken.
SHALLOW_REASON = (
    "shallow clone: commits cannot be looked up in a cut-short history; fetch it all "
    "(actions/checkout: fetch-depth: 0, or git fetch --unshallow)"
)


@dataclass(frozen=True)
class CheckOptions:
    """What the user asked for (command line, or a caller such as `govcheck test`)."""

    repo: str | None = None
    config: str | None = None
    policies: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    no_mlflow: bool = False
    mlflow_uri: str | None = None
    mlflow_snapshot: str | None = None
    rev: str | None = None
    fail_on: FailOn | None = None
    changed_only: bool = False  # --changed-since: an empty change set checks nothing
    progress: Progress = silent  # where long work reports how far it got
    baseline: str | None = None  # --baseline FILE
    baseline_rev: str | None = None  # --baseline-rev REV: the baseline is that commit's check


def rule_matches(rule: Rule, token: str) -> bool:
    return token in (rule.id, rule.info.name) or rule.id.startswith(token)


def select_rules(rules: list[Rule], select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Rule]:
    for token in (*select, *ignore):
        if not any(rule_matches(r, token) for r in rules):
            raise UsageError(
                f"'{clip(token)}' matches no rule code, name or code prefix (see govcheck list-rules)"
            )
    chosen = [r for r in rules if not select or any(rule_matches(r, t) for t in select)]
    return [r for r in chosen if not any(rule_matches(r, t) for t in ignore)]


def load_rules(
    config: Config, root: Path, policies: tuple[str, ...] = ()
) -> tuple[list[Rule], dict[str, Any]]:
    """Every rule the config and --policy files define, and the effective parameters."""
    paths = policy_paths(config, list(policies), root)
    return load(paths, config.params, config.param_marks, PROVIDERS)


def repo_paths(
    paths: tuple[str, ...], root: Path, changed_only: bool, tracked: list[str]
) -> frozenset[str] | None:
    """PATH arguments as repo-relative POSIX paths (as pre-commit passes them).

    A PATH naming a directory stands for the tracked files below it too, so
    `govcheck check models/x` checks those files as well as the directory.
    """
    if not paths:
        return frozenset() if changed_only else None
    out = set()
    for p in paths:
        absolute = (Path.cwd() / p).resolve() if not Path(p).is_absolute() else Path(p).resolve()
        try:
            rel = absolute.relative_to(root.resolve()).as_posix()
        except ValueError:
            raise UsageError(f"path is outside the repository: {p}") from None
        if rel == ".":
            return None  # the whole repository
        out.add(rel)
    files = set(tracked)
    dirs = tuple(d + "/" for d in out if d not in files)
    if dirs:
        out.update(t for t in tracked if t.startswith(dirs))
    return frozenset(out)


def mlflow_settings(options: CheckOptions, config: Config, root: Path) -> MlflowSettings:
    """Where MLflow facts come from, resolved once (SPEC section 3's precedence)."""
    store = resolve_store(
        config.mlflow, root, os.environ, options.mlflow_uri, options.mlflow_snapshot
    )
    mark = config.mlflow.mark
    anchor = (
        Location(config.path, mark.line, mark.column, "mlflow:") if config.path and mark else None
    )
    max_age = config.mlflow.snapshot_max_age_days or DEFAULT_SNAPSHOT_MAX_AGE_DAYS
    return MlflowSettings(store, resolve_scope(config.mlflow), anchor, options.no_mlflow, max_age)


def run(options: CheckOptions, carry: dict[Hashable, Any] | None = None) -> Report:
    """One check; with --baseline-rev, first the check of that commit (the two share
    `carry`, so MLflow is read once)."""
    carry = {} if carry is None else carry
    known = None
    if options.baseline_rev:
        options.progress(Detail(f"baseline: checking {options.baseline_rev} first"))
        base = replace(options, rev=options.baseline_rev, baseline=None, baseline_rev=None)
        base_report = run(base, carry)
        commit = (base_report.repo.head or options.baseline_rev)[:12]
        known = baseline.from_report(base_report, f"commit {commit}")
    elif options.baseline:
        known = baseline.read(options.baseline)
    return _check(options, carry, known)


def _check(
    options: CheckOptions, carry: dict[Hashable, Any], known: baseline.Baseline | None
) -> Report:
    started = _now()
    repo = gitrepo.open_repo(options.repo or os.getcwd())
    root = Path(str(repo.working_tree_dir))
    source: RepoSource = (
        gitrepo.RevSource(repo, options.rev) if options.rev else gitrepo.WorkingSource(repo)
    )
    config = find_config(root, options.config)
    all_rules, params = load_rules(config, root, options.policies)
    rules = select_rules(all_rules, options.select, options.ignore)
    paths = repo_paths(options.paths, root, options.changed_only, source.tracked())
    context = CheckContext(
        root=root,
        params=params,
        paths=paths,
        rev=options.rev,
        exclude=config.exclude,
        mlflow=mlflow_settings(options, config, root),
        progress=options.progress,
        max_file_bytes=int((config.max_file_mb or DEFAULT_MAX_FILE_MB) * 1024 * 1024),
    )
    facts = Facts(source, context, PROVIDERS, carry)
    _describe(options.progress, config, all_rules, rules, facts)

    shallow = functools.cache(source.shallow)  # asked once, and only if a rule needs history

    def skip_reason(rule: Rule) -> str | None:
        # A rule over MLflow entities, or one that looks names up in them (refers_to).
        if any(kind.startswith("mlflow_") for kind in rule.kinds) and context.mlflow.skip_reason:
            return context.mlflow.skip_reason
        if rule.needs_history and shallow():
            return SHALLOW_REASON
        return None

    result = engine.evaluate(rules, facts, skip_reason)
    # Only rules that ran over everything can prove a waiver stale: a PATH-limited check
    # (pre-commit) or a skipped MLflow rule would otherwise flag every waiver it did not reach.
    skipped_ids = {s.rule_id for s in result.skipped}
    complete = (
        frozenset()
        if paths is not None
        else frozenset(key for r in rules if r.id not in skipped_ids for key in (r.id, r.info.name))
    )
    findings, checked, notices = waivers.apply(result, config.waivers, facts, complete=complete)
    if not options.select and not options.ignore:
        notices += waivers.unknown_rules(
            config.waivers, frozenset(key for r in rules for key in (r.id, r.info.name))
        )
    absent: tuple[Finding, ...] = ()
    if known is not None:
        ran = {r.id for r in rules} - skipped_ids
        passed = {(c.rule_id, c.resource_id) for c in checked if c.status == "passed"}
        findings, absent = baseline.compare(findings, known, ran, paths is None, passed)
        options.progress(Detail(f"baseline: {known.source}, {len(known.findings)} findings"))
    return Report(
        tool_version=__version__,
        repo=source.info(),
        rules=tuple(r.info for r in rules),
        findings=findings,
        checked=checked,
        skipped=result.skipped,
        notices=tuple(facts.notices + list(result.notices) + notices),  # skips: `skipped`
        started_at=started,
        ended_at=_now(),
        fail_on=options.fail_on or config.fail_on or "error",
        baseline=known.source if known is not None else None,
        absent=absent,
    )


def _describe(
    say: Progress, config: Config, all_rules: list[Rule], rules: list[Rule], facts: Facts
) -> None:
    """What --verbose shows: which config, policies, rules, files and MLflow store."""
    say(Detail(f"config: {config.path or 'none (built-in packs with their defaults)'}"))
    sources = dict.fromkeys(r.info.source.path for r in all_rules)
    say(Detail(f"policies: {', '.join(sources) or 'none'}"))
    left_out = len(all_rules) - len(rules)
    chosen = f" ({left_out} left out by --select/--ignore)" if left_out else ""
    say(Detail(f"rules: {len(rules)}{chosen}: {', '.join(r.id for r in rules)}"))
    context = facts.context
    tracked = facts.tracked()
    excluded = len(facts.source.tracked()) - len(tracked)
    hidden = f", {excluded} excluded by the config" if excluded else ""
    tree = f"commit {context.rev}" if context.rev else "the index and working tree"
    say(Detail(f"files: {len(tracked)} tracked in {tree}{hidden}"))
    if context.paths is not None:
        shown = sorted(context.paths)
        listing = ", ".join(shown[:50]) + (
            f", ... ({len(shown) - 50} more)" if len(shown) > 50 else ""
        )
        noun = "path" if len(shown) == 1 else "paths"
        say(Detail(f"limited to {len(shown)} {noun}: {listing or 'none'}"))
    settings = context.mlflow
    store = settings.store
    if settings.disabled:
        say(Detail("MLflow: not read (--no-mlflow)"))
    elif store.snapshot is not None:
        say(Detail(f"MLflow: snapshot {store.snapshot} (from {store.origin})"))
    elif store.uri is not None:
        say(Detail(f"MLflow: {redact_url(store.uri)} (from {store.origin})"))
    else:
        say(Detail("MLflow: no store configured"))


def _now() -> str:
    return (
        dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )
