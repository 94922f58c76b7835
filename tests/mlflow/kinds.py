"""Read all four mlflow_* kinds as plain data, to compare one source with another; and
which entities a JSON report names under which MLflow rule."""

from __future__ import annotations

from collections import Counter
from typing import Any

KINDS = ("mlflow_experiment", "mlflow_run", "mlflow_registered_model", "mlflow_model_version")
MLFLOW_RULES = (
    "GC-EXP-010",
    "GC-EXP-011",
    "GC-RUN-001",
    "GC-RUN-002",
    "GC-RUN-003",
    "GC-REG-001",
    "GC-REG-002",
    "GC-REG-003",
    "GC-MON-010",
)


def everything(facts: Any) -> dict[str, list[tuple[str, str | None, dict[str, Any]]]]:
    out = {}
    for kind in KINDS:
        out[kind] = sorted(
            ((r.id, r.entity, {k: r.fields[k] for k in r.fields}) for r in facts.resources(kind)),
            key=lambda item: item[0],
        )
    return out


def reported(report: dict[str, Any]) -> dict[str, set[str]]:
    """Rule code -> the entities a JSON report names under it; each pair at most once."""
    pairs = [(f["rule_id"], f["entity"]) for f in report["findings"]]
    twice = [pair for pair, n in Counter(pairs).items() if n > 1]
    assert twice == [], f"reported more than once: {twice}"
    out: dict[str, set[str]] = {}
    for rule, entity in pairs:
        out.setdefault(rule, set()).add(entity)
    return out
