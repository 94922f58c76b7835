"""`{field: PATH, OP: VALUE}`: one operator applied to one field of the resource.

VALUE may itself name a field, `{field: OTHER, days: N}`, for operators that compare
(FIELD_COMPARABLE): the two fields of one resource are compared at evaluation time, a
date moved by N days first. `{field: card.last_changed, after: {field: created, days: -30}}`
holds when the card changed no earlier than 30 days before `created`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcheck import fieldpath
from govcheck.conditions.base import Build, Evaluator, Scope
from govcheck.errors import Mark, clip
from govcheck.model import Location, Outcome
from govcheck.operators import FIELD_COMPARABLE, OPERATORS, OperandError, shift_days, show
from govcheck.suggest import suggest
from govcheck.yamlsrc import LDict


@dataclass(frozen=True)
class FieldRef:
    path: fieldpath.FieldPath
    days: float | None  # date arithmetic: the referenced date moved by this many days

    def describe(self) -> str:
        if not self.days:
            return str(self.path)
        sign = "+" if self.days > 0 else "-"
        return f"{self.path} {sign} {abs(self.days):g} days"


def _field_ref(operand: Any, op: str, mark: Mark | None, b: Build) -> FieldRef | None:
    """The operand as a reference to another field, or None when it is a plain value."""
    if not isinstance(operand, LDict) or "field" not in operand:
        return None
    if op not in FIELD_COMPARABLE:
        b.error(
            mark,
            f"'{op}' compares with a value, not another field "
            f"(operators that take {{field: ...}}: {', '.join(sorted(FIELD_COMPARABLE))})",
        )
        return None
    unknown = sorted(str(k) for k in operand if k not in ("field", "days"))
    if unknown:
        b.error(
            operand.key_marks.get(unknown[0]),
            f"unknown key '{unknown[0]}' in a field operand (use field, days)",
        )
    try:
        path = fieldpath.parse(b.subst(operand["field"], operand.value_marks.get("field")))
    except fieldpath.FieldPathError as exc:
        b.error(operand.value_marks.get("field"), str(exc))
        return None
    b.read(path.keys)  # compared with at evaluation time
    days = b.subst(operand.get("days"), operand.value_marks.get("days"))
    if days is not None and (isinstance(days, bool) or not isinstance(days, (int, float))):
        try:
            days = float(str(days))
        except ValueError:
            b.error(operand.value_marks.get("days"), f"'days' takes a number, got {show(days)}")
            return None
    return FieldRef(path, float(days) if days is not None else None)


PRESENCE_OPERATORS = ("exists", "empty")  # they read whether a value is there, not what it is


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
    b.read(path.keys, presence=op in PRESENCE_OPERATORS)
    if op not in OPERATORS:
        b.error(
            node.key_marks.get(op),
            f"unknown operator '{clip(str(op))}'",
            suggest(str(op), OPERATORS),
        )
        return lambda scope: Outcome(False, "invalid condition")
    operand_mark = node.value_marks.get(op)
    if isinstance(node[op], LDict) and "field" in node[op]:
        ref = _field_ref(node[op], op, operand_mark, b)
        if ref is None:
            return lambda scope: Outcome(False, "invalid condition")
        return _compare_fields(path, op, ref)
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


def _compare_fields(path: fieldpath.FieldPath, op: str, ref: FieldRef) -> Evaluator:
    def evaluate(scope: Scope) -> Outcome:
        other = fieldpath.get(scope.item, ref.path)
        if not other.found or other.value is None:
            return Outcome(False, f"{path} cannot be compared: {ref.path} is missing")
        value: Any = other.value
        if ref.days:
            value = shift_days(value, ref.days)
            if value is None:
                return Outcome(False, f"{path} cannot be compared: {ref.path} is not a date")
        try:
            test = OPERATORS[op](value)
        except OperandError as exc:
            return Outcome(False, f"{path} cannot be compared with {ref.path}: {exc}")
        look = fieldpath.get(scope.item, path)
        verdict = test(look.found, look.value)
        reason = f"{path} {verdict.reason} ({ref.describe()})" if verdict.reason else ""
        return Outcome(verdict.ok, reason, None if verdict.ok else locate(scope, look, None))

    return evaluate


def locate(scope: Scope, look: fieldpath.Lookup, offset: int | None) -> Location | None:
    """The most precise place of the offending value: its YAML mark, or its text line."""
    mark = fieldpath.mark_of(look) if look.found else getattr(look.container, "mark", None)
    if mark is not None:
        value = look.value
        snippet = (
            (value[:200] if isinstance(value, str) else show(value, 200))
            if look.found
            else f"missing {look.key}"
        )
        return Location(mark.path, mark.line, mark.column, snippet)
    res = scope.resource
    if offset is None or not isinstance(look.value, str) or res.file is None:
        return None
    if look.key == "text" and look.container is res.fields:
        first = 1  # the whole file's text
    elif isinstance(look.container, Mapping) and isinstance(look.container.get("line"), int):
        first = look.container["line"]  # an item that knows its line (a card's `lines`)
    else:
        return None
    line = first + look.value.count("\n", 0, offset)
    start = look.value.rfind("\n", 0, offset) + 1
    end = look.value.find("\n", offset)
    snippet = look.value[start : end if end != -1 else len(look.value)].strip()[:200]
    return Location(res.file, line, offset - start + 1, snippet)
