"""The repository boundary: git's own directory is never repository content.

A CI checkout keeps its token in `.git/config`; hooks and packed refs live beside it. A
tracked symlink, a policy path, a config path or a `govcheck test` case could all point
there, so every reader asks here first. Git itself refuses `.git` as a tracked path
component (in any case), so nothing legitimate is lost.
"""

from __future__ import annotations

import os
from pathlib import Path


def in_git_dir(parts: list[str] | tuple[str, ...]) -> bool:
    """Whether a path, as its components, lies in a `.git` directory."""
    return any(part.lower() == ".git" for part in parts)


def resolves_into_git_dir(path: str | os.PathLike[str]) -> bool:
    """Whether a file path, symlinks followed, is inside a `.git` directory."""
    return in_git_dir(Path(os.path.realpath(path)).parts)
