"""Facts: what one check may read, each resource kind produced once by its provider.

Rules never touch git or MLflow directly; they see Resources produced by the providers
named in facts/registry.py, so a snapshot can stand in for a live source and every kind is
shared by all the rules that name it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from govcheck.context import CheckContext
from govcheck.filecache import FileCache
from govcheck.globs import glob_match
from govcheck.model import RepoInfo, Resource, ResourceStream
from govcheck.progress import Tick

T = TypeVar("T")
MAX_NOTICES = 200  # a repository of 20,000 unreadable files gets a list, not a book


class RepoSource(Protocol):
    """Read access to one tree of a git repository: the index or a given commit."""

    root: Path

    def tracked(self) -> list[str]:
        """Repo-relative POSIX paths of tracked regular files and symlinks, sorted."""

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        """Content of a tracked file; raises ValueError when larger than limit."""

    def size(self, path: str) -> int: ...

    def is_symlink(self, path: str) -> bool: ...

    def points_outside(self, path: str) -> bool:
        """Whether a tracked symlink resolves outside the repository."""

    def remotes(self) -> list[dict[str, str]]:
        """Remote names and URLs, credentials removed."""

    def info(self) -> RepoInfo: ...

    def commit_exists(self, sha: str) -> bool: ...

    def shallow(self) -> bool:
        """Whether history is cut short (a shallow clone): a missing commit proves nothing."""

    def attributes(self, paths: list[str], name: str) -> dict[str, str | None]:
        """Git attribute `name` (e.g. 'filter') for each path, one git call for all."""

    def last_changes(self, paths: list[str]) -> dict[str, float]:
        """Epoch seconds each path last changed (facts/gittimes.py), one git call for all;
        paths with no change in history are absent."""


# A provider gives its kind's resources as a list, or as a stream when they are too many to
# hold (MLflow runs): Facts.each hands the engine the stream itself.
Provider = Callable[["Facts"], "list[Resource] | ResourceStream"]


class Facts:
    """Everything a check may read, fetched lazily and at most once per kind."""

    def __init__(
        self,
        source: RepoSource,
        context: CheckContext,
        providers: Mapping[str, Provider],
        carry: dict[Hashable, Any] | None = None,
    ) -> None:
        self.source = source
        self.context = context
        self.params = context.params
        self._providers = providers
        self._cache: dict[str, list[Resource]] = {}
        self._made: dict[str, list[Resource] | ResourceStream] = {}
        self._shared: dict[str, Any] = {}
        self._carry: dict[Hashable, Any] = {} if carry is None else carry
        self._tracked: list[str] | None = None
        self._tracked_set: set[str] | None = None
        self._dirs: set[str] | None = None
        self._files: dict[str, Resource] | None = None
        self._notices: dict[str, None] = {}  # in order, each once
        self._more_notices = 0
        self._ticks: dict[tuple[str, str], int] = {}
        # Parsed per-file facts kept between checks (filecache.py); None: always computed.
        self.filecache: FileCache | None = None
        # Untracked paths looked for on disk, and whether they were there: a kept verdict
        # (verdicts.py) is reused only while each answer is the same.
        self.worktree_probes: dict[str, bool] = {}

    def resources(self, kind: str) -> list[Resource]:
        """Every resource of a kind, kept for the check (a streamed kind is read whole once:
        refers_to and tests look entities up; the engine reads streams through each())."""
        if kind not in self._cache:
            made = self._make(kind)
            self._cache[kind] = list(made) if isinstance(made, ResourceStream) else made
        return self._cache[kind]

    def each(self, kind: str) -> list[Resource] | ResourceStream:
        """The resources of a kind for one pass of the engine: a streamed kind's stream
        (read afresh, nothing kept) unless something already holds it whole."""
        if kind in self._cache:
            return self._cache[kind]
        made = self._make(kind)
        return made if isinstance(made, ResourceStream) else self.resources(kind)

    def streamed(self, kind: str) -> bool:
        """Whether a kind's provider streams it (marked `streams = True`), without making it."""
        return bool(getattr(self._providers.get(kind), "streams", False))

    def _make(self, kind: str) -> list[Resource] | ResourceStream:
        if kind not in self._made:
            self._made[kind] = self._providers[kind](self)
        return self._made[kind]

    def shared(self, key: str, make: Callable[[], T]) -> T:
        """One value per check for providers that share work (e.g. one MLflow reader for
        the four mlflow_* kinds), made on first use."""
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]  # type: ignore[no-any-return]

    def carried(self, key: Hashable, make: Callable[[], T]) -> T:
        """One value per command, for what does not depend on the tree: a check and the
        check of its --baseline-rev commit read MLflow once between them."""
        if key not in self._carry:
            self._carry[key] = make()
        return self._carry[key]  # type: ignore[no-any-return]

    def carried_if_made(self, key: Hashable) -> Any:
        """The carried value under key if something made it, else None (never makes it)."""
        return self._carry.get(key)

    def tracked(self) -> list[str]:
        """Tracked paths, sorted, minus what the config excludes."""
        if self._tracked is None:
            globs = self.context.exclude
            self._tracked = [p for p in self.source.tracked() if not (globs and excluded(p, globs))]
        return self._tracked

    def tracked_set(self) -> set[str]:
        if self._tracked_set is None:
            self._tracked_set = set(self.tracked())
        return self._tracked_set

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

    def in_worktree(self, path: str) -> bool:
        """Whether a path exists in the working tree, tracked or not (never under --rev)."""
        if self.context.rev is not None:
            return False
        try:
            found = (self.context.root / path).exists()
        except (OSError, ValueError):  # a name too long for the filesystem, a NUL in it
            found = False
        self.worktree_probes[path] = found
        return found

    def file(self, path: str) -> Resource | None:
        """The `file` resource at a repo-relative path, if tracked."""
        if self._files is None:
            self._files = {r.id: r for r in self.resources("file")}
        return self._files.get(path)

    def reaches(self, path: str) -> bool:
        """Whether a check limited to PATHs looks at this file at all.

        Providers whose resources each touch one file skip the others instead of reading
        and parsing them: the engine would drop their resources anyway.
        """
        return self.context.reaches(path)

    def tick(self, task: str, unit: str) -> None:
        """One more item of long work done (a file read): counted, and shown on a terminal."""
        key = (task, unit)
        count = self._ticks[key] = self._ticks.get(key, 0) + 1
        self.context.progress(Tick(task, count, unit))

    def notice(self, text: str) -> None:
        if text in self._notices:
            return
        if len(self._notices) < MAX_NOTICES:
            self._notices[text] = None
        else:
            self._more_notices += 1

    @property
    def notices(self) -> list[str]:
        """What the report says beside findings: files not read, symlinks skipped..."""
        more = self._more_notices
        return list(self._notices) + ([f"... and {more} more notices"] if more else [])


def excluded(path: str, globs: tuple[str, ...]) -> bool:
    """Whether config `exclude:` hides a path: a glob, or a folder and everything below."""
    return any(glob_match(g, path) or glob_match(g.rstrip("/") + "/**", path) for g in globs)
