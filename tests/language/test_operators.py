"""Every field operator, one line a case: holds or not, why, and what fails to load."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from .lang import OPERATOR_NAMES, build_errors, holds, reason

NOW = dt.datetime.now(dt.timezone.utc)


def days_ago(days: float) -> str:
    """An ISO 8601 timestamp `days` before the start of this test run (negative: future)."""
    return (NOW - dt.timedelta(days=days)).isoformat()


def epoch(days: float, unit: int = 1) -> int:
    """Epoch time `days` ago, in seconds (unit=1) or milliseconds (unit=1000, as MLflow)."""
    return int((NOW - dt.timedelta(days=days)).timestamp() * unit)


Case = tuple[str, dict[str, Any], bool]

EQUALITY: list[Case] = [
    ("{field: x, equals: 3}", {"x": 3}, True),
    ("{field: x, equals: 3}", {"x": 4}, False),
    ("{field: x, equals: 3}", {"x": 3.0}, True),
    ("{field: x, equals: 3}", {"x": "3"}, False),  # no coercion: a string is not a number
    ("{field: x, equals: 3}", {}, False),
    ("{field: x, equals: 3}", {"x": None}, False),
    ("{field: x, equals: null}", {"x": None}, True),
    ("{field: x, equals: null}", {}, False),  # missing is not null
    ("{field: x, equals: prod}", {"x": "Prod"}, False),  # case-sensitive
    ("{field: x, equals: true}", {"x": True}, True),
    ("{field: x, equals: true}", {"x": "true"}, False),
    ("{field: x, equals: [a, b]}", {"x": ["a", "b"]}, True),
    ("{field: x, equals: [a, b]}", {"x": ["b", "a"]}, False),
    ("{field: x, equals: {k: 1}}", {"x": {"k": 1}}, True),
    # Surprising (Python equality): a boolean equals 1 or 0, though gt says it is no number.
    ("{field: x, equals: 1}", {"x": True}, True),
    ("{field: x, equals: 0}", {"x": False}, True),
    ("{field: x, not_equals: 3}", {"x": 4}, True),
    ("{field: x, not_equals: 3}", {"x": 3}, False),
    ("{field: x, not_equals: 3}", {"x": "3"}, True),
    ("{field: x, not_equals: 3}", {}, True),  # a missing field differs from anything
    ("{field: x, not_equals: 3}", {"x": None}, True),
    ("{field: x, not_equals: null}", {"x": None}, False),
]

MEMBERSHIP: list[Case] = [
    ("{field: x, in: [a, b]}", {"x": "a"}, True),
    ("{field: x, in: [a, b]}", {"x": "c"}, False),
    ("{field: x, in: [a, b]}", {}, False),
    ("{field: x, in: [a, b]}", {"x": None}, False),
    ("{field: x, in: [null, a]}", {"x": None}, True),
    ("{field: x, in: [1, 2]}", {"x": 2.0}, True),
    ("{field: x, in: [1, 2]}", {"x": "1"}, False),
    ("{field: x, in: [1, 2]}", {"x": True}, True),  # surprising: True == 1
    ("{field: x, in: [[a]]}", {"x": ["a"]}, True),  # a list value is one item, not many
    ("{field: x, in: [a]}", {"x": ["a"]}, False),
    ("{field: x, not_in: [a, b]}", {"x": "c"}, True),
    ("{field: x, not_in: [a, b]}", {"x": "a"}, False),
    ("{field: x, not_in: [a, b]}", {}, True),
    ("{field: x, not_in: [a, b]}", {"x": None}, True),
    ("{field: x, not_in: [null]}", {"x": None}, False),
    ("{field: x, not_in: [1]}", {"x": "1"}, True),
    ("{field: x, intersects: [a, b]}", {"x": ["z", "b"]}, True),
    ("{field: x, intersects: [a, b]}", {"x": ["z", "y"]}, False),
    ("{field: x, intersects: [a, b]}", {"x": []}, False),
    ("{field: x, intersects: [a, b]}", {"x": "a"}, True),  # a scalar is a list of one
    ("{field: x, intersects: [a, b]}", {"x": "ab"}, False),
    ("{field: x, intersects: [a, b]}", {"x": ("b",)}, True),
    ("{field: x, intersects: [a, b]}", {"x": {"a"}}, True),
    ("{field: x, intersects: [a, b]}", {}, False),
    ("{field: x, intersects: [a, b]}", {"x": None}, False),
    ("{field: x, intersects: [null]}", {"x": None}, False),  # None is no item at all
    ("{field: x, intersects: [1]}", {"x": ["1"]}, False),
]

PATTERNS: list[Case] = [
    ("{field: x, matches: '^v\\d+$'}", {"x": "v12"}, True),
    ("{field: x, matches: '^v\\d+$'}", {"x": "v12a"}, False),
    ("{field: x, matches: 'b'}", {"x": "abc"}, True),  # searched, not anchored
    ("{field: x, matches: 'B'}", {"x": "abc"}, False),
    ("{field: x, matches: '(?i)B'}", {"x": "abc"}, True),
    ("{field: x, matches: '^\\d+$'}", {"x": 123}, True),  # non-strings are matched as text
    ("{field: x, matches: '^True$'}", {"x": True}, True),  # as Python spells it, not 'true'
    ("{field: x, matches: '^$'}", {"x": ""}, True),
    ("{field: x, matches: '.*'}", {}, False),
    ("{field: x, matches: '.*'}", {"x": None}, False),
    ("{field: x, matches: '^a.c$'}", {"x": "a\nc"}, False),  # `.` stops at a newline (RE2)
    ("{field: x, not_matches: '\\s'}", {"x": "a_b"}, True),
    ("{field: x, not_matches: '\\s'}", {"x": "a b"}, False),
    ("{field: x, not_matches: '\\s'}", {}, True),
    ("{field: x, not_matches: '\\s'}", {"x": None}, True),
    ("{field: x, not_matches: '^4'}", {"x": 42}, False),
    ("{field: x, glob: 'models/*/train.yaml'}", {"x": "models/a/train.yaml"}, True),
    ("{field: x, glob: 'models/*/train.yaml'}", {"x": "models/a/b/train.yaml"}, False),
    ("{field: x, glob: 'models/**/train.yaml'}", {"x": "models/a/b/train.yaml"}, True),
    ("{field: x, glob: 'models/**/train.yaml'}", {"x": "models/train.yaml"}, True),
    ("{field: x, glob: '*.md'}", {"x": "docs/README.md"}, False),
    ("{field: x, glob: '*.md'}", {"x": "README.MD"}, False),  # case-sensitive
    ("{field: x, glob: '5'}", {"x": 5}, True),
    ("{field: x, glob: '**'}", {}, False),
    ("{field: x, glob: '**'}", {"x": None}, False),
]

PRESENCE: list[Case] = [
    ("{field: x, exists: true}", {"x": 0}, True),
    ("{field: x, exists: true}", {"x": ""}, True),  # present, though empty
    ("{field: x, exists: true}", {"x": False}, True),
    ("{field: x, exists: true}", {"x": None}, False),  # null counts as absent
    ("{field: x, exists: true}", {}, False),
    ("{field: x, exists: false}", {}, True),
    ("{field: x, exists: false}", {"x": None}, True),
    ("{field: x, exists: false}", {"x": 0}, False),
    ("{field: x.y, exists: true}", {"x": "y"}, False),  # a path through a scalar is missing
    ("{field: x, empty: true}", {"x": ""}, True),
    ("{field: x, empty: true}", {"x": " \t\n"}, True),  # blank strings are empty
    ("{field: x, empty: true}", {"x": []}, True),
    ("{field: x, empty: true}", {"x": {}}, True),
    ("{field: x, empty: true}", {"x": None}, True),
    ("{field: x, empty: true}", {}, True),
    ("{field: x, empty: true}", {"x": 0}, False),  # zero is a value
    ("{field: x, empty: true}", {"x": False}, False),
    ("{field: x, empty: true}", {"x": " a "}, False),
    ("{field: x, empty: true}", {"x": [None]}, False),
    ("{field: x, empty: false}", {"x": "a"}, True),
    ("{field: x, empty: false}", {"x": ""}, False),
    ("{field: x, empty: false}", {}, False),
    ("{field: x, contains: cd}", {"x": "abcdef"}, True),
    ("{field: x, contains: CD}", {"x": "abcdef"}, False),
    ("{field: x, contains: a}", {"x": ["a", "b"]}, True),
    ("{field: x, contains: a}", {"x": ["ab"]}, False),  # list items are compared whole
    ("{field: x, contains: 1}", {"x": [1, 2]}, True),
    ("{field: x, contains: 1}", {"x": "10"}, False),  # a number is not text
    ("{field: x, contains: 2}", {"x": 123}, False),  # a number contains nothing
    ("{field: x, contains: k}", {"x": {"k": 0}}, True),  # a mapping contains its keys
    ("{field: x, contains: 0}", {"x": {"k": 0}}, False),  # ... not its values
    ("{field: x, contains: a}", {}, False),
    ("{field: x, contains: a}", {"x": None}, False),
]

COMPARISONS: list[Case] = [
    ("{field: x, gt: 3}", {"x": 4}, True),
    ("{field: x, gt: 3}", {"x": 3}, False),
    ("{field: x, gt: 3}", {"x": 3.0001}, True),
    ("{field: x, gt: 3}", {"x": "4"}, True),  # numbers in strings are numbers
    ("{field: x, gt: 3}", {"x": " 4.5 "}, True),
    ("{field: x, gt: 3}", {"x": "four"}, False),
    ("{field: x, gt: 0}", {"x": True}, False),  # booleans are not numbers
    ("{field: x, gt: 3}", {"x": [4]}, False),
    ("{field: x, gt: 3}", {"x": None}, False),
    ("{field: x, gt: 3}", {}, False),
    ("{field: x, gt: -1}", {"x": 0}, True),
    ("{field: x, gt: '3'}", {"x": 4}, True),  # the operand may be quoted
    ("{field: x, gt: 1e3}", {"x": 1001}, True),
    ("{field: x, gt: .inf}", {"x": 1e308}, False),
    ("{field: x, gte: 3}", {"x": 3}, True),  # the boundary holds
    ("{field: x, gte: 3}", {"x": 2.999}, False),
    ("{field: x, gte: 3}", {"x": "3"}, True),
    ("{field: x, gte: 3}", {"x": False}, False),
    ("{field: x, gte: 3}", {}, False),
    ("{field: x, gte: 0.5}", {"x": 0.5}, True),
    ("{field: x, lt: 3}", {"x": 2}, True),
    ("{field: x, lt: 3}", {"x": 3}, False),  # the boundary does not
    ("{field: x, lt: 3}", {"x": -1e9}, True),
    ("{field: x, lt: 3}", {"x": "2"}, True),
    ("{field: x, lt: 3}", {"x": None}, False),
    ("{field: x, lt: 3}", {}, False),
    ("{field: x, lt: 3}", {"x": "nan"}, False),
    ("{field: x, lte: 3}", {"x": 3}, True),
    ("{field: x, lte: 3}", {"x": 3.0001}, False),
    ("{field: x, lte: 3}", {"x": 0}, True),
    ("{field: x, lte: 3}", {"x": True}, False),
    ("{field: x, lte: 3}", {}, False),
]

AGES: list[Case] = [
    ("{field: x, newer_than_days: 10}", {"x": days_ago(5)}, True),
    ("{field: x, newer_than_days: 10}", {"x": days_ago(15)}, False),
    ("{field: x, newer_than_days: 10}", {"x": days_ago(-3)}, True),  # the future is new
    ("{field: x, newer_than_days: 10}", {"x": days_ago(5)[:10]}, True),  # a bare date
    ("{field: x, newer_than_days: 10}", {"x": days_ago(15)[:10]}, False),
    ("{field: x, newer_than_days: 10}", {"x": days_ago(5)[:19] + "Z"}, True),
    ("{field: x, newer_than_days: 10}", {"x": days_ago(5)[:19]}, True),  # no zone: UTC
    ("{field: x, newer_than_days: 10}", {"x": epoch(5)}, True),  # epoch seconds
    ("{field: x, newer_than_days: 10}", {"x": epoch(15)}, False),
    ("{field: x, newer_than_days: 10}", {"x": epoch(5, 1000)}, True),  # epoch milliseconds
    ("{field: x, newer_than_days: 10}", {"x": epoch(15, 1000)}, False),
    ("{field: x, newer_than_days: 10}", {"x": str(epoch(5, 1000))}, False),  # text: no date
    ("{field: x, newer_than_days: 10}", {"x": NOW.date() - dt.timedelta(days=5)}, True),
    ("{field: x, newer_than_days: 10}", {"x": NOW - dt.timedelta(days=15)}, False),
    ("{field: x, newer_than_days: 10}", {"x": "last week"}, False),
    ("{field: x, newer_than_days: 10}", {"x": True}, False),
    ("{field: x, newer_than_days: 10}", {"x": None}, False),
    ("{field: x, newer_than_days: 10}", {}, False),
    ("{field: x, newer_than_days: 0.5}", {"x": days_ago(0.25)}, True),  # fractions of days
    ("{field: x, older_than_days: 10}", {"x": days_ago(15)}, True),
    ("{field: x, older_than_days: 10}", {"x": days_ago(5)}, False),
    ("{field: x, older_than_days: 10}", {"x": days_ago(10)}, True),  # time moves on
    ("{field: x, older_than_days: 10}", {"x": days_ago(-3)}, False),
    ("{field: x, older_than_days: 10}", {"x": days_ago(15)[:10]}, True),
    ("{field: x, older_than_days: 10}", {"x": epoch(15)}, True),
    ("{field: x, older_than_days: 10}", {"x": epoch(5)}, False),
    ("{field: x, older_than_days: 10}", {"x": epoch(15, 1000)}, True),
    ("{field: x, older_than_days: 10}", {"x": epoch(5, 1000)}, False),
    ("{field: x, older_than_days: 10}", {"x": "2001-02-03T04:05:06+02:00"}, True),
    ("{field: x, older_than_days: 10}", {"x": "not a date"}, False),
    ("{field: x, older_than_days: 10}", {"x": None}, False),
    ("{field: x, older_than_days: 10}", {}, False),  # missing is neither old nor new
    ("{field: x, older_than_days: 0}", {"x": days_ago(0.01)}, True),
]


ORDER = [
    ("{field: x, before: 2026-02-01}", {"x": "2026-01-31"}, True),
    ("{field: x, before: 2026-02-01}", {"x": "2026-02-01"}, False),  # strictly before
    ("{field: x, before: 2026-02-01}", {"x": "2026-02-01T00:00:00-01:00"}, False),  # UTC
    ("{field: x, before: '2026-02-01T12:00:00Z'}", {"x": "2026-02-01T11:59:59Z"}, True),
    ("{field: x, before: 2026-02-01}", {"x": 1769817600000}, True),  # epoch ms: 2026-01-31
    ("{field: x, before: 2026-02-01}", {"x": "soon"}, False),
    ("{field: x, before: 2026-02-01}", {}, False),
    ("{field: x, after: 2026-02-01}", {"x": "2026-02-02"}, True),
    ("{field: x, after: 2026-02-01}", {"x": "2026-01-02"}, False),
    ("{field: x, after: 2026-02-01}", {"x": None}, False),
    ("{field: x, after: 2026-02-01}", {}, False),
]

# The operand names another field of the same resource, a date moved by `days` first.
FIELD_OPERANDS = [
    ("{field: x, before: {field: y}}", {"x": "2026-01-01", "y": "2026-03-01"}, True),
    ("{field: x, before: {field: y}}", {"x": "2026-04-01", "y": "2026-03-01"}, False),
    ("{field: x, after: {field: y, days: -30}}", {"x": "2026-02-01", "y": "2026-03-01"}, True),
    ("{field: x, after: {field: y, days: -30}}", {"x": "2026-01-15", "y": "2026-03-01"}, False),
    (
        "{field: x, before: {field: y, days: 0.5}}",
        {"x": "2026-03-01T06:00:00Z", "y": "2026-03-01"},
        True,
    ),
    ("{field: x, after: {field: y}}", {"x": "2026-02-01"}, False),  # nothing to compare with
    ("{field: x, after: {field: y}}", {"y": "2026-02-01"}, False),
    ("{field: x, after: {field: y, days: 1}}", {"x": "2026-02-01", "y": "soon"}, False),
    ("{field: x, lt: {field: y}}", {"x": 3, "y": 5}, True),
    ("{field: x, gte: {field: y}}", {"x": 3, "y": 5}, False),
    ("{field: x, gt: {field: y}}", {"x": 3, "y": "five"}, False),
    ("{field: x, equals: {field: y}}", {"x": "m", "y": "m"}, True),
    ("{field: x, not_equals: {field: y}}", {"x": "m", "y": "m"}, False),
    ("{field: x, lte: {field: 'a.b[0]'}}", {"x": 2, "a": {"b": [2]}}, True),
    # a field of a joined entity (a model's serving version), with a tolerance in days
    (
        "{field: card_changed, after: {field: serving.creation_time, days: -30}}",
        {"card_changed": "2026-02-01T10:00:00+00:00", "serving": {"creation_time": "2026-03-01"}},
        True,
    ),
    (
        "{field: card_changed, after: {field: serving.creation_time, days: -30}}",
        {"card_changed": "2026-01-29T10:00:00+00:00", "serving": {"creation_time": "2026-03-01"}},
        False,
    ),
    (
        "{field: card_changed, after: {field: serving.creation_time}}",
        {"card_changed": "2026-01-29"},
        False,
    ),
]


ALL_CASES = EQUALITY + MEMBERSHIP + PATTERNS + PRESENCE + COMPARISONS + AGES + ORDER


@pytest.mark.parametrize(("condition", "fields", "expected"), EQUALITY)
def test_equality(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(("condition", "fields", "expected"), MEMBERSHIP)
def test_membership(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(("condition", "fields", "expected"), PATTERNS)
def test_patterns(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(("condition", "fields", "expected"), PRESENCE)
def test_presence_and_contents(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(("condition", "fields", "expected"), COMPARISONS)
def test_comparisons(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(("condition", "fields", "expected"), AGES)
def test_ages(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


def test_a_field_operand_takes_its_days_from_a_parameter() -> None:
    cond = "{field: changed, after: {field: serving.created, days: '-{tolerance}'}}"
    fields = {"changed": "2026-01-29", "serving": {"created": "2026-03-01"}}
    assert holds(cond, fields, {"tolerance": 60})
    assert not holds(cond, fields, {"tolerance": 20})


@pytest.mark.parametrize(
    ("condition", "fields", "why"),
    [
        ("{field: x, equals: 3}", {"x": 4}, "x is 4, expected 3"),
        ("{field: x, equals: 3}", {}, "x is missing, expected 3"),
        ("{field: x, equals: a}", {"x": None}, "x is null, expected 'a'"),
        ("{field: x, equals: 3}", {"x": 3}, "x is 3"),
        ("{field: x, equals: true}", {"x": False}, ""),  # the rule's message says it all
        ("{field: x, equals: true}", {"x": "no"}, "x is 'no', expected true"),
        ("{field: x, not_equals: 3}", {"x": 3}, "x is 3"),
        ("{field: x, not_equals: 3}", {}, "x is missing"),
        ("{field: x, in: [a, b]}", {"x": "c"}, "x is 'c', allowed: a, b"),
        ("{field: x, in: [a, b]}", {}, "x is missing, allowed: a, b"),
        ("{field: x, not_in: [a]}", {"x": "a"}, "x is 'a'"),
        ("{field: x, intersects: [a, b]}", {"x": ["c"]}, "x has none of a, b"),
        ("{field: x, intersects: [a, b, c]}", {"x": ["c", "a"]}, "x shares c, a"),
        ("{field: x, matches: '^v'}", {"x": "w1"}, "x 'w1' does not match '^v'"),
        ("{field: x, matches: '^v'}", {"x": "v1"}, "x 'v1' matches '^v'"),
        ("{field: x, matches: '^v'}", {}, "x is missing, expected to match '^v'"),
        ("{field: x, not_matches: '[A-Z]+'}", {"x": "aBCd"}, "x contains 'BC'"),
        ("{field: x, not_matches: '[A-Z]'}", {"x": "ab"}, "x does not match '[A-Z]'"),
        ("{field: x, not_matches: '[A-Z]'}", {}, "x is missing"),
        ("{field: x, glob: '*.md'}", {"x": "a.txt"}, "x 'a.txt' vs glob '*.md'"),
        ("{field: x, glob: '*.md'}", {}, "x missing vs glob '*.md'"),
        ("{field: x, exists: true}", {}, "x is missing"),
        ("{field: x, exists: false}", {"x": 1}, "x exists"),
        ("{field: x, empty: false}", {"x": " "}, "x is empty"),
        ("{field: x, empty: false}", {}, "x is missing"),
        ("{field: x, empty: true}", {"x": [1]}, "x is [1]"),
        ("{field: x, contains: b}", {"x": "ac"}, "x does not contain 'b'"),
        ("{field: x, contains: b}", {"x": "abc"}, "x contains 'b'"),
        ("{field: x, contains: b}", {}, "x is missing, expected to contain 'b'"),
        ("{field: x, gt: 3}", {"x": 2}, "x is 2, expected > 3"),
        ("{field: x, gte: 3}", {"x": 2}, "x is 2, expected >= 3"),
        ("{field: x, lt: 3}", {"x": "4"}, "x is '4', expected < 3"),
        ("{field: x, lte: 3}", {"x": 4.5}, "x is 4.5, expected <= 3"),
        ("{field: x, gt: 3}", {"x": "n/a"}, "x is 'n/a', not a number"),
        ("{field: x, gt: 3}", {"x": True}, "x is true, not a number"),
        ("{field: x, gt: 3}", {"x": None}, "x is null, not a number"),
        ("{field: x, gt: 3}", {}, "x is missing, not a number"),
        ("{field: x, newer_than_days: 1}", {}, "x is missing, not a date"),
        ("{field: x, newer_than_days: 1}", {"x": "soon"}, "x is 'soon', not a date"),
        (
            "{field: x, older_than_days: 1}",
            {"x": 1.5e9},
            "x is 2017-07-14 (N days old), expected before DAY (1 days ago)",
        ),
    ],
)
def test_reasons(condition: str, fields: dict[str, Any], why: str) -> None:
    """Why it failed, and (for `not`) why it held: the operator's reason after the path."""
    got = re.sub(r"\(\d+ days old\)", "(N days old)", reason(condition, fields))  # today's
    got = re.sub(r"expected (before|after) \d{4}-\d\d-\d\d", r"expected \1 DAY", got)
    assert got == why


@pytest.mark.parametrize(
    ("condition", "error"),
    [
        ("{field: x, gt: abc}", "expects a number, got 'abc'"),
        ("{field: x, gte: true}", "expects a number, got true"),
        ("{field: x, lt: null}", "expects a number, got null"),
        ("{field: x, lte: [1]}", "expects a number, got [1]"),
        ("{field: x, gt: .nan}", "expects a number, got nan"),
        ("{field: x, newer_than_days: -1}", "expects a number of days, got -1"),
        ("{field: x, older_than_days: soon}", "expects a number of days, got 'soon'"),
        ("{field: x, older_than_days: false}", "expects a number of days, got false"),
        ("{field: x, in: a}", "expects a list, got 'a'"),
        ("{field: x, not_in: {a: 1}}", "expects a list, got {'a': 1}"),
        ("{field: x, intersects: 3}", "expects a list, got 3"),
        ("{field: x, matches: 3}", "expects a regular expression string, got 3"),
        ("{field: x, not_matches: [a]}", "expects a regular expression string, got ['a']"),
        ("{field: x, matches: '(a'}", "invalid regular expression '(a': missing ): (a"),
        (
            "{field: x, matches: '(?=a)'}",
            "invalid regular expression '(?=a)': invalid perl operator: (?=",
        ),
        (
            r"{field: x, matches: '(a)\1'}",
            r"invalid regular expression '(a)\\1': invalid escape sequence: \1",
        ),
        ("{field: x, glob: []}", "expects a glob pattern or a list of them, got []"),
        ("{field: x, glob: [a, 3]}", "expects a glob pattern or a list of them, got ['a', 3]"),
        ("{field: x, exists: 1}", "expects true or false, got 1"),
        ("{field: x, empty: 'true'}", "expects true or false, got 'true'"),
    ],
)
def test_invalid_operands_are_load_errors(condition: str, error: str) -> None:
    """One error, marked at the operand, naming the operator: `1:16: 'gt': expects ...`."""
    op = condition.split(", ")[1].split(":")[0]
    column = condition.index(f" {op}: ") + len(op) + 4
    assert build_errors(condition) == [f"1:{column}: '{op}': {error}"]


@pytest.mark.parametrize(
    "condition",
    [
        "{field: x, equals: {a: [1, null]}}",
        "{field: x, not_equals: null}",
        "{field: x, contains: [a]}",
        "{field: x, in: []}",
        "{field: x, gt: '3'}",
        "{field: x, gt: .inf}",
        "{field: x, exists: yes}",  # YAML 1.1: yes is true
        "{field: x, newer_than_days: 0}",
        "{field: x, older_than_days: '1.5'}",
        "{field: x, glob: ''}",
    ],
)
def test_valid_operands_load(condition: str) -> None:
    assert build_errors(condition) == []


def test_an_age_reason_names_the_date_and_the_age() -> None:
    when = days_ago(10)
    cutoff = days_ago(1)[:10]
    assert reason("{field: x, newer_than_days: 1}", {"x": when}) == (
        f"x is {when[:10]} (10 days old), expected after {cutoff} (1 days ago)"
    )
    assert reason("{field: x, older_than_days: 1}", {"x": epoch(3, 1000)}).endswith(
        "(3 days old), expected before " + cutoff + " (1 days ago)"
    )


@pytest.mark.parametrize("op", ["newer_than_days", "older_than_days"])
def test_an_age_limit_left_unset_limits_nothing(op: str) -> None:
    """`{param}` set to null (max_model_age_days when no retraining policy is set)."""
    assert holds(f"{{field: x, {op}: '{{limit}}'}}", {"x": days_ago(5000)}, {"limit": None})
    assert holds(f"{{field: x, {op}: '{{limit}}'}}", {"x": days_ago(-5)}, {"limit": None})
    assert reason(f"{{field: x, {op}: null}}", {}) == "x no limit set"


# A list of globs: any one may match (fairness_metric_patterns).
GLOB_LISTS = [
    ("{field: x, glob: ['*_ratio', 'dp_*']}", {"x": "selection_rate_ratio"}, True),
    ("{field: x, glob: ['*_ratio', 'dp_*']}", {"x": "dp_sex"}, True),
    ("{field: x, glob: ['*_ratio', 'dp_*']}", {"x": "accuracy"}, False),
    ("{field: x, glob: ['*_ratio']}", {}, False),
]


@pytest.mark.parametrize(("condition", "fields", "expected"), GLOB_LISTS)
def test_glob_lists(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


def test_comparison_operands_come_from_parameters() -> None:
    assert holds("{field: x, gte: '{min}'}", {"x": 3}, {"min": 3})
    assert not holds("{field: x, gte: '{min}'}", {"x": 3}, {"min": 3.5})
    assert holds("{field: x, newer_than_days: '{days}'}", {"x": days_ago(2)}, {"days": 3})


def test_contains_a_list_in_a_mapping_is_false_not_a_crash() -> None:
    assert not holds("{field: x, contains: [a]}", {"x": {"a": 1}})


def test_an_impossible_epoch_is_not_a_date() -> None:
    assert reason("{field: x, newer_than_days: 1}", {"x": 10**20}) == f"x is {10**20}, not a date"
    assert reason("{field: x, older_than_days: 1}", {"x": 10**400}).endswith(", not a date")
    assert holds("{field: x, gt: 5}", {"x": 10**400})  # beyond a float: infinite, not a crash


def test_nan_days_are_a_load_error() -> None:
    assert build_errors("{field: x, newer_than_days: .nan}") != []


def test_a_glob_with_a_bad_character_class_is_a_load_error() -> None:
    assert build_errors("{field: x, glob: '[z-a].md'}") != []


@pytest.mark.parametrize(("condition", "fields", "expected"), ORDER)
def test_before_and_after(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(("condition", "fields", "expected"), FIELD_OPERANDS)
def test_operands_that_name_a_field(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(
    ("condition", "fields", "why"),
    [
        (
            "{field: x, after: {field: y, days: -30}}",
            {"x": "2026-01-15", "y": "2026-03-01"},
            "x is 2026-01-15, expected after 2026-01-30 (y - 30 days)",
        ),
        ("{field: x, gt: {field: y}}", {"x": 3, "y": 5}, "x is 3, expected > 5 (y)"),
        (
            "{field: x, after: {field: y}}",
            {"x": "2026-02-01"},
            "x cannot be compared: y is missing",
        ),
        (
            "{field: x, after: {field: y, days: 1}}",
            {"x": "2026-02-01", "y": "soon"},
            "x cannot be compared: y is not a date",
        ),
        (
            "{field: x, before: {field: y}}",
            {"x": "2026-02-01", "y": "soon"},
            "x cannot be compared with y: expects a date (2026-01-31) or a field, got 'soon'",
        ),
    ],
)
def test_field_operand_reasons_show_both_values(
    condition: str, fields: dict[str, Any], why: str
) -> None:
    assert reason(condition, fields) == why


@pytest.mark.parametrize(
    ("condition", "error"),
    [
        ("{field: x, before: tomorrow}", "1:20: 'before': expects a date (2026-01-31) or a field"),
        (
            "{field: x, matches: {field: y}}",
            "1:21: 'matches' compares with a value, not another field",
        ),
        ("{field: x, before: {field: y, dayz: 3}}", "1:31: unknown key 'dayz' in a field operand"),
        ("{field: x, before: {field: y, days: soon}}", "1:37: 'days' takes a number, got 'soon'"),
        ("{field: x, before: {field: 'y.'}}", "1:28: bad field path 'y.': ends with '.'"),
    ],
)
def test_field_operand_errors(condition: str, error: str) -> None:
    [found] = build_errors(condition)
    assert found.startswith(error)


def test_every_operator_has_holding_failing_and_missing_field_cases() -> None:
    """A new operator without such cases in the tables above fails here."""
    seen: set[tuple[str, object]] = set()
    for condition, fields, expected in ALL_CASES:
        op = condition.split(", ")[1].split(":")[0]
        seen |= {(op, expected)} | ({(op, "missing")} if "x" not in fields else set())
    wanted = {(op, case) for op in OPERATOR_NAMES for case in (True, False, "missing")}
    assert wanted - seen == set()
