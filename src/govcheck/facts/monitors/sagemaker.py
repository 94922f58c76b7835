"""SageMaker Model Monitor: `AWS::SageMaker::MonitoringSchedule` in CloudFormation/SAM
templates (YAML or JSON, CDK-synthesised output included), and the request documents of
`create_monitoring_schedule` (top-level `MonitoringScheduleName` + `MonitoringScheduleConfig`).

- target: the endpoint the job reads (the schedule's `EndpointName`, the inline job's
  `MonitoringInputs`, or the job definition's `<Type>JobInput`), followed through the
  template to the model behind it (Endpoint -> EndpointConfig -> ProductionVariants).
- signals: one per schedule, typed by `MonitoringType` (DataQuality -> data drift against
  the baseline, ModelQuality -> performance, ModelBias -> bias, ModelExplainability ->
  attribution drift); its threshold is the baseline's constraints file. Each CloudWatch
  alarm on the monitor's metrics (`aws/sagemaker/Endpoints/<kind>-metrics`, linked by
  its MonitoringSchedule or Endpoint dimension) is a signal with its own Threshold.
- alerts: only an alarm's AlarmActions route anything (an SNS topic, a parameter naming
  one); a schedule alone, or an alarm without actions, notifies nobody. A request
  document never carries alarms: whatever sends it creates them, so its alerts are
  `set_elsewhere`.
"""

from __future__ import annotations

from typing import Any

from govcheck.errors import Mark
from govcheck.facts.base import Facts
from govcheck.facts.cloudformation import Template, dig, template
from govcheck.facts.monitors import shape
from govcheck.facts.monitors.shape import Monitor, here
from govcheck.facts.parsing import every_data_file
from govcheck.facts.variables import has_variables
from govcheck.yamlsrc import LDict

SCHEDULE = "AWS::SageMaker::MonitoringSchedule"
ALARM = "AWS::CloudWatch::Alarm"
TOPIC = "AWS::SNS::Topic"
# MonitoringType -> signal type; its job definition's resource type is AWS::SageMaker::<T>JobDefinition
TYPES = {
    "DataQuality": shape.DATA_DRIFT,
    "ModelQuality": shape.PERFORMANCE,
    "ModelBias": shape.BIAS,
    "ModelExplainability": shape.ATTRIBUTION_DRIFT,
}
NAMESPACES = {
    "data-metrics": shape.DATA_DRIFT,
    "model-metrics": shape.PERFORMANCE,
    "bias-metrics": shape.BIAS,
    "explainability-metrics": shape.ATTRIBUTION_DRIFT,
}


def read(facts: Facts) -> list[Monitor]:
    out: list[Monitor] = []
    for res, _ in every_data_file(facts, ("yaml", "json")):
        text = res.fields["text"]
        if not text or (SCHEDULE not in text and "MonitoringScheduleConfig" not in text):
            continue
        for doc in res.fields["documents"]:
            tpl = template(res.id, doc)
            if tpl is not None:
                out += [_from_template(tpl, logical) for logical, _ in tpl.of_type(SCHEDULE)]
            elif isinstance(doc, LDict) and isinstance(doc.get("MonitoringScheduleConfig"), LDict):
                out.append(_from_request(res.id, doc))
    return out


class _Job:
    """What a schedule's job reads and judges against, inline or in a job definition."""

    def __init__(self, tpl: Template, config: LDict, props: LDict) -> None:
        self.type = str(tpl.text(config.get("MonitoringType")) or "DataQuality")
        self.endpoint: Any = props.get("EndpointName")
        self.baseline: Any = None
        self.batch = False
        inline = config.get("MonitoringJobDefinition")
        if isinstance(inline, LDict):
            inputs = dig(inline, "MonitoringInputs", 0)
            self._inputs(inputs)
            self.baseline = dig(inline, "BaselineConfig", "ConstraintsResource", "S3Uri")
            return
        definition = tpl.target(config.get("MonitoringJobDefinitionName"))
        kind = tpl.type_of(definition) or ""
        prefix = kind.removeprefix("AWS::SageMaker::").removesuffix("JobDefinition")
        if definition and prefix in TYPES:
            self.type = prefix
            job = tpl.props(definition)
            self._inputs(job.get(f"{prefix}JobInput"))
            self.baseline = dig(job, f"{prefix}BaselineConfig", "ConstraintsResource", "S3Uri")

    def _inputs(self, inputs: Any) -> None:
        endpoint = dig(inputs, "EndpointInput", "EndpointName")
        if endpoint is not None:
            self.endpoint = endpoint
        elif dig(inputs, "BatchTransformInput") is not None:
            self.batch = True


def _model_behind(tpl: Template, endpoint: Any) -> str | None:
    logical = tpl.target(endpoint)
    if tpl.type_of(logical) != "AWS::SageMaker::Endpoint" or logical is None:
        return None
    config = tpl.target(tpl.props(logical).get("EndpointConfigName"))
    variant = dig(tpl.props(config), "ProductionVariants", 0) if config else None
    model = variant.get("ModelName") if isinstance(variant, LDict) else None
    return tpl.text(model) if model is not None else None


def _from_template(tpl: Template, logical: str) -> Monitor:
    props = tpl.props(logical)
    config = props.get("MonitoringScheduleConfig")
    config = config if isinstance(config, LDict) else LDict()
    mark = tpl.resources.key_marks[logical]
    name = tpl.text(props.get("MonitoringScheduleName")) or logical
    job = _Job(tpl, config, props)
    kind = TYPES.get(job.type, shape.CUSTOM)
    signals = [_schedule_signal(tpl, job, config, kind, mark)]
    alerts: list[LDict] = []
    for alarm, body in tpl.of_type(ALARM):
        if _linked(tpl, tpl.props(alarm), logical, name, job.endpoint, kind):
            signals.append(_alarm_signal(tpl, alarm))
            alerts += _actions(tpl, tpl.props(alarm))
    endpoint_text = tpl.text(job.endpoint) if job.endpoint is not None else None
    model = _model_behind(tpl, job.endpoint)
    target = shape.target(
        here(props, "EndpointName") or here(config) or mark,
        endpoint_text,
        "batch_transform" if job.batch else "endpoint",
        model=model,
        registry="sagemaker" if model else None,
    )
    endpoint_logical = tpl.target(job.endpoint)
    return Monitor(
        platform="sagemaker",
        kind=f"cfn:{SCHEDULE}",
        name=name,
        mark=mark,
        target=target,
        signals=signals,
        alerts=alerts,
        schedule=_schedule(config),
        signals_mark=mark,
        alerts_mark=mark,
        target_key=f"{tpl.path}#{endpoint_logical}" if endpoint_logical else None,
    )


def _schedule_signal(tpl: Template, job: _Job, config: LDict, kind: str, mark: Any) -> LDict:
    at = (
        config.value_marks.get("MonitoringType")
        or config.key_marks.get("MonitoringJobDefinition")
        or config.key_marks.get("MonitoringJobDefinitionName")
        or mark
    )
    baseline = tpl.text(job.baseline) if job.baseline is not None else None
    limit = shape.threshold("baseline", baseline, at) if baseline else None
    return shape.signal(at, job.type, kind, metric=f"{job.type} constraints", limit=limit)


def _linked(tpl: Template, alarm: LDict, logical: str, name: str, endpoint: Any, kind: str) -> bool:
    namespace = tpl.text(alarm.get("Namespace")) or ""
    if not namespace.startswith("aws/sagemaker/"):
        return False
    dims = {
        str(d.get("Name")): d.get("Value")
        for d in alarm.get("Dimensions") or []
        if isinstance(d, LDict)
    }
    if "MonitoringSchedule" in dims:
        value = dims["MonitoringSchedule"]
        return tpl.target(value) == logical or tpl.text(value) == name
    if NAMESPACES.get(namespace.rsplit("/", 1)[-1]) != kind or "Endpoint" not in dims:
        return False
    value = dims["Endpoint"]
    if tpl.target(value) and tpl.target(value) == tpl.target(endpoint):
        return True
    shown = tpl.text(value)
    return bool(shown) and not has_variables(shown or "") and shown == tpl.text(endpoint)


def _alarm_signal(tpl: Template, logical: str) -> LDict:
    alarm = tpl.props(logical)
    mark = tpl.resources.key_marks[logical]
    namespace = tpl.text(alarm.get("Namespace")) or ""
    kind = NAMESPACES.get(namespace.rsplit("/", 1)[-1], shape.CUSTOM)
    metric = tpl.text(alarm.get("MetricName"))
    operator = str(tpl.text(alarm.get("ComparisonOperator")) or "")
    direction = "max" if "Greater" in operator else "min" if "Less" in operator else "value"
    value = tpl.text(alarm.get("Threshold")) if "Threshold" in alarm else None
    limit = shape.threshold(direction, _number(value), here(alarm, "Threshold")) if value else None
    return shape.signal(mark, logical, kind, metric=metric, limit=limit)


def _number(text: str | None) -> Any:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return text  # a parameter: explicit, filled in at deploy time


def _actions(tpl: Template, alarm: LDict) -> list[LDict]:
    actions = alarm.get("AlarmActions")
    out = []
    for i, action in enumerate(actions if isinstance(actions, list) else []):
        at = here(actions, i)
        logical = tpl.target(action)
        if tpl.type_of(logical) == TOPIC and logical is not None:
            out.append(shape.alert(at, "sns", tpl.text(action) or logical))
            continue
        shown = tpl.text(action)
        if shown is None or ":sns:" in shown or shown.startswith("${"):
            # an SNS ARN, or a parameter / import naming one: routed, known at deploy time
            out.append(shape.alert(at, "sns", shown or "(imported topic)"))
        elif ":lambda:" in shown:
            out.append(shape.alert(at, "lambda", shown))
    return out


def _schedule(config: LDict) -> LDict | None:
    expression = dig(config, "ScheduleConfig", "ScheduleExpression")
    if not isinstance(expression, str):
        return None
    at = here(config.get("ScheduleConfig"), "ScheduleExpression")
    return shape.schedule(at, expression, "cron" if expression.startswith("cron") else "rate")


def _from_request(path: str, doc: LDict) -> Monitor:
    tpl = Template(path, LDict(), {})
    config: LDict = doc["MonitoringScheduleConfig"]
    mark = doc.key_marks.get("MonitoringScheduleName") or doc.mark or Mark(path, 1, 1)
    job = _Job(tpl, config, doc)
    kind = TYPES.get(job.type, shape.CUSTOM)
    endpoint = tpl.text(job.endpoint) if job.endpoint is not None else None
    return Monitor(
        platform="sagemaker",
        kind="sagemaker.create_monitoring_schedule",
        name=str(doc.get("MonitoringScheduleName")),
        mark=mark,
        target=shape.target(here(config) or mark, endpoint, "endpoint"),
        signals=[_schedule_signal(tpl, job, config, kind, mark)],
        alerts=[],
        schedule=_schedule(config),
        signals_mark=mark,
        alerts_mark=mark,
        set_elsewhere=("alerts",),
    )
