"""AzureML model monitoring: a CLI v2 schedule YAML whose action is `create_monitor:`.

Recognised by structure, not `$schema` (Microsoft's own examples carry a placeholder URL):
a top-level `create_monitor` mapping. Job schedules (`create_job:`) are not monitors.

- target: `monitoring_target.endpoint_deployment_id` (`azureml:<endpoint>:<deployment>`)
  and/or `model_id`; a deployment YAML in the repository for that endpoint and
  deployment names the model behind it.
- signals: `monitoring_signals.<name>.type`, each metric of `metric_thresholds` (a
  mapping by feature type, a flat mapping, or a list of `{metric_name, threshold}` in
  custom signals and the older preview schema). No `monitoring_signals` at all is the
  out-of-box monitor: AzureML's default drift and quality signals with default thresholds.
- alerts: `alert_notification.emails`; a signal's `alert_enabled: false` switches it off.
"""

from __future__ import annotations

from typing import Any

from govcheck.facts.base import Facts
from govcheck.facts.monitors import shape
from govcheck.facts.monitors.shape import Monitor, here
from govcheck.facts.parsing import every_data_file
from govcheck.yamlsrc import LDict

SIGNAL_TYPES = {
    "data_drift": shape.DATA_DRIFT,
    "prediction_drift": shape.PREDICTION_DRIFT,
    "data_quality": shape.DATA_QUALITY,
    "feature_attribution_drift": shape.ATTRIBUTION_DRIFT,
    "model_performance": shape.PERFORMANCE,
    "generation_safety_quality": shape.PERFORMANCE,
    "custom": shape.CUSTOM,
}
# What an out-of-box monitor (no monitoring_signals) runs, per AzureML's documentation.
DEFAULT_SIGNALS = ("data_drift", "prediction_drift", "data_quality")
# Metrics that alert when they fall below the threshold; the rest alert above it.
_AT_LEAST = ("accuracy", "precision", "recall", "f1", "auc", "normalized_discounted", "pass_rate")


def read(facts: Facts) -> list[Monitor]:
    out: list[Monitor] = []
    deployments: dict[tuple[str, str], str] | None = None
    for res, _ in every_data_file(facts, ("yaml",)):
        text = res.fields["text"]
        if not text or "create_monitor" not in text:
            continue
        for doc in res.fields["documents"]:
            if isinstance(doc, LDict) and isinstance(doc.get("create_monitor"), LDict):
                deployments = deployments if deployments is not None else _deployments(facts)
                out.append(_monitor(res.id, doc, deployments))
    return out


def _deployments(facts: Facts) -> dict[tuple[str, str], str]:
    """(endpoint, deployment) -> model reference, from online deployment YAMLs."""
    found: dict[tuple[str, str], str] = {}
    for res, _ in every_data_file(facts, ("yaml",)):
        text = res.fields["text"]
        if not text or "endpoint_name" not in text:
            continue
        for doc in res.fields["documents"]:
            if not isinstance(doc, dict):
                continue
            endpoint, name, model = doc.get("endpoint_name"), doc.get("name"), doc.get("model")
            if isinstance(endpoint, str) and isinstance(name, str) and isinstance(model, str):
                found[(endpoint, name)] = model
    return found


def _asset(ref: str) -> tuple[str, str | None]:
    """`azureml:name:version` / `azureml:name@label` -> (name, version)."""
    body = ref.removeprefix("azureml:")
    if body.startswith("/"):  # a full ARM id: .../models/<name>/versions/<v>
        parts = body.split("/")
        name = parts[parts.index("models") + 1] if "models" in parts[:-1] else parts[-1]
        version = parts[parts.index("versions") + 1] if "versions" in parts[:-1] else None
        return name, version
    name, _, version = body.replace("@", ":").partition(":")
    return name, version or None


def _target(monitor: LDict, mark: Any, deployments: dict[tuple[str, str], str]) -> LDict:
    spec = monitor.get("monitoring_target")
    if not isinstance(spec, LDict):
        return shape.target(mark, None, "none")
    deployment_id, model_id = spec.get("endpoint_deployment_id"), spec.get("model_id")
    model = version = None
    if isinstance(model_id, str):
        model, version = _asset(model_id)
    if isinstance(deployment_id, str):
        endpoint, _, deployment = deployment_id.removeprefix("azureml:").partition(":")
        behind = deployments.get((endpoint, deployment))
        if model is None and behind is not None and behind.startswith("azureml:"):
            model, version = _asset(behind)
        return shape.target(
            here(spec, "endpoint_deployment_id"),
            deployment_id,
            "endpoint_deployment",
            name=endpoint,
            model=model,
            version=version or deployment or None,
            registry="azureml" if model else None,
        )
    if isinstance(model_id, str):
        return shape.target(
            here(spec, "model_id"),
            model_id,
            "model",
            name=model,
            model=model,
            version=version,
            registry="azureml",
        )
    return shape.target(here(spec) or mark, None, "none")


def _thresholds(value: Any, group: str | None = None) -> list[tuple[str, Any, Any]]:
    """(metric, threshold value, mark) of every threshold in a metric_thresholds block."""
    out: list[tuple[str, Any, Any]] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, LDict):
                metric = item.get("metric_name") or item.get("metric")
                if isinstance(metric, str) and "threshold" in item:
                    out.append((metric, item["threshold"], here(item, "threshold")))
                elif isinstance(metric, str):
                    out.append((metric, None, here(value, i)))
    elif isinstance(value, LDict):
        for key, inner in value.items():
            if isinstance(inner, (int, float)) and not isinstance(inner, bool):
                out.append((str(key), inner, here(value, key)))
            elif isinstance(inner, (LDict, list)):
                out += _thresholds(inner, str(key))
    return out


def _signals(monitor: LDict, mark: Any) -> tuple[list[LDict], bool]:
    """The signals, and whether any of them alerts."""
    declared = monitor.get("monitoring_signals")
    if not isinstance(declared, LDict) or not declared:
        default = [
            shape.signal(mark, f"{t} (AzureML default)", SIGNAL_TYPES[t], default=True)
            for t in DEFAULT_SIGNALS
        ]
        return default, True
    out: list[LDict] = []
    alerting = False
    for name, body in declared.items():
        if not isinstance(body, LDict):
            continue
        raw_type = str(body.get("type") or "custom")
        kind = SIGNAL_TYPES.get(raw_type, shape.CUSTOM)
        enabled = body.get("alert_enabled", body.get("alert_notification", True))
        alerting = alerting or enabled is not False
        where = declared.key_marks.get(name)
        found = _thresholds(body.get("metric_thresholds"))
        if not found:
            out.append(shape.signal(where, str(name), kind))
        for metric, value, at in found:
            direction = "min" if any(w in metric.lower() for w in _AT_LEAST) else "max"
            limit = shape.threshold(direction, value, at) if value is not None else None
            out.append(shape.signal(where, str(name), kind, metric=metric, limit=limit))
    return out, alerting


def _schedule(doc: LDict) -> LDict | None:
    trigger = doc.get("trigger")
    if not isinstance(trigger, LDict):
        return None
    if trigger.get("type") == "cron":
        return shape.schedule(here(trigger, "expression"), trigger.get("expression"), "cron")
    raw = f"every {trigger.get('interval', 1)} {trigger.get('frequency', '?')}"
    return shape.schedule(here(trigger), raw, "recurrence")


def _monitor(path: str, doc: LDict, deployments: dict[tuple[str, str], str]) -> Monitor:
    monitor: LDict = doc["create_monitor"]
    mark = doc.key_marks["create_monitor"]
    signals, alerting = _signals(monitor, mark)
    notify = monitor.get("alert_notification")
    emails = notify.get("emails") if isinstance(notify, LDict) else None
    alerts = [
        shape.alert(here(emails, i), "email", str(e), shape.ON_BREACH if alerting else "disabled")
        for i, e in enumerate(emails if isinstance(emails, list) else [])
        if isinstance(e, str) and e.strip()
    ]
    name = doc.get("name")
    return Monitor(
        platform="azureml",
        kind="azureml.monitor_schedule",
        name=str(name) if name is not None else path,
        mark=mark,
        target=_target(monitor, mark, deployments),
        signals=signals,
        alerts=alerts,
        schedule=_schedule(doc),
        signals_mark=monitor.key_marks.get("monitoring_signals", mark),
        alerts_mark=monitor.key_marks.get("alert_notification", mark),
    )
