"""One digest of the tree a check reads: equal digests, equal files.

A commit's tree is named by its id. The index and working tree are named by the index
listing (`git ls-files -s`: every tracked path with its mode and blob id, already read to
list the files) plus what differs from it on disk: `git diff-files` names the files
edited, deleted or retyped since they were staged (from the stat data git keeps, one
call), and those whose bytes differ from the staged blob are hashed as they are now, as
are files git is told not to look at (assume-unchanged, skip-worktree). Tracked symlinks add where they point,
since a link may resolve to a file git does not track.
"""

from __future__ import annotations

import hashlib
import os
import stat

from govcheck.facts.base import RepoSource
from govcheck.facts.gitrepo import RevSource, WorkingSource
from govcheck.filecache import blob_id

# An edited file larger than this is named by its stat data (size, times, inode) instead
# of its bytes: hashing a 2 GB file on every check would cost more than the check.
_HASH_MAX_BYTES = 16 * 1024 * 1024


def digest(source: RepoSource) -> str | None:
    """The tree's digest, or None for a source it cannot name."""
    if isinstance(source, RevSource):
        return "commit " + source.commit.hexsha
    if not isinstance(source, WorkingSource):
        return None
    h = hashlib.sha256(b"index " + source.listing_digest.encode())
    edited = source.repo.git.diff_files("--name-only", "-z")
    links = [p for p in source.tracked() if source.is_symlink(p)]
    for path in sorted(set(filter(None, edited.split("\0"))) | set(links) | _unwatched(source)):
        full = os.path.join(source.root, path)
        if path not in links and _same_as_staged(full, source.staged_blob(path)):
            continue  # only its stat data changed (rewritten with the same bytes)
        h.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
        h.update(_on_disk(full))
    return h.hexdigest()


def _unwatched(source: WorkingSource) -> set[str]:
    """Files git is told not to look at on disk (`update-index --assume-unchanged`,
    `--skip-worktree`): diff-files never names them, but the check reads them from disk."""
    listing = source.repo.git.ls_files("-v", "-z")
    out = set()
    for record in listing.split("\0"):
        tag, _, path = record.partition(" ")
        if path and (tag.islower() or tag == "S"):
            out.add(path)
    return out


def _same_as_staged(full: str, staged: str | None) -> bool:
    try:
        st = os.lstat(full)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _HASH_MAX_BYTES or staged is None:
            return False
        with open(full, "rb") as handle:
            return blob_id(handle.read()) == staged
    except OSError:
        return False


def _on_disk(full: str, follow: bool = False) -> bytes:
    try:
        st = os.stat(full) if follow else os.lstat(full)
    except OSError:
        return b"absent"
    if stat.S_ISLNK(st.st_mode):
        link = os.readlink(full).encode(errors="surrogateescape")
        target = os.path.realpath(full).encode(errors="surrogateescape")
        return b"link %s -> %s " % (link, target) + _on_disk(full, follow=True)
    if not stat.S_ISREG(st.st_mode):
        return b"mode %o" % st.st_mode
    if st.st_size > _HASH_MAX_BYTES:
        return b"stat %d %d %d %d" % (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    try:
        with open(full, "rb") as handle:
            return b"bytes " + hashlib.sha256(handle.read()).hexdigest().encode()
    except OSError:
        return b"unreadable"
