"""Field operators: each a pure function built once at load from the policy's operand.

`OPERATORS[name](operand)` validates the operand (raising OperandError with a readable
message) and returns a test `(found, value) -> Verdict`. A test must say why in both
directions, because `not:` reports the reason its inner condition held.
"""

from __future__ import annotations

import datetime as dt
import math
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from govcheck.globs import GlobError, compile_glob, glob_match
from govcheck.regex import RegexError, compile_regex


class OperandError(ValueError):
    pass


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str
    offset: int | None = None  # where in a string value the decisive match starts


Test = Callable[[bool, Any], Verdict]


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring = 2, 6, 6, 60


def show(value: Any, limit: int = 80) -> str:
    """A value as the policy author wrote it: YAML spelling for booleans and null. Only
    what is shown is turned into text: a 5 MB document or a long list costs nothing."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, str):
        text = repr(value[: limit + 1])
    elif isinstance(value, (list, tuple, dict, set)):
        text = _SHORT.repr(value)
    elif isinstance(value, Mapping):  # a resource's own fields: keys only, computing none
        text = f"a mapping of {len(value)} fields"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set, Mapping)):
        return len(value) == 0
    return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:  # an integer of hundreds of digits: beyond any float
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def timestamp(value: Any) -> dt.datetime | None:
    """ISO 8601 strings, dates, or epoch numbers (MLflow stores milliseconds)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    num = _number(value)
    if num is not None and not isinstance(value, str):
        try:
            return dt.datetime.fromtimestamp(num / 1000 if num > 1e11 else num, dt.timezone.utc)
        except (OverflowError, OSError, ValueError):  # beyond any calendar: not a date
            return None
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    return None


def op_equals(operand: Any) -> Test:
    def test(found: bool, v: Any) -> Verdict:
        if not found:
            return Verdict(False, f"is missing, expected {show(operand)}")
        if v == operand:
            return Verdict(True, f"is {show(v)}")
        if isinstance(operand, bool) and isinstance(v, bool):
            # `{field: pinned, equals: true}` failing says nothing the message doesn't.
            return Verdict(False, "")
        return Verdict(False, f"is {show(v)}, expected {show(operand)}")

    return test


def op_not_equals(operand: Any) -> Test:
    return lambda found, v: Verdict(
        not found or v != operand, f"is {show(v) if found else 'missing'}"
    )


def _operand_list(operand: Any) -> list[Any]:
    if not isinstance(operand, list):
        raise OperandError(f"expects a list, got {show(operand)}")
    return operand


def op_in(operand: Any) -> Test:
    items = _operand_list(operand)
    return lambda found, v: Verdict(
        found and _hashable_in(v, items),
        f"is {show(v) if found else 'missing'}, allowed: {', '.join(map(str, items))}",
    )


def op_not_in(operand: Any) -> Test:
    items = _operand_list(operand)
    return lambda found, v: Verdict(
        not found or not _hashable_in(v, items), f"is {show(v) if found else 'missing'}"
    )


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _hashable_in(value: Any, items: list[Any]) -> bool:
    return any(value == item for item in items)


def op_intersects(operand: Any) -> Test:
    items = _operand_list(operand)

    def test(found: bool, v: Any) -> Verdict:
        values = (
            v if isinstance(v, (list, tuple, set)) else ([v] if found and v is not None else [])
        )
        shared = [x for x in values if _hashable_in(x, items)]
        return Verdict(
            bool(shared),
            f"shares {', '.join(map(str, shared))}"
            if shared
            else f"has none of {', '.join(map(str, items))}",
        )

    return test


def _regex(operand: Any) -> Any:
    if not isinstance(operand, str):
        raise OperandError(f"expects a regular expression string, got {show(operand)}")
    try:
        return compile_regex(operand)
    except RegexError as exc:
        raise OperandError(str(exc)) from None


def op_matches(operand: Any) -> Test:
    rx = _regex(operand)

    def test(found: bool, v: Any) -> Verdict:
        if not found or v is None:
            return Verdict(False, f"is missing, expected to match {operand!r}")
        m = rx.search(str(v))
        return Verdict(
            m is not None, f"{show(v)} " + ("matches" if m else "does not match") + f" {operand!r}"
        )

    return test


def op_not_matches(operand: Any) -> Test:
    rx = _regex(operand)

    def test(found: bool, v: Any) -> Verdict:
        if not found or v is None:
            return Verdict(True, "is missing")
        m = rx.search(str(v))
        if m is None:
            return Verdict(True, f"does not match {operand!r}")
        return Verdict(False, f"contains {show(m.group(0), 60)}", m.start())

    return test


def op_glob(operand: Any) -> Test:
    """A glob, or a list of globs of which any one may match (often a `{param}` list)."""
    globs = operand if isinstance(operand, list) else [operand]
    if not globs or not all(isinstance(g, str) for g in globs):
        raise OperandError(f"expects a glob pattern or a list of them, got {show(operand)}")
    for glob in globs:
        try:
            compile_glob(glob.strip("/"))
        except GlobError as exc:
            raise OperandError(str(exc)) from None
    shown = f"glob {globs[0]!r}" if len(globs) == 1 else f"globs {', '.join(map(repr, globs))}"
    return lambda found, v: Verdict(
        found and v is not None and any(glob_match(g, str(v)) for g in globs),
        f"{show(v) if found else 'missing'} vs {shown}",
    )


def _bool(operand: Any) -> bool:
    if not isinstance(operand, bool):
        raise OperandError(f"expects true or false, got {show(operand)}")
    return operand


def op_exists(operand: Any) -> Test:
    want = _bool(operand)
    return lambda found, v: Verdict(
        (found and v is not None) == want, "exists" if found and v is not None else "is missing"
    )


def op_empty(operand: Any) -> Test:
    want = _bool(operand)
    return lambda found, v: Verdict(
        (not found or _is_empty(v)) == want,
        "is missing" if not found else ("is empty" if _is_empty(v) else f"is {show(v)}"),
    )


def op_contains(operand: Any) -> Test:
    def test(found: bool, v: Any) -> Verdict:
        if not found or v is None:
            return Verdict(False, f"is missing, expected to contain {show(operand)}")
        if isinstance(v, str):
            ok = isinstance(operand, str) and operand in v
        elif isinstance(v, Mapping):
            ok = _hashable(operand) and operand in v
        elif isinstance(v, (list, tuple, set)):
            ok = _hashable_in(operand, list(v))
        else:
            ok = False
        return Verdict(ok, ("contains " if ok else "does not contain ") + show(operand))

    return test


def _compare(symbol: str, cmp: Callable[[float, float], bool]) -> Callable[[Any], Test]:
    def build(operand: Any) -> Test:
        limit = _number(operand)
        if limit is None or math.isnan(limit):
            raise OperandError(f"expects a number, got {show(operand)}")

        def test(found: bool, v: Any) -> Verdict:
            num = _number(v) if found else None
            if num is None:
                return Verdict(False, f"is {show(v) if found else 'missing'}, not a number")
            return Verdict(cmp(num, limit), f"is {show(v)}, expected {symbol} {show(operand)}")

        return test

    return build


# How often a condition read the clock: what it says ("N days old") changes with the
# time, so a check that read it is not kept for reuse (verdicts.py compares the count).
clock_reads = 0


def read_clock() -> dt.datetime:
    global clock_reads
    clock_reads += 1
    return dt.datetime.now(dt.timezone.utc)


def _age(newer: bool) -> Callable[[Any], Test]:
    def build(operand: Any) -> Test:
        if operand is None:
            # A limit left unset (`max_model_age_days: null`) limits nothing.
            return lambda found, v: Verdict(True, "no limit set")
        days = _number(operand)
        if days is None or math.isnan(days) or days < 0:
            raise OperandError(f"expects a number of days, got {show(operand)}")

        def test(found: bool, v: Any) -> Verdict:
            when = timestamp(v) if found else None
            if when is None:
                return Verdict(False, f"is {show(v) if found else 'missing'}, not a date")
            now = read_clock()
            age = (now - when).total_seconds() / 86400
            ok = age < days if newer else age > days
            cutoff = (now - dt.timedelta(days=days)).date().isoformat()
            word = "after" if newer else "before"
            return Verdict(
                ok,
                f"is {when.date().isoformat()} ({age:.0f} days old), "
                f"expected {word} {cutoff} ({days:g} days ago)",
            )

        return test

    return build


def _day(when: dt.datetime) -> str:
    return when.date().isoformat() if when.time() == dt.time(0) else when.isoformat()


def _order(earlier: bool) -> Callable[[Any], Test]:
    """`before` / `after` a date: an ISO date or time, a date, epoch milliseconds."""

    def build(operand: Any) -> Test:
        limit = timestamp(operand)
        if limit is None:
            raise OperandError(f"expects a date (2026-01-31) or a field, got {show(operand)}")
        word = "before" if earlier else "after"

        def test(found: bool, v: Any) -> Verdict:
            when = timestamp(v) if found else None
            if when is None:
                return Verdict(False, f"is {show(v) if found else 'missing'}, not a date")
            ok = when < limit if earlier else when > limit
            return Verdict(ok, f"is {_day(when)}, expected {word} {_day(limit)}")

        return test

    return build


def shift_days(value: Any, days: float) -> dt.datetime | None:
    """A date moved by a number of days (date arithmetic in policies); None if no date."""
    when = timestamp(value)
    if when is None:
        return None
    try:
        return when + dt.timedelta(days=days)
    except OverflowError:
        return None


# Operators whose operand may be another field of the resource: `{field: a, before:
# {field: b, days: -30}}` compares a with b's value (moved by 30 days) at evaluation time.
FIELD_COMPARABLE = frozenset({"equals", "not_equals", "gt", "gte", "lt", "lte", "before", "after"})

OPERATORS: dict[str, Callable[[Any], Test]] = {
    "equals": op_equals,
    "not_equals": op_not_equals,
    "in": op_in,
    "not_in": op_not_in,
    "intersects": op_intersects,
    "matches": op_matches,
    "not_matches": op_not_matches,
    "glob": op_glob,
    "exists": op_exists,
    "empty": op_empty,
    "contains": op_contains,
    "gt": _compare(">", lambda a, b: a > b),
    "gte": _compare(">=", lambda a, b: a >= b),
    "lt": _compare("<", lambda a, b: a < b),
    "lte": _compare("<=", lambda a, b: a <= b),
    "newer_than_days": _age(newer=True),
    "older_than_days": _age(newer=False),
    "before": _order(earlier=True),
    "after": _order(earlier=False),
}
