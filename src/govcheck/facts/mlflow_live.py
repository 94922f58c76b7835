"""Reading a live tracking store: paged searches with server-side filters, never per entity.

Requests grow with pages, not entities (SPEC section 7): experiments by name filter, runs by
experiment batch and start-time filter, registered models and versions by paged search, and
the lineage of versions (logged model -> run) by `IN (...)` filters over batches of ids.
Runs are streamed (iter_runs: one page at a time, nothing kept), so 100,000 runs need the
memory of a page; the smaller lists are fetched once and kept. A version's `run` is looked
up only when a rule reads it, for every version like it at once (those behind an alias,
or the others), 100 ids a request. A failure anywhere fails the whole read, so no partial
result is ever passed off as complete.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from govcheck.errors import DataSourceError
from govcheck.facts import mlflow_artifacts
from govcheck.facts import mlflow_fields as mf
from govcheck.facts.mlflow_client import all_pages, client_session, open_client
from govcheck.facts.mlflow_store import KEEP_RUNS, Scope, in_scope, is_sqlite
from govcheck.model import LazyFields
from govcheck.progress import Progress, Tick, silent
from govcheck.redact import redact_url

if TYPE_CHECKING:
    from govcheck.facts.mlflow_sqlite import SqliteStore

PAGE = 1000  # the largest page every MLflow backend accepts (Databricks caps runs at 1000)
ID_BATCH = 100  # ids per `IN (...)` filter, well under URL and SQL parameter limits
EXPERIMENT_BATCH = 100  # experiment ids per search_runs request streaming the runs in scope
# Experiment ids per lookup by id (runs, logged models behind versions): the ids filter the
# answer, so one request covers every experiment of an ordinary server (the open-source
# server sets no limit; 1,000 made a store of 1,000 experiments plus Default pay each
# lookup twice), and requests grow with ids/100, not with ids x experiments.
LOOKUP_EXPERIMENTS = 10_000
T = TypeVar("T")


def open_live(uri: str, scope: Scope, progress: Progress = silent) -> LiveStore | SqliteStore:
    """The reader for a live store: sqlite files directly (any MLflow version, no client),
    everything else through MLflow's client."""
    from govcheck.facts.mlflow_sqlite import SqliteStore

    if is_sqlite(uri):
        return SqliteStore(uri, scope, progress)
    return LiveStore(uri, scope, progress)


class LiveStore:
    """The four mlflow_* field lists from one tracking URI, each fetched at most once."""

    def __init__(self, uri: str, scope: Scope, progress: Progress = silent) -> None:
        self.uri = uri
        self.scope = scope
        self._progress = progress
        self._seen: dict[str, tuple[int, int]] = {}  # unit -> (items, pages) read so far
        self.notices: list[str] = []
        self.runs_since_ms: int | None = None
        if scope.runs_since_days is not None:
            self.runs_since_ms = int((time.time() - scope.runs_since_days * 86400) * 1000)
        self._client: Any = None
        self._cache: dict[str, Any] = {}
        self._run_counts: Counter[str] | None = None
        self._kept_runs: list[mf.Fields] | None = None
        self._version_runs: dict[tuple[str, str], str | None] = {}
        self._aliased: set[tuple[str, str]] = set()
        self._traced: dict[str, mf.Fields | None] = {}

    def experiments(self) -> list[mf.Fields]:
        return [mf.experiment_fields(e) for e in self._read("experiments", self._experiments)]

    def runs(self) -> list[mf.Fields]:
        """Every run in scope, sorted (for callers that need them all at once)."""
        return sorted(self.iter_runs(), key=run_order)

    def iter_runs(self) -> Iterator[mf.Fields]:
        """The runs in scope, page by page as the server sends them. A store of up to
        KEEP_RUNS runs in scope is kept once read (a second check of --baseline-rev and
        the lineage of versions then ask nothing more); a larger one is read afresh each
        time, and only how many runs each experiment has is kept (run_count)."""
        if self._kept_runs is not None:
            yield from self._kept_runs
            return
        with client_session(self.uri, self.scope.timeout_seconds):
            if self._client is None:
                self._client = open_client(self.uri)  # says how to install mlflow if missing
            from mlflow.entities import ViewType

            names = {str(e.experiment_id): e.name for e in self._experiments_cached()}
            since = f"attributes.start_time >= {self.runs_since_ms}" if self.runs_since_ms else ""
            counts: Counter[str] = Counter()
            kept: list[mf.Fields] | None = []
            for run in self._search_runs(list(names), since, ViewType.ACTIVE_ONLY):
                fields = mf.run_fields(run, names.get(str(run.info.experiment_id)))
                counts[fields["experiment_id"]] += 1
                if kept is not None:
                    kept.append(fields)
                    if len(kept) > KEEP_RUNS:
                        kept = None
                yield fields
            self._run_counts = counts
            self._kept_runs = kept

    def run_count(self, experiment_id: str) -> int:
        """Runs in scope of one experiment, from a pass over every run in scope (the
        engine makes that pass for the run rules before any experiment rule asks)."""
        if self._run_counts is None:
            for _ in self.iter_runs():
                pass
        assert self._run_counts is not None
        return self._run_counts.get(experiment_id, 0)

    def registered_models(self) -> list[mf.Fields]:
        return [mf.registered_model_fields(m) for m in self._read("models", self._models)]

    def model_versions(self) -> list[mf.Fields]:
        return self._read("versions", self._versions)

    def artifacts(self, run_id: str) -> list[str] | None:
        """The run's artifact files, listed folder by folder (only for runs a rule asks
        about: a request per folder)."""
        return self._read(
            f"artifacts:{run_id}",
            lambda: mlflow_artifacts.list_with_client(self._client, run_id),
        )

    def _read(self, key: str, fetch: Callable[[], T]) -> T:
        if key not in self._cache:
            with client_session(self.uri, self.scope.timeout_seconds):
                if self._client is None:
                    self._client = open_client(self.uri)
                self._cache[key] = fetch()
        value: T = self._cache[key]
        return value

    def _pages(self, unit: str, search: Callable[..., Any]) -> Iterator[Any]:
        """all_pages, counting items and pages of `unit` for the progress line."""
        return all_pages(search, on_page=partial(self._counted, unit))

    def _counted(self, unit: str, items: int) -> None:
        count, pages = self._seen.get(unit, (0, 0))
        self._seen[unit] = (count + items, pages + 1)
        detail = "1 page" if pages == 0 else f"{pages + 1:,} pages"
        self._progress(Tick("reading MLflow", count + items, unit, detail))

    # -- experiments and runs, within the configured scope ---------------------------------

    def _experiments(self) -> list[Any]:
        from mlflow.entities import ViewType

        found: dict[str, Any] = {}
        for filter_string in _name_filters(self.scope.experiments):
            search = partial(
                self._client.search_experiments,
                view_type=ViewType.ACTIVE_ONLY,
                max_results=PAGE,
                filter_string=filter_string,
            )
            for exp in self._pages("experiments", search):
                if in_scope(exp.name, self.scope.experiments):
                    found[str(exp.experiment_id)] = exp
        return sorted(found.values(), key=lambda e: e.name)

    def _experiments_cached(self) -> list[Any]:
        return self._kept("experiments", self._experiments)

    def _kept(self, key: str, fetch: Callable[[], list[Any]]) -> list[Any]:
        """A list fetched once per check, inside a request already under way."""
        if key not in self._cache:
            self._cache[key] = fetch()
        found: list[Any] = self._cache[key]
        return found

    def _search_runs(
        self, experiment_ids: list[str], filter_string: str, view: Any
    ) -> Iterator[Any]:
        for batch in _batches(experiment_ids, EXPERIMENT_BATCH):
            yield from self._pages(
                "runs",
                partial(
                    self._client.search_runs,
                    batch,
                    filter_string=filter_string,
                    run_view_type=view,
                    max_results=PAGE,
                ),
            )

    # -- the registry, and each version's lineage back to its run --------------------------

    def _models(self) -> list[Any]:
        search = partial(self._client.search_registered_models, max_results=PAGE)
        models = self._pages("registered models", search)
        return sorted(models, key=lambda m: m.name)

    def _versions(self) -> list[mf.Fields]:
        aliases: dict[tuple[str, str], list[str]] = {}
        for model in self._kept("models", self._models):  # fetched once, whoever asks first
            for alias, version in mf.alias_versions(model).items():
                aliases.setdefault((model.name, version), []).append(alias)
        search = partial(self._client.search_model_versions, max_results=PAGE)
        versions = list(self._pages("model versions", search))
        self._version_runs = self._version_run_ids(versions)
        self._aliased = {k for k in self._version_runs if k in aliases}
        out: list[mf.Fields] = []
        for v in versions:
            key = (v.name, str(v.version))
            fields = mf.model_version_fields(v, aliases.get(key, []), self._version_runs[key], None)
            del fields["run"]
            # The run is looked up when a rule reads it (GC-REG-002 reads it only for
            # versions behind a serving alias), with every version like this one.
            out.append(LazyFields(fields, {"run": partial(self._traced_run, key)}))  # type: ignore[arg-type]
        return sorted(out, key=lambda v: (v["name"], _version_key(v["version"])))

    def _traced_run(self, key: tuple[str, str]) -> mf.Fields | None:
        run_id = self._version_runs.get(key)
        if not run_id:
            return None
        if run_id not in self._traced:
            aliased = key in self._aliased
            cohort = {
                r
                for k, r in self._version_runs.items()
                if r and (k in self._aliased) == aliased and r not in self._traced
            }
            with client_session(self.uri, self.scope.timeout_seconds):
                found = self._runs_by_id(cohort)
            for wanted in cohort:
                self._traced[wanted] = found.get(wanted)
        return self._traced[run_id]

    def _version_run_ids(self, versions: list[Any]) -> dict[tuple[str, str], str | None]:
        """(name, version) -> the run it came from: its own run_id, else (MLflow 3) the
        source run of the logged model its `models:/m-...` source names."""
        wanted = {mf.logged_model_id(v) for v in versions if not v.run_id}
        source_runs = self._logged_model_runs({m for m in wanted if m})
        return {
            (v.name, str(v.version)): v.run_id or source_runs.get(mf.logged_model_id(v) or "")
            for v in versions
        }

    def _logged_model_runs(self, model_ids: set[str]) -> dict[str, str | None]:
        if not model_ids:
            return {}
        if not hasattr(self._client, "search_logged_models"):
            # MLflow 2.x clients know no logged models: guessing "untraced" would report
            # versions that do trace, so say what is needed instead.
            from mlflow import __version__ as client_version

            raise DataSourceError(
                f"MLflow at {redact_url(self.uri)} has model versions registered from "
                f"{len(model_ids)} MLflow 3 logged model(s) (e.g. {min(model_ids)}), which the "
                f"installed MLflow client {client_version} cannot trace: "
                "pip install -U 'mlflow-skinny>=3'"
            )
        found: dict[str, str | None] = {}
        for exp_batch in _batches(self._all_experiments(), LOOKUP_EXPERIMENTS):
            for id_batch in _batches(sorted(model_ids), ID_BATCH):
                filter_string = f"attributes.model_id IN ({_quoted(id_batch)})"
                search = partial(
                    self._client.search_logged_models,
                    experiment_ids=exp_batch,
                    filter_string=filter_string,
                    max_results=PAGE,
                )
                for model in self._pages("logged models", search):
                    found[model.model_id] = model.source_run_id or None
        return found

    def _runs_by_id(self, run_ids: set[str]) -> dict[str, mf.Fields]:
        """Runs behind versions, whatever the scope: lineage must resolve for old runs too."""
        from mlflow.entities import ViewType

        known = {r["run_id"]: r for r in self._kept_runs or () if r["run_id"] in run_ids}
        run_ids = run_ids - set(known)
        if not run_ids:
            return known
        names = {str(e.experiment_id): e.name for e in self._all_experiment_entities()}
        for batch in _batches(sorted(run_ids), ID_BATCH):
            filter_string = f"attributes.run_id IN ({_quoted(batch)})"
            for exp_batch in _batches(list(names), LOOKUP_EXPERIMENTS):
                search = partial(
                    self._client.search_runs,
                    exp_batch,
                    filter_string=filter_string,
                    run_view_type=ViewType.ALL,
                    max_results=PAGE,
                )
                for run in self._pages("runs", search):
                    known[run.info.run_id] = mf.run_fields(
                        run, names.get(str(run.info.experiment_id))
                    )
        return known

    def _all_experiments(self) -> list[str]:
        return [str(e.experiment_id) for e in self._all_experiment_entities()]

    def _all_experiment_entities(self) -> list[Any]:
        from mlflow.entities import ViewType

        search = partial(self._client.search_experiments, view_type=ViewType.ALL, max_results=PAGE)
        return self._kept("all_experiments", lambda: list(self._pages("experiments", search)))


def run_order(run: mf.Fields) -> tuple[str, str, str]:
    """The order runs are listed in where all are listed (snapshots): by experiment name,
    start time and id."""
    return (run["experiment_name"] or "", run["start_time"] or "", run["run_id"])


def _name_filters(globs: tuple[str, ...]) -> list[str | None]:
    """One server-side `name LIKE` filter per glob; None (no filter) when any glob can't be
    written as LIKE. Globs are applied exactly on the client afterwards either way."""
    if not globs:
        return [None]
    filters: list[str | None] = []
    for glob in globs:
        if "'" in glob or "[" in glob or "\\" in glob:
            return [None]
        filters.append("name LIKE '" + glob.replace("*", "%").replace("?", "_") + "'")
    return filters


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quoted(ids: Iterable[str]) -> str:
    # Run and logged-model ids are hex with an `m-` prefix: no quote can occur in them.
    return ", ".join(f"'{i}'" for i in ids)


def _version_key(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (0, version)
