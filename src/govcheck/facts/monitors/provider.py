"""The `monitor` provider: every reader's monitors as resources, grouped by what they watch.

A model is often watched by several monitors (SageMaker runs data quality and model quality
as two schedules; a Prometheus rule adds latency): coverage is judged over the group, so
each monitor carries `group` (the signal types of every monitor of the same target) and
`group.first` marks the one a group-wide finding is reported on.

Monitors are read from every file even when the check is limited to PATHs (pre-commit): a
group's coverage and a model's `monitors` join files anywhere in the tree, and a check of
one file must judge them as the full check does. The engine still reports only on the
monitors the PATHs touch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from govcheck.facts import changes
from govcheck.facts.base import Facts
from govcheck.facts.monitors import shape
from govcheck.facts.monitors.registry import READERS
from govcheck.facts.monitors.shape import Monitor
from govcheck.facts.variables import has_variables
from govcheck.model import Location, Resource
from govcheck.yamlsrc import LDict


def monitor_resources(facts: Facts) -> list[Resource]:
    found = [m for read in READERS.values() for m in read(facts)]
    found.sort(key=lambda m: (m.mark.path, m.mark.line, m.mark.column, m.name))
    groups: dict[str, list[Monitor]] = defaultdict(list)
    for monitor in found:
        groups[group_key(monitor)].append(monitor)
    out: dict[str, Resource] = {}
    for monitor in found:
        members = groups[group_key(monitor)]
        res = _resource(facts, monitor, members)
        out.setdefault(res.id, res)
    return list(out.values())


def group_key(monitor: Monitor) -> str:
    """What a monitor watches, as far as it can be named: the model, else the endpoint or
    table, else the monitor itself."""
    target = monitor.target
    model, name = target.get("model"), target.get("name")
    if isinstance(model, str) and model and not has_variables(model):
        return f"model:{model}"
    if isinstance(name, str) and name and not has_variables(name):
        return f"{target.get('kind')}:{name}"
    if monitor.target_key:
        return f"{target.get('kind')}:{monitor.target_key}"
    return f"monitor:{monitor.mark}:{monitor.name}"


def _types(signals: list[LDict]) -> list[str]:
    return sorted({str(s.get("type")) for s in signals if s.get("type")})


def _resource(facts: Facts, monitor: Monitor, members: list[Monitor]) -> Resource:
    mark = monitor.mark
    path = mark.path
    types = _types(monitor.signals)
    target = monitor.target
    group = shape.node(
        mark,
        key=group_key(monitor),
        # what a reader calls the watched thing: the model, else the endpoint or table
        watches=target.get("model") or target.get("name") or monitor.name,
        size=len(members),
        first=members[0] is monitor,
        members=[f"{m.mark.path}:{m.mark.line}" for m in members],
    )
    shape.put(
        group,
        "protected_attributes",
        sorted({p for m in members for p in m.protected_attributes}),
        mark,
    )
    shape.put(
        group,
        "signal_types",
        sorted({t for m in members for t in _types(m.signals)}),
        monitor.signals_mark or mark,
    )
    fields: dict[str, Any] = {
        "platform": monitor.platform,
        "kind": monitor.kind,
        "name": monitor.name,
        "file": path,
        "line": mark.line,
        "column": mark.column,
        "dir": path.rsplit("/", 1)[0] if "/" in path else "",
        "target": monitor.target,
        "signals": shape.listed(monitor.signals, monitor.signals_mark or mark),
        "signal_types": types,
        "fairness": shape.BIAS in types,
        "alerts": shape.listed(monitor.alerts, monitor.alerts_mark or mark),
        "schedule": monitor.schedule,
        "protected_attributes": monitor.protected_attributes,
        "set_elsewhere": list(monitor.set_elsewhere),
        "group": group,
    }
    files = tuple(dict.fromkeys((path, *monitor.touches)))
    record = _Record(mark, {"last_changed": lambda: changes.newest(facts, files)})
    for key, value in fields.items():
        where = {
            "signals": monitor.signals_mark,
            "signal_types": monitor.signals_mark,
            "alerts": monitor.alerts_mark,
        }.get(key)
        record[key] = value
        record.value_marks[key] = where or getattr(value, "mark", None) or mark
    return Resource(
        "monitor",
        f"{path}:{mark.line}:{mark.column}:{monitor.name}",
        record,
        Location(path, mark.line, mark.column, snippet=monitor.name),
        touches=files,
    )


class _Record(LDict):
    """A monitor's located fields, plus fields computed on first read (`last_changed`: a
    git walk no rule should pay for unless it asks)."""

    def __init__(self, mark: Any, lazy: dict[str, Callable[[], Any]]) -> None:
        super().__init__()
        self.mark = mark
        self._lazy = lazy

    def _fill(self, key: Any) -> None:
        if key in self._lazy and not dict.__contains__(self, key):
            self[key] = self._lazy.pop(key)()
            if self.mark is not None:
                self.value_marks[key] = self.mark

    def get(self, key: Any, default: Any = None) -> Any:
        self._fill(key)
        return super().get(key, default)

    def __missing__(self, key: Any) -> Any:
        self._fill(key)
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        raise KeyError(key)


def monitors_for(
    facts: Facts, model_dir: str | None = None, model_name: str | None = None
) -> list[Resource]:
    """The monitors that belong to a model: declared in its directory (or below it), or
    watching a model of its name (the directory's name when no name is given). For
    GC-MON-001, which accepts any recognised platform monitor as a model's monitoring."""
    names = {n for n in (model_name, (model_dir or "").rstrip("/").rsplit("/", 1)[-1]) if n}
    prefix = model_dir.rstrip("/") + "/" if model_dir else None
    out = []
    for res in facts.resources("monitor"):
        if prefix is not None and res.fields["file"].startswith(prefix):
            out.append(res)
            continue
        target = res.fields["target"]
        watched = {target.get("model"), target.get("name")}
        # A Unity Catalog name `catalog.schema.model` watches the model `model` too.
        watched |= {
            w.rsplit(".", 1)[-1] for w in watched if isinstance(w, str) and w.count(".") == 2
        }
        if names & watched:
            out.append(res)
    return out
