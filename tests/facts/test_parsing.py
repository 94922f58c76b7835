"""YAML, JSON and TOML parsing that locates values and never raises."""

from __future__ import annotations

import pytest

from govcheck.facts.parsing import (
    TextLocator,
    data_format,
    parse_json,
    parse_toml,
    parse_yaml_all,
    walk_strings,
)
from govcheck.yamlsrc import LDict


def test_yaml_documents_and_error() -> None:
    assert parse_yaml_all("a: 1\n---\nb: 2\n", "f.yaml").documents == [{"a": 1}, {"b": 2}]
    broken = parse_yaml_all("a: b: c\n", "f.yaml")
    assert broken.documents == [] and broken.error is not None
    assert broken.error.startswith("1:5: invalid YAML")


def test_json_keeps_marks_when_yaml_agrees() -> None:
    parsed = parse_json('{"a": {"b": "x"}}', "f.json")
    assert isinstance(parsed.data, LDict)
    assert parsed.data["a"].value_marks["b"].column == 13


def test_json_falls_back_to_plain_json() -> None:
    # Tabs and duplicate keys are valid JSON but rejected by the YAML loader.
    parsed = parse_json('{"a":\t1, "a": 2}', "f.json")
    assert parsed.data == {"a": 2} and not isinstance(parsed.data, LDict)
    assert parsed.error is None
    assert parse_json("[NaN]", "f.json").error is None


def test_toml() -> None:
    assert parse_toml('a = "b"\n', "x.toml").data == {"a": "b"}
    assert parse_toml("a = \n", "x.toml").error.startswith("1:5: invalid TOML")


def test_data_format() -> None:
    paths = ("a/b.YML", "x.json", "p.toml", "MLproject", "sub/mlProject", "d/x.dvc", "dvc.lock")
    assert [data_format(p) for p in (*paths, "r.md", "x.ipynb")] == [
        "yaml",
        "json",
        "toml",
        "yaml",
        "yaml",  # MLflow finds MLproject case-insensitively
        "yaml",  # DVC's files are YAML
        "yaml",
        None,
        None,
    ]


def test_walk_strings_in_document_order_with_nearest_key() -> None:
    doc = parse_yaml_all("a: x\nb:\n  - y\n  - {c: z, n: 1}\nd: w\n", "f.yaml").data
    found = [(s.value, s.key, s.line, s.column) for s in walk_strings(doc)]
    assert found == [("x", "a", 1, 4), ("y", "b", 3, 5), ("z", "c", 4, 9), ("w", "d", 5, 4)]


def test_walk_strings_survives_recursive_aliases() -> None:
    doc = parse_yaml_all("a: &x\n  b: v\n  self: *x\n", "f.yaml").data
    assert [s.value for s in walk_strings(doc)] == ["v"]


def test_text_locator_finds_repeats_in_order() -> None:
    locator = TextLocator("a = \"s3://x\"\n[t]\nb = 's3://x'\n")
    assert locator.find("s3://x") == (1, 5)
    assert locator.find("s3://x") == (3, 5)
    assert locator.find("s3://x") is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a: !!int abc\n", "1:4: !!int cannot hold 'abc'"),
        ("a: !!float abc\n", "1:4: !!float cannot hold 'abc'"),
        ("a: !!bool maybe\n", "1:4: !!bool cannot hold 'maybe'"),
        ("a: !!timestamp x\n", "1:4: !!timestamp cannot hold 'x'"),
        ("n: " + "9" * 5000 + "\n", "1:4: !!int cannot hold '9999"),
    ],
)
def test_tagged_values_their_constructor_rejects_are_parse_errors(text: str, error: str) -> None:
    parsed = parse_yaml_all(text, "x.yaml")
    assert parsed.documents == [] and parsed.error is not None
    assert parsed.error.startswith(error)


def test_tools_own_tags_keep_their_values_in_repository_files() -> None:
    text = "Name: !Ref Topic\nArn: !GetAtt [Alarm, Arn]\nSub: !Sub {x: 1}\nDay: 2027-13-45\n"
    [doc] = parse_yaml_all(text, "template.yaml").documents
    assert doc == {"Name": "Topic", "Arn": ["Alarm", "Arn"], "Sub": {"x": 1}, "Day": "2027-13-45"}
    assert doc.value_marks["Arn"].line == 2


@pytest.mark.parametrize(
    ("text", "line", "context_line", "says"),
    [
        ("a: 1\nb: {c: 2, d: 3\ne: 4\n", 3, 2, "flow mapping that starts at line 2"),
        ("a:\n  - [1, 2\n  - 3\nb: 1\n", 4, 2, "flow sequence that starts at line 2"),
        ("a: b: c\n", 1, None, "mapping values are not allowed"),
    ],
)
def test_yaml_problem_names_where_the_unclosed_structure_began(
    text: str, line: int, context_line: int | None, says: str
) -> None:
    problem = parse_yaml_all(text, "f.yaml").problem
    assert problem is not None
    assert (problem.line, problem.context_line) == (line, context_line)
    assert says in problem.message


def test_json_problem_names_the_open_bracket_outside_strings() -> None:
    text = '{\n  "a": "[{",\n  "b": [\n    1\n    2\n  ]\n}\n'
    problem = parse_json(text, "f.json").problem
    assert problem is not None
    assert (problem.line, problem.column, problem.context_line) == (5, 5, 3)
    assert problem.message == "invalid JSON: Expecting ',' delimiter (in the '[' opened at line 3)"


def test_json_with_comments_and_trailing_commas_is_jsonc() -> None:
    text = '{\n  // the image\n  "image": "python:3.11", /* pinned */\n  "x": [1, 2,],\n}\n'
    parsed = parse_json(text, ".devcontainer/devcontainer.json")
    assert parsed.problem is None
    assert parsed.data == {"image": "python:3.11", "x": [1, 2]}
    assert parsed.data.value_marks["image"].line == 3  # lines kept for findings
    # a URL with // inside a string is not a comment
    assert parse_json('{"u": "https://x/y.csv",}', "f.json").data == {"u": "https://x/y.csv"}
    # still broken after comments are set aside: the original error
    assert parse_json('{"a": 1 // c\n "b": 2}', "f.json").error == (
        "1:9: invalid JSON: Expecting ',' delimiter (in the '{' opened at line 1)"
    )
