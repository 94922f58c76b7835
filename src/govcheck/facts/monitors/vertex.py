"""Vertex AI model monitoring (v1 ModelDeploymentMonitoringJob) as written in repositories:
job specs in YAML or JSON (REST bodies, `gcloud ... describe` dumps; camelCase or
snake_case keys), and `gcloud ai model-monitoring-jobs create` command lines.

- target: `endpoint` (`projects/.../endpoints/<id>`), or the command's `--endpoint`.
- signals: per objective config, every threshold of `trainingPredictionSkewDetectionConfig`
  and `predictionDriftDetectionConfig` (per feature `skewThresholds`/`driftThresholds`,
  the `default...Threshold`, attribution score thresholds); a detection config with none
  runs on Vertex's default. A command's `--feature-thresholds name=value,...`.
- alerts: `modelMonitoringAlertConfig.emailAlertConfig.userEmails` and
  `notificationChannels`, or `--emails` / `--notification-channels`.

The file `--monitoring-config-from-file` names often holds only the objective configs,
the rest being flags: it is read as part of the command that names it, and, when no
command in the repository does, its target and alerts are `set_elsewhere`.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from govcheck.errors import Mark
from govcheck.facts import commands
from govcheck.facts.base import Facts
from govcheck.facts.monitors import shape
from govcheck.facts.monitors.shape import Monitor, here
from govcheck.facts.parsing import every_data_file
from govcheck.yamlsrc import LDict

OBJECTIVES = "modelDeploymentMonitoringObjectiveConfigs"
_COMMAND = re.compile(r"gcloud\s+(?:alpha\s+|beta\s+)?ai\s+model-monitoring-jobs\s+create\b")
_DETECTIONS = (
    ("trainingPredictionSkewDetectionConfig", "skew", "skewThresholds", "defaultSkewThreshold"),
    ("predictionDriftDetectionConfig", "drift", "driftThresholds", "defaultDriftThreshold"),
)


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def get(mapping: Any, camel: str) -> Any:
    """A key in camelCase (REST, gcloud) or snake_case (SDK dumps)."""
    if not isinstance(mapping, dict):
        return None
    return mapping[camel] if camel in mapping else mapping.get(_snake(camel))


def key_mark(mapping: Any, camel: str) -> Mark | None:
    if not isinstance(mapping, LDict):
        return None
    return mapping.key_marks.get(camel) or mapping.key_marks.get(_snake(camel))


def read(facts: Facts) -> list[Monitor]:
    specs: dict[str, tuple[LDict, Any]] = {}  # path -> (spec, its objectives)
    for res, _ in every_data_file(facts, ("yaml", "json")):
        text = res.fields["text"]
        if not text or ("ObjectiveConfigs" not in text and "objective_configs" not in text):
            continue
        for doc in res.fields["documents"]:
            if isinstance(doc, LDict) and get(doc, OBJECTIVES) is not None:
                specs[res.id] = (doc, get(doc, OBJECTIVES))
                break
    out: list[Monitor] = []
    used: set[str] = set()
    for res in commands.command_files(facts, "model-monitoring-jobs"):
        for line in commands.logical_lines(res.id, res.fields["text"]):
            found = _COMMAND.search(line.text)
            if found:
                monitor, spec_path = _from_command(line, found.start(), specs)
                out.append(monitor)
                if spec_path:
                    used.add(spec_path)
    for path, (doc, _) in specs.items():
        if path not in used:
            out.append(_from_spec(path, doc))
    return out


def _threshold(value: Any, mark: Mark | None) -> LDict | None:
    number = get(value, "value") if isinstance(value, dict) else value
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        return shape.threshold(
            "max", number, here(value, "value") if isinstance(value, LDict) else mark
        )
    return None


def _objective_signals(objectives: Any) -> list[LDict]:
    out: list[LDict] = []
    for i, objective in enumerate(objectives if isinstance(objectives, list) else []):
        config = get(objective, "objectiveConfig")
        for key, word, per_feature, default in _DETECTIONS:
            detection = get(config, key)
            if detection is None:
                continue
            at = key_mark(config, key) or here(objectives, i)
            found = []
            attribution = "attributionScore" + per_feature[0].upper() + per_feature[1:]
            for camel, kind in (
                (per_feature, shape.DATA_DRIFT),
                (attribution, shape.ATTRIBUTION_DRIFT),
            ):
                thresholds = get(detection, camel)
                for feature, value in thresholds.items() if isinstance(thresholds, dict) else ():
                    limit = _threshold(value, here(thresholds, feature))
                    found.append(
                        shape.signal(
                            here(thresholds, feature),
                            f"{feature} {word}",
                            kind,
                            metric=word,
                            feature=str(feature),
                            limit=limit,
                        )
                    )
            fallback = get(detection, default)
            if fallback is not None:
                found.append(
                    shape.signal(
                        key_mark(detection, default) or at,
                        f"default {word}",
                        shape.DATA_DRIFT,
                        metric=word,
                        limit=_threshold(fallback, key_mark(detection, default)),
                    )
                )
            out += found or [shape.signal(at, word, shape.DATA_DRIFT, metric=word)]
    return out


def _from_spec(path: str, doc: LDict) -> Monitor:
    mark = key_mark(doc, OBJECTIVES) or doc.mark or Mark(path, 1, 1)
    endpoint = get(doc, "endpoint")
    alert_config = get(doc, "modelMonitoringAlertConfig")
    alerts = _spec_alerts(alert_config)
    interval = get(get(doc, "modelDeploymentMonitoringScheduleConfig"), "monitorInterval")
    partial = endpoint is None and alert_config is None
    return Monitor(
        platform="vertex",
        kind="vertex.model_deployment_monitoring_job",
        name=str(get(doc, "displayName") or posixpath.basename(path)),
        mark=mark,
        target=_target(
            str(endpoint) if endpoint is not None else None, key_mark(doc, "endpoint") or mark
        ),
        signals=_objective_signals(get(doc, OBJECTIVES)),
        alerts=alerts,
        schedule=shape.schedule(mark, interval, "interval") if interval else None,
        signals_mark=mark,
        alerts_mark=key_mark(doc, "modelMonitoringAlertConfig") or mark,
        set_elsewhere=("target", "alerts") if partial else (),
    )


def _spec_alerts(config: Any) -> list[LDict]:
    out = []
    emails = get(get(config, "emailAlertConfig"), "userEmails")
    for i, email in enumerate(emails if isinstance(emails, list) else []):
        out.append(shape.alert(here(emails, i), "email", str(email)))
    channels = get(config, "notificationChannels")
    for i, channel in enumerate(channels if isinstance(channels, list) else []):
        out.append(shape.alert(here(channels, i), "gcp_notification_channel", str(channel)))
    return out


def _target(endpoint: str | None, mark: Mark | None) -> LDict:
    if endpoint is None:
        return shape.target(mark, None, "none")
    name = endpoint.rstrip("/").rsplit("/", 1)[-1]
    return shape.target(mark, endpoint, "endpoint", name=name)


def _from_command(
    line: commands.Line, offset: int, specs: dict[str, tuple[LDict, Any]]
) -> tuple[Monitor, str | None]:
    options = commands.flags(commands.words(line.text[offset:]))
    mark = Mark(line.path, line.number, offset + 1)
    spec_path = _spec_named(options.get("--monitoring-config-from-file"), line.path, specs)
    training = any(
        f in options for f in ("--target-field", "--bigquery-uri", "--dataset", "--gcs-uris")
    )
    word = "skew" if training else "drift"
    signals: list[LDict] = []
    if spec_path is not None:
        signals = _objective_signals(specs[spec_path][1])
    for flag, kind in (
        ("--feature-thresholds", shape.DATA_DRIFT),
        ("--feature-attribution-thresholds", shape.ATTRIBUTION_DRIFT),
    ):
        for pair in filter(None, options.get(flag, "").split(",")):
            feature, _, value = pair.partition("=")
            limit = (
                shape.threshold("max", float(value) if _is_number(value) else value or None, mark)
                if value
                else None
            )
            signals.append(
                shape.signal(
                    mark, f"{feature} {word}", kind, metric=word, feature=feature, limit=limit
                )
            )
    if not signals:  # every feature, on Vertex's default threshold
        signals.append(
            shape.signal(
                mark, f"{word} (Vertex default)", shape.DATA_DRIFT, metric=word, default=True
            )
        )
    alerts = [
        shape.alert(mark, "email", e) for e in filter(None, options.get("--emails", "").split(","))
    ]
    alerts += [
        shape.alert(mark, "gcp_notification_channel", c)
        for c in filter(None, options.get("--notification-channels", "").split(","))
    ]
    frequency = options.get("--monitoring-frequency", "24")
    monitor = Monitor(
        platform="vertex",
        kind="gcloud.model_monitoring_job",
        name=options.get("--display-name") or "model-monitoring-job",
        mark=mark,
        target=_target(options.get("--endpoint"), mark),
        signals=signals,
        alerts=alerts,
        schedule=shape.schedule(mark, f"every {frequency} hours", "interval"),
        signals_mark=mark,
        alerts_mark=mark,
        touches=(spec_path,) if spec_path else (),
    )
    return monitor, spec_path


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _spec_named(value: str | None, script: str, specs: dict[str, tuple[LDict, Any]]) -> str | None:
    """The spec file a command names: relative to the root or to the script, else by name."""
    if not value:
        return None
    value = value.removeprefix("./")
    base = posixpath.dirname(script)
    for candidate in (value, posixpath.normpath(posixpath.join(base, value))):
        if candidate in specs:
            return candidate
    named = [p for p in specs if posixpath.basename(p) == posixpath.basename(value)]
    return named[0] if len(named) == 1 else None
