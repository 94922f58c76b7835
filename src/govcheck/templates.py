"""`{field}` templates over a resource's fields, for messages and file paths.

Unknown fields stay literal, so a message never fails to render. Nor can one grow without
bound: a format spec pads to at most 99 characters (`{path:>300000000}` wrote a 300 MB
report), each field shows at most MAX_FIELD characters and a message MAX_TEXT.
"""

from __future__ import annotations

import re
from typing import Any

from govcheck import fieldpath
from govcheck.errors import clip

_FIELD = re.compile(r"\{([^{}]+)\}")
# `{size_mb:.2f}`: a Python format spec after the field, for numbers in messages. Width and
# precision have two digits at most; a longer spec is not a spec, so it stays literal.
_SPEC = re.compile(r"(.+?):([<>^=]?[+\- ]?\d{0,2}[,_]?(?:\.\d{1,2})?[deEfFgGn%]?)")
MAX_FIELD = 500
MAX_TEXT = 4000


def _lookup(inner: str, fields: Any) -> tuple[bool, Any, str]:
    candidates = [(inner, "")]
    spec = _SPEC.fullmatch(inner)
    if spec:
        candidates.insert(0, (spec.group(1), spec.group(2)))
    for path, fmt in candidates:
        try:
            look = fieldpath.get(fields, fieldpath.parse(path.strip()))
        except fieldpath.FieldPathError:
            continue
        if look.found:
            return True, look.value, fmt
    return False, None, ""


def field_paths(template: str) -> list[fieldpath.FieldPath]:
    """The field paths a template may read (what `render` would look up)."""
    out = []
    for m in _FIELD.finditer(template):
        spec = _SPEC.fullmatch(m.group(1))
        for text in (spec.group(1), m.group(1)) if spec else (m.group(1),):
            try:
                out.append(fieldpath.parse(text.strip()))
            except fieldpath.FieldPathError:
                continue
    return out


def render(template: str, fields: Any) -> str:
    def repl(m: re.Match[str]) -> str:
        found, value, fmt = _lookup(m.group(1), fields)
        if not found:
            return m.group(0)
        return clip(_text(value, fmt), MAX_FIELD)

    return clip(_FIELD.sub(repl, template), MAX_TEXT)


def _text(value: Any, fmt: str) -> str:
    if fmt:
        try:
            return format(value, fmt)
        except (TypeError, ValueError):
            pass
    if isinstance(value, (list, tuple)):
        return ", ".join(clip(str(v), MAX_FIELD) for v in value[:MAX_FIELD])
    return "" if value is None else str(value)
