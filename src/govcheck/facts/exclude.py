"""Config `exclude:`: tracked paths that no rule sees (fixtures, vendored trees, goldens)."""

from __future__ import annotations

from typing import Any

from govcheck.globs import glob_match


class ExcludingSource:
    """A RepoSource that hides excluded paths from listing; everything else delegates."""

    def __init__(self, inner: Any, globs: tuple[str, ...]) -> None:
        self._inner = inner
        self._globs = globs

    def excluded(self, path: str) -> bool:
        return any(
            glob_match(g, path) or glob_match(g.rstrip("/") + "/**", path) for g in self._globs
        )

    def tracked(self) -> list[str]:
        return [p for p in self._inner.tracked() if not self.excluded(p)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
