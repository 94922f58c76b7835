"""Recorded MLflow metadata: `govcheck snapshot` writes it, `--mlflow-snapshot` reads it.

A snapshot holds exactly the fields the mlflow_* providers produce, for the same scope, so
a check against it gives the findings a live check would have given at recording time,
with no network (pre-commit.ci). Its format is schemas/mlflow-snapshot.schema.json.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from govcheck.errors import DataSourceError
from govcheck.facts.mlflow_store import Scope, in_scope
from govcheck.redact import redact_url

FORMAT = "govcheck-mlflow-snapshot"
FORMAT_VERSION = 1
KINDS = ("experiments", "runs", "registered_models", "model_versions")
Fields = dict[str, Any]


@dataclass(frozen=True)
class SnapshotStore:
    """The four field lists of a snapshot file, narrowed to the check's experiment globs."""

    path: str
    lists: dict[str, list[Fields]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: str, scope: Scope) -> SnapshotStore:
        document = read_snapshot(path)
        lists = {kind: list(document[kind]) for kind in KINDS}
        if scope.experiments:
            lists["experiments"] = [
                e for e in lists["experiments"] if in_scope(e["name"], scope.experiments)
            ]
            kept = {e["experiment_id"] for e in lists["experiments"]}
            lists["runs"] = [r for r in lists["runs"] if r["experiment_id"] in kept]
        return cls(path, lists)

    def experiments(self) -> list[Fields]:
        return self.lists["experiments"]

    def runs(self) -> list[Fields]:
        return self.lists["runs"]

    def registered_models(self) -> list[Fields]:
        return self.lists["registered_models"]

    def model_versions(self) -> list[Fields]:
        return self.lists["model_versions"]


def read_snapshot(path: str) -> dict[str, Any]:
    """The parsed snapshot, checked against its schema; errors name the file."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataSourceError(f"MLflow snapshot not found: {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataSourceError(f"cannot read MLflow snapshot {path}: {exc}") from None
    problem = snapshot_problem(document)
    if problem:
        raise DataSourceError(f"{path}: not a govcheck MLflow snapshot: {problem}")
    return dict(document)


def snapshot_problem(document: Any) -> str | None:
    """The first schema violation of a snapshot document, with its JSON path, or None."""
    import jsonschema

    from govcheck import builtin

    schema = json.loads(builtin.schema_file("mlflow-snapshot").read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(document),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if not errors:
        return None
    where = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in errors[0].absolute_path)
    return f"${where}: {errors[0].message}"


def build_snapshot(data: Any, uri: str, scope: Scope, runs_since: str | None) -> dict[str, Any]:
    """The snapshot document for a reader (LiveStore): all four kinds, as the providers see them."""
    runs = data.runs()
    counts = Counter(r["experiment_id"] for r in runs)
    experiments = [
        {**e, "run_count": counts.get(e["experiment_id"], 0)} for e in data.experiments()
    ]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "recorded_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "tracking_uri": redact_url(uri),
        "scope": {
            "experiments": list(scope.experiments),
            "runs_since_days": scope.runs_since_days,
            "runs_since": runs_since,
        },
        "experiments": experiments,
        "runs": runs,
        "registered_models": data.registered_models(),
        "model_versions": data.model_versions(),
    }


def write_snapshot(uri: str, output: str, scope: Scope) -> dict[str, int]:
    """Record the store at uri, within scope, into output; the entity counts."""
    from govcheck.atomic import write_atomic
    from govcheck.facts.mlflow_fields import iso_time
    from govcheck.facts.mlflow_live import open_live

    store = open_live(uri, scope)
    document = build_snapshot(store, uri, scope, iso_time(store.runs_since_ms))
    problem = snapshot_problem(document)
    if problem:  # a bug, not a user error: refuse to write a file the reader would reject
        raise DataSourceError(f"the recorded MLflow metadata does not fit its schema: {problem}")
    write_atomic(output, json.dumps(document, indent=1, sort_keys=False) + "\n")
    return {kind: len(document[kind]) for kind in KINDS}
