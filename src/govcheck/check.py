"""One check, from options to Report: load config and policies, gather facts, evaluate."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from govcheck import __version__, engine
from govcheck.config import CONFIG_NAME, Config, load_config, policy_paths
from govcheck.errors import UsageError
from govcheck.facts import Facts, known_kinds
from govcheck.model import Location, Report
from govcheck.policy import Rule, load


@dataclass(frozen=True)
class CheckOptions:
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
    fail_on: str | None = None
    changed_only: bool = False  # --changed-since: an empty change set checks nothing


def find_config(options: CheckOptions, root: Path) -> Config:
    if options.config:
        path = Path(options.config)
        return load_config(path, _display(path, root))
    default = root / CONFIG_NAME
    if default.is_file():
        return load_config(default, CONFIG_NAME)
    return Config(path=None)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def rule_matches(rule: Rule, token: str) -> bool:
    return token in (rule.id, rule.info.name) or rule.id.startswith(token)


def select_rules(rules: list[Rule], select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Rule]:
    for token in (*select, *ignore):
        if not any(rule_matches(r, token) for r in rules):
            raise UsageError(
                f"'{token}' matches no rule code, name or code prefix (see govcheck list-rules)"
            )
    chosen = [r for r in rules if not select or any(rule_matches(r, t) for t in select)]
    return [r for r in chosen if not any(rule_matches(r, t) for t in ignore)]


def load_rules(
    config: Config, options: CheckOptions, root: Path
) -> tuple[list[Rule], dict[str, object]]:
    paths = policy_paths(config, list(options.policies), root)
    rules, params = load(paths, config.params, config.param_marks, known_kinds())
    return select_rules(rules, options.select, options.ignore), params


def repo_paths(
    paths: tuple[str, ...], root: Path, changed_only: bool = False, tracked: list[str] | None = None
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
    if tracked:
        files = set(tracked)
        dirs = tuple(d + "/" for d in out if d not in files)
        if dirs:
            out.update(t for t in tracked if t.startswith(dirs))
    return frozenset(out)


def run(options: CheckOptions) -> Report:
    from govcheck.facts import gitrepo, mlflow_source

    started = _now()
    repo = gitrepo.open_repo(options.repo or os.getcwd())
    root = Path(repo.working_tree_dir or repo.git_dir)
    source = gitrepo.RevSource(repo, options.rev) if options.rev else gitrepo.WorkingSource(repo)
    config = find_config(options, root)
    if config.exclude:
        from govcheck.facts.exclude import ExcludingSource

        source = ExcludingSource(source, config.exclude)  # type: ignore[assignment]
    rules, params = load_rules(config, options, root)
    paths = repo_paths(options.paths, root, options.changed_only, source.tracked())
    facts = Facts(
        source,
        params,
        {
            "paths": paths,  # providers of per-file resources read only these files
            "mlflow_uri": options.mlflow_uri,
            "mlflow_snapshot": options.mlflow_snapshot,
            "mlflow_config": config.mlflow,
            "repo_root": str(root),
            "mlflow_location": _mlflow_location(config),
            "config": config,
        },
    )

    def skip_reason(rule: Rule) -> str | None:
        if not rule.info.resource.startswith("mlflow_"):
            return None
        if options.no_mlflow:
            return "MLflow rules skipped (--no-mlflow)"
        return mlflow_source.unavailable_reason(facts)

    result = engine.evaluate(rules, facts, paths=paths, skip_reason=skip_reason)
    from govcheck import waivers

    # Only rules that ran over everything can prove a waiver stale: a PATH-limited check
    # (pre-commit) or a skipped MLflow rule would otherwise flag every waiver it did not reach.
    skipped_ids = {s.rule_id for s in result.skipped}
    complete = (
        frozenset()
        if paths is not None
        else frozenset(key for r in rules if r.id not in skipped_ids for key in (r.id, r.info.name))
    )
    findings, checked, notices = waivers.apply(result, config, facts, complete=complete)
    if not options.select and not options.ignore:
        notices += waivers.unknown_rules(
            config, frozenset(key for r in rules for key in (r.id, r.info.name))
        )
    return Report(
        tool_version=__version__,
        repo=source.info(),
        rules=tuple(r.info for r in rules),
        findings=findings,
        checked=checked,
        skipped=result.skipped,
        notices=tuple(facts.notices + notices),  # skip reasons travel in `skipped`
        started_at=started,
        ended_at=_now(),
        fail_on=options.fail_on or config.fail_on or "error",
    )


def _mlflow_location(config: Config) -> Location | None:
    if config.path and config.mlflow_mark:
        m = config.mlflow_mark
        return Location(config.path, m.line, m.column, "mlflow:")
    return None


def _now() -> str:
    return (
        dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )
