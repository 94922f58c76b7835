"""MLflow entities as plain resource fields (SPEC section 4), the same from every store.

The SQL store and the REST client disagree on small things (a version is an int or a
string, an unset run id is None or ""), so each value is normalised here once; a snapshot
then holds exactly these dicts and reading it back gives identical resources. The entities
are read by attribute only, so this module never imports mlflow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

Fields = dict[str, Any]

# `models:/m-<hex>` names an MLflow 3 logged model; `models:/<name>/<version>` does not.
_LOGGED_MODEL_SOURCE = re.compile(r"^models:/(m-[0-9a-f]+)/?$")
# Keys under which MLflow's dataset sources (s3, http, delta, hf, local...) keep their location.
_SOURCE_KEYS = ("uri", "url", "path", "table_name", "delta_table_name", "source", "sql")


def iso_time(millis: int | None) -> str | None:
    """Epoch milliseconds as ISO 8601 UTC, so `newer_than_days` and reports read it directly."""
    if millis is None:
        return None
    try:
        moment = datetime.fromtimestamp(int(millis) / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):  # a server's year 31690708: no date
        return None
    return moment.isoformat(timespec="milliseconds")


def experiment_fields(exp: Any) -> Fields:
    return {
        "experiment_id": str(exp.experiment_id),
        "name": exp.name,
        "tags": _sorted(exp.tags),
        "lifecycle_stage": exp.lifecycle_stage,
        "creation_time": iso_time(getattr(exp, "creation_time", None)),
    }


def run_fields(run: Any, experiment_name: str | None) -> Fields:
    info, data = run.info, run.data
    inputs = getattr(run, "inputs", None)
    dataset_inputs = list(getattr(inputs, "dataset_inputs", None) or [])
    return {
        "run_id": info.run_id,
        "run_name": info.run_name or "",
        "experiment_id": str(info.experiment_id),
        "experiment_name": experiment_name,
        "status": str(info.status),
        "user": info.user_id or "",
        "tags": _sorted(data.tags),
        "params": _sorted(data.params),
        "metrics": _sorted(data.metrics),
        "start_time": iso_time(info.start_time),
        "end_time": iso_time(info.end_time),
        # Stores return a run's inputs in no defined order: sorted, every source agrees.
        "datasets": sorted(
            (dataset_fields(d) for d in dataset_inputs),
            key=lambda d: (d["name"], d["digest"], d["source"], d["source_type"], d["context"]),
        ),
    }


def dataset_fields(dataset_input: Any) -> Fields:
    ds = dataset_input.dataset
    tags = {t.key: t.value for t in (getattr(dataset_input, "tags", None) or [])}
    return {
        "name": ds.name or "",
        "digest": ds.digest or "",
        "source": source_location(ds.source),
        "source_type": ds.source_type or "",
        "context": tags.get("mlflow.data.context", ""),
    }


def source_location(source: str | None) -> str:
    """Where a dataset came from: MLflow stores its source as JSON such as {"uri": "s3://..."}.

    An empty object means MLflow knew nothing of the source, which rules must see as blank.
    """
    if not source:
        return ""
    try:
        parsed = json.loads(source)
    except ValueError:
        return source
    if not isinstance(parsed, dict):
        return source
    for key in _SOURCE_KEYS:
        value = parsed.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return json.dumps(parsed, sort_keys=True) if parsed else ""


def registered_model_fields(model: Any) -> Fields:
    return {
        "name": model.name,
        "description": model.description or "",
        "tags": _sorted(model.tags),
        "aliases": sorted(alias_versions(model)),
        "creation_time": iso_time(getattr(model, "creation_timestamp", None)),
    }


def alias_versions(model: Any) -> dict[str, str]:
    """alias -> version of a registered model (SQL stores give int versions, REST strings)."""
    aliases = getattr(model, "aliases", None) or {}
    if isinstance(aliases, Mapping):
        return {str(a): str(v) for a, v in aliases.items()}
    # Older clients return RegisteredModelAlias records instead of a mapping.
    return {str(a.alias): str(a.version) for a in aliases}


def logged_model_id(version: Any) -> str | None:
    """The MLflow 3 logged model a version was registered from, if any."""
    model_id = getattr(version, "model_id", None)
    if model_id:
        return str(model_id)
    found = _LOGGED_MODEL_SOURCE.match(version.source or "")
    return found.group(1) if found else None


def model_version_fields(
    version: Any, aliases: list[str], run_id: str | None, run: Fields | None
) -> Fields:
    return {
        "name": version.name,
        "version": str(version.version),
        "run_id": run_id,
        "model_id": logged_model_id(version),
        "source": version.source or "",
        "status": str(version.status or ""),
        "tags": _sorted(version.tags),
        "aliases": sorted(aliases),
        "description": version.description or "",
        "creation_time": iso_time(getattr(version, "creation_timestamp", None)),
        "run": run,
    }


def _sorted(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: mapping[k] for k in sorted(mapping)} if mapping else {}
