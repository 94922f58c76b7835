"""The `repo`, `file` and `directory` resources.

A file's listing fields are cheap and eager; everything that needs its content (text,
parsed data, markdown structure, LFS pointer check) is lazy, so a rule that only looks at
paths never reads a byte, and a file read for one rule is parsed once for all of them.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from govcheck.facts import changes, encoded, markdown
from govcheck.facts.base import Facts, RepoSource
from govcheck.facts.parsing import Parsed, data_format, name_and_suffix, parse_file, refused
from govcheck.facts.pycode import CodeUnit, code_units
from govcheck.filecache import blob_id
from govcheck.model import LazyFields, Location, Resource

MARKDOWN_SUFFIXES = (".md", ".markdown")
CARD_NAMES = ("MODEL_CARD.md", "model_card.md", "README.md")
_LFS_POINTER = b"version https://git-lfs.github.com/spec/"
_MB = 1024 * 1024
# Byte order marks of the encodings YAML allows besides UTF-8 (UTF-32 first: its
# little-endian mark begins with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class FileFields(LazyFields):
    """A file's fields: listing facts eager, content facts computed on first read.

    The lazy fields are looked up in one class-level table instead of per-file closures:
    with 20,000 files, fewer objects per file keeps the garbage collector out of the way.
    """

    def __init__(self, facts: Facts, path: str, lfs_attr: LfsAttributes) -> None:
        # LazyFields.__init__ is skipped on purpose: _computed replaces its per-instance table.
        self.facts = facts
        self.path = path
        name, self.suffix = name_and_suffix(path)
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        self._values = {"path": path, "name": name, "suffix": self.suffix, "dir": parent}
        self._lfs_attr = lfs_attr

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        compute = _COMPUTED.get(key)
        if compute is None:
            raise KeyError(key)
        value = self._values[key] = compute(self)
        return value

    def __iter__(self) -> Iterator[str]:
        yield from self._values
        yield from (k for k in _COMPUTED if k not in self._values)

    def __len__(self) -> int:
        return len(self._values.keys() | _COMPUTED.keys())

    @cached_property
    def size(self) -> int:
        return self.facts.source.size(self.path)

    @cached_property
    def raw(self) -> bytes | None:
        self.facts.tick("reading files", "files")
        limit = self.facts.context.max_file_bytes
        try:
            return self.facts.source.read_bytes(self.path, limit)
        except ValueError:
            if self.size > limit:
                self.facts.notice(
                    f"{self.path}: {self.size / _MB:.3g} MB, over max_file_mb "
                    f"({limit / _MB:.3g}): its content is not read"
                )
            return None
        except OSError as exc:
            self.facts.notice(f"{self.path}: cannot be read ({exc.strerror or exc})")
            return None

    @cached_property
    def text(self) -> str | None:
        raw = self.raw
        if raw is None:
            return None
        text = decode_text(raw)
        if text is None and (data_format(self.path) or self.suffix in MARKDOWN_SUFFIXES):
            # a config or a card whose references and sections would vanish unseen
            self.facts.notice(f"{self.path}: not UTF-8 or UTF-16 text; its content is not read")
        return text

    def quiet_text(self) -> str | None:
        """The text, read now without notices (parse workers are handed it before any rule
        asks); None leaves a file that cannot be read to `raw`, which says why in the
        order rules ask, as without workers."""
        if "text" in self.__dict__:
            return self.text
        if "raw" not in self.__dict__:
            try:
                raw = self.facts.source.read_bytes(self.path, self.facts.context.max_file_bytes)
            except (ValueError, OSError):
                return None
            self.facts.tick("reading files", "files")
            self.__dict__["raw"] = raw
        if self.raw is None:
            return None
        text = decode_text(self.raw)
        if text is not None:
            self.__dict__["text"] = text
        return text

    @cached_property
    def blob(self) -> str | None:
        """The git blob id of the bytes read: what cached facts of this file are keyed by."""
        return blob_id(self.raw) if self.raw is not None else None

    def cached(
        self,
        kind: str,
        make: Callable[[], Any],
        encode: Callable[[Any], Any],
        decode: Callable[[Any], Any],
    ) -> Any:
        """make(), or its value from the content cache (facts/encoded.py, filecache.py): for
        facts that are a function of this file's path and bytes alone, and say nothing (no
        notice) while they are made."""
        cache = self.facts.filecache
        blob = self.blob if cache is not None else None
        if cache is None or blob is None:
            return make()
        key = cache.key(kind, self.path, blob)
        stored = cache.get(key)
        if stored is not None:
            try:
                return decode(stored)
            except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
                cache.rejected(key)  # a damaged entry: recomputed and rewritten
        value = make()
        stored = encode(value)
        if stored is not None:
            cache.put(key, stored)
        return value

    @cached_property
    def parsed(self) -> Parsed | None:
        text = self.text
        if text is None or data_format(self.path) is None:
            return None
        path = self.path
        parsed: Parsed = self.cached(
            "parsed",
            lambda: parse_file(path, text),
            lambda p: encoded.encode_parsed(p, path),
            lambda e: encoded.decode_parsed(e, path),
        )
        if parsed.refused:
            self.facts.notice(f"{self.path}:{parsed.error}")
        return parsed

    @cached_property
    def code(self) -> list[CodeUnit]:
        """The parsed Python of a `.py` file or a notebook's code cells (readers share it)."""
        return code_units(self.path, self.text)

    @cached_property
    def markdown_text(self) -> str | None:
        return self.text if self.suffix in MARKDOWN_SUFFIXES else None

    @cached_property
    def front(self) -> markdown.FrontMatter | None:
        text = self.markdown_text
        if text is None:
            return None
        path = self.path
        front: markdown.FrontMatter = self.cached(
            "front",
            lambda: markdown.front_matter(text, path),
            lambda f: encoded.encode_front(f, path),
            lambda e: encoded.decode_front(e, path),
        )
        if refused(front.error):
            self.facts.notice(f"{self.path}:{front.error}")
        return front

    @cached_property
    def scan(self) -> markdown.Scan | None:
        """The file's markdown structure, built once for all its fields and rules."""
        text, front = self.markdown_text, self.front
        if text is None or front is None:
            return None
        scan: markdown.Scan = self.cached(
            "scan",
            lambda: markdown.scan_with(text, front),
            encoded.encode_scan,
            encoded.decode_scan,
        )
        return scan

    def parse_error(self) -> str | None:
        if self.parsed is not None:
            return self.parsed.error
        return self.front.error if self.front is not None else None

    def parse_errors(self) -> list[dict[str, Any]]:
        """The parse error as a located item (line, column, message, context_line)."""
        problem = self.parsed.problem if self.parsed is not None else None
        return [problem.as_fields()] if problem else []

    def lfs(self) -> bool:
        if self._lfs_attr.get(self.path) == "lfs":
            return True
        if self.size > 1024:  # pointers are tiny
            return False
        return self.raw is not None and self.raw.startswith(_LFS_POINTER)


def decode_text(raw: bytes) -> str | None:
    """A file's bytes as text (UTF-8, or UTF-16/32 with a byte order mark); None when binary
    or in an encoding govcheck does not read."""
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8-sig")
    try:
        if encoding == "utf-8-sig" and b"\0" in raw[:8192]:
            raise ValueError("binary")
        return raw.decode(encoding)
    except ValueError:
        return None


def code_of(res: Resource) -> list[CodeUnit]:
    """The parsed code of a file resource (see FileFields.code); [] for other resources."""
    return res.fields.code if isinstance(res.fields, FileFields) else []


def _markdown(fn: Callable[[markdown.Scan], Any]) -> Callable[[FileFields], Any]:
    return lambda f: fn(f.scan) if f.scan is not None else []


_COMPUTED: dict[str, Callable[[FileFields], Any]] = {
    "size": lambda f: f.size,
    "size_mb": lambda f: f.size / _MB,
    "lfs": FileFields.lfs,
    "text": lambda f: f.text,
    "data": lambda f: f.parsed.data if f.parsed else None,
    "documents": lambda f: f.parsed.documents if f.parsed else [],
    "format": lambda f: data_format(f.path),
    "parse_error": FileFields.parse_error,
    "parse_errors": FileFields.parse_errors,
    "front_matter": lambda f: f.front.data if f.front else {},
    "headings": _markdown(markdown.headings_of),
    "sections": _markdown(markdown.sections_of),
    "lines": _markdown(markdown.lines_of),
    "last_changed": lambda f: changes.last_changed(f.facts, f.path),
}


class LfsAttributes:
    """`filter` attribute of every tracked file, fetched with one git call when first needed."""

    def __init__(self, source: RepoSource, paths: list[str]) -> None:
        self._source = source
        self._paths = paths
        self._values: dict[str, str | None] | None = None

    def get(self, path: str) -> str | None:
        if self._values is None:
            self._values = self._source.attributes(self._paths, "filter")
        return self._values.get(path)


def repo_resources(facts: Facts) -> list[Resource]:
    info = facts.source.info()
    remotes = facts.source.remotes()
    fields = {"root": info.root, "head": info.head, "branch": info.branch, "remotes": remotes}
    return [Resource("repo", "repo", fields)]


def readable_files(facts: Facts) -> list[str]:
    """Tracked files minus symlinks that leave the repository (each noticed once)."""
    source = facts.source
    out = []
    for path in facts.tracked():
        if source.is_symlink(path) and source.points_outside(path):
            facts.notice(f"skipped symlink {path}: points outside the repository")
            continue
        out.append(path)
    return out


def file_resources(facts: Facts) -> list[Resource]:
    paths = readable_files(facts)
    lfs = LfsAttributes(facts.source, paths)
    return [
        Resource(
            "file", path, FileFields(facts, path, lfs), Location(path), touches=(path,), file=path
        )
        for path in paths
    ]


def directory_resources(facts: Facts) -> list[Resource]:
    direct: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    for path in readable_files(facts):
        parts = path.split("/")
        if len(parts) > 1:
            direct.setdefault("/".join(parts[:-1]), []).append(parts[-1])
        for i in range(1, len(parts)):
            below.setdefault("/".join(parts[:i]), []).append(path)
    out = []
    for path in sorted(below):
        names = sorted(direct.get(path, []))
        everything = sorted(below[path])
        card = next((n for n in CARD_NAMES if n in names), None)
        shown = f"{path}/{card}" if card else (f"{path}/{names[0]}" if names else everything[0])
        fields: dict[str, Any] = {
            "path": path,
            "name": path.rsplit("/", 1)[-1],
            "files": names,
            "all_files": everything,
        }
        out.append(
            Resource(
                "directory",
                path,
                fields,
                Location(shown),
                touches=tuple(everything),
                covers=(path,),
                base_dir=path,
            )
        )
    return out
