"""Read one tree of a git repository: the index and working tree, or a commit (--rev).

Listing is a single git call (`ls-files -s` / `ls-tree -r -l`), blob reads and commit
look-ups go through GitPython's persistent `cat-file` processes, so a 20,000-file repository
costs a handful of subprocesses, not one per file.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

import git

from govcheck.boundary import in_git_dir
from govcheck.errors import DataSourceError, UsageError
from govcheck.facts.gittimes import last_changes
from govcheck.model import RepoInfo
from govcheck.redact import redact_remote

_FILE_MODES = {"100644", "100755", "120000"}  # regular, executable, symlink (no gitlinks)
_SYMLINK = "120000"
_HEX = re.compile(r"[0-9a-fA-F]{4,40}")
_MAX_LINK_HOPS = 8


class _Entry(NamedTuple):
    mode: str
    sha: str
    size: int | None  # known from ls-tree; None until asked for index entries


def open_repo(path: str | Path) -> git.Repo:
    """The repository containing path (searching upwards), or DataSourceError."""
    try:
        repo = git.Repo(path, search_parent_directories=True)
        if repo.bare or repo.working_tree_dir is None:
            raise git.InvalidGitRepositoryError(str(path))
        return repo
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError):
        raise DataSourceError(f"not a git repository: {path}") from None


class _GitSource:
    """What both trees share: repository info, commits, attributes, blob reads."""

    def __init__(self, repo: git.Repo) -> None:
        self.repo = repo
        self.root = Path(str(repo.working_tree_dir))
        self._root_str = str(self.root)
        self._entries: dict[str, _Entry] = {}
        self._commits: dict[str, bool] = {}

    def tracked(self) -> list[str]:
        return sorted(self._entries)

    def staged_blob(self, path: str) -> str | None:
        """The blob id the index (or commit) holds for a tracked path."""
        entry = self._entries.get(path)
        return entry.sha if entry is not None else None

    def is_symlink(self, path: str) -> bool:
        entry = self._entries.get(path)
        return entry is not None and entry.mode == _SYMLINK

    def remotes(self) -> list[dict[str, str]]:
        out = []
        for remote in self.repo.remotes:
            try:
                out.append({"name": remote.name, "url": redact_remote(remote.url)})
            except (git.GitCommandError, ValueError, KeyError):
                continue  # a remote without a url
        return out

    def _remote_url(self) -> str | None:
        remotes = self.remotes()
        chosen = [r for r in remotes if r["name"] == "origin"] or remotes
        return chosen[0]["url"] if chosen else None

    def commit_exists(self, sha: str) -> bool:
        if not isinstance(sha, str) or not _HEX.fullmatch(sha):
            return False
        key = sha.lower()
        if key not in self._commits:
            try:
                _, kind, _ = self.repo.git.get_object_header(key)
                # GitPython declares str but hands back the type name as bytes
                name = kind.decode() if isinstance(kind, bytes) else str(kind)
                self._commits[key] = name == "commit"
            except (ValueError, git.GitCommandError):
                self._commits[key] = False  # missing or ambiguous
        return self._commits[key]

    def shallow(self) -> bool:
        try:
            return bool(self.repo.git.rev_parse("--is-shallow-repository") == "true")
        except git.GitCommandError:  # git older than 2.15: look for the marker file
            return (Path(self.repo.git_dir) / "shallow").is_file()

    def attributes(self, paths: list[str], name: str) -> dict[str, str | None]:
        if not paths:
            return {}
        out = self._check_attr(paths, name, self._attr_args())
        return out

    def _attr_args(self) -> list[str]:
        return []

    def _check_attr(self, paths: list[str], name: str, extra: list[str]) -> dict[str, str | None]:
        done = subprocess.run(
            ["git", "check-attr", "-z", "--stdin", *extra, name],
            cwd=self.root,
            input="\0".join(paths).encode() + b"\0",
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise DataSourceError(
                f"git check-attr failed in {self.root}: "
                f"{done.stderr.decode(errors='replace').strip()}"
            )
        fields = done.stdout.decode("utf-8", errors="surrogateescape").split("\0")
        out: dict[str, str | None] = {p: None for p in paths}
        for i in range(0, len(fields) - 2, 3):
            path, value = fields[i], fields[i + 2]
            out[path] = None if value in ("unspecified", "unset") else value
        return out

    def _blob(self, entry: _Entry, path: str, limit: int | None) -> bytes:
        size = self._blob_size(entry)
        if limit is not None and size > limit:
            raise ValueError(f"{path}: {size} bytes, over the {limit}-byte limit")
        data: bytes = self.repo.odb.stream(bytes.fromhex(entry.sha)).read()
        return data

    def _blob_size(self, entry: _Entry) -> int:
        if entry.size is not None:
            return entry.size
        return int(self.repo.git.get_object_header(entry.sha)[2])

    def _resolve_in_tree(self, path: str) -> str | None:
        """Follow a symlink through the tree's own entries; None when it leaves the repo."""
        for _ in range(_MAX_LINK_HOPS):
            entry = self._entries.get(path)
            if entry is None or entry.mode != _SYMLINK:
                return path
            target = self._blob(entry, path, 4096).decode("utf-8", errors="replace")
            if target.startswith("/"):
                return None
            path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if path == ".." or path.startswith("../") or in_git_dir(path.split("/")):
                return None
        return None  # a loop: treat as unreadable, like outside

    def _read_via_tree(self, path: str, limit: int | None) -> bytes:
        resolved = self._resolve_in_tree(path)
        entry = self._entries.get(resolved) if resolved else None
        if entry is None or entry.mode == _SYMLINK:
            raise ValueError(f"{path}: symlink does not resolve to a file in the repository")
        return self._blob(entry, path, limit)


class WorkingSource(_GitSource):
    """Files in the index (`git ls-files`); content from the working tree when present."""

    def __init__(self, repo: git.Repo) -> None:
        super().__init__(repo)
        self._real_root = os.path.realpath(self.root)
        # The git directory may live elsewhere (a worktree's) or under another name.
        self._real_git_dirs = {
            os.path.realpath(str(d)) for d in (repo.git_dir, repo.common_dir) if d
        }
        self._real_dirs: dict[str, str] = {}  # directory -> its realpath, once per check
        try:
            listing = repo.git.ls_files("-s", "-z")
        except git.GitCommandError as exc:
            raise DataSourceError(f"cannot list files in {self.root}: {exc.stderr.strip()}")
        # The index names every file's content: what a kept verdict was computed from
        # (facts/treestate.py), together with the files edited since they were staged.
        self.listing_digest = hashlib.sha256(listing.encode("utf-8", "surrogateescape")).hexdigest()
        for record in listing.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, sha, _stage = meta.split(" ")
            if mode in _FILE_MODES:  # several stages during a merge: keep any one
                self._entries[path] = _Entry(mode, sha, None)

    def info(self) -> RepoInfo:
        head = self.repo.head
        try:
            sha: str | None = head.commit.hexsha
        except ValueError:  # unborn branch: no commit yet
            sha = None
        branch = None if head.is_detached else head.reference.name
        return RepoInfo(str(self.root), sha, branch, self._remote_url())

    def last_changes(self, paths: list[str]) -> dict[str, float]:
        """Commit times from HEAD's history; a path whose index or working-tree content
        differs from HEAD (staged, modified, added) changed now: the commit being prepared
        is the change that will land."""
        now = time.time()
        edited = set(working_changes(self.repo)) & set(paths)
        rest = [p for p in paths if p not in edited]
        found: dict[str, float] = {p: now for p in edited}
        if rest and self.info().head is not None:
            found.update(last_changes(self.root, "HEAD", rest))
        return found

    def points_outside(self, path: str) -> bool:
        if not self.is_symlink(path):
            return False
        full = os.path.join(self._root_str, path)
        if not os.path.islink(full):
            return self._resolve_in_tree(path) is None
        return not self._inside(os.path.realpath(full))

    def _inside(self, real: str) -> bool:
        """Whether a resolved path is repository content: below the root, outside git's
        own directory."""
        if not real.startswith(self._real_root + os.sep):
            return False
        if in_git_dir(real[len(self._real_root) + 1 :].split(os.sep)):
            return False
        return not any(real == d or real.startswith(d + os.sep) for d in self._real_git_dirs)

    def _worktree_stat(self, path: str) -> os.stat_result | None:
        """stat of the file to read from the working tree, None to use the index blob."""
        full = os.path.join(self._root_str, path)
        try:
            st = os.stat(full) if self.is_symlink(path) else os.lstat(full)
        except OSError:
            return None
        return st if stat.S_ISREG(st.st_mode) else None

    def size(self, path: str) -> int:
        if path not in self._entries:
            raise KeyError(path)
        if self.is_symlink(path) and self.points_outside(path):
            return 0
        st = self._worktree_stat(path)
        if st is not None:
            return st.st_size
        try:
            return (
                len(self._read_via_tree(path, None))
                if self.is_symlink(path)
                else self._blob_size(self._entries[path])
            )
        except ValueError:
            return 0

    def _realpath(self, path: str) -> str:
        full = os.path.join(self._root_str, path)
        if self.is_symlink(path):
            return os.path.realpath(full)
        # A regular file (lstat said so): only its directories can be links, and each
        # directory is resolved once instead of once per file in it.
        parent, name = os.path.split(full)
        real_parent = self._real_dirs.get(parent)
        if real_parent is None:
            real_parent = self._real_dirs[parent] = os.path.realpath(parent)
        return os.path.join(real_parent, name)

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        if path not in self._entries:
            raise KeyError(path)
        if self.points_outside(path):
            raise ValueError(f"{path}: symlink points outside the repository")
        st = self._worktree_stat(path)
        if st is None:
            return self._read_via_tree(path, limit)
        if limit is not None and st.st_size > limit:
            raise ValueError(f"{path}: {st.st_size} bytes, over the {limit}-byte limit")
        real = self._realpath(path)
        if not self._inside(real):
            # a parent directory swapped for a symlink (outside, or into .git) since staged
            return self._read_via_tree(path, limit)
        with open(real, "rb") as handle:
            return handle.read()


class RevSource(_GitSource):
    """The tree of one commit, read from blobs: the working tree and index are never used."""

    def __init__(self, repo: git.Repo, rev: str) -> None:
        super().__init__(repo)
        self.rev = rev
        try:
            if rev.startswith("-"):
                raise ValueError(rev)
            sha = repo.git.rev_parse("--verify", "-q", "--end-of-options", rev + "^{commit}")
            self.commit = repo.commit(sha)
        except (ValueError, git.BadName, git.GitCommandError):
            raise UsageError(f"unknown revision: {rev}") from None
        listing = repo.git.ls_tree("-r", "-l", "-z", "--full-tree", self.commit.hexsha)
        for record in listing.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, kind, sha, size = meta.split()
            if mode in _FILE_MODES and kind == "blob":
                self._entries[path] = _Entry(mode, sha, int(size))

    def last_changes(self, paths: list[str]) -> dict[str, float]:
        """Commit times from the history of the commit checked (later commits unseen)."""
        return dict(last_changes(self.root, self.commit.hexsha, paths))

    def info(self) -> RepoInfo:
        names = {h.name for h in self.repo.heads}
        branch = self.rev if self.rev in names else None
        return RepoInfo(str(self.root), self.commit.hexsha, branch, self._remote_url())

    def points_outside(self, path: str) -> bool:
        return self.is_symlink(path) and self._resolve_in_tree(path) is None

    def size(self, path: str) -> int:
        if not self.is_symlink(path):
            return self._blob_size(self._entries[path])
        try:
            return len(self._read_via_tree(path, None))
        except ValueError:
            return 0

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        if path not in self._entries:
            raise KeyError(path)
        return self._read_via_tree(path, limit)

    def _attr_args(self) -> list[str]:
        # `--source` (git >= 2.40) reads .gitattributes from the commit; older git falls
        # back to the index, the closest tree it can read without a checkout.
        return ["--source", self.commit.hexsha]

    def attributes(self, paths: list[str], name: str) -> dict[str, str | None]:
        if not paths:
            return {}
        try:
            return self._check_attr(paths, name, self._attr_args())
        except DataSourceError:
            return self._check_attr(paths, name, ["--cached"])


def changed_paths(path: str | Path, ref: str) -> list[str]:
    """Repo paths changed since REF (for --changed-since), staged and unstaged included.

    Compared from the merge base of REF and HEAD, as CI does for a pull request, so changes
    made on REF's branch after this branch forked do not count as this branch's changes.
    """
    repo = open_repo(path)
    try:
        if ref.startswith("-"):
            raise ValueError(ref)
        target = repo.git.rev_parse("--verify", "-q", "--end-of-options", ref + "^{commit}")
    except (ValueError, git.GitCommandError):
        raise UsageError(f"unknown revision: {ref}") from None
    try:
        base = repo.git.merge_base(target, "HEAD")
    except git.GitCommandError:  # unrelated histories or no HEAD yet
        base = target
    listing = repo.git.diff("--name-only", "-z", "--no-renames", base, "--")
    return sorted(p for p in listing.split("\0") if p)


class Change(NamedTuple):
    """One staged change, as `git diff --cached --raw` reports it (renames as delete + add)."""

    status: str  # A added, M modified, D deleted, T type changed, ...
    path: str
    old_blob: str  # zeros when added
    new_blob: str  # zeros when deleted


def staged_changes(path: str | Path) -> list[Change]:
    """What the next commit records compared with HEAD: every staged path, deletions included
    (pre-commit passes hooks only the files that still exist)."""
    repo = open_repo(path)
    try:
        listing = repo.git.diff("--cached", "--raw", "-z", "--no-renames", "--no-abbrev")
    except git.GitCommandError as exc:
        raise DataSourceError(f"cannot read the staged changes: {exc.stderr.strip()}") from None
    fields = listing.split("\0")
    changes = []
    for meta, name in zip(fields[0::2], fields[1::2]):
        if meta.startswith(":"):
            _, _, old, new, status = meta[1:].split(" ")
            changes.append(Change(status[:1], name, old, new))
    return changes


def working_changes(repo: git.Repo) -> tuple[str, ...]:
    """Tracked paths whose index or working-tree content differs from HEAD (every tracked
    path when there is no commit yet)."""
    try:
        listing = repo.git.diff("--name-only", "-z", "--no-renames", "HEAD", "--")
    except git.GitCommandError:  # no HEAD yet: everything in the index is new
        listing = repo.git.ls_files("-z")
    return tuple(sorted(p for p in listing.split("\0") if p))
