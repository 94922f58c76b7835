"""`bounds: {value: PATH, name: PATH, limits: TABLE}`: a named number within the limits a
table gives for its name, e.g. each fairness metric a run logged:

    for_each: run.metrics          # items {key, value}
    require: {bounds: {value: value, name: key, limits: "{fairness_thresholds}"}}

TABLE maps name globs to `{min: X}`, `{max: Y}` or both (inclusive). The entry for a name
is its exact one, else the most specific glob that matches it (the longest, fewest
wildcards); a name no entry matches is not judged. A value that is not a number (NaN
included) is outside every bound. The reason names the value, the bound and the entry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcheck import fieldpath
from govcheck.conditions.base import Build, Evaluator, Scope
from govcheck.conditions.field_cond import locate
from govcheck.errors import Mark
from govcheck.globs import GlobError, compile_glob, glob_match
from govcheck.model import Outcome
from govcheck.operators import show
from govcheck.yamlsrc import LDict

_OPTIONS = ("value", "name", "limits")


@dataclass(frozen=True)
class Limit:
    glob: str
    low: float | None
    high: float | None

    def describe(self) -> str:
        parts = ([f"min {self.low:g}"] if self.low is not None else []) + (
            [f"max {self.high:g}"] if self.high is not None else []
        )
        return ", ".join(parts)


def _invalid(scope: Scope) -> Outcome:
    return Outcome(False, "invalid condition")


def _bound(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ValueError
    return float(value)


def _limits(table: Any, mark: Mark | None, b: Build) -> list[Limit] | None:
    if not isinstance(table, Mapping):
        b.error(mark, f"'limits' takes a mapping of name globs to {{min, max}}, got {show(table)}")
        return None
    out = []
    for glob, spec in table.items():
        where = table.value_marks.get(glob) if isinstance(table, LDict) else None
        where = where or mark
        if not isinstance(spec, Mapping) or not spec or set(spec) - {"min", "max"}:
            b.error(where, f"limits for {glob!r} take min and/or max, got {show(spec)}")
            return None
        try:
            compile_glob(str(glob))
            low, high = spec.get("min"), spec.get("max")
            limit = Limit(
                str(glob),
                _bound(low) if low is not None else None,
                _bound(high) if high is not None else None,
            )
        except GlobError as exc:
            b.error(where, str(exc))
            return None
        except ValueError:
            b.error(where, f"limits for {glob!r}: min and max take numbers, got {show(spec)}")
            return None
        out.append(limit)
    # Most specific first: exact names, then longer globs with fewer wildcards.
    return sorted(out, key=lambda x: (_wild(x.glob) > 0, _wild(x.glob), -len(x.glob)))


def _wild(glob: str) -> int:
    return sum(glob.count(c) for c in "*?[")


def build_bounds(node: Any, key: str, mark: Mark | None, b: Build) -> Evaluator:
    spec = node[key]
    where = node.value_marks.get(key)
    if not isinstance(spec, LDict) or set(spec) != set(_OPTIONS):
        b.error(where, f"'{key}' takes {{value: PATH, name: PATH, limits: TABLE}}")
        return _invalid
    paths = {}
    for option in ("value", "name"):
        try:
            paths[option] = fieldpath.parse(b.subst(spec[option], spec.value_marks.get(option)))
        except fieldpath.FieldPathError as exc:
            b.error(spec.value_marks.get(option), str(exc))
            return _invalid
        b.read(paths[option].keys)
    written = spec["limits"]
    limits = _limits(b.subst(written, spec.value_marks.get("limits")), where, b)
    if limits is None:
        return _invalid
    # The reason names the table as the policy does: its parameter, when it is one.
    table = written.strip("{}") if isinstance(written, str) else "limits"
    value_path, name_path = paths["value"], paths["name"]

    def evaluate(scope: Scope) -> Outcome:
        name = fieldpath.get(scope.item, name_path)
        if not name.found or name.value is None:
            return Outcome(True, f"{name_path} is missing: no limits apply")
        text = str(name.value)
        limit = next((x for x in limits if glob_match(x.glob, text)), None)
        if limit is None:
            return Outcome(True, f"no {table} entry for {text}")
        look = fieldpath.get(scope.item, value_path)
        value = look.value if look.found else None
        entry = f"{table}[{limit.glob!r}]: {limit.describe()}"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            shown = "missing" if not look.found else show(value)
            return Outcome(False, f"{text} is {shown}, not a number ({entry})")
        if limit.low is not None and value < limit.low:
            return Outcome(
                False,
                f"{text} is {value:g}, below {limit.low:g} ({entry})",
                locate(scope, look, None),
            )
        if limit.high is not None and value > limit.high:
            return Outcome(
                False,
                f"{text} is {value:g}, above {limit.high:g} ({entry})",
                locate(scope, look, None),
            )
        return Outcome(True, f"{text} is {value:g}, within {entry}")

    return evaluate
