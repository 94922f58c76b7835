"""Field paths into a resource: `tags['mlflow.source.git.commit']`, `data.metrics[0].name`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcheck.errors import clip
from govcheck.yamlsrc import value_mark

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>[A-Za-z_][\w-]*)           # plain key
      | \[\s*'(?P<sq>[^']*)'\s*\]           # ['quoted.key']
      | \[\s*"(?P<dq>[^"]*)"\s*\]           # ["quoted.key"]
      | \[\s*(?P<idx>-?\d+)\s*\]            # [0]
      | (?P<dot>\.)
    )""",
    re.VERBOSE,
)

Key = str | int


class FieldPathError(ValueError):
    pass


@dataclass(frozen=True)
class FieldPath:
    text: str
    keys: tuple[Key, ...]

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> FieldPath:
    """Parse a field path; raises FieldPathError naming what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise FieldPathError("a field path must be a non-empty string")
    if text.strip() == ".":
        return FieldPath(".", ())  # the current item itself (a scalar in every/some)
    keys: list[Key] = []
    pos, need_key = 0, True
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FieldPathError(f"bad field path {clip(text)!r} at character {pos + 1}")
        pos = m.end()
        if m.group("dot"):
            if need_key:
                raise FieldPathError(f"bad field path {clip(text)!r}: empty key before '.'")
            need_key = True
            continue
        if m.group("name") is not None:
            if not need_key:
                raise FieldPathError(
                    f"bad field path {clip(text)!r}: missing '.' before {m.group('name')!r}"
                )
            keys.append(m.group("name"))
        elif m.group("idx") is not None:
            keys.append(int(m.group("idx")))
        else:
            keys.append(m.group("sq") if m.group("sq") is not None else m.group("dq"))
        need_key = False
    if need_key:
        raise FieldPathError(f"bad field path {clip(text)!r}: ends with '.'")
    return FieldPath(text, tuple(keys))


_MISSING = object()


@dataclass(frozen=True)
class Lookup:
    found: bool
    value: Any
    container: Any  # the mapping or list the value was read from (for its source mark)
    key: Key | None


_new = object.__new__


def _lookup(found: bool, value: Any, container: Any, key: Key | None) -> Lookup:
    """Lookup(found, value, container, key) without the frozen dataclass's __init__ (an
    object.__setattr__ per field): every field condition of every rule on every resource
    makes one. The result is an ordinary, equal Lookup (as yamlsrc.new_mark makes Marks)."""
    look: Lookup = _new(Lookup)
    fields = look.__dict__
    fields["found"] = found
    fields["value"] = value
    fields["container"] = container
    fields["key"] = key
    return look


def get(obj: Any, path: FieldPath) -> Lookup:
    container: Any = None
    key: Key | None = None
    cur = obj
    for key in path.keys:
        container = cur
        if isinstance(cur, (dict, Mapping)):  # a dict (LDict) passes without the ABC check
            cur = cur.get(key, _MISSING) if isinstance(key, str) else _MISSING
        elif isinstance(cur, (list, tuple)) and isinstance(key, int):
            cur = cur[key] if -len(cur) <= key < len(cur) else _MISSING
        else:
            cur = _MISSING
        if cur is _MISSING:
            return _lookup(False, None, container, key)
    return _lookup(True, cur, container, key)


def mark_of(lookup: Lookup) -> Any:
    """The source mark of a looked-up value when it came from located YAML, else None."""
    if lookup.container is None or lookup.key is None:
        return None
    return value_mark(lookup.container, lookup.key)


def items_of(look: Lookup) -> list[Any]:
    """What `every`, `some` and `for_each` go through: a list's items, or a mapping's
    entries as `{key, value}` items (a run's `metrics`: `{key: auc, value: 0.91}`)."""
    if not look.found:
        return []
    if isinstance(look.value, (list, tuple)):
        return list(look.value)
    if isinstance(look.value, Mapping):
        return [{"key": k, "value": v} for k, v in look.value.items()]
    return []
