"""`{field: PATH, OP: VALUE}`: one operator applied to one field of the resource."""

from __future__ import annotations

from typing import Any

from govcheck import fieldpath
from govcheck.conditions.base import Build, Evaluator, Scope
from govcheck.errors import Mark
from govcheck.model import Location, Outcome
from govcheck.operators import OPERATORS, OperandError
from govcheck.suggest import suggest


def build_field(node: Any, key: str, mark: Mark | None, b: Build) -> Evaluator:
    try:
        # `{param}` in a path picks a field by parameter: `names.{experiment_name_part}`.
        path = fieldpath.parse(b.subst(node["field"], node.value_marks.get("field")))
    except fieldpath.FieldPathError as exc:
        b.error(node.value_marks.get("field"), str(exc))
        path = fieldpath.FieldPath(".", ())
    ops = [k for k in node if k != "field"]
    if len(ops) != 1:
        if not ops:
            b.error(
                node.mark,
                f"field condition on '{path}' has no operator (one of: {', '.join(OPERATORS)})",
            )
        else:
            b.error(
                node.key_marks.get(ops[1]),
                f"field condition on '{path}' has several "
                f"operators ({', '.join(map(str, ops))}); combine them with all:",
            )
        return lambda scope: Outcome(False, "invalid condition")
    op = ops[0]
    if op not in OPERATORS:
        b.error(node.key_marks.get(op), f"unknown operator '{op}'", suggest(str(op), OPERATORS))
        return lambda scope: Outcome(False, "invalid condition")
    operand_mark = node.value_marks.get(op)
    operand = b.subst(node[op], operand_mark)
    try:
        test = OPERATORS[op](operand)
    except OperandError as exc:
        b.error(operand_mark, f"'{op}': {exc}")
        return lambda scope: Outcome(False, "invalid condition")

    def evaluate(scope: Scope) -> Outcome:
        look = fieldpath.get(scope.item, path)
        verdict = test(look.found, look.value)
        return Outcome(
            verdict.ok,
            # `field: "."` is the item itself: its reason needs no path in front.
            f"{path} {verdict.reason}" if verdict.reason and path.keys else verdict.reason,
            None if verdict.ok else locate(scope, look, verdict.offset),
        )

    return evaluate


def locate(scope: Scope, look: fieldpath.Lookup, offset: int | None) -> Location | None:
    """The most precise place of the offending value: its YAML mark, or its text line."""
    mark = fieldpath.mark_of(look) if look.found else getattr(look.container, "mark", None)
    if mark is not None:
        snippet = str(look.value)[:200] if look.found else f"missing {look.key}"
        return Location(mark.path, mark.line, mark.column, snippet)
    res = scope.resource
    if (
        offset is not None
        and isinstance(look.value, str)
        and res.kind == "file"
        and look.key == "text"
    ):
        line = look.value.count("\n", 0, offset) + 1
        start = look.value.rfind("\n", 0, offset) + 1
        end = look.value.find("\n", offset)
        snippet = look.value[start : end if end != -1 else len(look.value)].strip()[:200]
        return Location(res.id, line, offset - start + 1, snippet)
    return None
