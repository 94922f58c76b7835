"""DVC's `dvc.yaml` templating, as DVC resolves it: `${a.b[0]}` from `params.yaml` and
`vars`, and `foreach`/`matrix` stages expanded into the names `dvc.lock` records.

Mirrors dvc/parsing (DataResolver, ForeachDefinition, MatrixDefinition): a whole-string
`${x}` keeps its type, interpolated text spells booleans `true`/`false`, a dict in `cmd`
becomes `--key value` arguments, `\\${` is a literal. Generated names join with `@`: the
item itself for a list of scalars, its index for a list of dicts or lists, the key for a
dict; a matrix joins one fragment per axis with `-` (the value, or `<axis><index>` for a
dict or list value). What cannot be resolved raises Unresolved: "cannot verify", never
"stale".
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

_EXPR = re.compile(r"(?<!\\)\$\{(?P<inner>[^{}]*)\}")
_INDEX = re.compile(r"\[\s*([^\]]*?)\s*\]")
JOIN = "@"


class Unresolved(ValueError):
    """A `${...}` DVC could resolve only with data govcheck does not have (or cannot)."""


def _select(context: Mapping[str, Any], expr: str) -> Any:
    node: Any = context
    for part in _INDEX.sub(r".\1", expr.strip()).split("."):
        part = part.strip()
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and _index(part, node) is not None:
            node = node[_index(part, node) or 0]
        else:
            raise Unresolved(f"${{{expr}}} is not defined")
    return node


def _index(part: str, items: list[Any]) -> int | None:
    if not part.lstrip("-").isdigit():
        return None
    i = int(part)
    return i if -len(items) <= i < len(items) else None


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _args(data: Mapping[str, Any]) -> str:
    """A dict interpolated into `cmd`: DVC's default `--key value` spelling."""
    out: list[str] = []
    for key, value in _flatten(data):
        if isinstance(value, bool):
            if value:
                out.append(f"--{key}")
        elif isinstance(value, str):
            out.append(f"--{key} {shlex.quote(value)}")
        elif isinstance(value, list):
            items = [shlex.quote(i) if isinstance(i, str) else to_str(i) for i in value]
            if items:
                out.append(f"--{key} {' '.join(items)}")
        else:
            out.append(f"--{key} {value}")
    return " ".join(out)


def to_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "None"
    return str(value)


def resolve(value: Any, context: Mapping[str, Any], key: str | None = None) -> Any:
    """Resolve every `${}` in a value (recursively in lists and mappings)."""
    if isinstance(value, str):
        return _resolve_str(value, context, key)
    if isinstance(value, Mapping):
        return {resolve(k, context, key): resolve(v, context, key) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, context, key) for v in value]
    return value


def _resolve_str(text: str, context: Mapping[str, Any], key: str | None) -> Any:
    matches = list(_EXPR.finditer(text))
    if not matches:
        return text.replace("\\${", "${")
    if len(matches) == 1 and matches[0].group(0) == text:
        return _select(context, matches[0]["inner"])  # whole-string: keeps its type
    out, index = "", 0
    for match in matches:
        value = _select(context, match["inner"])
        if isinstance(value, Mapping) and key == "cmd":
            shown = _args(value)
        elif isinstance(value, (Mapping, list)):
            raise Unresolved(f"${{{match['inner']}}} is a {type(value).__name__}, not text")
        else:
            shown = to_str(value)
        out += text[index : match.start()] + shown
        index = match.end()
    return (out + text[index:]).replace("\\${", "${")


@dataclass(frozen=True)
class Generated:
    """One stage as `dvc.lock` names it, with the template it came from."""

    name: str
    group: str  # the name under `stages:` in dvc.yaml
    template: Mapping[str, Any]  # the definition written in dvc.yaml (located)
    values: Mapping[str, Any]  # `item`/`key` for foreach and matrix, else empty


def _is_collection(value: Any) -> bool:
    return isinstance(value, (Mapping, list))


def _foreach_members(data: Any) -> dict[str, Any]:
    if isinstance(data, Mapping):
        return {to_str(k): {"item": v, "key": to_str(k)} for k, v in data.items()}
    if isinstance(data, list):
        if any(_is_collection(v) for v in data):
            return {str(i): {"item": v} for i, v in enumerate(data)}
        return {to_str(v): {"item": v} for v in data}
    raise Unresolved(f"foreach expects a list or a mapping, got {type(data).__name__}")


def _matrix_members(data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping) or not all(isinstance(v, list) for v in data.values()):
        raise Unresolved("matrix expects a mapping of lists")
    out: dict[str, Any] = {}
    axes = list(data)
    for combination in product(*(list(enumerate(data[a])) for a in axes)):
        item = {a: v for a, (_, v) in zip(axes, combination)}
        fragments = [
            f"{a}{i}" if _is_collection(v) else to_str(v) for a, (i, v) in zip(axes, combination)
        ]
        key = "-".join(fragments)
        out[key] = {"item": item, "key": key}
    return out


def generate(group: str, definition: Any, context: Mapping[str, Any]) -> list[Generated]:
    """The stages one `stages:` entry stands for; raises Unresolved when its foreach or
    matrix data cannot be resolved."""
    if not isinstance(definition, Mapping):
        raise Unresolved(f"stage {group} is not a mapping")
    if "foreach" in definition:
        template = definition.get("do")
        if not isinstance(template, Mapping):
            raise Unresolved(f"stage {group} has foreach but no do")
        members = _foreach_members(resolve(definition["foreach"], context, "foreach"))
    elif "matrix" in definition:
        template = {k: v for k, v in definition.items() if k != "matrix"}
        members = _matrix_members(resolve(definition["matrix"], context, "matrix"))
    else:
        return [Generated(group, group, definition, {})]
    return [Generated(f"{group}{JOIN}{key}", group, template, v) for key, v in members.items()]
