"""The one shape every platform's monitor is read into, and the helpers readers build it with.

A monitor watches a target (a model, an endpoint, a table), evaluates signals (each a
metric with a threshold), runs on a schedule and routes alerts somewhere. Every part is a
located mapping (LDict) whose marks point into the file it came from, so a rule about a
missing threshold points at that signal's line, whatever the platform.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from govcheck.errors import Mark
from govcheck.facts import variables
from govcheck.yamlsrc import LDict, LList

# Signal types, as the rules name them (params drift_signal_types, ...).
DATA_DRIFT = "data_drift"
PREDICTION_DRIFT = "prediction_drift"
DATA_QUALITY = "data_quality"
ATTRIBUTION_DRIFT = "feature_attribution_drift"
PERFORMANCE = "performance"
BIAS = "bias"
CUSTOM = "custom"
LATENCY = "latency"
ERRORS = "errors"

# Breach alerts fire when a signal crosses its threshold; a job-failure notice does not.
ON_BREACH = "breach"


def here(container: Any, key: Any = None) -> Mark | None:
    """The mark of container[key] when known, else of the container itself."""
    if key is not None:
        if isinstance(container, LDict) and key in container.value_marks:
            return container.value_marks[key]
        marks = container.item_marks if isinstance(container, LList) else []
        if isinstance(key, int) and 0 <= key < len(marks):
            return marks[key]
    mark = getattr(container, "mark", None)
    return mark if isinstance(mark, Mark) else None


def node(mark: Mark | None, **values: Any) -> LDict:
    """A located record: every value marked where the record itself is, unless put() says
    better. None values are left out, so `exists: false` finds them missing."""
    out = LDict()
    out.mark = mark
    for key, value in values.items():
        put(out, key, value, mark)
    return out


def put(record: LDict, key: str, value: Any, mark: Mark | None) -> None:
    if value is None:
        return
    record[key] = value
    if mark is not None:
        record.value_marks[key] = mark
        record.key_marks[key] = mark


def listed(items: Iterable[LDict], mark: Mark | None = None) -> LList:
    out = LList(items)
    out.mark = mark
    out.item_marks = [item.mark or mark or Mark("", 1, 1) for item in out]
    return out


def threshold(direction: str, value: Any, mark: Mark | None) -> LDict:
    """`{max: 0.2}` (alert above), `{min: 0.8}` (alert below), or `{condition: expr}`."""
    return node(mark, **{direction: value})


def signal(
    mark: Mark | None,
    name: str,
    type_: str,
    metric: str | None = None,
    feature: str | None = None,
    limit: LDict | None = None,
    default: bool = False,
) -> LDict:
    """One signal. `default`: the platform's own, implied by declaring none."""
    return node(
        mark,
        name=name,
        type=type_,
        metric=metric,
        feature=feature,
        threshold=limit,
        default=default,
    )


def alert(mark: Mark | None, channel: str, target: str, when: str = ON_BREACH) -> LDict:
    """Where an alert goes; `when` it fires: breach (a threshold crossed), failure (the
    monitoring job failed), disabled (alerting switched off)."""
    return node(
        mark,
        channel=channel,
        target=target,
        when=when,
        has_variables=variables.has_variables(target),
    )


def target(
    mark: Mark | None,
    ref: str | None,
    kind: str,
    name: str | None = None,
    model: str | None = None,
    version: str | None = None,
    registry: str | None = None,
) -> LDict:
    """What is watched. `ref` is the text as written; `name` the watched entity's name with
    what could be resolved filled in; `model` the model's name when the config says it;
    `registry` where that name is registered (mlflow, azureml, sagemaker, vertex)."""
    shown = name if name is not None else ref
    return node(
        mark,
        ref=ref,
        kind=kind,
        name=shown,
        model=model,
        version=version,
        registry=registry,
        has_variables=variables.has_variables(shown or "") or variables.has_variables(model or ""),
    )


def schedule(mark: Mark | None, raw: Any, kind: str) -> LDict:
    return node(mark, raw=raw, kind=kind)


@dataclass
class Monitor:
    """What a reader found, before the provider makes it a resource."""

    platform: str
    kind: str  # the platform's own name for it: "azureml.monitor_schedule", ...
    name: str
    mark: Mark  # the declaration: findings about the monitor as a whole point here
    target: LDict
    signals: list[LDict]
    alerts: list[LDict]
    schedule: LDict | None = None
    signals_mark: Mark | None = None  # where signals are (or would be) declared
    alerts_mark: Mark | None = None
    protected_attributes: list[str] = field(default_factory=list)
    # Parts the config leaves to something govcheck cannot see (a command line's flags):
    # rules about those parts do not judge it.
    set_elsewhere: tuple[str, ...] = ()
    touches: tuple[str, ...] = ()  # other files it was read from (alarms, receivers...)
    # Identifies the target when its name holds variables (a template's endpoint resource),
    # so two monitors of one endpoint group together even though its name is unknown.
    target_key: str | None = None


# Metric names -> signal type, checked in order (a name is its first match): word stems
# found anywhere, and whole tokens (`f1` in `val_f1`, not in `f10`).
_KINDS: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...] = (
    (
        BIAS,
        ("bias", "fairness", "parity", "disparate", "disparity", "demographic", "equalized"),
        frozenset({"dppl", "di", "dpl", "eod"}),
    ),
    (ATTRIBUTION_DRIFT, ("attribution",), frozenset({"shap"})),
    (
        DATA_DRIFT,
        (
            "drift",
            "skew",
            "jensen",
            "shannon",
            "wasserstein",
            "kolmogorov",
            "hellinger",
            "divergence",
            "population_stability",
            "chi_square",
            "chisquare",
        ),
        frozenset({"psi", "ks", "js", "kl"}),
    ),
    (
        PERFORMANCE,
        (
            "accuracy",
            "precision",
            "recall",
            "performance",
            "logloss",
            "log_loss",
            "brier",
            "mean_squared",
            "mean_absolute",
            "r_squared",
        ),
        frozenset(
            {"auc", "roc", "f1", "rmse", "mse", "mae", "mape", "r2", "ndcg", "map", "gini", "mcc"}
        ),
    ),
    (
        DATA_QUALITY,
        ("null", "missing", "out_of_bounds", "data_type", "completeness", "quality"),
        frozenset(),
    ),
    (LATENCY, ("latenc", "duration", "seconds", "response_time"), frozenset()),
    (ERRORS, ("error", "fail", "exception", "5xx"), frozenset({"down", "unavailable", "outage"})),
)


def classify_metric(text: str) -> str:
    """The signal type a metric's name says it measures; `custom` when it says nothing."""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()
    tokens = [t for t in re.split(r"[^a-z0-9]+", snake) if t]
    joined = "_".join(tokens)
    for kind, stems, whole in _KINDS:
        if any(stem in joined for stem in stems) or whole.intersection(tokens):
            return kind
    return CUSTOM
