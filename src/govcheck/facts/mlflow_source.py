"""The mlflow_* resource kinds, from a live tracking store or a recorded snapshot.

Importing this module is cheap: mlflow is imported only when a provider runs against a
live store, so a repo-only check (a pre-commit hook) never pays MLflow's start-up cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from govcheck.context import MlflowSettings
from govcheck.facts.base import Facts
from govcheck.facts.mlflow_store import NO_STORE_NOTICE
from govcheck.model import LazyFields, Resource

Fields = dict[str, Any]


class MlflowData(Protocol):
    """What the providers read; a live store and a snapshot both offer it."""

    def experiments(self) -> list[Fields]: ...

    def runs(self) -> list[Fields]: ...

    def registered_models(self) -> list[Fields]: ...

    def model_versions(self) -> list[Fields]: ...

    @property
    def notices(self) -> list[str]:
        """What the report should say about the source (e.g. a newer schema than known)."""
        ...


def open_data(settings: MlflowSettings) -> MlflowData:
    """The reader for a configured store: the snapshot file, else the live store."""
    if settings.store.snapshot is not None:
        from govcheck.facts.snapshot_store import SnapshotStore

        return SnapshotStore.load(settings.store.snapshot, settings.scope, settings.reads)
    from govcheck.facts.mlflow_live import open_live

    assert settings.store.uri is not None
    return open_live(settings.store.uri, settings.scope)


def reader(facts: Facts) -> MlflowData | None:
    """The check's one reader: the four kinds share fetched lists (versions reuse runs)."""
    settings = facts.context.mlflow
    if not settings.store.configured:
        facts.notice(NO_STORE_NOTICE)
        return None
    data = facts.shared("mlflow", lambda: open_data(settings))
    for notice in data.notices:
        facts.notice(notice)
    return data


def _resources(
    facts: Facts,
    kind: str,
    read: Callable[[MlflowData], list[Fields]],
    entity: Callable[[Fields], str],
) -> list[Resource]:
    data = reader(facts)
    if data is None:
        return []
    anchor = facts.context.mlflow.anchor
    out = []
    for fields in read(data):
        name = entity(fields)
        out.append(Resource(kind=kind, id=name, fields=fields, location=anchor, entity=name))
    return out


def experiment_entity(f: Fields) -> str:
    return f"mlflow:experiment/{f['name']}"


def run_entity(f: Fields) -> str:
    return f"mlflow:run/{f['run_id']}"


def registered_model_entity(f: Fields) -> str:
    return f"mlflow:registered_model/{f['name']}"


def model_version_entity(f: Fields) -> str:
    return f"mlflow:model_version/{f['name']}/{f['version']}"


def experiments(facts: Facts) -> list[Resource]:
    """Experiments in scope; run_count (runs in scope) is read only if a rule asks for it."""
    resources = _resources(facts, "mlflow_experiment", lambda d: d.experiments(), experiment_entity)
    data = reader(facts)
    counts: dict[str, int] = {}

    def run_count(experiment_id: str) -> int:
        if not counts and data is not None:
            counts.update(Counter(str(r.get("experiment_id")) for r in data.runs()))
            counts.setdefault("", 0)  # marks the counts as computed
        return counts.get(experiment_id, 0)

    return [
        r
        if "run_count" in r.fields
        else Resource(
            kind=r.kind,
            id=r.id,
            location=r.location,
            entity=r.entity,
            fields=LazyFields(
                dict(r.fields), {"run_count": partial(run_count, r.fields["experiment_id"])}
            ),
        )
        for r in resources
    ]


def runs(facts: Facts) -> list[Resource]:
    return _resources(facts, "mlflow_run", lambda d: d.runs(), run_entity)


def registered_models(facts: Facts) -> list[Resource]:
    return _resources(
        facts, "mlflow_registered_model", lambda d: d.registered_models(), registered_model_entity
    )


def model_versions(facts: Facts) -> list[Resource]:
    return _resources(
        facts, "mlflow_model_version", lambda d: d.model_versions(), model_version_entity
    )
