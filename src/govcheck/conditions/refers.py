"""`refers_to: {field: PATH, kind: KIND, key: PATH}`: the field names a resource of another
kind, e.g. a monitor's target is a model registered in MLflow:

    refers_to: {field: target.model, kind: mlflow_registered_model, key: name}

The other kind's values are indexed once per check. A rule that reads an MLflow kind this
way is skipped, like a rule over MLflow entities, when the check has no MLflow store.
"""

from __future__ import annotations

from typing import Any

from govcheck import fieldpath
from govcheck.conditions.base import Build, Evaluator, Scope
from govcheck.conditions.field_cond import locate
from govcheck.errors import Mark
from govcheck.model import Outcome
from govcheck.operators import show
from govcheck.suggest import suggest
from govcheck.yamlsrc import LDict

_OPTIONS = ("field", "kind", "key")


def _invalid(scope: Scope) -> Outcome:
    return Outcome(False, "invalid condition")


def build_refers_to(node: Any, key: str, mark: Mark | None, b: Build) -> Evaluator:
    spec = node[key]
    where = node.value_marks.get(key)
    if not isinstance(spec, LDict) or set(spec) != set(_OPTIONS):
        b.error(where, f"'{key}' takes {{field: PATH, kind: KIND, key: PATH}}")
        return _invalid
    paths = {}
    for option in ("field", "key"):
        try:
            paths[option] = fieldpath.parse(b.subst(spec[option], spec.value_marks.get(option)))
        except fieldpath.FieldPathError as exc:
            b.error(spec.value_marks.get(option), str(exc))
            return _invalid
    kind = spec["kind"]
    if kind not in b.kinds:
        b.error(
            spec.value_marks.get("kind"),
            f"unknown resource kind '{kind}'",
            suggest(str(kind), b.kinds),
        )
        return _invalid
    b.reads.add(kind)
    field_path, key_path = paths["field"], paths["key"]
    b.read(field_path.keys)
    b.read_kind(str(kind), key_path.keys)

    def index(scope: Scope) -> frozenset[Any]:
        def make() -> frozenset[Any]:
            values = set()
            for res in scope.facts.resources(kind):
                look = fieldpath.get(res.fields, key_path)
                if (
                    look.found
                    and look.value is not None
                    and not isinstance(look.value, (dict, list))
                ):
                    values.add(look.value)
            return frozenset(values)

        return scope.facts.shared(f"refers_to:{kind}:{key_path}", make)

    def evaluate(scope: Scope) -> Outcome:
        look = fieldpath.get(scope.item, field_path)
        if not look.found or look.value is None:
            return Outcome(False, f"{field_path} is missing", locate(scope, look, None))
        if look.value in index(scope):
            return Outcome(True, f"{field_path} names a {kind}")
        return Outcome(
            False,
            f"{field_path} {show(look.value)} names no {kind} (by {key_path})",
            locate(scope, look, None),
        )

    return evaluate
