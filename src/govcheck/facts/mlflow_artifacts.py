"""The artifact paths a run logged, for rules that look for an evaluation report.

The tracking store does not hold artifacts, only where they live (`artifact_uri`): a local
artifact root (`./mlruns`, `file://...`) is walked directly; anything else (`s3://`,
`mlflow-artifacts:/`, Databricks) is listed through MLflow's client. Listing costs a request
per folder, so it is done only for the runs a rule asks about, and bounded: at most
MAX_FILES paths, MAX_DEPTH folders deep.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from govcheck import urls

MAX_FILES = 2000
MAX_DEPTH = 6


def local_root(artifact_uri: str) -> Path | None:
    """The folder of a local artifact root, or None when it is remote."""
    parsed = urls.split(artifact_uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "" or (len(parsed.scheme) == 1 and os.name == "nt"):
        return Path(artifact_uri)
    return None


def walk_local(root: Path) -> list[str]:
    """Files under a local artifact root, as repo-style relative paths, sorted."""
    out: list[str] = []
    if not root.is_dir():
        return out
    base = len(root.parts)
    for folder, dirs, files in os.walk(root):
        depth = len(Path(folder).parts) - base
        if depth >= MAX_DEPTH:
            dirs[:] = []
        dirs.sort()
        rel = Path(folder).relative_to(root).as_posix()
        for name in sorted(files):
            out.append(name if rel == "." else f"{rel}/{name}")
            if len(out) >= MAX_FILES:
                return sorted(out)
    return sorted(out)


def list_with_client(client: Any, run_id: str) -> list[str]:
    """Files of a run's artifacts through MlflowClient.list_artifacts, folder by folder."""
    return _listed(lambda path: client.list_artifacts(run_id, path))


def list_remote(artifact_uri: str) -> list[str]:
    """Files under a remote artifact root (s3://, gs://, mlflow-artifacts:/...) through
    MLflow's artifact repository for its scheme: the tracking store is not opened."""
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    repository = get_artifact_repository(artifact_uri)
    return _listed(repository.list_artifacts)


def _listed(list_folder: Callable[[str | None], Iterable[Any]]) -> list[str]:
    out: list[str] = []
    pending: list[tuple[str | None, int]] = [(None, 0)]
    while pending and len(out) < MAX_FILES:
        path, depth = pending.pop()
        for info in list_folder(path):
            if info.is_dir:
                if depth + 1 < MAX_DEPTH:
                    pending.append((info.path, depth + 1))
            else:
                out.append(info.path)
    return sorted(out[:MAX_FILES])
