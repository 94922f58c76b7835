"""Which MLflow metadata a check reads: a live tracking store, a recorded snapshot, or none.

Pure functions over the command line, the config's `mlflow:` block and the environment,
so the precedence of SPEC section 3 is written once and tested without MLflow. Nothing
here imports mlflow. The result is resolved once per check, into CheckContext.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from govcheck.boundary import resolves_into_git_dir
from govcheck.config import MlflowConfig
from govcheck.errors import UsageError
from govcheck.globs import name_match

NO_STORE_NOTICE = (
    "no MLflow tracking store configured (--mlflow-uri, mlflow.tracking_uri, "
    "MLFLOW_TRACKING_URI or mlflow.db at the repo root); MLflow rules skipped"
)
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_SNAPSHOT_MAX_AGE_DAYS = 30.0
# Runs in scope a reader keeps once read when there are no more (~5 KB each): a small
# store is fetched once per command (a --baseline-rev check, versions' lineage, run_count
# reuse it); a larger one is streamed page by page and read afresh when asked again.
KEEP_RUNS = 5000


@dataclass(frozen=True)
class StoreChoice:
    """Where MLflow facts come from; exactly one of uri and snapshot is set, or neither."""

    uri: str | None = None
    snapshot: str | None = None
    origin: str = ""  # "--mlflow-uri", "mlflow.tracking_uri", "MLFLOW_TRACKING_URI", ...

    @property
    def configured(self) -> bool:
        return self.uri is not None or self.snapshot is not None


@dataclass(frozen=True)
class Scope:
    """Which experiments and runs are read (config `mlflow.experiments`, `runs_since_days`)."""

    experiments: tuple[str, ...] = ()  # name globs; empty means every active experiment
    runs_since_days: float | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS


def resolve_store(
    config: MlflowConfig,
    root: Path,
    env: Mapping[str, str],
    uri: str | None = None,
    snapshot: str | None = None,
) -> StoreChoice:
    """Apply the precedence: `uri` (--mlflow-uri), then a snapshot (`snapshot`, i.e.
    --mlflow-snapshot, then config `snapshot`), then config `tracking_uri`,
    MLFLOW_TRACKING_URI, `mlflow.db` at the repo root.

    A snapshot beats every live store except one given on the command line, so a repo that
    records a snapshot checks offline (pre-commit.ci) unless a URI is asked for explicitly.
    """
    if uri:
        return StoreChoice(uri=uri, origin="--mlflow-uri")
    if snapshot:
        return StoreChoice(snapshot=snapshot, origin="--mlflow-snapshot")
    if config.snapshot:
        if resolves_into_git_dir(root / config.snapshot):
            raise UsageError("mlflow.snapshot is inside a .git directory: not read", config.mark)
        return StoreChoice(snapshot=str(root / config.snapshot), origin="mlflow.snapshot")
    if config.tracking_uri:
        return StoreChoice(uri=repo_sqlite(config.tracking_uri, root), origin="mlflow.tracking_uri")
    if env.get("MLFLOW_TRACKING_URI"):
        return StoreChoice(uri=env["MLFLOW_TRACKING_URI"], origin="MLFLOW_TRACKING_URI")
    default_db = root / "mlflow.db"
    if default_db.is_file():
        return StoreChoice(uri=f"sqlite:///{default_db.resolve()}", origin="mlflow.db")
    return StoreChoice()


def resolve_scope(config: MlflowConfig) -> Scope:
    return Scope(
        experiments=config.experiments,
        runs_since_days=config.runs_since_days,
        timeout_seconds=config.timeout_seconds or DEFAULT_TIMEOUT_SECONDS,
    )


def shown_uri(uri: str, root: Path) -> str:
    """A store as reports and snapshots name it: without credentials, and a sqlite file
    inside the repository relative to it, so the same store reads the same on any machine."""
    from govcheck.redact import redact_url

    if is_sqlite(uri) and uri.startswith("sqlite:///"):
        path = Path(uri.removeprefix("sqlite:///"))
        if path.is_absolute():
            try:
                return f"sqlite:///{path.resolve().relative_to(root.resolve()).as_posix()}"
            except ValueError:
                pass
    return redact_url(uri)


def is_sqlite(uri: str) -> bool:
    """Whether a tracking URI names a sqlite file (read directly, without MLflow's client)."""
    return uri.lower().startswith("sqlite:")


def in_scope(name: str, globs: tuple[str, ...]) -> bool:
    """Whether an experiment name is in scope (no globs: every experiment)."""
    return not globs or any(name_match(g, name) for g in globs)


def repo_sqlite(uri: str, root: Path) -> str:
    # A relative sqlite path in the config means relative to the repo, not to wherever
    # govcheck happens to be started (MLflow itself would use the working directory).
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        rest = uri[len(prefix) :]
        if rest and rest != ":memory:" and not rest.startswith("file:"):
            return prefix + str((root / rest).resolve())
    return uri
