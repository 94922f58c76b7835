"""`{field}` templates in messages and file paths: they never fail to render."""

from __future__ import annotations

import pytest

from govcheck.templates import MAX_FIELD, MAX_TEXT, render

FIELDS = {
    "path": "models/a/train.yaml",
    "size_mb": 1.23456,
    "n": 3,
    "tags": ["x", "y"],
    "empty": [],
    "none": None,
    "flag": True,
    "data": {"owner": "ml@x.org", "k.e": "v", "runs": [{"id": 7}]},
}


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("{path} has no owner", "models/a/train.yaml has no owner"),
        ("{path}: {n} runs", "models/a/train.yaml: 3 runs"),
        ("{ path }", "models/a/train.yaml"),
        ("{data.owner}", "ml@x.org"),
        ("{data['k.e']}", "v"),
        ("{data.runs[0].id}", "7"),
        ("{data.runs[-1].id}", "7"),
        ("{tags}", "x, y"),  # lists are joined with ", "
        ("{tags[1]}", "y"),
        ("[{empty}]", "[]"),
        ("[{none}]", "[]"),  # None renders empty
        ("{flag}", "True"),  # Python's spelling, not YAML's
        ("{nope}", "{nope}"),  # unknown fields stay literal
        ("{data.nope} and {n}", "{data.nope} and 3"),
        ("{bad..path}", "{bad..path}"),  # so do bad paths
        ("{}", "{}"),
        ("{{n}}", "{3}"),  # no escaping: the inner braces are the template
        ("no fields", "no fields"),
        ("", ""),
    ],
)
def test_render(template: str, text: str) -> None:
    assert render(template, FIELDS) == text


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("{size_mb:.2f} MB", "1.23 MB"),
        ("{size_mb:.0f}", "1"),
        ("{size_mb:>8.1f}", "     1.2"),
        ("{size_mb:.0%}", "123%"),
        ("{n:03d}", "003"),
        ("{n:+d}", "+3"),
        ("{n:,}", "3"),
        ("{n:}", "3"),
        ("{path:.2f}", "models/a/train.yaml"),  # a spec that does not fit: plain text
        ("{none:.2f}", ""),
        ("{tags:.2f}", "x, y"),
        ("{nope:.2f}", "{nope:.2f}"),
        ("{path:x}", "{path:x}"),  # not a spec it knows: the whole is a (bad) path
    ],
)
def test_format_specs(template: str, text: str) -> None:
    assert render(template, FIELDS) == text


def test_render_reads_mappings_lazily_filled() -> None:
    from govcheck.model import LazyFields

    fields = LazyFields({"path": "a.md"}, {"size_mb": lambda: 2.5})
    assert render("{path} is {size_mb:.1f} MB", fields) == "a.md is 2.5 MB"


@pytest.mark.parametrize(
    "template",
    ["{path:>300000000}", "{path:<99999}", "{size_mb:.999f}", "{n:0300d}"],
)
def test_a_spec_cannot_pad_without_bound(template: str) -> None:
    assert render(template, FIELDS) == template  # not a spec govcheck applies: literal


def test_fields_and_messages_are_cut_to_a_bounded_length() -> None:
    fields = {"text": "x" * 10_000_000, "items": ["y" * 1000] * 100_000}
    one = render("{text}", fields)
    assert len(one) == MAX_FIELD and one.endswith("…")
    assert len(render("{items}", fields)) == MAX_FIELD
    assert len(render("{text}" * 1000, fields)) == MAX_TEXT
    assert render("{size_mb:>12.2f}", FIELDS) == "        1.23"
