"""A RepoSource that remembers what a check asked git beyond the files of its tree.

A check's verdict is kept between runs (verdicts.py) only with everything it was computed
from. The tree's files are named by their blob ids (facts/treestate.py); what else the
rules may ask - whether a commit exists, whether the clone is shallow, git attributes, the
remotes - is recorded here with its answer, so a later check can ask the same questions
and reuse the verdict only when every answer is still the same. History dates are not
recorded: they are measured against the clock, so a check that reads them is not kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from govcheck.facts.base import RepoSource
from govcheck.model import RepoInfo

# A question and its arguments, as JSON can hold them: ("commit", sha), ("attributes",
# name, paths), ("shallow",), ("remotes",).
Question = tuple[Any, ...]
T = TypeVar("T")


class RecordingSource:
    """Delegates to a source and records the questions whose answers are not files."""

    def __init__(self, inner: RepoSource) -> None:
        self.inner = inner
        self.root: Path = inner.root
        self.asked: list[tuple[Question, Any]] = []
        self.volatile: str | None = None  # why this check's verdict must not be kept

    def tracked(self) -> list[str]:
        return self.inner.tracked()

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        return self.inner.read_bytes(path, limit)

    def size(self, path: str) -> int:
        return self.inner.size(path)

    def is_symlink(self, path: str) -> bool:
        return self.inner.is_symlink(path)

    def points_outside(self, path: str) -> bool:
        return self.inner.points_outside(path)

    def info(self) -> RepoInfo:
        return self.inner.info()

    def remotes(self) -> list[dict[str, str]]:
        return self._record(("remotes",), self.inner.remotes())

    def commit_exists(self, sha: str) -> bool:
        return self._record(("commit", sha), self.inner.commit_exists(sha))

    def shallow(self) -> bool:
        return self._record(("shallow",), self.inner.shallow())

    def attributes(self, paths: list[str], name: str) -> dict[str, str | None]:
        return self._record(("attributes", name, list(paths)), self.inner.attributes(paths, name))

    def last_changes(self, paths: list[str]) -> dict[str, float]:
        self.volatile = "dates from git history, measured against the clock"
        return self.inner.last_changes(paths)

    def _record(self, question: Question, answer: T) -> T:
        self.asked.append((question, answer))
        return answer


def ask(source: RepoSource, question: Question) -> Any:
    """The answer `source` gives now to a recorded question (ValueError: not one)."""
    match question:
        case ["remotes"]:
            return source.remotes()
        case ["commit", str(sha)]:
            return source.commit_exists(sha)
        case ["shallow"]:
            return source.shallow()
        case ["attributes", str(name), list(paths)] if all(isinstance(p, str) for p in paths):
            return source.attributes(paths, name)
    raise ValueError(f"not a recorded question: {question!r:.80}")
