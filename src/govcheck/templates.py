"""`{field}` templates over a resource's fields, for messages and file paths.

Unknown fields stay literal, so a message never fails to render.
"""

from __future__ import annotations

import re
from typing import Any

from govcheck import fieldpath

_FIELD = re.compile(r"\{([^{}]+)\}")


def render(template: str, fields: Any) -> str:
    def repl(m: re.Match[str]) -> str:
        try:
            look = fieldpath.get(fields, fieldpath.parse(m.group(1).strip()))
        except fieldpath.FieldPathError:
            return m.group(0)
        if not look.found:
            return m.group(0)
        value = look.value
        if isinstance(value, (list, tuple)):
            return ", ".join(map(str, value))
        return "" if value is None else str(value)

    return _FIELD.sub(repl, template)


def fields_in(template: str) -> list[str]:
    return [m.group(1).strip() for m in _FIELD.finditer(template)]
