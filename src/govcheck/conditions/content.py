"""`schema: PATH_OR_builtin:NAME` and `sections: [...]`: checks on a file's parsed content.

Sections are matched on heading keys (mdinline.heading_key: case, emphasis, numbering and
punctuation ignored); `contains` terms match at word starts. A required section whose every
matching heading is empty fails as "empty", located at its heading.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from govcheck import builtin
from govcheck.conditions.base import Build, Evaluator, Scope
from govcheck.errors import Mark, UsageError, clip
from govcheck.facts.mdinline import heading_key, section_test
from govcheck.model import Location, Outcome
from govcheck.quickschema import plainly_valid
from govcheck.yamlsrc import LDict, LList, value_mark

MAX_SCHEMA_ERRORS = 5


def _validator_from(schema: Any, where: str) -> Any:
    import jsonschema  # heavy: only when a schema rule is loaded

    try:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise UsageError(f"invalid JSON Schema {where}: {exc.message}") from None
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _load_builtin(name: str, b: Build, mark: Mark | None) -> Any:
    path = builtin.schema_file(name)
    if not path.is_file():
        b.error(
            mark,
            f"unknown built-in schema '{clip(name)}' (have: {', '.join(builtin.schema_names())})",
        )
        return None
    return _validator_from(json.loads(path.read_text(encoding="utf-8")), f"builtin:{name}")


def build_schema(node: Any, key: str, mark: Mark | None, b: Build) -> Evaluator:
    ref = b.subst(node[key], node.value_marks.get(key))
    if not isinstance(ref, str) or not ref.strip():
        b.error(node.value_marks.get(key), "'schema' takes a path or builtin:NAME")
        return lambda scope: Outcome(False, "invalid condition")
    b.read(())  # validates the whole item
    cache: dict[str, Any] = {}
    shipped: list[Any] = []  # a built-in schema as data, for quickschema's fast yes
    if (
        ref.startswith("builtin:")
        and not builtin.schema_file(ref.removeprefix("builtin:")).is_file()
    ):
        _load_builtin(ref.removeprefix("builtin:"), b, node.value_marks.get(key))  # the error
        cache[ref] = None

    def validator(scope: Scope) -> Any:
        if ref not in cache and ref.startswith("builtin:"):
            # Compiled when first needed: a check that reaches no file of this rule (a
            # PATH-limited one) never imports jsonschema.
            cache[ref] = _load_builtin(ref.removeprefix("builtin:"), b, node.value_marks.get(key))
        if ref not in cache:  # a schema file in the checked repository, read once
            path = ref.lstrip("/")
            try:
                text = scope.facts.source.read_bytes(path, limit=10 << 20).decode("utf-8")
                cache[ref] = _validator_from(json.loads(text), path)
            except (OSError, KeyError, ValueError) as exc:
                raise UsageError(
                    f"cannot read JSON Schema '{path}' (rule {b.rule_id}): {exc}", mark
                ) from None
        return cache[ref]

    def evaluate(scope: Scope) -> Outcome:
        data, error = _content(scope)
        if error:
            return Outcome(False, f"cannot be parsed: {error}", _parse_location(scope, error))
        if ref.startswith("builtin:") and cache.get(ref, True) is not None:
            if not shipped:
                name = ref.removeprefix("builtin:")
                shipped.append(json.loads(builtin.schema_file(name).read_text(encoding="utf-8")))
            if plainly_valid(data, shipped[0]):
                return Outcome(True, "valid against the schema")  # no jsonschema needed
        v = validator(scope)
        if v is None:
            return Outcome(False, "invalid condition")
        errors = sorted(
            v.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)
        )
        if not errors:
            return Outcome(True, "valid against the schema")
        shown = "; ".join(
            f"{_path_text(e.absolute_path)}: {_short(e.message)}"
            for e in errors[:MAX_SCHEMA_ERRORS]
        )
        more = (
            f" (and {len(errors) - MAX_SCHEMA_ERRORS} more)"
            if len(errors) > MAX_SCHEMA_ERRORS
            else ""
        )
        return Outcome(False, f"schema errors: {shown}{more}", _error_location(data, errors[0]))

    return evaluate


def _content(scope: Scope) -> tuple[Any, str | None]:
    item = scope.item
    if item is scope.resource.fields and scope.resource.kind == "file":  # a file's own data
        return item.get("data"), item.get("parse_error")
    return (dict(item) if isinstance(item, Mapping) and not isinstance(item, LDict) else item), None


def _parse_location(scope: Scope, error: str) -> Location | None:
    m = re.match(r"(\d+):(\d+)", error)
    if scope.resource.file is not None and m:
        return Location(scope.resource.file, int(m.group(1)), int(m.group(2)))
    return None


def _path_text(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:159] + "…"


def _error_location(data: Any, error: Any) -> Location | None:
    """The mark of the deepest located node on the error's path."""
    node, mark = data, getattr(data, "mark", None)
    for part in error.absolute_path:
        m = value_mark(node, part)
        if m is None:
            break
        mark = m
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if mark is None:
        return None
    return Location(
        mark.path, mark.line, mark.column, f"{_path_text(error.absolute_path)}: {error.validator}"
    )


def build_sections(node: Any, key: str, mark: Mark | None, b: Build) -> Evaluator:
    specs = b.subst(node[key], node.value_marks.get(key))
    b.read(("headings",))
    wanted: list[tuple[str, Callable[[str], bool]]] = []
    if not isinstance(specs, list) or not specs:
        b.error(node.value_marks.get(key), "'sections' takes a non-empty list")
        specs = []
    for i, spec in enumerate(specs):
        smark = specs.item_marks[i] if isinstance(specs, LList) else node.value_marks.get(key)
        entry = _section_spec(spec, smark, b)
        if entry:
            wanted.append(entry)

    def evaluate(scope: Scope) -> Outcome:
        found = _sections_of(scope.item)
        missing: list[str] = []
        parts: list[Outcome] = []
        for name, test in wanted:
            matching = [s for s in found if test(s["key"])]
            if not matching:
                missing.append(name)
            elif all(s.get("empty") for s in matching):
                first = matching[0]
                where = scope.resource.file
                location = (
                    Location(where, first["line"], 1, str(first["heading"]))
                    if where and isinstance(first.get("line"), int)
                    else None
                )
                parts.append(
                    Outcome(False, f"empty section: {name} ('{first['heading']}')", location)
                )
        if missing:
            parts.insert(0, Outcome(False, f"missing sections: {', '.join(missing)}"))
        if not parts:
            return Outcome(True, "has every required section")
        reason = "; ".join(p.reason for p in parts)
        return Outcome(False, reason, parts[0].location, tuple(parts))

    return evaluate


def _sections_of(item: Any) -> list[Mapping[str, Any]]:
    """A markdown resource's sections with comparable keys; bare headings (a resource
    without sections) count as sections with content."""
    sections = item.get("sections") if isinstance(item, Mapping) else None
    if isinstance(sections, list):
        return [
            {**s, "key": s.get("key") or heading_key(str(s.get("heading", "")))}
            for s in sections
            if isinstance(s, Mapping)
        ]
    headings = item.get("headings") if isinstance(item, Mapping) else None
    return [
        {"heading": h.get("text", ""), "key": heading_key(str(h.get("text", ""))), **h}
        for h in headings or []
        if isinstance(h, Mapping)
    ]


def _section_spec(
    spec: Any, mark: Mark | None, b: Build
) -> tuple[str, Callable[[str], bool]] | None:
    if isinstance(spec, LDict) and isinstance(spec.get("name"), str):
        unknown = set(spec) - {"name", "equals", "contains"}
        if unknown:
            b.error(
                spec.key_marks.get(min(unknown)),
                f"unknown key '{min(unknown)}' in a section (use name, equals, contains)",
            )
    test = section_test(spec)
    if test is None:
        b.error(mark, "a section is a heading string or {name, equals: [...], contains: [...]}")
        return None
    return (spec if isinstance(spec, str) else str(spec["name"])), test
