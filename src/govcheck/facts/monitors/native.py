"""govcheck's own `monitoring.yaml` (format: schemas/monitoring.schema.json, GC-MON-002).

A file named monitoring.yaml/.yml is read as one when it is a mapping with at least two of
the format's keys, so another tool's file of that name is left alone.
"""

from __future__ import annotations

from typing import Any

from govcheck.facts.base import Facts
from govcheck.facts.monitors import shape
from govcheck.facts.monitors.shape import Monitor, here
from govcheck.model import Resource
from govcheck.yamlsrc import LDict

NAMES = ("monitoring.yaml", "monitoring.yml")
_KEYS = frozenset({"model", "owner", "schedule", "baseline", "metrics", "alerts"})
_DIRECTIONS = ("min", "max")
_PROTECTED = ("protected_attributes", "sensitive_features", "sensitive_attributes")


def read(facts: Facts) -> list[Monitor]:
    out = []
    for res in facts.resources("file"):
        if res.fields["name"] in NAMES:
            found = _monitor(res)
            if found is not None:
                out.append(found)
    return out


def _monitor(res: Resource) -> Monitor | None:
    data = res.fields["data"]
    if not isinstance(data, LDict) or len(_KEYS.intersection(data)) < 2 or data.mark is None:
        return None
    model = data.get("model")
    model = model if isinstance(model, str) else None
    target = shape.target(here(data, "model"), model, "model", model=model, registry="mlflow")
    if isinstance(data.get("alias"), str):
        shape.put(target, "version", data["alias"], here(data, "alias"))
    metrics = data.get("metrics")
    signals = [_signal(m, here(metrics, i)) for i, m in enumerate(_list(metrics))]
    alerts_data = data.get("alerts")
    alerts = [
        shape.alert(here(alerts_data, i), str(a.get("channel") or ""), str(a.get("target") or ""))
        for i, a in enumerate(_list(alerts_data))
        if isinstance(a, dict)
    ]
    schedule = data.get("schedule")
    protected: list[Any] = next((data[k] for k in _PROTECTED if isinstance(data.get(k), list)), [])
    return Monitor(
        platform="govcheck",
        kind="govcheck.monitoring_config",
        name=model or res.fields["dir"] or res.id,
        mark=data.mark,
        target=target,
        signals=[s for s in signals if s is not None],
        alerts=alerts,
        schedule=shape.schedule(here(data, "schedule"), schedule, _schedule_kind(schedule))
        if isinstance(schedule, str)
        else None,
        signals_mark=here(data, "metrics") or data.mark,
        alerts_mark=here(data, "alerts") or data.mark,
        protected_attributes=[str(p) for p in protected],
    )


def _schedule_kind(text: str) -> str:
    return "interval" if text in ("hourly", "daily", "weekly") else "cron"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _signal(metric: Any, mark: Any) -> Any:
    if not isinstance(metric, dict):
        return None
    name = str(metric.get("name") or "")
    declared = metric.get("type")
    kind = (
        declared
        if isinstance(declared, str)
        else shape.classify_metric(f"{name} {metric.get('method') or ''}")
    )
    limit = metric.get("threshold")
    found = None
    if isinstance(limit, dict):
        direction = next((d for d in _DIRECTIONS if d in limit), None)
        if direction is not None:
            found = shape.threshold(direction, limit[direction], here(limit, direction))
    return shape.signal(mark, name, kind, metric=name, limit=found)
