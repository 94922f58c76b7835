"""The mlflow_* resource kinds, from a live tracking store or a recorded snapshot.

Importing this module is cheap: mlflow is imported only when a provider runs against a
live store, so a repo-only check (a pre-commit hook) never pays MLflow's start-up cost.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from govcheck.context import MlflowSettings
from govcheck.facts.base import Facts
from govcheck.facts.mlflow_store import NO_STORE_NOTICE, Scope, StoreChoice
from govcheck.model import LazyFields, Resource, ResourceStream
from govcheck.progress import Progress, silent

if TYPE_CHECKING:
    from govcheck.facts.snapshot_store import SnapshotStore

Fields = dict[str, Any]


class MlflowData(Protocol):
    """What the providers read; a live store and a snapshot both offer it."""

    def experiments(self) -> list[Fields]: ...

    def runs(self) -> list[Fields]: ...

    def iter_runs(self) -> Iterator[Fields]:
        """The runs in scope one by one, never all held (a store of 100,000 runs)."""
        ...

    def run_count(self, experiment_id: str) -> int:
        """How many runs in scope an experiment has."""
        ...

    def registered_models(self) -> list[Fields]: ...

    def model_versions(self) -> list[Fields]: ...

    def artifacts(self, run_id: str) -> list[str] | None:
        """The run's artifact file paths (asked only for runs a rule reads them of); None
        when unknown."""
        ...

    @property
    def notices(self) -> list[str]:
        """What the report should say about the source (e.g. a newer schema than known)."""
        ...


def open_data(settings: MlflowSettings, progress: Progress = silent) -> MlflowData:
    """The reader for a configured store: the snapshot file, else the live store."""
    if settings.store.snapshot is not None:
        from govcheck.facts.snapshot_store import SnapshotStore

        return SnapshotStore.load(settings.store.snapshot, settings.scope, settings.reads)
    from govcheck.facts.mlflow_live import open_live

    assert settings.store.uri is not None
    return open_live(settings.store.uri, settings.scope, progress)


def reader(facts: Facts) -> MlflowData | None:
    """The check's one reader: the four kinds share fetched lists (versions reuse runs)."""
    settings = facts.context.mlflow
    if not settings.store.configured:
        facts.notice(NO_STORE_NOTICE)
        return None
    data = facts.carried(_key(settings), lambda: open_data(settings, facts.context.progress))
    for notice in data.notices:
        facts.notice(notice)
    if settings.store.snapshot is not None:
        from govcheck.facts.snapshot_store import SnapshotStore

        if isinstance(data, SnapshotStore):
            _stale_notice(facts, data, settings)
    return data


def _key(settings: MlflowSettings) -> tuple[str, StoreChoice, Scope]:
    # Carried, not shared: MLflow metadata is the same whichever commit's tree is checked.
    return ("mlflow", settings.store, settings.scope)


def opened(facts: Facts) -> MlflowData | None:
    """The check's reader if some rule opened it (reports name what it read), else None."""
    data: MlflowData | None = facts.carried_if_made(_key(facts.context.mlflow))
    return data


def carried_reader(carry: Mapping[Hashable, Any]) -> MlflowData | None:
    """The reader the checks of one command shared (their `carry`), if one was opened:
    `govcheck publish` reads the registry's current tags from it, read in this run."""
    for key, value in carry.items():
        if isinstance(key, tuple) and key and key[0] == "mlflow":
            data: MlflowData = value
            return data
    return None


def _stale_notice(facts: Facts, snapshot: SnapshotStore, settings: MlflowSettings) -> None:
    age = snapshot.age_days()
    if age is not None and age > settings.snapshot_max_age_days:
        facts.notice(
            f"MLflow snapshot {settings.store.snapshot} was recorded {age:.0f} days ago "
            f"(over mlflow.snapshot_max_age_days: {settings.snapshot_max_age_days:g}); "
            "MLflow findings may be out of date: record it again with govcheck snapshot"
        )


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
    assumed = facts.context.assumed_aliases
    out = []
    for read_fields in read(data):
        fields: Mapping[str, Any] = read_fields
        name = entity(read_fields)
        if name in assumed:  # --as-alias: judged as if the alias already pointed here
            aliases = sorted({*(fields.get("aliases") or []), *assumed[name]})
            # Lazy fields (a version's run) stay lazy: looked up only if a rule reads them.
            fields = (
                fields.replaced({"aliases": aliases})
                if isinstance(fields, LazyFields)
                else {**fields, "aliases": aliases}
            )
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

    def run_count(experiment_id: str) -> int:
        # Read only when a rule asks (GC-EXP-010 asks of the Default experiment alone).
        return data.run_count(experiment_id) if data is not None else 0

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


def runs(facts: Facts) -> list[Resource] | ResourceStream:
    """Runs as a stream: the engine passes each page through every run rule and drops it,
    so 100,000 runs never sit in memory together."""
    data = reader(facts)
    if data is None:
        return []
    anchor = facts.context.mlflow.anchor

    def pages(source: MlflowData) -> Iterator[Resource]:
        for fields in source.iter_runs():
            name = run_entity(fields)
            yield Resource(kind="mlflow_run", id=name, fields=fields, location=anchor, entity=name)

    return ResourceStream(partial(pages, data))


runs.streams = True  # type: ignore[attr-defined]  # Facts.streamed: the engine reads it first


def registered_models(facts: Facts) -> list[Resource]:
    return _resources(
        facts, "mlflow_registered_model", lambda d: d.registered_models(), registered_model_entity
    )


def model_versions(facts: Facts) -> list[Resource]:
    return _resources(
        facts, "mlflow_model_version", lambda d: d.model_versions(), model_version_entity
    )
