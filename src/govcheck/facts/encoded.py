"""Per-file facts as plain data and back, exactly: what the cache stores and what parse
workers send to the check.

A file's parsed data (`Parsed`: located YAML/JSON/TOML documents, the parse problem, a
refusal), its markdown front matter and its markdown scan become lists, strings, numbers
and None, which `json` writes and reads safely (no code runs on load, unlike pickle), and
come back as the same objects: LDict/LList with the same marks (the file's own path is
not stored: it is the cache key's), plain dicts and lists where the parser made plain
ones, containers an alias shares still shared (readers visit a shared container once),
TOML dates and times as the same `datetime` values. `encode_*` returns None for anything
it cannot represent exactly; that file is then simply not cached.

Encoding: scalars (str, int, float, bool, None) stand for themselves; every container is
a list whose first item is a tag, so a list in the encoding is never a value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govcheck.errors import Mark
from govcheck.facts.markdown import FrontMatter, Heading, Scan
from govcheck.facts.parsing import Parsed, Problem
from govcheck.yamlsrc import LDict, LList, new_mark

FORMAT = 1  # bump when the encoding changes: old cache entries are then never read
_DICT, _LIST, _LDICT, _LLIST, _REF, _DATETIME, _DATE, _TIME = range(8)
_SCALARS = (str, int, float, bool, type(None))


class Unencodable(Exception):
    """A value the encoding cannot carry exactly (the file is not cached)."""


class _Encoder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.seen: dict[int, int] = {}  # id(container) -> its index, for shared containers

    def mark(self, mark: Mark | None) -> list[int] | None:
        if mark is None:
            return None
        if mark.path != self.path:
            raise Unencodable(mark.path)
        return [mark.line, mark.column]

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS:  # NaN and infinities too: json writes and reads them
            return value
        at = self.seen.get(id(value))
        if at is not None:
            return [_REF, at]
        if kind is LDict:
            self.seen[id(value)] = len(self.seen)
            keys = list(value)
            if not (set(value.key_marks) <= set(keys) and set(value.value_marks) <= set(keys)):
                raise Unencodable("marks of keys the mapping does not hold")
            flat: list[Any] = [_LDICT, self.mark(value.mark)]
            for key in keys:
                if type(key) not in _SCALARS:
                    raise Unencodable(type(key).__name__)
                flat += [
                    key,
                    self.value(value[key]),
                    self.mark(value.key_marks.get(key)),
                    self.mark(value.value_marks.get(key)),
                ]
            return flat
        if kind is LList:
            self.seen[id(value)] = len(self.seen)
            items = [self.value(v) for v in value]
            marks = [self.mark(m) for m in value.item_marks]
            if None in marks:
                raise Unencodable("an item without a mark")
            return [_LLIST, self.mark(value.mark), items, marks]
        if kind is dict:
            self.seen[id(value)] = len(self.seen)
            pairs: list[Any] = [_DICT]
            for key, item in value.items():
                if type(key) not in _SCALARS:
                    raise Unencodable(type(key).__name__)
                pairs += [key, self.value(item)]
            return pairs
        if kind is list:
            self.seen[id(value)] = len(self.seen)
            return [_LIST, *(self.value(v) for v in value)]
        if kind is dt.datetime:
            return [_DATETIME, value.isoformat()]
        if kind is dt.date:
            return [_DATE, value.isoformat()]
        if kind is dt.time:
            return [_TIME, value.isoformat()]
        raise Unencodable(kind.__name__)


class _Decoder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.made: list[Any] = []

    def mark(self, pair: list[int] | None) -> Mark | None:
        return None if pair is None else new_mark(self.path, pair[0], pair[1])

    def value(self, enc: Any) -> Any:
        if type(enc) is not list:
            return enc
        tag = enc[0]
        if tag == _LDICT:
            out = LDict()
            self.made.append(out)
            out.mark = self.mark(enc[1])
            path = self.path
            key_marks, value_marks = out.key_marks, out.value_marks
            value = self.value
            for i in range(2, len(enc), 4):
                key, item = enc[i], enc[i + 1]
                out[key] = value(item) if type(item) is list else item
                km, vm = enc[i + 2], enc[i + 3]
                if km is not None:
                    key_marks[key] = new_mark(path, km[0], km[1])
                if vm is not None:
                    value_marks[key] = new_mark(path, vm[0], vm[1])
            return out
        if tag == _LLIST:
            seq = LList()
            self.made.append(seq)
            seq.mark = self.mark(enc[1])
            value = self.value
            seq.extend([value(v) if type(v) is list else v for v in enc[2]])
            path = self.path
            seq.item_marks = [new_mark(path, m[0], m[1]) for m in enc[3]]
            return seq
        if tag == _DICT:
            plain: dict[Any, Any] = {}
            self.made.append(plain)
            for i in range(1, len(enc), 2):
                plain[enc[i]] = self.value(enc[i + 1])
            return plain
        if tag == _LIST:
            items: list[Any] = []
            self.made.append(items)
            items.extend(self.value(v) for v in enc[1:])
            return items
        if tag == _REF:
            return self.made[enc[1]]
        if tag == _DATETIME:
            return dt.datetime.fromisoformat(enc[1])
        if tag == _DATE:
            return dt.date.fromisoformat(enc[1])
        if tag == _TIME:
            return dt.time.fromisoformat(enc[1])
        raise ValueError(f"unknown tag {tag!r}")


def encode_parsed(parsed: Parsed, path: str) -> Any:
    try:
        docs = _Encoder(path).value(list(parsed.documents))
    except (Unencodable, RecursionError):
        return None
    p = parsed.problem
    problem = None if p is None else [p.line, p.column, p.message, p.context_line]
    return [docs, problem, parsed.refused]


def decode_parsed(enc: Any, path: str) -> Parsed:
    docs, problem, refused = enc
    documents = _Decoder(path).value(docs)
    if not isinstance(documents, list):
        raise TypeError("documents are not a list")
    found = None if problem is None else Problem(problem[0], problem[1], problem[2], problem[3])
    return Parsed(documents, found, bool(refused))


def encode_front(front: FrontMatter, path: str) -> Any:
    try:
        data = _Encoder(path).value(front.data)
    except (Unencodable, RecursionError):
        return None
    return [data, front.body_start, front.error, front.start]


def decode_front(enc: Any, path: str) -> FrontMatter:
    data, body_start, error, start = enc
    value = _Decoder(path).value(data)
    if not isinstance(value, dict):
        raise TypeError("front matter is not a mapping")
    return FrontMatter(value, int(body_start), error, int(start))


def encode_scan(scan: Scan) -> Any:
    headings = [[h.text, h.level, h.first, h.end] for h in scan.headings]
    return [scan.lines, scan.shown, scan.visible, scan.content, headings, scan.body_start]


def decode_scan(enc: Any) -> Scan:
    lines, shown, visible, content, headings, body_start = enc
    if not (len(lines) == len(shown) == len(visible) == len(content) - 1):
        raise ValueError("scan lines do not line up")
    found = [Heading(t, level, first, end) for t, level, first, end in headings]
    return Scan(lines, shown, visible, content, found, int(body_start))
