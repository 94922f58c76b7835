"""Reading an MLflow sqlite store directly, whichever MLflow version wrote it.

MLflow's own client refuses a store whose schema is not exactly its own and advises
migrating the user's file in place; govcheck never changes a store. The tables the rules
read (experiments, runs and their tags, params, latest metrics and dataset inputs, the
registry, logged models) have kept their columns since MLflow 2.x, so they are read here
with the standard library, through SQLite's read-only mode, for a 2.x store as for the
newest. Measured against the alternative (migrating a private copy with MLflow's own
migrations, then reading it through the client) on a 100,000-run MLflow 2.22 store: 8 s
against 4 s copying, 14 s migrating, 148 s reading and 780 MB of scratch disk
(docs/mlflow.md). What MLflow's client adds on top of the rows (the run name from its tag,
NaN metrics, deleted versions hidden, the default workspace) is reproduced here, and the
tests compare this reader with MLflow's own reading of the same stores, version by version.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from govcheck import __version__
from govcheck.errors import DataSourceError, UsageError
from govcheck.facts import mlflow_artifacts
from govcheck.facts import mlflow_fields as mf
from govcheck.facts.mlflow_store import KEEP_RUNS, Scope, in_scope
from govcheck.progress import Progress, Tick, silent
from govcheck.redact import redact_url, scrub

# Every schema revision of MLflow's tracking database up to NEWEST_KNOWN, newest first (the
# alembic chain is linear). A store at any of them is read silently; a newer one is read too
# when it still has the columns below, with a notice naming both versions.
NEWEST_KNOWN = "3.17.2"
_KNOWN = """
    dc11669786a5 75868b020152 b7e2c1a4d9f3 17e22815139b 1971f2d9a75b 6f8d9c3b2a1e c3d9e7f1a2b4
    c1d2e3f4a5b6 a8b9c0d1e2f3 b7e4c1a90f23 89d3d66ed43f da6fb0208061 7d34483879f0 ae8bbe7743c9
    a5b4c3d2e1f0 c3d6457b6d8a 76601a5f987d e1f2a3b4c5d6 1b5f0d9ad7c1 c8d9e0f1a2b3 d0e1f2a3b4c5
    d3e4f5a6b7c8 2c33131f4dae c9d4e5f6a7b8 5d2d30f0abce b7c8d9e0f1a2 1bd49d398cd23 bf29a5ff90ea
    3da73c924c2f 71994744cf8e 534353b11cbc 1a0cddfcaa16 de4033877273 a1b2c3d4e5f6 770bee3ae1dd
    cbc13b556ace bda7b8c39065 6953534de441 400f98739977 0584bdc529eb f5a4f2784254 4465047574b1
    5b0e9adcef9c 867495a8f9d4 acf3f17fdcc7 2d6e25af4d3e 7f2a7d5fae7d 3500859a5d39 97727af70f4d
    cc1f77228345 0c779009ac13 bd07f7e963c5 c48cb773bb87 39d1c3be5f05 a8c4a736bde6 84291f40a231
    27a6a02d2cf1 728d730b5ebd 0a8213491aaa cfd24bdc0731 2b4d017a5e9b 89d4b8295536 7ac759974ad8
    df50e92ffc5e 181f10493468 90e64c465722 451aebb31d03
"""
KNOWN_REVISIONS = frozenset(_KNOWN.split())
# Tables and columns read; a store without them is not one this reader understands.
REQUIRED = {
    "experiments": ("experiment_id", "name", "lifecycle_stage"),
    "runs": (
        "run_uuid",
        "name",
        "experiment_id",
        "status",
        "user_id",
        "start_time",
        "end_time",
        "lifecycle_stage",
    ),
    "tags": ("key", "value", "run_uuid"),
    "params": ("key", "value", "run_uuid"),
    "latest_metrics": ("key", "value", "is_nan", "run_uuid"),
    "registered_models": ("name", "description"),
    "model_versions": (
        "name",
        "version",
        "source",
        "run_id",
        "status",
        "description",
        "current_stage",
    ),
}
# Younger tables (dataset inputs: MLflow 2.4, aliases: 2.3, logged models: 3.0): a store
# from before them simply has none of those entities.
OPTIONAL = ("datasets", "inputs", "input_tags", "registered_model_aliases", "logged_models")
DEFAULT_WORKSPACE = "default"
DELETED_VERSION = "Deleted_Internal"  # MLflow's stage for a deleted model version
BATCH = 500  # ids per `IN (...)`: under SQLite's oldest limit of 999 variables
CHUNK = 1000  # runs read and turned into fields at a time, as a server's page


def sqlite_path(uri: str) -> Path:
    """The database file a `sqlite:///PATH` URI names; it must exist (never created)."""
    path = uri.split("://", 1)[1].removeprefix("/") if "://" in uri else ""
    if path.startswith("file:") or "?" in path:
        raise UsageError(f"give the sqlite store as sqlite:///PATH: {redact_url(uri)}")
    if not path or path == ":memory:" or not Path(path).is_file():
        raise DataSourceError(f"MLflow tracking store not found: {redact_url(uri)}")
    return Path(path).resolve()


class SqliteStore:
    """The four mlflow_* field lists of one sqlite store, each read at most once."""

    def __init__(self, uri: str, scope: Scope, progress: Progress = silent) -> None:
        self.uri = uri
        self._progress = progress
        self.where = redact_url(uri)
        self.scope = scope
        self.runs_since_ms: int | None = None
        if scope.runs_since_days is not None:
            self.runs_since_ms = int((time.time() - scope.runs_since_days * 86400) * 1000)
        self._db = self._connect(sqlite_path(uri))
        self._columns: dict[str, set[str]] = {}
        self._cache: dict[str, Any] = {}
        self._kept_runs: list[mf.Fields] | None = None
        self.notices: list[str] = []
        self._check_schema()

    # -- opening ----------------------------------------------------------------------------

    def _connect(self, path: Path) -> sqlite3.Connection:
        # mode=ro: SQLite itself refuses any write, so nothing here can change the file.
        try:
            return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise DataSourceError(f"cannot open MLflow store {self.where}: {exc}") from None

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise DataSourceError(f"cannot read MLflow store {self.where}: {exc}") from None

    def _execute(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, tuple(args))
        except sqlite3.Error as exc:
            raise DataSourceError(f"cannot read MLflow store {self.where}: {exc}") from None

    def columns(self, table: str) -> set[str]:
        if table not in self._columns:
            rows = self._query(f"PRAGMA table_info({table})")  # names are ours, never input
            self._columns[table] = {str(r[1]) for r in rows}
        return self._columns[table]

    def _check_schema(self) -> None:
        revision = self._revision()
        if revision is None or not self.columns("experiments") or not self.columns("runs"):
            raise DataSourceError(f"{self.where} is not an MLflow tracking database")
        newer = revision not in KNOWN_REVISIONS
        versions = (
            f"newer than MLflow {NEWEST_KNOWN}, the newest govcheck {__version__} knows"
            if newer
            else f"one govcheck {__version__} knows"
        )
        missing = [
            f"{table}.{col}" if self.columns(table) else f"table {table}"
            for table, cols in REQUIRED.items()
            for col in (cols if self.columns(table) else cols[:1])
            if col not in self.columns(table)
        ]
        if missing:
            raise DataSourceError(
                f"MLflow store {self.where} has schema revision {revision} ({versions}) but "
                f"no {', '.join(missing[:3])}: pip install -U govcheck"
            )
        if newer:
            self.notices.append(
                f"MLflow store {self.where} has schema revision {revision}, {versions}: read "
                f"as a {NEWEST_KNOWN} store (pip install -U govcheck for a reader that knows it)"
            )
        others = self._other_workspaces()
        if others:
            self.notices.append(
                f"MLflow store {self.where} has workspaces besides '{DEFAULT_WORKSPACE}' "
                f"({', '.join(others[:5])}); only '{DEFAULT_WORKSPACE}' was read"
            )

    def _revision(self) -> str | None:
        if "version_num" not in self.columns("alembic_version"):
            return None
        rows = self._query("SELECT version_num FROM alembic_version")
        return str(rows[0][0]) if rows else None

    def _workspace(self, table: str, alias: str = "") -> str:
        """A filter keeping the default workspace, on stores that have workspaces."""
        if "workspace" not in self.columns(table):
            return ""
        return f" AND {alias}workspace = '{DEFAULT_WORKSPACE}'"

    def _other_workspaces(self) -> list[str]:
        if "workspace" not in self.columns("experiments"):
            return []
        rows = self._query(
            "SELECT DISTINCT workspace FROM experiments WHERE workspace != ? ORDER BY 1",
            (DEFAULT_WORKSPACE,),
        )
        return [str(r[0]) for r in rows]

    def _cached(self, key: str, make: Any, unit: str) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
            # one query per kind: the count is said once it is read, as pages are when served
            self._progress(Tick("reading MLflow", len(self._cache[key]), unit, "sqlite"))
        return self._cache[key]

    # -- the MlflowData protocol ------------------------------------------------------------

    def experiments(self) -> list[mf.Fields]:
        return [mf.experiment_fields(e) for e in self._scoped_experiments()]

    def runs(self) -> list[mf.Fields]:
        return list(self.iter_runs())

    def iter_runs(self) -> Iterator[mf.Fields]:
        """The runs in scope in their listed order (experiment name, start time, id), read
        a chunk at a time: 100,000 runs are never all held. Up to KEEP_RUNS are kept once
        read, as a server's are."""
        if self._kept_runs is not None:
            yield from self._kept_runs
            return
        kept: list[mf.Fields] | None = []
        for run in self._stream_runs():
            if kept is not None:
                kept.append(run)
                if len(kept) > KEEP_RUNS:
                    kept = None
            yield run
        self._kept_runs = kept

    def _stream_runs(self) -> Iterator[mf.Fields]:
        names = {e.experiment_id: e.name for e in self._scoped_experiments()}
        since, args = "", []
        if self.runs_since_ms is not None:
            since, args = " AND r.start_time >= ?", [self.runs_since_ms]
        cursor = self._execute(
            "SELECT r.run_uuid, r.name, r.experiment_id, r.status, r.user_id, r.start_time, "
            "r.end_time FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id "
            f"WHERE r.lifecycle_stage = 'active'{since} ORDER BY e.name, r.start_time, r.run_uuid",
            args,
        )
        count = 0
        while True:
            try:
                chunk = cursor.fetchmany(CHUNK)
            except sqlite3.Error as exc:
                raise DataSourceError(f"cannot read MLflow store {self.where}: {exc}") from None
            if not chunk:
                break
            rows = [r for r in chunk if str(r[2]) in names]
            count += len(rows)
            self._progress(Tick("reading MLflow", count, "runs", "sqlite"))
            yield from self._run_fields(rows, names)

    def run_count(self, experiment_id: str) -> int:
        if experiment_id not in {e.experiment_id for e in self._scoped_experiments()}:
            return 0
        since, args = "", list[Any]([experiment_id])
        if self.runs_since_ms is not None:
            since, args = " AND start_time >= ?", [experiment_id, self.runs_since_ms]
        rows = self._query(
            f"SELECT COUNT(*) FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'active'"
            f"{since}",
            args,
        )
        return int(rows[0][0])

    def registered_models(self) -> list[mf.Fields]:
        return [
            mf.registered_model_fields(m)
            for m in self._cached("models", self._models, "registered models")
        ]

    def model_versions(self) -> list[mf.Fields]:
        return list(self._cached("versions", self._versions, "model versions"))

    def artifacts(self, run_id: str) -> list[str] | None:
        """The run's artifact files: a local artifact root walked, a remote one listed
        through MLflow's client (imported only then)."""
        key = f"artifacts:{run_id}"
        if key not in self._cache:
            rows = self._query("SELECT artifact_uri FROM runs WHERE run_uuid = ?", (run_id,))
            uri = str(rows[0][0] or "") if rows else ""
            self._cache[key] = self._list_artifacts(run_id, uri) if uri else None
        found: list[str] | None = self._cache[key]
        return found

    def _list_artifacts(self, run_id: str, uri: str) -> list[str]:
        root = mlflow_artifacts.local_root(uri)
        if root is not None:
            if not root.is_absolute():  # relative to where the store is
                root = sqlite_path(self.uri).parent / root
            return mlflow_artifacts.walk_local(root)
        try:
            return mlflow_artifacts.list_remote(uri)
        except Exception as exc:  # noqa: BLE001 - any store's failure, said in one line
            raise DataSourceError(
                f"cannot list the artifacts of run {run_id} at {redact_url(uri)}: "
                f"{type(exc).__name__}: {scrub(str(exc))}"
            ) from None

    # -- experiments and runs ---------------------------------------------------------------

    def _all_experiments(self) -> list[SimpleNamespace]:
        def read() -> list[SimpleNamespace]:
            created = "creation_time" if "creation_time" in self.columns("experiments") else "NULL"
            rows = self._query(
                f"SELECT experiment_id, name, lifecycle_stage, {created} FROM experiments "
                f"WHERE 1=1{self._workspace('experiments')}"
            )
            tags: dict[str, dict[str, str]] = {}
            if self.columns("experiment_tags"):
                for key, value, exp_id in self._query(
                    "SELECT key, value, experiment_id FROM experiment_tags"
                ):
                    tags.setdefault(str(exp_id), {})[key] = value
            return [
                SimpleNamespace(
                    experiment_id=str(i),
                    name=n,
                    lifecycle_stage=s,
                    creation_time=c,
                    tags=tags.get(str(i), {}),
                )
                for i, n, s, c in rows
            ]

        found: list[SimpleNamespace] = self._cached("all_experiments", read, "experiments")
        return found

    def _scoped_experiments(self) -> list[SimpleNamespace]:
        return sorted(
            (
                e
                for e in self._all_experiments()
                if e.lifecycle_stage == "active" and in_scope(e.name, self.scope.experiments)
            ),
            key=lambda e: e.name,
        )

    def _run_fields(self, rows: list[tuple[Any, ...]], names: dict[str, str]) -> list[mf.Fields]:
        ids = [str(r[0]) for r in rows]
        tags = self._by_run("SELECT run_uuid, key, value FROM tags", ids)
        params = self._by_run("SELECT run_uuid, key, value FROM params", ids)
        metrics = self._by_run(
            "SELECT run_uuid, key, CASE WHEN is_nan THEN 'nan' ELSE value END FROM latest_metrics",
            ids,
        )
        datasets = self._datasets(ids)
        out = []
        for run_id, name, exp_id, status, user, start, end in rows:
            run_tags = tags.get(run_id, {})
            run = SimpleNamespace(
                info=SimpleNamespace(
                    run_id=run_id,
                    # MLflow's client falls back to the tag for runs stored without a name.
                    run_name=name or run_tags.get("mlflow.runName") or "",
                    experiment_id=str(exp_id),
                    status=status,
                    user_id=user,
                    start_time=start,
                    end_time=end,
                ),
                data=SimpleNamespace(
                    tags=run_tags,
                    params=params.get(run_id, {}),
                    metrics={k: float(v) for k, v in metrics.get(run_id, {}).items()},
                ),
                inputs=SimpleNamespace(dataset_inputs=datasets.get(run_id, [])),
            )
            out.append(mf.run_fields(run, names.get(str(exp_id))))
        return out

    def _by_run(self, select: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for batch in _batches(ids):
            marks = ", ".join("?" * len(batch))
            for run_id, key, value in self._query(f"{select} WHERE run_uuid IN ({marks})", batch):
                out.setdefault(run_id, {})[key] = value
        return out

    def _datasets(self, ids: list[str]) -> dict[str, list[SimpleNamespace]]:
        if not all(self.columns(t) for t in ("datasets", "inputs", "input_tags")):
            return {}
        inputs: dict[str, dict[str, SimpleNamespace]] = {}
        for batch in _batches(ids):
            marks = ", ".join("?" * len(batch))
            rows = self._query(
                "SELECT i.destination_id, i.input_uuid, d.name, d.digest, d.dataset_source, "
                "d.dataset_source_type, t.name, t.value FROM inputs i "
                "JOIN datasets d ON d.dataset_uuid = i.source_id "
                "LEFT JOIN input_tags t ON t.input_uuid = i.input_uuid "
                f"WHERE i.destination_type = 'RUN' AND i.destination_id IN ({marks})",
                batch,
            )
            for run_id, input_id, name, digest, source, source_type, key, value in rows:
                found = inputs.setdefault(run_id, {}).setdefault(
                    input_id,
                    SimpleNamespace(
                        dataset=SimpleNamespace(
                            name=name, digest=digest, source=source, source_type=source_type
                        ),
                        tags=[],
                    ),
                )
                if key is not None:
                    found.tags.append(SimpleNamespace(key=key, value=value))
        return {run_id: list(by_input.values()) for run_id, by_input in inputs.items()}

    # -- the registry, and each version's lineage back to its run ---------------------------

    def _models(self) -> list[SimpleNamespace]:
        created = (
            "creation_time" if "creation_time" in self.columns("registered_models") else "NULL"
        )
        rows = self._query(
            f"SELECT name, description, {created} FROM registered_models "
            f"WHERE 1=1{self._workspace('registered_models')} ORDER BY name"
        )
        tags = self._named("registered_model_tags", "SELECT name, key, value")
        aliases = self._named("registered_model_aliases", "SELECT name, alias, version")
        return [
            SimpleNamespace(
                name=name,
                description=description,
                creation_timestamp=created_ms,
                tags=tags.get(name, {}),
                aliases=aliases.get(name, {}),
            )
            for name, description, created_ms in rows
        ]

    def _named(self, table: str, select: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        if self.columns(table):
            for name, key, value in self._query(
                f"{select} FROM {table} WHERE 1=1{self._workspace(table)}"
            ):
                out.setdefault(name, {})[key] = value
        return out

    def _versions(self) -> list[mf.Fields]:
        aliases: dict[tuple[str, str], list[str]] = {}
        for model in self._cached("models", self._models, "registered models"):
            for alias, version in model.aliases.items():
                aliases.setdefault((model.name, str(version)), []).append(alias)
        created = "creation_time" if "creation_time" in self.columns("model_versions") else "NULL"
        rows = self._query(
            f"SELECT name, version, source, run_id, status, description, {created} "
            f"FROM model_versions WHERE current_stage IS NOT ?"
            f"{self._workspace('model_versions')}",
            (DELETED_VERSION,),
        )
        tags: dict[tuple[str, str], dict[str, str]] = {}
        if self.columns("model_version_tags"):
            for name, version, key, value in self._query(
                "SELECT name, version, key, value FROM model_version_tags "
                f"WHERE 1=1{self._workspace('model_version_tags')}"
            ):
                tags.setdefault((name, str(version)), {})[key] = value
        versions = [
            SimpleNamespace(
                name=name,
                version=str(version),
                source=source or "",
                run_id=run_id or None,
                status=status,
                description=description,
                creation_timestamp=created_ms,
                tags=tags.get((name, str(version)), {}),
                model_id=None,
            )
            for name, version, source, run_id, status, description, created_ms in rows
        ]
        source_runs = self._logged_model_runs(
            {m for v in versions if not v.run_id and (m := mf.logged_model_id(v))}
        )
        run_ids = {
            (v.name, v.version): v.run_id or source_runs.get(mf.logged_model_id(v) or "")
            for v in versions
        }
        runs = self._runs_by_id({r for r in run_ids.values() if r})
        out = [
            mf.model_version_fields(
                v,
                aliases.get((v.name, v.version), []),
                run_ids[(v.name, v.version)],
                runs.get(run_ids[(v.name, v.version)] or ""),
            )
            for v in versions
        ]
        return sorted(out, key=lambda v: (v["name"], _version_key(v["version"])))

    def _logged_model_runs(self, model_ids: set[str]) -> dict[str, str | None]:
        if not model_ids or not self.columns("logged_models"):
            return {}
        found: dict[str, str | None] = {}
        for batch in _batches(sorted(model_ids)):
            marks = ", ".join("?" * len(batch))
            for model_id, run_id in self._query(
                "SELECT model_id, source_run_id FROM logged_models "
                f"WHERE lifecycle_stage != 'deleted' AND model_id IN ({marks})",
                batch,
            ):
                found[model_id] = run_id or None
        return found

    def _runs_by_id(self, run_ids: set[str]) -> dict[str, mf.Fields]:
        """Runs behind versions, whatever the scope: lineage must resolve for old runs too."""
        known = {r["run_id"]: r for r in self._kept_runs or () if r["run_id"] in run_ids}
        missing = sorted(run_ids - set(known))
        if not missing:
            return known
        names = {e.experiment_id: e.name for e in self._all_experiments()}
        rows = []
        for batch in _batches(missing):
            marks = ", ".join("?" * len(batch))
            rows += [
                r
                for r in self._query(f"{_RUN_COLUMNS} WHERE run_uuid IN ({marks})", batch)
                if str(r[2]) in names
            ]
        known.update((r["run_id"], r) for r in self._run_fields(rows, names))
        return known


_RUN_COLUMNS = (
    "SELECT run_uuid, name, experiment_id, status, user_id, start_time, end_time FROM runs"
)


def _batches(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _version_key(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (0, version)
