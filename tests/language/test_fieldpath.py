"""Field paths: dotted keys, bracket-quoted keys with dots in them, list indexes."""

from __future__ import annotations

from typing import Any

import pytest

from govcheck.fieldpath import FieldPathError, get, parse

from .lang import build_errors, holds

DATA = {
    "tags": {"mlflow.source.git.commit": "abc", "a b": 1, "": "blank"},
    "metrics": [{"name": "auc"}, {"name": "f1"}, {"name": "loss"}],
    "model-card": {"v": 2},
    "none": None,
    "codes": {200: "ok"},
}


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("a", ("a",)),
        ("a.b.c", ("a", "b", "c")),
        ("tags['mlflow.source.git.commit']", ("tags", "mlflow.source.git.commit")),
        ('tags["mlflow.source.git.commit"]', ("tags", "mlflow.source.git.commit")),
        ("tags['a b']", ("tags", "a b")),
        ("tags['']", ("tags", "")),
        ("metrics[0].name", ("metrics", 0, "name")),
        ("metrics[-1]", ("metrics", -1)),
        ("metrics[ 1 ]", ("metrics", 1)),
        ("m[0][1]", ("m", 0, 1)),
        ("[0]", (0,)),
        ("a.[0]", ("a", 0)),  # a dot before a bracket is allowed
        ("model-card.v", ("model-card", "v")),
        ("_x.y_1", ("_x", "y_1")),
        (" a . b", ("a", "b")),
        (".", ()),  # the item itself, in every/some
    ],
)
def test_parse(text: str, keys: tuple[object, ...]) -> None:
    assert parse(text).keys == keys
    assert str(parse(text)) == text


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a.", "bad field path 'a.': ends with '.'"),
        ("a.b.", "bad field path 'a.b.': ends with '.'"),
        ("a..b", "bad field path 'a..b': empty key before '.'"),
        (".a", "bad field path '.a': empty key before '.'"),
        ("..", "bad field path '..': empty key before '.'"),
        ("a[0]b", "bad field path 'a[0]b': missing '.' before 'b'"),
        ("a['b']c", """bad field path "a['b']c": missing '.' before 'c'"""),
        ("a[x]", "bad field path 'a[x]' at character 2"),
        ("a[1.5]", "bad field path 'a[1.5]' at character 2"),
        ("a['b]", """bad field path "a['b]" at character 2"""),
        ("a.0", "bad field path 'a.0' at character 3"),  # an index needs brackets
        ("a$", "bad field path 'a$' at character 2"),
        ("a ", "bad field path 'a ' at character 2"),
        ("", "a field path must be a non-empty string"),
        ("  ", "a field path must be a non-empty string"),
    ],
)
def test_parse_errors(text: str, error: str) -> None:
    with pytest.raises(FieldPathError) as caught:
        parse(text)
    assert str(caught.value) == error


@pytest.mark.parametrize("text", [None, 3, ["a"]])
def test_a_path_must_be_a_string(text: Any) -> None:
    with pytest.raises(FieldPathError, match="a field path must be a non-empty string"):
        parse(text)


MISSING = object()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("tags['mlflow.source.git.commit']", "abc"),
        ("tags.mlflow", MISSING),  # a dotted key is one key: no partial match
        ("tags['a b']", 1),
        ("tags['']", "blank"),
        ("metrics[0].name", "auc"),
        ("metrics[2].name", "loss"),
        ("metrics[-1].name", "loss"),
        ("metrics[-3].name", "auc"),
        ("metrics[3]", MISSING),
        ("metrics[-4]", MISSING),
        ("metrics.name", MISSING),  # a key into a list
        ("tags[0]", MISSING),  # an index into a mapping
        ("model-card.v", 2),
        ("none", None),  # present, and null
        ("none.x", MISSING),
        ("metrics[0].name.x", MISSING),  # through a string
        ("nope", MISSING),
        # Surprising: keys that YAML reads as numbers (`200: ok`) cannot be reached.
        ("codes[200]", MISSING),
        ("codes['200']", MISSING),
        (".", DATA),
    ],
)
def test_get(text: str, value: Any) -> None:
    look = get(DATA, parse(text))
    assert (look.found, look.value) == ((False, None) if value is MISSING else (True, value))


def test_get_reports_where_a_lookup_stopped() -> None:
    look = get(DATA, parse("metrics[1].unit"))
    assert (look.found, look.container, look.key) == (False, {"name": "f1"}, "unit")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("{field: \"tags['mlflow.source.git.commit']\", equals: abc}", True),
        ("{field: 'metrics[-1].name', equals: loss}", True),
        ("{field: 'metrics[1]', equals: {name: f1}}", True),
        ("{field: 'tags.mlflow', exists: false}", True),
        ("{field: ., contains: tags}", True),  # the resource's own fields
    ],
)
def test_paths_in_conditions(condition: str, expected: bool) -> None:
    assert holds(condition, DATA) is expected


@pytest.mark.parametrize(
    ("condition", "error"),
    [
        ("{field: 'a.', exists: true}", "1:9: bad field path 'a.': ends with '.'"),
        ("{field: 'a..b', exists: true}", "1:9: bad field path 'a..b': empty key before '.'"),
        (
            "{every: 'xs[x]', require: {file_exists: a}}",
            "1:9: bad field path 'xs[x]' at character 3",
        ),
    ],
)
def test_bad_paths_are_load_errors_at_the_path(condition: str, error: str) -> None:
    assert build_errors(condition) == [error]
