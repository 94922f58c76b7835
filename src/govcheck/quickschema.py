"""A fast yes for documents that plainly satisfy one of our own JSON Schemas.

Importing jsonschema costs more than the rest of a small check's start-up, and nearly
every config and policy file is valid. `plainly_valid` walks the schema's common keywords
itself; it answers True only when jsonschema (Draft 2020-12, all format checks) would find
no error, and False whenever it is unsure, so callers then run jsonschema for the real
verdict and its messages. The schemas stay the one source of truth.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_IGNORED = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Unsure(Exception):
    """A keyword or value this checker does not judge: leave it to jsonschema."""


Skip = Callable[[list[Any]], bool]


@dataclass(frozen=True)
class _At:
    """Where the walk is: the root schema (for $ref), the instance path, and which paths'
    errors the caller ignores (None inside anyOf, whose branches report no errors)."""

    root: dict[str, Any]
    path: tuple[Any, ...]
    skip: Skip | None

    def into(self, key: Any) -> _At:
        return _At(self.root, (*self.path, key), self.skip)

    def failed(self) -> bool:
        # jsonschema reports a failing keyword at this instance path: fine if ignored there.
        return self.skip is not None and self.skip(list(self.path))


def plainly_valid(data: Any, schema: dict[str, Any], skip: Skip | None = None) -> bool:
    """True only if jsonschema would report no error, or only errors at paths `skip` drops."""
    try:
        return _valid(data, schema, _At(schema, (), skip or (lambda path: False)))
    except (_Unsure, RecursionError, re.error):
        return False


def _valid(x: Any, s: Any, at: _At) -> bool:
    if s is True:
        return True
    if not isinstance(s, dict):
        raise _Unsure
    for key, want in s.items():
        if key in _IGNORED:
            continue
        if key in _DESCEND:
            if not _DESCEND[key](x, want, s, at):
                return False
            continue
        check = _LEAF.get(key)
        if check is None:
            raise _Unsure
        if not check(x, want, s, at) and not at.failed():
            return False
    return True


def _type(x: Any, want: Any, s: Any, at: _At) -> bool:
    names = want if isinstance(want, list) else [want]
    return any(_is(x, name) for name in names)


def _is(x: Any, name: str) -> bool:
    if name == "object":
        return isinstance(x, dict)
    if name == "array":
        return isinstance(x, list)
    if name == "string":
        return isinstance(x, str)
    if name == "boolean":
        return isinstance(x, bool)
    if name == "null":
        return x is None
    if name == "integer":
        return isinstance(x, int) and not isinstance(x, bool)
    if name == "number":
        return isinstance(x, (int, float)) and not isinstance(x, bool)
    raise _Unsure


def _same(a: Any, b: Any) -> bool:
    # Strict about types (jsonschema tells 1 from True); anything else is left to it.
    if type(a) is not type(b) or isinstance(a, (dict, list)):
        return False
    return bool(a == b)


def _properties(x: Any, want: Any, s: Any, at: _At) -> bool:
    if not isinstance(x, dict):
        return True
    return all(_valid(x[k], sub, at.into(k)) for k, sub in want.items() if k in x)


def _additional(x: Any, want: Any, s: Any, at: _At) -> bool:
    if not isinstance(x, dict):
        return True
    if "patternProperties" in s:
        raise _Unsure
    extra = [k for k in x if k not in s.get("properties", {})]
    if want is False:
        return not extra or at.failed()
    return all(_valid(x[k], want, at.into(k)) for k in extra)


def _items(x: Any, want: Any, s: Any, at: _At) -> bool:
    if "prefixItems" in s or not isinstance(want, (dict, bool)):
        raise _Unsure
    return not isinstance(x, list) or all(_valid(v, want, at.into(i)) for i, v in enumerate(x))


def _ref(x: Any, want: Any, s: Any, at: _At) -> bool:
    if not isinstance(want, str) or not want.startswith("#/$defs/"):
        raise _Unsure
    target = at.root.get("$defs", {}).get(want.removeprefix("#/$defs/"))
    if target is None:
        raise _Unsure
    return _valid(x, target, at)


def _any_of(x: Any, want: Any, s: Any, at: _At) -> bool:
    inside = _At(at.root, at.path, None)
    return any(_valid(x, sub, inside) for sub in want)


def _property_names(x: Any, want: Any, s: Any, at: _At) -> bool:
    inside = _At(at.root, at.path, None)  # reported at the object's own path
    return not isinstance(x, dict) or all(_valid(k, want, inside) for k in x)


def _format(x: Any, want: Any, s: Any, at: _At) -> bool:
    if not isinstance(x, str):
        return True
    if want == "date":
        try:
            return bool(_DATE.fullmatch(x)) and bool(dt.date.fromisoformat(x))
        except ValueError:
            raise _Unsure from None
    if want == "uri" and not _uri_checked():
        return True  # jsonschema checks `uri` only with rfc3987 or rfc3986-validator
    raise _Unsure


@lru_cache(maxsize=1)
def _uri_checked() -> bool:
    from importlib.util import find_spec

    return any(find_spec(m) is not None for m in ("rfc3987", "rfc3986_validator"))


def _number(test: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    def check(x: Any, want: Any, s: Any, at: _At) -> bool:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            return True
        return bool(test(x, want))

    return check


def _sized(kind: type, test: Callable[[int, Any], bool]) -> Callable[..., bool]:
    def check(x: Any, want: Any, s: Any, at: _At) -> bool:
        return not isinstance(x, kind) or bool(test(len(x), want))  # type: ignore[arg-type]

    return check


# Keywords whose errors jsonschema reports deeper (at the failing item or property).
_DESCEND: dict[str, Callable[..., bool]] = {
    "properties": _properties,
    "items": _items,
    "$ref": _ref,
    "allOf": lambda x, want, s, at: all(_valid(x, sub, at) for sub in want),
    "additionalProperties": _additional,  # unknown keys at the object, others deeper
}
# Keywords whose error is reported at the instance they apply to.
_LEAF: dict[str, Callable[..., bool]] = {
    "type": _type,
    "const": lambda x, want, s, at: _same(x, want),
    "enum": lambda x, want, s, at: any(_same(x, e) for e in want),
    "required": lambda x, want, s, at: not isinstance(x, dict) or all(k in x for k in want),
    "propertyNames": _property_names,
    "anyOf": _any_of,
    "pattern": lambda x, want, s, at: not isinstance(x, str) or re.search(want, x) is not None,
    "format": _format,
    "minLength": _sized(str, lambda n, want: n >= want),
    "maxLength": _sized(str, lambda n, want: n <= want),
    "minItems": _sized(list, lambda n, want: n >= want),
    "maxItems": _sized(list, lambda n, want: n <= want),
    "minProperties": _sized(dict, lambda n, want: n >= want),
    "maxProperties": _sized(dict, lambda n, want: n <= want),
    "minimum": _number(lambda n, want: n >= want),
    "maximum": _number(lambda n, want: n <= want),
    "exclusiveMinimum": _number(lambda n, want: n > want),
    "exclusiveMaximum": _number(lambda n, want: n < want),
}
