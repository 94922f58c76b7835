"""The content cache: per-file facts kept between checks in `<git dir>/govcheck/`.

Entries are keyed by what they were computed from: the kind of fact, the file's path (its
marks name it) and the git blob id of the bytes read (`sha1("blob <size>\\0" + bytes)`,
the id `git ls-files -s` shows for a clean file, computed from the bytes actually read so
a file edited in the working tree gets its own). Everything else that shapes an entry is
the code that made it: the pack is stamped with govcheck's version and a fingerprint of
its installed source files, and a pack with another stamp is ignored and replaced.

One pack file per repository (`facts.pack`, in the common git directory, so worktrees of
a repository share it; never tracked, never shared between repositories): a header line,
an index line (key -> offset, length, CRC-32 of the entry) and the entries as JSON. A
check reads the pack once, decodes only the entries it uses, and when it made new ones
writes a new pack through a temporary file and `os.replace`: a concurrent check reads
the old pack or the new one, never half of one, and the last writer wins (the other's
entries are made again next time). Nothing read is trusted: a header or index that does
not check out drops the pack, an entry whose CRC or shape is wrong is a miss (recomputed
and rewritten). JSON, not pickle: a file planted in `.git/` can then at worst make a
check recompute, never run code.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zlib
from pathlib import Path
from typing import Any

from govcheck import __version__

DIR_NAME = "govcheck"
PACK = "facts.pack"
_MAGIC = b"govcheck-facts"
# Entries of other checks (other branches, other PATHs) kept beside the ones a check used:
# up to this many times their number, and at least _MIN_KEPT in all.
_KEEP_FACTOR = 3
_MIN_KEPT = 50_000


def blob_id(data: bytes) -> str:
    """The git blob id of these bytes (what `git hash-object` prints)."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


@functools.cache  # a check asks twice (the pack's stamp, the verdict's key): one walk
def fingerprint() -> str:
    """govcheck's version and its source files (path, size, mtime): an edited checkout or
    another install never reads entries an older parser made."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for folder, dirs, names in sorted(os.walk(package)):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                h.update(
                    f"{folder[len(str(package)) :]}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode()
                )
    return h.hexdigest()[:32]


def cache_dir(git_common_dir: str | os.PathLike[str]) -> Path:
    return Path(git_common_dir) / DIR_NAME


class FileCache:
    """The entries of one repository's pack, read lazily, with the ones this check made."""

    def __init__(self, directory: Path | None, stamp: str | None = None) -> None:
        """directory None: entries live for this check only (--no-cache with parse workers)."""
        self.directory = directory
        self.path = directory / PACK if directory is not None else None
        self.stamp = stamp or fingerprint()
        self._data = b""
        self._index: dict[str, list[int]] | None = None
        self._used: set[str] = set()
        self._new: dict[str, bytes] = {}
        self._bad = False  # something read did not check out: rewrite the pack
        self.hits = self.misses = 0

    @staticmethod
    def key(kind: str, path: str, blob: str) -> str:
        return f"{kind}\0{path}\0{blob}"

    def _load(self) -> dict[str, list[int]]:
        if self._index is not None:
            return self._index
        self._index = {}
        if self.path is None:
            return self._index
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError:
            return self._index
        try:
            header, rest = data.split(b"\n", 1)
            magic, stamp, index_sum = header.split(b" ")
            index_line, body = rest.split(b"\n", 1)
            if magic != _MAGIC or stamp.decode() != self.stamp:
                self._bad = True  # another govcheck's pack: replaced, never read
                return self._index
            if hashlib.sha256(index_line).hexdigest()[:32].encode() != index_sum:
                raise ValueError("index checksum")
            index = json.loads(index_line)
            if not isinstance(index, dict):
                raise TypeError("index shape")
        except (ValueError, TypeError):
            self._bad = True
            return self._index
        self._data = body
        self._index = index
        return index

    def get(self, key: str) -> Any:
        """The stored value, or None (missing, or an entry that does not check out)."""
        raw = self._new.get(key)
        if raw is None:
            where = self._load().get(key)
            if where is None:
                self.misses += 1
                return None
            raw = self._entry(key, where)
            if raw is None:
                self.misses += 1
                return None
        try:
            value = json.loads(raw)
        except ValueError:
            self._forget(key)
            return None
        self._used.add(key)
        self.hits += 1
        return value

    def _entry(self, key: str, where: Any) -> bytes | None:
        try:
            offset, length, crc = where
            raw = self._data[offset : offset + length]
            if len(raw) != length or zlib.crc32(raw) != crc:
                raise ValueError(key)
        except (ValueError, TypeError):
            self._forget(key)
            return None
        return raw

    def _forget(self, key: str) -> None:
        """A bad entry: never used again, and the pack is rewritten without it."""
        if self._index is not None:
            self._index.pop(key, None)
        self._bad = True

    def rejected(self, key: str) -> None:
        """The caller could not decode a stored value: treat it as corrupt."""
        self._used.discard(key)
        self._new.pop(key, None)
        self._forget(key)

    def has(self, key: str) -> bool:
        """Whether an entry is stored under key (not yet checked: get() does that)."""
        return key in self._new or key in self._load()

    def put(self, key: str, value: Any) -> None:
        self.put_encoded(key, encode(value))

    def put_encoded(self, key: str, raw: bytes) -> None:
        """Store an entry already encoded (encode()), e.g. by a parse worker."""
        self._new[key] = raw
        self._used.add(key)

    def save(self) -> None:
        """Write the pack when this check made or dropped entries; errors are not fatal
        (a read-only .git keeps working, uncached)."""
        index = self._load()
        if self.directory is None or (not self._new and not self._bad):
            return
        entries: dict[str, bytes] = {}
        for key in sorted(self._used):
            raw = self._new.get(key)
            if raw is None and key in index:
                raw = self._entry(key, index[key])
            if raw is not None:
                entries[key] = raw
        # Older entries stay (a PATH-limited pre-commit check must not empty the cache a
        # full check filled), except those of a file made again with new content, and only
        # up to a bound, so files long deleted or edited do not pile up for ever.
        remade = {key.rsplit("\0", 1)[0] for key in self._new}
        room = max(_KEEP_FACTOR * len(entries), _MIN_KEPT) - len(entries)
        for key, where in index.items():
            if room <= 0:
                break
            if key not in entries and key.rsplit("\0", 1)[0] not in remade:
                raw = self._entry(key, where)
                if raw is not None:
                    entries[key] = raw
                    room -= 1
        self._write(entries)

    def _write(self, entries: dict[str, bytes]) -> None:
        import tempfile  # only a check that made new entries pays for it

        table: dict[str, list[int]] = {}
        offset = 0
        for key, raw in entries.items():
            table[key] = [offset, len(raw), zlib.crc32(raw)]
            offset += len(raw)
        index_line = json.dumps(table, separators=(",", ":")).encode()
        digest = hashlib.sha256(index_line).hexdigest()[:32]
        header = b" ".join((_MAGIC, self.stamp.encode(), digest.encode()))
        assert self.directory is not None and self.path is not None
        try:
            self.directory.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{PACK}.", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(header + b"\n" + index_line + b"\n")
                    for raw in entries.values():
                        out.write(raw)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass  # no cache this time; the check itself is unaffected


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def clear(directory: Path) -> list[tuple[Path, int]]:
    """Remove the cache directory and its files; returns each file removed with its size."""
    removed = []
    if directory.is_dir() and not directory.is_symlink():
        for entry in sorted(directory.iterdir()):
            if entry.is_file() or entry.is_symlink():
                size = entry.lstat().st_size
                entry.unlink()
                removed.append((entry, size))
        try:
            directory.rmdir()
        except OSError:
            pass
    return removed
