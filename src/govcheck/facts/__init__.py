"""Fact providers: each resource kind is produced by one provider, read once per check.

Rules never touch git or MLflow directly; they see Resources produced here, so a snapshot
can stand in for a live source and every kind is shared by all the rules that name it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from govcheck.model import RepoInfo, Resource


class RepoSource(Protocol):
    """Read access to one tree of a git repository: the index or a given commit."""

    root: Path

    def tracked(self) -> list[str]:
        """Repo-relative POSIX paths of tracked regular files, sorted."""

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        """Content of a tracked file; raises ValueError when larger than limit."""

    def size(self, path: str) -> int: ...

    def is_symlink(self, path: str) -> bool: ...

    def info(self) -> RepoInfo: ...

    def commit_exists(self, sha: str) -> bool: ...

    def attributes(self, paths: list[str], name: str) -> dict[str, str | None]:
        """Git attribute `name` (e.g. 'filter') for each path, one git call for all."""


Provider = Callable[["Facts"], list[Resource]]

# kind -> provider; filled by the modules that define providers (see _load_providers).
PROVIDERS: dict[str, Provider] = {}


def provider(kind: str) -> Callable[[Provider], Provider]:
    def register(fn: Provider) -> Provider:
        PROVIDERS[kind] = fn
        return fn

    return register


class Facts:
    """Everything a check may read, fetched lazily and at most once per kind."""

    def __init__(
        self,
        source: RepoSource,
        params: Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.source = source
        self.params = params
        # Check-wide settings providers may need (MLflow URI, snapshot, scope, config mark...).
        self.options: Mapping[str, Any] = options or {}
        self._cache: dict[str, list[Resource]] = {}
        self._tracked: set[str] | None = None
        self._dirs: set[str] | None = None
        self._files: dict[str, Resource] | None = None
        self.notices: list[str] = []

    def resources(self, kind: str) -> list[Resource]:
        if kind not in self._cache:
            _load_providers()
            self._cache[kind] = PROVIDERS[kind](self)
        return self._cache[kind]

    def tracked_set(self) -> set[str]:
        if self._tracked is None:
            self._tracked = set(self.source.tracked())
        return self._tracked

    def dir_set(self) -> set[str]:
        """Every directory that holds a tracked file, at any depth ('' is the root)."""
        if self._dirs is None:
            dirs = {""}
            for p in self.tracked_set():
                parts = p.split("/")[:-1]
                for i in range(1, len(parts) + 1):
                    dirs.add("/".join(parts[:i]))
            self._dirs = dirs
        return self._dirs

    def exists(self, path: str) -> bool:
        """Whether a tracked file, or a directory holding one, is at this path."""
        path = path.strip("/")
        return path in self.tracked_set() or path in self.dir_set()

    def file(self, path: str) -> Resource | None:
        """The `file` resource at a repo-relative path, if tracked."""
        if self._files is None:
            self._files = {r.id: r for r in self.resources("file")}
        return self._files.get(path)

    def reaches(self, path: str) -> bool:
        """Whether a check limited to PATHs (options["paths"]) looks at this file at all.

        Providers whose resources each touch one file skip the others instead of reading
        and parsing them: the engine would drop their resources anyway.
        """
        paths = self.options.get("paths")
        return paths is None or path in paths

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)


def known_kinds() -> list[str]:
    _load_providers()
    return sorted(PROVIDERS)


def _load_providers() -> None:
    # Importing the modules registers their providers. The MLflow module is light: it
    # imports mlflow itself only when one of its providers actually runs.
    from govcheck.facts import files, mlflow_source, references  # noqa: F401
