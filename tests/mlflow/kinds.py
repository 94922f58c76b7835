"""Read all four mlflow_* kinds as plain data, to compare one source with another."""

from __future__ import annotations

from typing import Any

KINDS = ("mlflow_experiment", "mlflow_run", "mlflow_registered_model", "mlflow_model_version")


def everything(facts: Any) -> dict[str, list[tuple[str, str | None, dict[str, Any]]]]:
    out = {}
    for kind in KINDS:
        out[kind] = sorted(
            ((r.id, r.entity, {k: r.fields[k] for k in r.fields}) for r in facts.resources(kind)),
            key=lambda item: item[0],
        )
    return out
