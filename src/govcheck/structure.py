"""Pass 1 of loading YAML the user wrote: its shape, against one of our JSON Schemas.

jsonschema's messages name JSON paths; these name the file:line:col of the offending key
or value and say what to write instead, in the words the docs use.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from govcheck import builtin
from govcheck.errors import Mark, clip
from govcheck.quickschema import plainly_valid
from govcheck.suggest import suggest
from govcheck.yamlsrc import LDict, value_mark

Errors = list[tuple[Mark | None, str]]
# Given the JSON path of an error, words that say where it is, e.g. " in rule ACME-001".
Context = Callable[[list[Any]], str]


def first_problem(document: Any, schema_name: str) -> str | None:
    """The first violation of a JSON document govcheck wrote and reads back (a snapshot, a
    baseline) against its schema, with its JSON path (`$['runs'][3]: ...`), or None."""
    import jsonschema

    schema = json.loads(builtin.schema_file(schema_name).read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(document),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if not errors:
        return None
    where = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in errors[0].absolute_path)
    return f"${clip(where, 120)}: {clip(errors[0].message, 200)}"


def check(
    data: LDict,
    schema_name: str,
    context: Context = lambda path: "",
    skip: Callable[[list[Any]], bool] = lambda path: False,
) -> Errors:
    schema = json.loads(builtin.schema_file(schema_name).read_text(encoding="utf-8"))
    if plainly_valid(data, schema, skip):
        return []  # the usual case, decided without importing jsonschema (~0.1 s)
    import jsonschema  # only when a file may be malformed: for the verdict and its messages

    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return [
        describe(data, err, list(err.absolute_path), context(list(err.absolute_path)))
        for err in validator.iter_errors(data)
        if not skip(list(err.absolute_path))
    ]


def _node_at(data: Any, path: list[Any]) -> tuple[Any, Any, Any]:
    parent, key, node = None, None, data
    for part in path:
        parent, key = node, part
        node = node[part]
    return parent, key, node


def describe(data: Any, err: Any, path: list[Any], where: str) -> tuple[Mark | None, str]:
    parent, key, node = _node_at(data, path)
    # Errors about a value point at the value; missing or unknown keys at their mapping/key.
    mark = (value_mark(parent, key) if parent is not None else None) or getattr(node, "mark", None)
    if err.validator == "additionalProperties" and isinstance(node, LDict):
        allowed = err.schema.get("properties", {})
        extra = [k for k in node if k not in allowed]
        if extra:
            name = str(extra[0])
            return node.key_marks.get(
                extra[0]
            ), f"unknown key '{clip(name)}'{where}{suggest(name, allowed)}"
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return getattr(node, "mark", mark), f"missing required key '{missing}'{where}"
    if err.validator == "anyOf" and all(
        set(sub) == {"required"} for sub in err.validator_value if isinstance(sub, dict)
    ):
        names = " or ".join(f"'{sub['required'][0]}'" for sub in err.validator_value)
        return getattr(node, "mark", mark), f"missing required key {names}{where}"
    if err.validator == "enum":
        choices = ", ".join(map(str, err.validator_value))
        return mark, f"'{key}' must be one of {choices}, got {_shown(node)}{where}"
    if err.validator == "const" and key == "version":
        return mark, f"unsupported version {_shown(node)} (this govcheck reads version 1)"
    if err.validator == "type":
        return mark, f"'{key}' must be {_a(err.validator_value)}, got {_kind(node)}{where}"
    if err.validator == "pattern":
        return mark, f"'{key}' value {_shown(node)} does not match {err.validator_value}{where}"
    if err.validator in _BOUNDS:
        bound = err.validator_value
        return mark, f"'{key}' must be {_BOUNDS[err.validator]} {bound}, got {_shown(node)}{where}"
    if isinstance(node, (str, int, float)) and not isinstance(node, bool):
        # jsonschema's own message starts with the value, however long it is
        return mark, f"{_shown(node)}{err.message[len(repr(node)) :]}{where}"
    return mark, f"{clip(err.message, 200)}{where}"


_BOUNDS = {
    "maximum": "at most",
    "minimum": "at least",
    "exclusiveMaximum": "less than",
    "exclusiveMinimum": "more than",
}


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _kind(value)
    return clip(repr(value))


def _kind(value: Any) -> str:
    """A value's type in the words of the docs (LList is a list to a user)."""
    for types, word in ((bool, "a boolean"), (dict, "a mapping"), (list, "a list")):
        if isinstance(value, types):
            return word
    if value is None:
        return "null"
    return {"str": "a string", "int": "an integer", "float": "a number"}.get(
        type(value).__name__, type(value).__name__
    )


def _a(types: Any) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "boolean": "true or false",
        "integer": "an integer",
        "number": "a number",
    }
    if isinstance(types, list):
        return " or ".join(names.get(str(t), str(t)) for t in types)
    return names.get(types, str(types))
