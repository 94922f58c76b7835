"""all / any / not, and every / some over a list field (or a mapping's entries)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govcheck import fieldpath
from govcheck.conditions.base import Build, Evaluator, Scope, build_condition
from govcheck.errors import Mark
from govcheck.model import OK, Location, Outcome
from govcheck.yamlsrc import LDict, LList, value_mark


def _children(node: LDict, key: str, b: Build) -> list[Evaluator]:
    items = node[key]
    if not isinstance(items, LList) or not items:
        b.error(node.value_marks.get(key), f"'{key}' takes a non-empty list of conditions")
        return []
    return [build_condition(c, m, b) for c, m in zip(items, items.item_marks)]


def build_all(node: LDict, key: str, mark: Mark | None, b: Build) -> Evaluator:
    children = _children(node, key, b)

    def evaluate(scope: Scope) -> Outcome:
        failed = [o for o in (c(scope) for c in children) if not o.ok]
        if not failed:
            return OK
        parts = tuple(p for o in failed for p in (o.parts or (o,)))
        return Outcome(
            False, "; ".join(o.reason for o in failed if o.reason), failed[0].location, parts
        )

    return evaluate


def build_any(node: LDict, key: str, mark: Mark | None, b: Build) -> Evaluator:
    children = _children(node, key, b)

    def evaluate(scope: Scope) -> Outcome:
        outcomes = []
        for child in children:
            outcome = child(scope)
            if outcome.ok:
                return outcome
            outcomes.append(outcome)
        reasons = [o.reason for o in outcomes if o.reason]
        located = next((o.location for o in outcomes if o.location), None)
        return Outcome(
            False,
            "none of: " + "; ".join(reasons) if len(reasons) > 1 else "".join(reasons),
            located,
        )

    return evaluate


def build_not(node: LDict, key: str, mark: Mark | None, b: Build) -> Evaluator:
    inner = build_condition(node[key], node.value_marks.get(key), b)

    def evaluate(scope: Scope) -> Outcome:
        outcome = inner(scope)
        if outcome.ok:
            return Outcome(False, outcome.reason or "the negated condition holds", outcome.location)
        return Outcome(True, outcome.reason)

    return evaluate


def _list_builder(quantifier: str) -> Any:
    def build(node: LDict, key: str, mark: Mark | None, b: Build) -> Evaluator:
        try:
            path = fieldpath.parse(b.subst(node[key], node.value_marks.get(key)))
        except fieldpath.FieldPathError as exc:
            b.error(node.value_marks.get(key), str(exc))
            path = fieldpath.FieldPath(".", ())
        b.read(path.keys, presence=True)
        for label in _LABEL_KEYS:  # failures name their items
            b.read((*path.keys, None, label))
        with b.inside((*path.keys, None)):
            inner = build_condition(node["require"], node.value_marks.get("require"), b)

        def evaluate(scope: Scope) -> Outcome:
            look = fieldpath.get(scope.item, path)
            items = fieldpath.items_of(look)
            failures: list[tuple[int, Any, Outcome]] = []
            for index, item in enumerate(items):
                outcome = inner(Scope(scope.facts, scope.resource, item, scope.base_dir))
                if outcome.ok and quantifier == "some":
                    return OK
                if not outcome.ok:
                    failures.append((index, item, outcome))
            if quantifier == "every":
                if not failures:
                    return OK
                shown = "; ".join(f"{_label(i, it)}: {o.reason}" for i, it, o in failures[:10])
                more = f" and {len(failures) - 10} more" if len(failures) > 10 else ""
                parts = tuple(
                    Outcome(False, o.reason, _item_location(scope, look.value, (i, it, o)))
                    for i, it, o in failures
                )
                return Outcome(
                    False,
                    f"{len(failures)} of {len(items)} {path} fail: {shown}{more}",
                    parts[0].location,
                    parts,
                )
            if not items:
                return Outcome(False, f"{path} is empty" if look.found else f"{path} is missing")
            return Outcome(
                False,
                f"no item of {path} qualifies: {failures[0][2].reason}",
                _item_location(scope, look.value, failures[0]),
            )

        return evaluate

    return build


_LABEL_KEYS = ("name", "heading", "id", "key")


def _label(index: int, item: Any) -> str:
    if isinstance(item, Mapping):
        for key in _LABEL_KEYS:
            if isinstance(item.get(key), (str, int)):
                return f"[{index}] {item[key]!r}"
    return f"[{index}]"


def _item_location(
    scope: Scope, container: Any, failure: tuple[int, Any, Outcome]
) -> Location | None:
    index, item, outcome = failure
    if outcome.location:
        return outcome.location
    mark = value_mark(container, index)
    if mark:
        return Location(mark.path, mark.line, mark.column, _label(index, item))
    # Items that know their own line (markdown sections, headings) locate themselves.
    line = item.get("line") if isinstance(item, Mapping) else None
    if isinstance(line, int) and scope.resource.file is not None:
        return Location(scope.resource.file, line, 1, _label(index, item))
    return None


build_every = _list_builder("every")
build_some = _list_builder("some")
