"""Prometheus alerting rules that concern a model service, routed through Alertmanager.

Rule files are recognised by structure (`groups:` of `{name, rules}` with `alert:` +
`expr:`), also inside a `PrometheusRule` resource or Helm values. A rule concerns a model
when its expression reads a model-serving metric (Seldon, KServe, Triton, vLLM, Ray
Serve, BentoML, TF Serving) or a metric named for models, predictions, inference, drift
or a model quality measure, or selects a model by label (`model_name="fraud"`). Rules
about operators and clusters (`workqueue_*`, `kube_*`) are not model monitors.

A monitor is the model rules of one group watching one model; each rule is a signal
whose threshold is its trailing comparison (`... > 0.2`), or its whole expression when it
has none (an alert rule always says when it fires). Its alerts are where Alertmanager's
routes deliver the rule's labels; with no Alertmanager config in the repository, that is
`set_elsewhere`. A rule selecting no model by label watches whatever service exports the
metric: its target is `set_elsewhere`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from govcheck.errors import Mark
from govcheck.facts.base import Facts
from govcheck.facts.monitors import alertmanager, shape
from govcheck.facts.monitors.shape import Monitor, here
from govcheck.facts.parsing import data_format, parse_yaml_all
from govcheck.yamlsrc import LDict

_SERVING = re.compile(
    r"^(seldon_|nv_inference_|vllm:|ray_serve_|bentoml_|tfserving_|:tensorflow:serving:"
    r"|request_predict|request_preprocess|kserve_|evidently)"
)
_NAMED = re.compile(
    r"model|predict|inference|drift|skew|accuracy|precision|recall|f1|auc|rmse|fairness|bias"
)
_NOT_MODEL = re.compile(r"^(workqueue_|controller_runtime_|kube_|node_|container_|apiserver_)")
_MODEL_LABELS = ("model_name", "model", "isvc_name", "inferenceservice", "seldon_deployment_id")
_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_KEYWORDS = frozenset(
    [
        "sum",
        "rate",
        "irate",
        "increase",
        "avg",
        "max",
        "min",
        "count",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "histogram_quantile",
        "quantile_over_time",
        "avg_over_time",
        "max_over_time",
        "min_over_time",
        "abs",
        "absent",
        "and",
        "or",
        "unless",
        "bool",
        "offset",
        "le",
        "topk",
        "bottomk",
        "stddev",
        "clamp_min",
        "clamp_max",
        "delta",
        "deriv",
        "label_replace",
        "vector",
        "scalar",
        "time",
        "sort",
    ]
)
_MATCHER = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"')
_COMPARISON = re.compile(r"(>=|<=|==|!=|>|<)\s*(?:bool\s+)?(-?[0-9.]+(?:[eE][-+]?\d+)?)\s*$")


def _metrics(expr: str) -> list[str]:
    bare = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]', " ", expr)
    return [t for t in _IDENT.findall(bare) if t not in _KEYWORDS and not t.isdigit()]


def _model_label(expr: str, labels: Any) -> str | None:
    found = dict(_MATCHER.findall(expr))
    for key in _MODEL_LABELS:
        if found.get(key):
            return str(found[key])
    if isinstance(labels, dict):
        for key in _MODEL_LABELS:
            if isinstance(labels.get(key), str) and "{{" not in labels[key]:
                return str(labels[key])
    return None


def concerns_a_model(expr: str, labels: Any) -> bool:
    if _model_label(expr, labels):
        return True
    names = _metrics(expr)
    return any(_SERVING.match(n) or (_NAMED.search(n) and not _NOT_MODEL.match(n)) for n in names)


def _groups(doc: Any) -> Iterator[LDict]:
    """Rule groups anywhere in a document (a rules file, spec.groups, Helm values)."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, LDict):
            groups = node.get("groups")
            if isinstance(groups, list) and any(
                isinstance(g, LDict) and isinstance(g.get("rules"), list) for g in groups
            ):
                yield from (g for g in groups if isinstance(g, LDict))
                continue
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node


RULE_SUFFIXES = (".rule", ".rules")  # rule files named for Prometheus, YAML inside


def _rule_files(facts: Facts) -> Iterator[tuple[str, list[Any]]]:
    for res in facts.resources("file"):
        suffix = res.fields["suffix"]
        if suffix not in RULE_SUFFIXES and data_format(res.id) not in ("yaml", "json"):
            continue
        text = res.fields["text"]
        if not text or "alert" not in text or "expr" not in text or "groups" not in text:
            continue
        if suffix in RULE_SUFFIXES:
            yield res.id, parse_yaml_all(text, res.id).documents
        else:
            yield res.id, res.fields["documents"]


def read(facts: Facts) -> list[Monitor]:
    out: list[Monitor] = []
    routing = None
    for _, documents in _rule_files(facts):
        for doc in documents:
            for group in _groups(doc):
                routing = routing if routing is not None else alertmanager.configs(facts)
                out += _monitors(group, routing)
    return out


def _signal(rule: LDict) -> LDict:
    expr = str(rule.get("expr") or "").strip()
    name = str(rule.get("alert"))
    mark = rule.key_marks.get("alert") or rule.mark
    # What the metric measures says more than the alert's name, for model quality; for
    # service health (latency, errors) the name says which of the two is meant.
    by_metric = [shape.classify_metric(m) for m in _metrics(expr)]
    quality = [k for k in by_metric if k not in (shape.CUSTOM, shape.LATENCY, shape.ERRORS)]
    kind = shape.classify_metric(name)
    if quality:
        kind = quality[0]
    elif kind == shape.CUSTOM:
        kind = next((k for k in by_metric if k != shape.CUSTOM), kind)
    found = _COMPARISON.search(expr)
    at = rule.value_marks.get("expr", mark)
    if found:
        op, value = found.group(1), float(found.group(2))
        direction = "max" if op.startswith(">") else "min" if op.startswith("<") else "value"
        limit = shape.threshold(direction, value, at)
    else:
        limit = shape.threshold("condition", expr, at)
    metric = next(iter(_metrics(expr)), None)
    return shape.signal(mark, name, kind, metric=metric, limit=limit)


def _monitors(group: LDict, routing: list[alertmanager.Config]) -> list[Monitor]:
    by_model: dict[str | None, list[LDict]] = {}
    for rule in group.get("rules") or []:
        if not isinstance(rule, LDict) or "alert" not in rule or not rule.get("expr"):
            continue
        expr, labels = str(rule["expr"]), rule.get("labels")
        if concerns_a_model(expr, labels):
            by_model.setdefault(_model_label(expr, labels), []).append(rule)
    out = []
    group_name = str(group.get("name") or "rules")
    mark = group.key_marks.get("name") or group.mark or Mark("", 1, 1)
    for model, rules in by_model.items():
        first = rules[0].key_marks.get("alert") or mark
        alerts = _alerts(rules, routing)
        target = (
            shape.target(first, model, "model", model=model)
            if model is not None
            else shape.target(first, None, "service")
        )
        elsewhere: tuple[str, ...] = () if model is not None else ("target",)
        if not routing:
            elsewhere += ("alerts",)
        interval = group.get("interval")
        out.append(
            Monitor(
                platform="prometheus",
                kind="prometheus.alerting_rules",
                name=group_name if model is None else f"{group_name} ({model})",
                mark=mark if len(by_model) == 1 else first,
                target=target,
                signals=[_signal(r) for r in rules],
                alerts=alerts,
                schedule=shape.schedule(here(group, "interval"), interval, "interval")
                if interval
                else None,
                signals_mark=group.key_marks.get("rules", mark),
                alerts_mark=first,
                set_elsewhere=elsewhere,
                touches=tuple(dict.fromkeys(c.path for c in routing)),
            )
        )
    return out


def _alerts(rules: list[LDict], routing: list[alertmanager.Config]) -> list[LDict]:
    out: list[LDict] = []
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        labels = rule.get("labels")
        values = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
        values["alertname"] = str(rule.get("alert"))
        for config in routing:
            for dest in config.deliver(values):
                if (dest.channel, dest.target) not in seen:
                    seen.add((dest.channel, dest.target))
                    out.append(shape.alert(dest.mark, dest.channel, dest.target))
    return out
