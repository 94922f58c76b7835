"""Databricks Lakehouse Monitoring in Asset Bundles: `resources.quality_monitors.<key>` in
the files a bundle deploys (its root `databricks.yml` and what `include:` matches).

A quality monitor computes metrics and thresholds nothing by itself:

- target: `table_name`, the inference (or any) table; the model is the one a serving
  endpoint of the bundle captures into that table, or the `model_name` a job of the
  bundle passes beside it.
- signals: what the profile computes (`inference_log`: drift, plus model quality when it
  has a `label_col`, plus fairness over `slicing_exprs` for classification;
  `time_series`/`snapshot`: drift and data quality), and each `custom_metrics` entry.
  Their thresholds come from the bundle's SQL alerts on the monitor's `_profile_metrics`
  / `_drift_metrics` tables, or a job's `metric_to_monitor` + `metric_violation_threshold`
  over the table (mlops-stacks' pattern).
- alerts: a SQL alert's `evaluation.notification.subscriptions`. The monitor's own
  `notifications.on_failure` fires when its refresh fails, not on a breach.
"""

from __future__ import annotations

from typing import Any

from govcheck.errors import Mark
from govcheck.facts import bundles
from govcheck.facts.base import Facts
from govcheck.facts.monitors import shape
from govcheck.facts.monitors.shape import Monitor, here
from govcheck.facts.parsing import every_data_file
from govcheck.yamlsrc import LDict

_OPERATORS = {
    "GREATER_THAN": "max",
    "GREATER_THAN_OR_EQUAL": "max",
    "LESS_THAN": "min",
    "LESS_THAN_OR_EQUAL": "min",
}


def _resources(doc: Any, kind: str) -> LDict:
    block = doc.get("resources") if isinstance(doc, LDict) else None
    found = block.get(kind) if isinstance(block, LDict) else None
    return found if isinstance(found, LDict) else LDict()


def read(facts: Facts) -> list[Monitor]:
    declared: list[tuple[str, LDict]] = []
    for res, _ in every_data_file(facts, ("yaml",)):
        text = res.fields["text"]
        if not text or "quality_monitors" not in text:
            continue
        for doc in res.fields["documents"]:
            if _resources(doc, "quality_monitors"):
                declared.append((res.id, doc))
    out: list[Monitor] = []
    for path, doc in declared:
        bundle = bundles.bundle_of(facts, path)
        if bundle is None:
            facts.notice(f"{path}: quality monitors no bundle includes (never deployed)")
            continue
        context = _Bundle(facts, bundle)
        monitors = _resources(doc, "quality_monitors")
        for key, body in monitors.items():
            if isinstance(body, LDict):
                out.append(_monitor(path, str(key), body, monitors.key_marks[key], context))
    return out


class _Bundle:
    """The other resources of the bundle a monitor is declared in: alerts, jobs, endpoints."""

    def __init__(self, facts: Facts, bundle: bundles.Bundle) -> None:
        self.bundle = bundle
        self.alerts: list[tuple[Mark | None, str, LDict]] = []  # (key mark, key, alert)
        self.jobs: list[tuple[str, LDict]] = []
        self.endpoints: list[LDict] = []
        for path in sorted(bundle.files):
            res = facts.file(path)
            for doc in res.fields["documents"] if res is not None else []:
                declared = _resources(doc, "alerts")
                for key, alert in declared.items():
                    if isinstance(alert, LDict):
                        self.alerts.append((declared.key_marks.get(key), str(key), alert))
                self.jobs += [
                    (path, j) for j in _resources(doc, "jobs").values() if isinstance(j, LDict)
                ]
                self.endpoints += [
                    e
                    for e in _resources(doc, "model_serving_endpoints").values()
                    if isinstance(e, LDict)
                ]

    def model_for(self, table: str) -> tuple[str | None, str | None]:
        """The model (and version) writing predictions into this table, if the bundle says."""
        for endpoint in self.endpoints:
            config = endpoint.get("config")
            if not isinstance(config, LDict):
                continue
            capture = config.get("auto_capture_config")
            if isinstance(capture, LDict):
                prefix = capture.get("table_name_prefix")
                captured = (
                    f"{capture.get('catalog_name')}.{capture.get('schema_name')}.{prefix}_payload"
                )
                entities = config.get("served_entities") or config.get("served_models") or []
                entity = entities[0] if isinstance(entities, list) and entities else None
                if captured == table and isinstance(entity, LDict):
                    name = entity.get("entity_name") or entity.get("model_name")
                    version = entity.get("entity_version") or entity.get("model_version")
                    return (str(name) if name else None, str(version) if version else None)
        for params in self._parameters():
            model = params.get("model_name")
            if table in params.values() and isinstance(model, str):
                return model, None
        return None, None

    def _parameters(self) -> list[LDict]:
        out = []
        for _, job in self.jobs:
            tasks = job.get("tasks")
            for task in tasks if isinstance(tasks, list) else []:
                spec = task.get("notebook_task") if isinstance(task, LDict) else None
                params = spec.get("base_parameters") if isinstance(spec, LDict) else None
                if isinstance(params, LDict):
                    out.append(params)
        return out

    def violation_checks(self, table: str) -> list[LDict]:
        """Job parameters that threshold a metric of this table (mlops-stacks)."""
        return [
            p
            for p in self._parameters()
            if table in p.values() and "metric_violation_threshold" in p
        ]


def _short(table: str) -> str:
    return table.rsplit(".", 1)[-1]


def _implied_signals(body: LDict, mark: Mark) -> list[LDict]:
    out = [shape.signal(mark, "drift metrics", shape.DATA_DRIFT, metric="drift_metrics")]
    inference = body.get("inference_log")
    if isinstance(inference, LDict):
        at = body.key_marks.get("inference_log", mark)
        if inference.get("label_col"):
            out.append(
                shape.signal(at, "model quality", shape.PERFORMANCE, metric="profile_metrics")
            )
        classification = "CLASSIFICATION" in str(inference.get("problem_type") or "")
        slices = body.get("slicing_exprs")
        if classification and isinstance(slices, list) and slices:
            out.append(
                shape.signal(
                    body.key_marks.get("slicing_exprs", at),
                    "fairness over slices",
                    shape.BIAS,
                    metric="fairness_metrics",
                )
            )
    else:
        out.append(shape.signal(mark, "data profile", shape.DATA_QUALITY, metric="profile_metrics"))
    customs = body.get("custom_metrics")
    for i, metric in enumerate(customs if isinstance(customs, list) else []):
        if isinstance(metric, LDict) and isinstance(metric.get("name"), str):
            kind = (
                shape.DATA_DRIFT
                if "DRIFT" in str(metric.get("type") or "")
                else shape.classify_metric(metric["name"])
            )
            out.append(shape.signal(here(customs, i), metric["name"], kind, metric=metric["name"]))
    return out


def _alert_signal(mark: Mark | None, key: str, alert: LDict) -> tuple[LDict, list[LDict]]:
    evaluation = alert.get("evaluation")
    evaluation = evaluation if isinstance(evaluation, LDict) else LDict()
    source = evaluation.get("source")
    metric = str(source.get("name")) if isinstance(source, LDict) and source.get("name") else key
    value = evaluation.get("threshold")
    value = value.get("value") if isinstance(value, LDict) else None
    number = next(iter(value.values()), None) if isinstance(value, LDict) and value else None
    direction = _OPERATORS.get(str(evaluation.get("comparison_operator")), "value")
    at = here(value) if isinstance(value, LDict) else here(evaluation)
    limit = shape.threshold(direction, number, at) if number is not None else None
    query = str(alert.get("query_text") or "")
    kind = shape.DATA_DRIFT if "_drift_metrics" in query else shape.classify_metric(metric)
    signal = shape.signal(mark or alert.mark, key, kind, metric=metric, limit=limit)
    notification = evaluation.get("notification")
    subscriptions = notification.get("subscriptions") if isinstance(notification, LDict) else None
    alerts = []
    for i, sub in enumerate(subscriptions if isinstance(subscriptions, list) else []):
        if isinstance(sub, LDict):
            channel = "email" if sub.get("user_email") else "databricks_destination"
            target = sub.get("user_email") or sub.get("destination_id")
            if target:
                alerts.append(shape.alert(here(subscriptions, i), channel, str(target)))
    return signal, alerts


def _monitor(path: str, key: str, body: LDict, mark: Mark, context: _Bundle) -> Monitor:
    table = str(body.get("table_name") or "")
    values = context.bundle.expand(table) if table else []
    shown = values[0] if len(values) == 1 else table
    model, version = context.model_for(table) if table else (None, None)
    target = shape.target(
        here(body, "table_name") if table else mark,
        table or None,
        "table",
        name=shown or None,
        model=model,
        version=version,
        registry="mlflow" if model else None,
    )
    signals = _implied_signals(body, mark)
    alerts: list[LDict] = []
    linked: list[LDict] = []
    short = _short(table)
    for alert_mark, alert_key, alert in context.alerts:
        query = str(alert.get("query_text") or "")
        if short and (f"{short}_profile_metrics" in query or f"{short}_drift_metrics" in query):
            signal, routed = _alert_signal(alert_mark, alert_key, alert)
            linked.append(signal)
            alerts += routed
    for params in context.violation_checks(table) if table else []:
        metric = str(params.get("metric_to_monitor") or "metric")
        at = here(params, "metric_violation_threshold")
        limit = shape.threshold("value", params["metric_violation_threshold"], at)
        linked.append(
            shape.signal(at, metric, shape.classify_metric(metric), metric=metric, limit=limit)
        )
    covered = {s["type"] for s in linked}
    signals = [s for s in signals if s["type"] not in covered] + linked
    notifications = body.get("notifications")
    for event, when in (
        ("on_failure", "failure"),
        ("on_new_classification_tag_detected", "classification_tag"),
    ):
        block = notifications.get(event) if isinstance(notifications, LDict) else None
        emails = block.get("email_addresses") if isinstance(block, LDict) else None
        for i, email in enumerate(emails if isinstance(emails, list) else []):
            alerts.append(shape.alert(here(emails, i), "email", str(email), when))
    schedule = body.get("schedule")
    cron = schedule.get("quartz_cron_expression") if isinstance(schedule, LDict) else None
    return Monitor(
        platform="databricks",
        kind="databricks.quality_monitor",
        name=key,
        mark=mark,
        target=target,
        signals=signals,
        alerts=alerts,
        schedule=shape.schedule(here(schedule, "quartz_cron_expression"), cron, "quartz")
        if cron
        else None,
        signals_mark=mark,
        alerts_mark=body.key_marks.get("notifications", mark),
        target_key=f"{context.bundle.root}#{table}" if table else None,
        touches=tuple(sorted(context.bundle.files)),
    )
