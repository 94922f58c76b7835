"""Which MLflow metadata a check reads: a live tracking store, a recorded snapshot, or none.

Pure functions over the check's options and the environment, so the precedence of SPEC
section 3 is written once and tested without MLflow. Nothing here imports mlflow.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

NO_STORE_NOTICE = (
    "no MLflow tracking store configured (--mlflow-uri, mlflow.tracking_uri, "
    "MLFLOW_TRACKING_URI or mlflow.db at the repo root); MLflow rules skipped"
)
DEFAULT_TIMEOUT_SECONDS = 10.0

# Query parameters that carry secrets in some store URIs (SAS tokens, signed URLs...).
_SECRET_QUERY = re.compile(
    r"token|secret|password|passwd|pwd|sig|signature|key|credential|auth", re.IGNORECASE
)
_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")


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


def resolve_store(options: Mapping[str, Any], env: Mapping[str, str]) -> StoreChoice:
    """Apply the precedence: --mlflow-uri, then a snapshot (--mlflow-snapshot, config
    `snapshot`), then config `tracking_uri`, MLFLOW_TRACKING_URI, `mlflow.db` at the repo root.

    A snapshot beats every live store except one given on the command line, so a repo that
    records a snapshot checks offline (pre-commit.ci) unless a URI is asked for explicitly.
    """
    config = options.get("mlflow_config") or {}
    root = Path(str(options.get("repo_root") or "."))
    if options.get("mlflow_uri"):
        return StoreChoice(uri=str(options["mlflow_uri"]), origin="--mlflow-uri")
    if options.get("mlflow_snapshot"):
        return StoreChoice(snapshot=str(options["mlflow_snapshot"]), origin="--mlflow-snapshot")
    if config.get("snapshot"):
        return StoreChoice(snapshot=str(root / str(config["snapshot"])), origin="mlflow.snapshot")
    if config.get("tracking_uri"):
        uri = _relative_sqlite(str(config["tracking_uri"]), root)
        return StoreChoice(uri=uri, origin="mlflow.tracking_uri")
    if env.get("MLFLOW_TRACKING_URI"):
        return StoreChoice(uri=env["MLFLOW_TRACKING_URI"], origin="MLFLOW_TRACKING_URI")
    default_db = root / "mlflow.db"
    if default_db.is_file():
        return StoreChoice(uri=f"sqlite:///{default_db.resolve()}", origin="mlflow.db")
    return StoreChoice()


def resolve_scope(options: Mapping[str, Any]) -> Scope:
    config = options.get("mlflow_config") or {}
    globs = config.get("experiments") or ()
    if isinstance(globs, str):
        globs = (globs,)
    since = config.get("runs_since_days")
    timeout = config.get("timeout_seconds")
    return Scope(
        experiments=tuple(str(g) for g in globs),
        runs_since_days=float(since) if since is not None else None,
        timeout_seconds=float(timeout) if timeout is not None else DEFAULT_TIMEOUT_SECONDS,
    )


def in_scope(name: str, globs: tuple[str, ...]) -> bool:
    """Whether an experiment name is in scope (no globs: every experiment)."""
    return not globs or any(fnmatch.fnmatchcase(name, g) for g in globs)


def current_choice(options: Mapping[str, Any]) -> StoreChoice:
    return resolve_store(options, os.environ)


def _relative_sqlite(uri: str, root: Path) -> str:
    # A relative sqlite path in the config means relative to the repo, not to wherever
    # govcheck happens to be started (MLflow itself would use the working directory).
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        rest = uri[len(prefix) :]
        if rest and rest != ":memory:" and not rest.startswith("file:"):
            return prefix + str((root / rest).resolve())
    return uri


def redact_uri(uri: str) -> str:
    """The URI without user, password or secret query values: safe for messages and reports."""
    # String surgery rather than urlunsplit, which rewrites `sqlite:////abs` paths.
    base, sep, query = _USERINFO.sub("", uri, count=1).partition("?")
    if not sep:
        return base
    pairs = parse_qsl(query, keep_blank_values=True)
    return (
        base
        + "?"
        + urlencode([(k, "***" if _SECRET_QUERY.search(k) else v) for k, v in pairs], safe="*")
    )


def scrub(text: str) -> str:
    """Remove `user:password@` from every URL inside a free-form message (e.g. MLflow's)."""
    return _USERINFO.sub("", text)
