"""Which fields of the MLflow kinds a set of rules reads: what a snapshot records and covers.

Every rule notes, while it is built, the field paths its conditions and message read
(`Rule.field_reads`, of its own resource or, through refers_to, of another kind). A
snapshot keeps those and the fields each entity is known by, and nothing
else: no params or metrics unless a rule reads them, only the tags rules name. A check
against a snapshot asks the same question the other way round: does the snapshot hold
every field the enabled rules read? Paths are written as in policies, with `[*]` for every
item of a list: `run.tags['mlflow.source.git.commit']`, `datasets[*].digest`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Key = str | int | None  # None: every item of a list
Path = tuple[Key, ...]

LISTS = {
    "mlflow_experiment": "experiments",
    "mlflow_run": "runs",
    "mlflow_registered_model": "registered_models",
    "mlflow_model_version": "model_versions",
}
# What each entity is known by (its resource id, the scope filters, the lineage), recorded
# whenever the entity is.
IDENTITY: dict[str, tuple[Path, ...]] = {
    "experiments": (("experiment_id",), ("name",)),
    "runs": (("run_id",), ("experiment_id",), ("start_time",)),
    "registered_models": (("name",),),
    "model_versions": (("name",), ("version",)),
}
# Nested entities: whether one is there is told by its identity, so a rule asking only
# that (`{field: run, empty: false}`) does not record the whole run.
NESTED_IDENTITY: dict[tuple[str, Path], tuple[Path, ...]] = {
    ("model_versions", ("run",)): (("run_id",),),
}
# Fields computed at check time from another recorded list (run_count counts the runs in
# scope, so runs_since_days applies to it as it does live).
DERIVED: dict[tuple[str, str], str] = {("experiments", "run_count"): "runs"}
# Fields a check computes from the repository, not from MLflow (a registered model's or a
# version's `model`: the repository model of its name, facts/models.py): never recorded or
# required.
FROM_REPOSITORY: dict[str, frozenset[str]] = {
    "registered_models": frozenset({"model"}),
    "model_versions": frozenset({"model"}),
}


@dataclass(frozen=True)
class RuleReads:
    """The fields of one MLflow kind an enabled rule reads (its own kind, or another one
    its conditions refer to)."""

    rule_id: str
    kind: str  # mlflow_run, ...
    reads: frozenset[tuple[Path, bool]]  # (path, only presence matters)


def record_paths(rules: Iterable[RuleReads]) -> dict[str, list[str]]:
    """List name -> the sorted field paths a snapshot records for these rules; a list no
    rule reads is absent."""
    wanted: dict[str, set[Path]] = {}
    for rule in rules:
        name = LISTS.get(rule.kind)
        if name is not None:
            wanted.setdefault(name, set()).update(needed(name, rule.reads))
    for (name, field), source in DERIVED.items():
        if any(p[:1] in ((), (field,)) for p in wanted.get(name, ())):
            wanted.setdefault(source, set())
    for name, paths in wanted.items():
        paths.update(IDENTITY[name])
        # A nested entity recorded in part still says which it is (`run.run_id`).
        for (owner, nested), identity in NESTED_IDENTITY.items():
            if owner == name and any(p[: len(nested)] == nested for p in paths):
                paths.update(nested + sub for sub in identity)
        paths.difference_update({(f,) for (n, f) in DERIVED if n == name})
    return {name: sorted(_minimal(paths)) for name, paths in wanted.items()}


def needed(name: str, reads: Iterable[tuple[Path, bool]]) -> set[Path]:
    """The paths a rule's reads need recorded. Where only presence matters: a nested
    entity's identity says it is there, and a list whose items are read is kept whole in
    length (items are pruned, never dropped)."""
    local = FROM_REPOSITORY.get(name, frozenset())
    reads = [(_entries(p), presence) for p, presence in reads if not (p and p[0] in local)]
    every = {p for p, _ in reads}
    out: set[Path] = set()
    for path, presence in reads:
        if presence:
            identity = NESTED_IDENTITY.get((name, path))
            if identity:
                out.update(path + sub for sub in identity)
                continue
            items = (*path, None)
            if any(q[: len(items)] == items for q in every):
                continue
        out.add(path)
    return out


# Fields that are mappings (name -> value): reading their entries (`every: run.metrics`,
# `for_each: run.metrics`, items {key, value}) reads the whole mapping.
MAPPINGS = frozenset({"tags", "params", "metrics"})


def _entries(path: Path) -> Path:
    for i in range(len(path) - 1):
        if path[i] in MAPPINGS and path[i + 1] is None:
            return path[: i + 1]
    return path


def _minimal(paths: set[Path]) -> list[str]:
    """Paths without those another one already covers, as text."""
    kept = [p for p in paths if not any(q != p and _prefix(q, p) for q in paths)]
    return [path_text(p) for p in kept]


def _prefix(short: Path, long: Path) -> bool:
    return len(short) <= len(long) and long[: len(short)] == short


def uncovered(
    recorded: Mapping[str, list[str]] | None, rules: Iterable[RuleReads]
) -> tuple[RuleReads, str] | None:
    """The first (rule, field) an enabled rule reads that a snapshot did not record, or
    None; `recorded` None means everything was recorded (format 1, or --all-fields)."""
    if recorded is None:
        return None
    parsed = {name: [parse_path(p) for p in paths] for name, paths in recorded.items()}
    for rule in sorted(rules, key=lambda r: r.rule_id):
        name = LISTS.get(rule.kind)
        if name is None:
            continue
        if name not in parsed:
            return rule, name
        for path in sorted(needed(name, rule.reads), key=path_text):
            source = DERIVED.get((name, str(path[0]))) if len(path) == 1 else None
            if source is not None:
                if source not in parsed:
                    return rule, f"{name}.{path_text(path)} (counted from {source})"
            elif not any(_prefix(have, path) for have in parsed[name]):
                return rule, f"{name}.{path_text(path)}"
    return None


def prune(value: Any, paths: list[Path]) -> Any:
    """value with only what the paths reach; list items are kept (pruned), never dropped,
    so counts and emptiness stay as they were."""
    if not paths or any(p == () for p in paths):
        return value
    if isinstance(value, Mapping):
        if any(p[0] is None for p in paths):
            return value  # every entry of a mapping (`metrics[*].value`): kept whole
        out = {}
        for key in value:
            below = [p[1:] for p in paths if p[0] == key]
            if below:
                out[key] = prune(value[key], below)
        return out
    if isinstance(value, list):
        below = [p[1:] for p in paths if p[0] is None]
        return [prune(item, below) for item in value] if below else value
    return value


_SIMPLE = re.compile(r"[A-Za-z_][\w-]*")
_TOKEN = re.compile(r"\.?([A-Za-z_][\w-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\*|-?\d+)\]")


def path_text(path: Path) -> str:
    out = ""
    for key in path:
        if key is None:
            out += "[*]"
        elif isinstance(key, int):
            out += f"[{key}]"
        elif _SIMPLE.fullmatch(key):
            out += f".{key}" if out else key
        else:
            out += "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out or "."


def parse_path(text: str) -> Path:
    if text == ".":
        return ()
    keys: list[Key] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"bad field path {text!r} at character {pos + 1}")
        pos = m.end()
        if m.group(1) is not None:
            keys.append(m.group(1))
        elif m.group(2) is not None:
            keys.append(re.sub(r"\\(.)", r"\1", m.group(2)))
        else:
            keys.append(None if m.group(3) == "*" else int(m.group(3)))
    return tuple(keys)
