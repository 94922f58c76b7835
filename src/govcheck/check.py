"""One check, from options to Report: load config and policies, resolve the check's
context once, gather facts, evaluate, apply waivers."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from govcheck import (
    __version__,
    baseline,
    engine,
    focus,
    operators,
    provenance,
    scope,
    verdicts,
    waivers,
)
from govcheck.config import Config, RuleSetting, find_config, policy_paths
from govcheck.context import DEFAULT_MAX_FILE_MB, CheckContext, MlflowSettings
from govcheck.errors import Mark, PolicyErrors, UsageError, clip
from govcheck.facts import gitrepo, mlflow_source, model_rows, treestate
from govcheck.facts.base import Facts, RepoSource
from govcheck.facts.mlflow_fieldset import RuleReads
from govcheck.facts.mlflow_store import (
    DEFAULT_SNAPSHOT_MAX_AGE_DAYS,
    resolve_scope,
    resolve_store,
)
from govcheck.facts.recording import RecordingSource
from govcheck.facts.registry import JOINED, NOUNS, PROVIDER_READS, PROVIDERS
from govcheck.filecache import FileCache, cache_dir, fingerprint
from govcheck.model import FailOn, Finding, Location, Provenance, Report, Severity
from govcheck.policy import Rule, load
from govcheck.progress import Detail, Progress, silent
from govcheck.provenance import plain
from govcheck.redact import redact_url
from govcheck.suggest import suggest

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
    only: frozenset[str] | None = None  # exactly these rule ids (govcheck verify)
    fail_on_empty: bool = False  # --fail-on-empty (the config can ask for it too)
    model: str | None = None  # --model NAME@ALIAS or NAME/VERSION: that version only (focus.py)
    as_alias: str | None = None  # --as-alias: judge it as if this alias pointed at it
    models: bool = False  # fill Report.models (every model and its resources: the HTML page)
    cache: bool = False  # keep parsed per-file facts in <git dir>/govcheck/ (check; --no-cache)


def rule_matches(rule: Rule, token: str) -> bool:
    return token in (rule.id, rule.info.name) or rule.id.startswith(token)


def select_rules(rules: list[Rule], select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Rule]:
    """--select and --ignore over the rules; a rule the config turns off runs only when
    --select names it by code or name."""
    for token in (*select, *ignore):
        if not any(rule_matches(r, token) for r in rules):
            raise UsageError(
                f"'{clip(token)}' matches no rule code, name or code prefix (see govcheck list-rules)"
            )
    chosen = [
        r
        for r in rules
        if (not select or any(rule_matches(r, t) for t in select))
        and (r.enabled or any(t in (r.id, r.info.name) for t in select))
    ]
    return [r for r in chosen if not any(rule_matches(r, t) for t in ignore)]


def load_rules(
    config: Config, root: Path, policies: tuple[str, ...] = ()
) -> tuple[list[Rule], dict[str, Any]]:
    """Every rule the config and --policy files define, as the config's `rules:` sets them
    (severity, enabled), and the effective parameters. `govcheck check` and `govcheck
    validate` both come through here, so they report the same errors."""
    paths = policy_paths(config, list(policies), root)
    rules, params = load(paths, config.params, config.param_marks, PROVIDERS)
    return configured(rules, config.rules), params


def configured(rules: list[Rule], settings: tuple[RuleSetting, ...]) -> list[Rule]:
    """Apply the config's `rules:` (in order: a later entry wins); an entry naming no rule
    is an error at its line, with the closest rule code or name."""
    errors: list[tuple[Mark | None, str]] = []
    state: dict[str, tuple[bool, Severity | None]] = {}
    for setting in settings:
        matched = [r for r in rules if rule_matches(r, setting.token)]
        if not matched:
            names = [r.id for r in rules] + [r.info.name for r in rules]
            errors.append(
                (
                    setting.mark,
                    f"unknown rule '{setting.token}' in rules{suggest(setting.token, names)}",
                )
            )
        for rule in matched:
            enabled, severity = state.get(rule.id, (True, None))
            state[rule.id] = (setting.enabled, setting.severity or severity)
    if errors:
        raise PolicyErrors(errors)
    out = []
    for rule in rules:
        enabled, severity = state.get(rule.id, (True, None))
        if severity is None:
            out.append(replace(rule, enabled=enabled))
            continue
        # The policy hash (provenance) hashes the definition: it is the rule as configured.
        written = dict(rule.definition) if isinstance(rule.definition, Mapping) else {}
        out.append(
            replace(
                rule,
                info=replace(rule.info, severity=severity),
                enabled=enabled,
                definition={**written, "severity": severity},
            )
        )
    return out


def relative_paths(paths: tuple[str, ...], root: Path) -> list[str] | None:
    """PATH arguments as repo-relative POSIX paths; None when one is the repository."""
    out = []
    for p in paths:
        absolute = (Path.cwd() / p).resolve() if not Path(p).is_absolute() else Path(p).resolve()
        try:
            rel = absolute.relative_to(root.resolve()).as_posix()
        except ValueError:
            raise UsageError(f"path is outside the repository: {p}") from None
        if rel == ".":
            return None  # the whole repository
        out.append(rel)
    return out


def repo_paths(
    paths: tuple[str, ...], root: Path, changed_only: bool, tracked: list[str]
) -> frozenset[str] | None:
    """PATH arguments as repo-relative POSIX paths (as pre-commit passes them).

    A PATH naming a directory stands for the tracked files below it too, so
    `govcheck check models/x` checks those files as well as the directory.
    """
    if not paths:
        return frozenset() if changed_only else None
    given = relative_paths(paths, root)
    if given is None:
        return None
    out = set(given)
    files = set(tracked)
    dirs = tuple(d + "/" for d in out if d not in files)
    if dirs:
        out.update(t for t in tracked if t.startswith(dirs))
    return frozenset(out)


def mlflow_settings(
    options: CheckOptions, config: Config, root: Path, rules: Sequence[Rule] = ()
) -> MlflowSettings:
    """Where MLflow facts come from, resolved once (SPEC section 3's precedence)."""
    store = resolve_store(
        config.mlflow, root, os.environ, options.mlflow_uri, options.mlflow_snapshot
    )
    mark = config.mlflow.mark
    anchor = (
        Location(config.path, mark.line, mark.column, "mlflow:") if config.path and mark else None
    )
    max_age = config.mlflow.snapshot_max_age_days or DEFAULT_SNAPSHOT_MAX_AGE_DAYS
    return MlflowSettings(
        store, resolve_scope(config.mlflow), anchor, options.no_mlflow, max_age, rule_reads(rules)
    )


def joined_reads(rule: Rule) -> dict[str, set[tuple[Any, bool]]]:
    """The MLflow fields a rule reads through a joined field of its own kind (a model's
    `serving`, facts/registry.py JOINED): each path below the field, and what picks the
    joined entity."""
    joins = JOINED.get(rule.info.resource, {})
    out: dict[str, set[tuple[Any, bool]]] = {}
    for kind, path, presence in rule.field_reads:
        if kind is not None or not path or path[0] not in joins:
            continue
        other, picks = joins[str(path[0])]
        reads = out.setdefault(other, set())
        reads.update((p, False) for p in picks)
        if len(path) > 1:
            reads.add((path[1:], presence))
    return out


def reads_mlflow(rule: Rule) -> bool:
    """A rule over MLflow entities, or one that looks names up in them (refers_to, a
    joined field such as a model's `serving`)."""
    return any(kind.startswith("mlflow_") for kind in (*rule.kinds, *joined_reads(rule)))


def rule_reads(rules: Sequence[Rule]) -> tuple[RuleReads, ...]:
    """The fields of MLflow kinds each rule reads, of its own resource or, through
    refers_to, of another kind (what a snapshot must record)."""
    out = []
    for rule in rules:
        by_kind: dict[str, set[tuple[Any, bool]]] = {}
        for kind, path, presence in rule.field_reads:
            by_kind.setdefault(kind or rule.info.resource, set()).add((path, presence))
        for kind, paths in PROVIDER_READS.get(rule.info.resource, {}).items():
            by_kind.setdefault(kind, set()).update((p, False) for p in paths)
        for kind, reads in joined_reads(rule).items():
            by_kind.setdefault(kind, set()).update(reads)
        if rule.info.resource.startswith("mlflow_"):
            by_kind.setdefault(rule.info.resource, set())
        out += [
            RuleReads(rule.id, kind, frozenset(reads))
            for kind, reads in sorted(by_kind.items())
            if kind.startswith("mlflow_")
        ]
    return tuple(out)


def run(options: CheckOptions, carry: dict[Hashable, Any] | None = None) -> Report:
    """One check; with --baseline-rev, first the check of that commit (the two share
    `carry`, so MLflow is read once)."""
    carry = {} if carry is None else carry
    known = None
    if options.baseline_rev:
        options.progress(Detail(f"baseline: checking {options.baseline_rev} first"))
        base = replace(
            options, rev=options.baseline_rev, baseline=None, baseline_rev=None, models=False
        )
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
    target = focus.parse(options.model) if options.model else None
    if options.as_alias and target is None:
        raise UsageError("--as-alias needs --model NAME/VERSION: the version it would point at")
    repo = gitrepo.open_repo(options.repo or os.getcwd())
    root = Path(str(repo.working_tree_dir))
    tree: RepoSource = (
        gitrepo.RevSource(repo, options.rev) if options.rev else gitrepo.WorkingSource(repo)
    )
    source = RecordingSource(tree)  # what the rules ask git, for reusing the verdict
    config = find_config(root, options.config)
    all_rules, params = load_rules(config, root, options.policies)
    rules = select_rules(all_rules, options.select, options.ignore)
    if options.only is not None:
        rules = [r for r in rules if r.id in options.only]
    paths = repo_paths(options.paths, root, options.changed_only, source.tracked())
    context = CheckContext(
        root=root,
        params=params,
        paths=paths,
        rev=options.rev,
        exclude=config.exclude,
        mlflow=mlflow_settings(options, config, root, rules),
        progress=options.progress,
        max_file_bytes=int((config.max_file_mb or DEFAULT_MAX_FILE_MB) * 1024 * 1024),
    )
    facts = Facts(source, context, PROVIDERS, carry)
    focused = None
    if target is not None:
        # Resolved over the whole store and repository, then the check is limited to it
        # (MLflow is read once: the reader is carried).
        focused = focus.resolve(target, facts, options.as_alias)
        paths = focused.paths if paths is None else focused.paths & paths
        context = replace(
            context,
            paths=paths,
            entities=focused.entities,
            assumed_aliases=focused.assumed_aliases,
        )
        facts = Facts(source, context, PROVIDERS, carry)
        facts.notice(focused.describe())
    if options.cache:
        facts.filecache = FileCache(cache_dir(repo.common_dir))
    _describe(options.progress, config, all_rules, rules, facts)
    kept = _kept_verdicts(options, repo, config, rules, params, context, tree, focused)
    verdict = kept[0].load(kept[1], tree, root) if kept else None
    if verdict is not None:
        options.progress(Detail("verdict: reused, nothing it was computed from has changed"))
    else:
        clock = operators.clock_reads
        verdict = _evaluate(rules, facts, config, paths, focused)
        if kept and _keepable(source, facts, clock):
            kept[0].store(kept[1], verdict, _inputs(source, facts))
    result = engine.Evaluation(
        verdict.findings, verdict.raw_checked, verdict.skipped, verdict.evaluation_notices
    )
    skipped_ids = {s.rule_id for s in result.skipped}
    findings, checked = verdict.findings, verdict.checked
    notices = list(verdict.waiver_notices)
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
    info = source.info()
    # Both before the model rows, which may read more: they must not change other formats.
    noticed = verdict.fact_notices
    reached = _provenance(options, repo, info.head, rules, params, context, facts, paths)
    models = (
        model_rows.model_rows(facts, {r.info.resource for r in rules if r.id not in skipped_ids})
        if options.models
        else ()
    )
    said, empty = _scope_notices(options, paths, rules, result, root, source, config)
    return Report(
        tool_version=__version__,
        repo=info,
        rules=tuple(r.info for r in rules),
        findings=findings,
        checked=checked,
        skipped=result.skipped,
        notices=noticed + tuple(list(result.notices) + notices + said),  # skips: `skipped`
        started_at=started,
        ended_at=_now(),
        fail_on=options.fail_on or config.fail_on or "error",
        baseline=known.source if known is not None else None,
        absent=absent,
        provenance=reached,
        scope=scope.counts(rules, result, NOUNS),
        empty_scope=tuple(empty),
        fail_on_empty=options.fail_on_empty or config.fail_on_empty,
        models=models,
    )


def _evaluate(
    rules: list[Rule],
    facts: Facts,
    config: Config,
    paths: frozenset[str] | None,
    focused: focus.Focus | None,
) -> verdicts.Verdict:
    """The rules over the facts, then the waivers: what a report is made of."""
    if paths is None:
        from govcheck.facts.prefetch import prefetch  # a full check only: pre-commit pays nothing

        prefetch(facts, {r.info.resource for r in rules})

    shallow = functools.cache(facts.source.shallow)  # asked once, only if a rule needs history
    context = facts.context

    def skip_reason(rule: Rule) -> str | None:
        if reads_mlflow(rule) and context.mlflow.skip_reason:
            return context.mlflow.skip_reason
        if rule.needs_history and shallow():
            return SHALLOW_REASON
        return None

    result = engine.evaluate(rules, facts, skip_reason)
    if focused is not None:
        _unjudged_notice(focused, result, facts)
    # Only rules that ran over everything can prove a waiver stale: a PATH-limited check
    # (pre-commit) or a skipped MLflow rule would otherwise flag every waiver it did not reach.
    skipped_ids = {s.rule_id for s in result.skipped}
    complete = (
        frozenset()
        if paths is not None
        else frozenset(key for r in rules if r.id not in skipped_ids for key in (r.id, r.info.name))
    )
    findings, checked, notices = waivers.apply(result, config.waivers, facts, complete=complete)
    if facts.filecache is not None:
        facts.filecache.save()  # what this check parsed, for the next one
    return verdicts.Verdict(
        findings=tuple(findings),
        checked=tuple(checked),
        skipped=result.skipped,
        evaluation_notices=result.notices,
        waiver_notices=tuple(notices),
        fact_notices=tuple(facts.notices),
        raw_checked=result.checked,
    )


def _kept_verdicts(
    options: CheckOptions,
    repo: Any,
    config: Config,
    rules: list[Rule],
    params: dict[str, Any],
    context: CheckContext,
    tree: RepoSource,
    focused: focus.Focus | None,
) -> tuple[verdicts.VerdictCache, str] | None:
    """Where this check's verdict is kept, and its key; None when it cannot be kept: no
    cache, a check of one model version (MLflow decides it), the HTML page's model rows
    (read from the facts), or MLflow rules that would run."""
    if not options.cache or focused is not None or options.models:
        return None
    settings = context.mlflow
    if settings.skip_reason is None and any(reads_mlflow(r) for r in rules):
        return None
    tree_digest = treestate.digest(tree)
    if tree_digest is None:
        return None
    key = verdicts.key(
        [
            fingerprint(),
            tree_digest,
            verdicts.today(),
            repr(config),
            [(r.id, plain(r.definition), r.mark.path, r.mark.line, r.mark.column) for r in rules],
            plain(params),
            sorted(context.paths) if context.paths is not None else None,
            context.rev,
            context.max_file_bytes,
            settings.skip_reason,
        ]
    )
    return verdicts.VerdictCache(cache_dir(repo.common_dir)), key


def _keepable(source: RecordingSource, facts: Facts, clock: int) -> bool:
    """Whether nothing this check read changes by itself (the clock, history, MLflow)."""
    return (
        source.volatile is None
        and operators.clock_reads == clock
        and mlflow_source.opened(facts) is None
    )


def _inputs(source: RecordingSource, facts: Facts) -> verdicts.Inputs:
    asked = {verdicts.key([q]): (q, a) for q, a in source.asked}  # each question once
    return verdicts.Inputs(tuple(asked.values()), tuple(sorted(facts.worktree_probes.items())))


def _unjudged_notice(focused: focus.Focus, result: engine.Evaluation, facts: Facts) -> None:
    """A version no rule judged itself passes for want of a rule, not on its merits: say
    so (rules over versions judge those behind a serving alias)."""
    entity = focused.version_entity
    if any(c.resource_id == entity for c in result.checked):
        return
    hint = (
        "" if focused.assumed_aliases else ": to gate moving an alias to it, add --as-alias ALIAS"
    )
    facts.notice(
        f"no rule judged model version {focused.name}/{focused.version} itself (the rules "
        f"over model versions judge those behind a serving alias){hint}"
    )


def _provenance(
    options: CheckOptions,
    repo: Any,
    commit: str | None,
    rules: list[Rule],
    params: dict[str, Any],
    context: CheckContext,
    facts: Facts,
    paths: frozenset[str] | None,
) -> Provenance:
    """What this verdict was reached on (govcheck verify re-runs it)."""
    changed = () if options.rev else gitrepo.working_changes(repo)
    uri, snapshot = provenance.mlflow_source(context.mlflow, context.root)
    data = mlflow_source.opened(facts)
    return Provenance(
        commit=commit,
        dirty=bool(changed),
        changed_paths=changed,
        policy_hash=provenance.policy_hash(rules, params, __version__),
        rev=options.rev,
        paths=tuple(sorted(paths)) if paths is not None else None,
        mlflow_uri=uri,
        mlflow_snapshot=snapshot,
        snapshot_digest=getattr(data, "digest", None) or None,
        model=options.model,
        as_alias=options.as_alias,
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


def _scope_notices(
    options: CheckOptions,
    paths: frozenset[str] | None,
    rules: list[Rule],
    result: engine.Evaluation,
    root: Path,
    source: RepoSource,
    config: Config,
) -> tuple[list[str], list[str]]:
    """(notices, empty scope): in a whole-repository check, the packs that had nothing to
    check; in a narrowed one, the PATHs that reach nothing (always said; empty scope when
    nothing at all was checked) or an empty change set."""
    if paths is None:
        empty = scope.empty_packs(rules, result)
        return empty, empty
    nothing = not result.checked and not result.findings
    if not options.paths:
        said = ["no file changed: nothing was checked"] if options.changed_only else []
        return said, said if nothing else []
    given = relative_paths(options.paths, root) or []
    said = scope.unreached_paths(given, source.tracked(), config.exclude)
    return said, said if nothing else []


def _now() -> str:
    return (
        dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )
