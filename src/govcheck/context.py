"""CheckContext: everything check-wide, resolved once per check and handed down.

The repository root, which paths the check is limited to, which commit it reads, what the
config excludes, the effective policy parameters, where MLflow facts come from, and where
long work reports its progress. It is
frozen: providers, conditions and the engine read it and never change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcheck.facts.mlflow_fieldset import RuleReads
from govcheck.facts.mlflow_store import (
    DEFAULT_SNAPSHOT_MAX_AGE_DAYS,
    NO_STORE_NOTICE,
    Scope,
    StoreChoice,
)
from govcheck.model import Location
from govcheck.progress import Progress, silent

DEFAULT_MAX_FILE_MB = 5


@dataclass(frozen=True)
class MlflowSettings:
    """The MLflow store or snapshot a check reads, its scope, and where findings anchor."""

    store: StoreChoice = field(default_factory=StoreChoice)
    scope: Scope = field(default_factory=Scope)
    # The config's `mlflow:` line: findings about entities (runs, models) point there, so
    # code review has a line to show them on.
    anchor: Location | None = None
    disabled: bool = False  # --no-mlflow
    snapshot_max_age_days: float = DEFAULT_SNAPSHOT_MAX_AGE_DAYS
    # What the enabled MLflow rules read: a snapshot must hold it (facts/mlflow_fieldset.py).
    reads: tuple[RuleReads, ...] = ()

    @property
    def skip_reason(self) -> str | None:
        """Why MLflow rules cannot run in this check, or None when they can."""
        if self.disabled:
            return "MLflow rules skipped (--no-mlflow)"
        return None if self.store.configured else NO_STORE_NOTICE


@dataclass(frozen=True)
class CheckContext:
    root: Path
    params: Mapping[str, Any] = field(default_factory=dict)
    # Repo-relative paths the check is limited to (PATH arguments, --changed-since);
    # None checks the whole repository.
    paths: frozenset[str] | None = None
    rev: str | None = None
    exclude: tuple[str, ...] = ()  # config `exclude:` globs: tracked paths no rule sees
    mlflow: MlflowSettings = field(default_factory=MlflowSettings)
    # Where long work reports how far it got (the CLI draws it on a terminal).
    progress: Progress = silent
    # config `max_file_mb`: larger files are listed (path, size) but never read or parsed
    max_file_bytes: int = DEFAULT_MAX_FILE_MB * 1024 * 1024
    # MLflow entities the check is limited to (`--model`: a version, its registered model
    # and run); None checks every entity in scope.
    entities: frozenset[str] | None = None
    # entity -> aliases a check assumes point at it (`--as-alias`: a candidate judged as the
    # serving version it is about to become).
    assumed_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def reaches(self, path: str) -> bool:
        """Whether this check looks at a file at all (a PATH-limited one may not)."""
        return self.paths is None or path in self.paths
