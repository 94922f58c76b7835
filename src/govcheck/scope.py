"""What a check covered, so a run that checked nothing never reads like a clean one.

Per resource kind, how many resources the rules evaluated; for each policy file (built-in
pack) whose rules evaluated nothing in a whole-repository check, its `empty_scope` notice
(what it looked for, which parameter widens it); and the PATHs a narrowed check was given
that reach nothing (untracked, or excluded by the config).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from govcheck.engine import Evaluation
from govcheck.facts.base import excluded
from govcheck.model import ScopeCount
from govcheck.policy import Rule


def counts(
    rules: Iterable[Rule], result: Evaluation, nouns: Mapping[str, str]
) -> tuple[ScopeCount, ...]:
    """Resources evaluated per kind, for every kind a rule that ran names (zeros too), in
    the order the rules name them."""
    skipped = {s.rule_id for s in result.skipped}
    kind_of = {r.id: r.info.resource for r in rules if r.id not in skipped}
    seen: dict[str, set[str]] = {kind: set() for kind in dict.fromkeys(kind_of.values())}
    for c in result.checked:
        kind = kind_of.get(c.rule_id)
        if kind is not None:
            seen[kind].add(c.resource_id)
    return tuple(
        ScopeCount(kind, nouns.get(kind, kind.replace("_", " ")), len(ids))
        for kind, ids in seen.items()
    )


def empty_packs(rules: Iterable[Rule], result: Evaluation) -> list[str]:
    """The empty_scope notice of each policy file none of whose rules that ran evaluated
    anything (a file whose rules were all skipped says why in `skipped` instead)."""
    skipped = {s.rule_id for s in result.skipped}
    evaluated = {c.rule_id for c in result.checked}
    packs: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.id not in skipped:
            packs.setdefault(rule.info.source.path, []).append(rule)
    out = []
    for members in packs.values():
        notice = members[0].empty_scope
        if notice and not any(r.id in evaluated for r in members):
            out.append(notice)
    return out


def unreached_paths(
    given: Iterable[str], tracked: Iterable[str], exclude: tuple[str, ...]
) -> list[str]:
    """A notice for each PATH (repo-relative) that names no tracked file or folder, or only
    files the config excludes: checking it checks nothing, and the report says so."""
    files = set(tracked)
    folders = {p.rsplit("/", 1)[0] for p in files if "/" in p}
    parents = set()
    for folder in folders:
        while folder:
            parents.add(folder)
            folder = folder.rpartition("/")[0]
    out = []
    for path in given:
        if path not in files and path not in parents:
            out.append(f"{path}: not tracked by git, so nothing in it was checked")
            continue
        below = [p for p in files if p == path or p.startswith(path + "/")]
        if exclude and all(excluded(p, exclude) for p in below):
            out.append(f"{path}: excluded by the config (exclude: {', '.join(exclude)})")
    return out
