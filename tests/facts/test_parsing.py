"""YAML, JSON and TOML parsing that locates values and never raises."""

from __future__ import annotations

import time

import pytest

from govcheck.facts.parsing import (
    TextLocator,
    data_format,
    parse_json,
    parse_toml,
    parse_yaml_all,
    refused,
    walk_strings,
)
from govcheck.yamlsrc import MAX_DEPTH, LDict, YAMLLimitError, YAMLSourceError, load_all


def billion_laughs(levels: int = 9) -> str:
    """The classic: each level a list of nine aliases of the one before (9**8 leaves)."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


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


def test_a_recursive_anchor_is_refused_at_its_line() -> None:
    parsed = parse_yaml_all("a: &x\n  b: v\n  self: *x\n", "f.yaml")
    assert parsed.documents == [] and parsed.refused
    assert (
        parsed.error
        == "1:4: refused: an alias refers to the node it is inside (a recursive anchor)"
    )


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


def test_billion_laughs_is_refused_at_once_with_its_line() -> None:
    text = billion_laughs() + "metrics: *a8\n"
    assert len(text) < 700
    started = time.perf_counter()
    parsed = parse_yaml_all(text, "monitoring.yaml")
    assert time.perf_counter() - started < 0.5  # it took 33 s and 3 GB when expanded
    assert parsed.documents == [] and parsed.refused and refused(parsed.error)
    assert parsed.error is not None and parsed.error.startswith("5:5: refused: aliases expand")


def test_aliases_within_bounds_are_shared_not_copied() -> None:
    # Four levels of nine (15,670 nodes added by aliases), far more than CI files hold.
    [doc] = parse_yaml_all(billion_laughs(4) + "all: *a3\n", "ci.yaml").documents
    assert doc["all"] is doc["a3"] and doc["a3"][0] is doc["a2"]
    merged = parse_yaml_all("base: &b {x: 1}\njob: {<<: *b, y: 2}\n", "ci.yaml").data
    assert merged["job"] == {"x": 1, "y": 2}


def test_the_alias_budget_is_per_document() -> None:
    # Each document may use its own aliases up to the bound; they do not add up.
    doc = billion_laughs(5)  # 74,718 nodes added by aliases: within 100,000
    assert len(parse_yaml_all(doc + "---\n" + doc, "x.yaml").documents) == 2


def test_nesting_deeper_than_the_bound_is_refused() -> None:
    deep = "".join("  " * i + "k:\n" for i in range(MAX_DEPTH + 5))
    parsed = parse_yaml_all(deep, "deep.yaml")
    assert parsed.refused and parsed.error == f"{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: refused: " + (
        f"nested deeper than {MAX_DEPTH} levels"
    )
    assert parse_yaml_all("[" * 50 + "]" * 50, "ok.yaml").error is None
    for text in ("[" * 500 + "]" * 500, "[" * 50000 + "]" * 50000):
        assert parse_json(text, "deep.json").refused
    assert parse_toml("a = " + "[" * 500 + "]" * 500, "deep.toml").refused


def test_policy_and_config_yaml_raise_the_refusal_with_its_mark() -> None:
    try:
        load_all(billion_laughs() + "x: *a8\n", ".govcheck.yaml")
    except YAMLLimitError as exc:
        assert exc.mark is not None and (exc.mark.path, exc.mark.line) == (".govcheck.yaml", 5)
    else:
        raise AssertionError("not refused")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a: !!str [1, 2]\n", "1:4: !!str cannot hold a list"),
        ("a: !!int {x: 1}\n", "1:4: !!int cannot hold a mapping"),
        ("a: !!python/tuple [1]\n", "1:4: unknown tag !!python/tuple"),
        ("a: 0x" + "f" * 4000 + "\n", "1:4: !!int cannot hold '0xfff"),
        ("a: " + "1:" * 50000 + "1\n", "1:4: !!int cannot hold '1:1:"),
    ],
)
def test_tags_on_lists_and_maps_and_huge_integers_are_parse_errors(text: str, error: str) -> None:
    started = time.perf_counter()
    parsed = parse_yaml_all(text, "x.yaml")
    assert time.perf_counter() - started < 0.5
    assert parsed.documents == [] and parsed.error is not None
    assert parsed.error.startswith(error)


def test_standard_collection_tags_and_tools_own_tags_are_read_as_written() -> None:
    text = "s: !!set {a, b}\no: !!omap [{a: 1}]\nref: !GetAtt [A, Arn]\nm: !Sub {x: 1}\n"
    [doc] = parse_yaml_all(text, "t.yaml").documents
    assert doc == {"s": {"a": None, "b": None}, "o": [{"a": 1}], "ref": ["A", "Arn"], "m": {"x": 1}}
    # govcheck's own inputs know no tool tags
    with pytest.raises(
        YAMLSourceError, match="could not determine a constructor for the tag '!Sub'"
    ):
        load_all("m: !Sub {x: 1}\n", "policy.yaml")


@pytest.mark.parametrize(
    ("parse", "text", "error"),
    [
        (parse_json, '{\n "a": ' + "1" * 5000 + "}", "2:7: invalid JSON: integer too long"),
        (parse_toml, "a = 1\nb = " + "1" * 5000, "2:5: invalid TOML: integer too long"),
        (parse_toml, "a = 0x" + "f" * 5000, "1:1: integer too long"),
    ],
)
def test_integers_python_cannot_print_are_parse_errors_at_their_line(
    parse, text: str, error: str
) -> None:
    parsed = parse(text, "x")
    assert parsed.documents == [] and parsed.error is not None
    assert parsed.error.startswith(error)


def test_values_beyond_any_float_are_infinities_not_errors() -> None:
    assert parse_json('{"a": 1e309}', "x.json").data == {"a": float("inf")}
    assert parse_toml("a = -1e400", "x.toml").data == {"a": float("-inf")}
    assert parse_yaml_all("a: 1.0e+309\n", "x.yaml").data == {"a": float("inf")}


def test_escaped_and_multi_line_strings_are_located() -> None:
    json_text = '{"x": "s3://b/1.csv",\n "x": "s3://b/2.csv",\n "y": "s3:\\/\\/b\\/3.csv",\n "z": "\\u0073\\u0033://b/4.csv"}'
    parsed = parse_json(json_text, "a.json")  # duplicate keys: JSON readers keep the last
    locator = TextLocator(json_text, "json")
    assert [locator.find(v) for v in parsed.data.values()] == [(2, 7), (3, 7), (4, 7)]
    toml_text = 'x = "s3://b/\\u0035.csv"\n# a " quote\ny = """\ns3://b/6.csv"""\nz = \'\'\'s3://b/7.csv\'\'\'\n'
    parsed = parse_toml(toml_text, "a.toml")
    assert parsed.data == {"x": "s3://b/5.csv", "y": "s3://b/6.csv", "z": "s3://b/7.csv"}
    locator = TextLocator(toml_text, "toml")
    assert [locator.find(v) for v in parsed.data.values()] == [(1, 5), (3, 5), (5, 7)]


def test_a_lone_surrogate_in_json_stays_a_value() -> None:
    assert parse_json('{"a": "x\\ud800"}', "x.json").data == {"a": "x\ud800"}
