"""Every condition of the policy language: all / any / not, every / some, `{param}`, the
errors found at load, and the conditions that read the repository (file_exists, file,
sections, schema, git_commit_exists), checked in real git repositories."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from govcheck.errors import UsageError

from .lang import CONDITION_NAMES, OPERATOR_NAMES, Verdict, build_errors, check_rule, holds, reason

MakeRepo = Callable[..., Path]
HELD = Verdict(True, "")


def failed(why: str) -> Verdict:
    return Verdict(False, why)


# -- all / any / not ---------------------------------------------------------------------

X1, Y2 = "{field: x, equals: 1}", "{field: y, equals: 2}"


@pytest.mark.parametrize(
    ("condition", "fields", "expected"),
    [
        (f"{{all: [{X1}, {Y2}]}}", {"x": 1, "y": 2}, True),
        (f"{{all: [{X1}, {Y2}]}}", {"x": 1, "y": 0}, False),
        (f"{{all: [{X1}]}}", {"x": 1}, True),
        (f"{{any: [{X1}, {Y2}]}}", {"x": 0, "y": 2}, True),
        (f"{{any: [{X1}, {Y2}]}}", {"x": 0, "y": 0}, False),
        (f"{{any: [{X1}, {Y2}]}}", {}, False),
        (f"{{not: {X1}}}", {"x": 0}, True),
        (f"{{not: {X1}}}", {"x": 1}, False),
        (f"{{not: {X1}}}", {}, True),  # a missing field does not equal 1
        (f"{{not: {{not: {X1}}}}}", {"x": 1}, True),
        (f"{{not: {{any: [{X1}, {Y2}]}}}}", {"x": 0, "y": 0}, True),
        (f"{{any: [{{all: [{X1}, {Y2}]}}, {{field: z, exists: true}}]}}", {"z": 0}, True),
        (f"{{all: [{{any: [{X1}, {Y2}]}}, {{not: {X1}}}]}}", {"x": 1, "y": 2}, False),
    ],
)
def test_logic(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(
    ("condition", "fields", "why"),
    [
        (f"{{all: [{X1}, {Y2}]}}", {"x": 0, "y": 0}, "x is 0, expected 1; y is 0, expected 2"),
        (f"{{all: [{X1}, {Y2}]}}", {"x": 1, "y": 0}, "y is 0, expected 2"),
        (
            f"{{any: [{X1}, {Y2}]}}",
            {"x": 0, "y": 0},
            "none of: x is 0, expected 1; y is 0, expected 2",
        ),
        (f"{{any: [{X1}]}}", {"x": 0}, "x is 0, expected 1"),  # one reason: no "none of"
        (f"{{any: [{X1}, {Y2}]}}", {"x": 0, "y": 2}, "y is 2"),  # the one that held
        (f"{{not: {X1}}}", {"x": 1}, "x is 1"),  # `not` says why its inner condition held
        ("{not: {field: x, gte: 3}}", {"x": 4}, "x is 4, expected >= 3"),
        ("{not: {field: x, exists: true}}", {"x": 0}, "x exists"),
        ("{not: {field: x, matches: '[0-9]'}}", {"x": "v2"}, "x 'v2' matches '[0-9]'"),
        (f"{{not: {{any: [{X1}, {Y2}]}}}}", {"x": 0, "y": 2}, "y is 2"),
        (f"{{not: {{all: [{X1}]}}}}", {"x": 1}, "the negated condition holds"),  # no reason
        (f"{{not: {X1}}}", {"x": 0}, "x is 0, expected 1"),  # held: the inner failure
    ],
)
def test_logic_reasons(condition: str, fields: dict[str, Any], why: str) -> None:
    assert reason(condition, fields) == why


# -- every / some ------------------------------------------------------------------------

GT1 = "require: {field: ., gt: 1}"
DONE = "require: {field: status, equals: done}"
RUNS = {"runs": [{"name": "a", "status": "done"}, {"name": "b", "status": "failed"}]}


@pytest.mark.parametrize(
    ("condition", "fields", "expected"),
    [
        (f"{{every: xs, {GT1}}}", {"xs": [2, 3]}, True),
        (f"{{every: xs, {GT1}}}", {"xs": [2, 1]}, False),
        (f"{{every: xs, {GT1}}}", {"xs": []}, True),  # nothing to fail
        (f"{{every: xs, {GT1}}}", {}, True),  # a missing list has no items either
        (f"{{every: xs, {GT1}}}", {"xs": None}, True),
        (f"{{every: xs, {GT1}}}", {"xs": "0"}, True),  # surprising: a non-list is no items
        (f"{{every: xs, {GT1}}}", {"xs": (2, 3)}, True),
        (f"{{some: xs, {GT1}}}", {"xs": [0, 2]}, True),
        (f"{{some: xs, {GT1}}}", {"xs": [0, 1]}, False),
        (f"{{some: xs, {GT1}}}", {"xs": []}, False),
        (f"{{some: xs, {GT1}}}", {}, False),
        (f"{{some: xs, {GT1}}}", {"xs": "2"}, False),
        (f"{{every: runs, {DONE}}}", RUNS, False),
        (f"{{some: runs, {DONE}}}", RUNS, True),
        ("{every: xs, require: {field: ., in: [a, b]}}", {"xs": ["a", "b", "a"]}, True),
        ("{every: xs, require: {field: ., in: [a, b]}}", {"xs": ["a", "c"]}, False),
        ("{every: xs, require: {field: y, exists: true}}", {"y": 1, "xs": [{}]}, False),  # item
        ("{every: 'd.xs[0]', require: {field: ., gt: 1}}", {"d": {"xs": [[2, 3]]}}, True),
        ("{every: xs, require: {every: ., require: {field: ., gt: 1}}}", {"xs": [[2], [3]]}, True),
        ("{every: xs, require: {every: ., require: {field: ., gt: 1}}}", {"xs": [[2], [1]]}, False),
        ("{some: xs, require: {not: {field: ., gt: 1}}}", {"xs": [2, 1]}, True),
        (
            "{every: xs, require: {any: [{field: ., equals: 0}, {field: ., gt: 1}]}}",
            {"xs": [0, 2]},
            True,
        ),
    ],
)
def test_every_and_some(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields) is expected


@pytest.mark.parametrize(
    ("condition", "fields", "why"),
    [
        (
            f"{{every: xs, {GT1}}}",
            {"xs": [1, 2, 0]},
            "2 of 3 xs fail: [0]: is 1, expected > 1; [2]: is 0, expected > 1",
        ),
        (
            f"{{every: runs, {DONE}}}",
            RUNS,
            "1 of 2 runs fail: [1] 'b': status is 'failed', expected 'done'",
        ),
        (
            f"{{every: xs, {GT1}}}",
            {"xs": [1] * 12},
            "12 of 12 xs fail: "
            + "; ".join(f"[{i}]: is 1, expected > 1" for i in range(10))
            + " and 2 more",
        ),
        (f"{{some: xs, {GT1}}}", {"xs": [1, 0]}, "no item of xs qualifies: is 1, expected > 1"),
        (f"{{some: xs, {GT1}}}", {"xs": []}, "xs is empty"),
        (f"{{some: xs, {GT1}}}", {}, "xs is missing"),
        (f"{{some: xs, {GT1}}}", {"xs": 5}, "xs is empty"),  # surprising for a non-list
        (f"{{every: xs, {GT1}}}", {"xs": [2]}, ""),
        (f"{{not: {{some: xs, {GT1}}}}}", {"xs": [0, 5]}, "the negated condition holds"),
    ],
)
def test_every_and_some_reasons(condition: str, fields: dict[str, Any], why: str) -> None:
    assert reason(condition, fields) == why


# -- load errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "error"),
    [
        ("{alll: []}", "1:2: unknown condition 'alll' (did you mean 'all'?)"),
        ("{evry: xs, require: {}}", "1:2: unknown condition 'evry' (did you mean 'every'?)"),
        ("{file_exist: a}", "1:2: unknown condition 'file_exist' (did you mean 'file_exists'?)"),
        ("{fild: x}", "1:2: unknown condition 'fild' (did you mean 'field'?)"),
        ("{frobnicate: x}", "1:2: unknown condition 'frobnicate'"),
        # Surprising: a misspelt `field` beside an operator gets no did-you-mean.
        ("{feild: x, equals: 1}", "1:1: a condition has one key, found feild, equals"),
        ("{field: x, gtee: 3}", "1:12: unknown operator 'gtee' (did you mean 'gte'?)"),
        ("{field: x, matchs: a}", "1:12: unknown operator 'matchs' (did you mean 'matches'?)"),
        ("{field: x, emty: 1}", "1:12: unknown operator 'emty' (did you mean 'empty'?)"),
        ("{field: x, frobnicate: 3}", "1:12: unknown operator 'frobnicate'"),
        ("{field: 'a.', exists: true}", "1:9: bad field path 'a.': ends with '.'"),
        ("{field: '', exists: true}", "1:9: a field path must be a non-empty string"),
        ("{}", "1:1: a condition cannot be empty"),
        ("[{file_exists: a}]", "1:1: a condition must be a mapping, got a list"),
        ("'x'", "1:1: a condition must be a mapping, got 'x'"),
        ("{not: null}", "1:7: a condition must be a mapping, got None"),
        ("{not: {}}", "1:7: a condition cannot be empty"),
        ("{all: [], any: []}", "1:1: a condition has one key, found all, any"),
        ("{require: {file_exists: a}}", "1:1: a condition has one key, found none"),
        ("{all: []}", "1:7: 'all' takes a non-empty list of conditions"),
        ("{any: {file_exists: a}}", "1:7: 'any' takes a non-empty list of conditions"),
        ("{every: xs}", "1:2: 'every' needs a 'require' condition"),
        ("{some: xs}", "1:2: 'some' needs a 'require' condition"),
        ("{file: a.md}", "1:2: 'file' needs a 'require' condition"),
        ("{not: {}, require: {}}", "1:11: 'not' takes no 'require'"),
        ("{file_exists: a, require: {}}", "1:18: 'file_exists' takes no 'require'"),
        (
            "{every: 'a..b', require: {file_exists: a}}",
            "1:9: bad field path 'a..b': empty key before '.'",
        ),
        ("{some: xs, require: {}}", "1:21: a condition cannot be empty"),
        ("{file_exists: ''}", "1:15: 'file_exists' takes a path string or a list of them"),
        ("{file_exists: []}", "1:15: 'file_exists' takes a path string or a list of them"),
        ("{file_exists: [a, 3]}", "1:15: 'file_exists' takes a path string or a list of them"),
        ("{refers_to: x}", "1:13: 'refers_to' takes {field: PATH, kind: KIND, key: PATH}"),
        (
            "{refers_to: {field: a, kind: directory}}",
            "1:13: 'refers_to' takes {field: PATH, kind: KIND, key: PATH}",
        ),
        (
            "{refers_to: {field: a, kind: directry, key: name}}",
            "1:30: unknown resource kind 'directry' (did you mean 'directory'?)",
        ),
        (
            "{refers_to: {field: 'a.', kind: file, key: name}}",
            "1:21: bad field path 'a.': ends with '.'",
        ),
        ("{file: [], require: {file_exists: a}}", "1:8: 'file' takes a path or a list of paths"),
        (
            "{file: [a, 3], require: {file_exists: a}}",
            "1:8: 'file' takes a path or a list of paths",
        ),
        ("{sections: []}", "1:12: 'sections' takes a non-empty list"),
        ("{sections: Usage}", "1:12: 'sections' takes a non-empty list"),
        (
            "{sections: [{name: a, equal: [b]}]}",
            "1:23: unknown key 'equal' in a section (use name, equals, contains)",
        ),
        ("{schema: ''}", "1:10: 'schema' takes a path or builtin:NAME"),
        ("{schema: [a.json]}", "1:10: 'schema' takes a path or builtin:NAME"),
        ("{git_commit_exists: 'a.'}", "1:21: bad field path 'a.': ends with '.'"),
        ("{git_commit_exists: 3}", "1:21: a field path must be a non-empty string"),
    ],
)
def test_load_errors(condition: str, error: str) -> None:
    assert build_errors(condition) == [error]


def test_load_errors_are_all_collected_with_their_marks() -> None:
    condition = "{all: [\n  {field: x, gt: abc},\n  {not: {field: y, lt: def}}]}"
    assert build_errors(condition) == [
        "2:18: 'gt': expects a number, got 'abc'",
        "3:24: 'lt': expects a number, got 'def'",
    ]


def test_several_operators_are_one_error_at_the_second() -> None:
    assert build_errors("{field: x, gt: 1, lt: 3}") == [
        "1:19: field condition on 'x' has several operators (gt, lt); combine them with all:"
    ]


SECTION_ERROR = "a section is a heading string or {name, equals: [...], contains: [...]}"


@pytest.mark.parametrize("sections", ["[3]", "[Usage, {equals: [a]}]", "[[Usage]]"])
def test_a_bad_section_entry_is_an_error(sections: str) -> None:
    [error] = build_errors(f"{{sections: {sections}}}")
    assert error.endswith(f": {SECTION_ERROR}")


def test_a_bad_section_entry_is_marked_where_it_is() -> None:
    assert build_errors("{sections: [Usage, 3]}") == [f"1:20: {SECTION_ERROR}"]


def test_a_field_condition_without_operator_lists_them_all() -> None:
    [error] = build_errors("{field: x}")
    head = "1:1: field condition on 'x' has no operator (one of: "
    assert error.startswith(head)
    assert set(error.removeprefix(head).removesuffix(")").split(", ")) == OPERATOR_NAMES


def test_an_unknown_builtin_schema_lists_the_known_ones() -> None:
    [error] = build_errors("{schema: 'builtin:monitorin'}")
    assert error.startswith("1:10: unknown built-in schema 'monitorin' (have: ")
    assert "monitoring" in error.split("(have: ")[1].rstrip(")").split(", ")


@pytest.mark.parametrize(
    "condition",
    [
        "{all: [{field: x, exists: true}, {not: {field: y, exists: true}}]}",
        "{every: xs, require: {some: ., require: {field: ., exists: true}}}",
        "{file: [a.md, b.md], require: {sections: [Usage, {name: Risks, contains: [risk]}]}}",
        "{file_exists: '{path}/x'}",  # unknown names here are fields, filled at evaluation
        "{schema: 'builtin:monitoring'}",
        "{git_commit_exists: \"tags['mlflow.source.git.commit']\"}",
    ],
)
def test_valid_conditions_load(condition: str) -> None:
    assert build_errors(condition) == []


# -- {param} -----------------------------------------------------------------------------

PARAMS = {"allowed": ["a", "b"], "n": 3, "env": "prod", "tags": ["x", "y"], "flag": True}


@pytest.mark.parametrize(
    ("condition", "fields", "expected"),
    [
        ("{field: x, in: '{allowed}'}", {"x": "b"}, True),  # a whole {param} keeps list type
        ("{field: x, in: '{allowed}'}", {"x": "c"}, False),
        ("{field: x, intersects: '{allowed}'}", {"x": ["c", "a"]}, True),
        ("{field: x, equals: '{n}'}", {"x": 3}, True),  # ... and number type
        ("{field: x, equals: '{n}'}", {"x": "3"}, False),
        ("{field: x, equals: '{flag}'}", {"x": True}, True),  # ... and boolean type
        ("{field: x, gt: '{n}'}", {"x": 4}, True),
        ("{field: x, equals: 'v{n}-{env}'}", {"x": "v3-prod"}, True),  # inside text: str()
        ("{field: x, equals: '{tags}'}", {"x": ["x", "y"]}, True),
        ("{field: x, equals: 'tags: {tags}'}", {"x": "tags: x,y"}, True),  # joined by ","
        ("{field: x, matches: '^{env}-'}", {"x": "prod-1"}, True),
        ("{field: x, glob: 'models/{env}/*'}", {"x": "models/prod/a"}, True),
        ("{field: x, in: ['{env}', dev]}", {"x": "prod"}, True),  # list items are substituted
        # Surprising: a whole {param} inside a list is not spliced in: [[a, b], c].
        ("{field: x, in: ['{allowed}', c]}", {"x": "a"}, False),
        ("{not: {field: x, in: '{allowed}'}}", {"x": "c"}, True),
        ("{every: xs, require: {field: ., in: '{allowed}'}}", {"xs": ["a", "b"]}, True),
        ("{field: x, equals: '{{n}}'}", {"x": "{3}"}, True),  # no escape for braces
        ("{field: x, equals: '{ n }'}", {"x": "{ n }"}, True),  # not a parameter name
        ("{field: '{env}', equals: 1}", {"prod": 1}, True),  # a field path picked by parameter
        ("{field: 'names.{env}', equals: 1}", {"names": {"prod": 1, "dev": 2}}, True),
        ("{every: 'xs.{env}', require: {field: ., equals: 1}}", {"xs": {"prod": [1, 2]}}, False),
    ],
)
def test_params(condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(condition, fields, PARAMS) is expected


@pytest.mark.parametrize(
    ("condition", "error"),
    [
        ("{field: x, equals: '{nn}'}", "1:20: unknown parameter '{nn}' (did you mean 'n'?)"),
        ("{field: x, equals: 'a-{zzz}'}", "1:20: unknown parameter '{zzz}'"),
        ("{field: x, in: '{env}'}", "1:16: 'in': expects a list, got 'prod'"),  # typed
        ("{sections: ['{nope}']}", "1:13: unknown parameter '{nope}'"),
    ],
)
def test_param_errors(condition: str, error: str) -> None:
    assert build_errors(condition, PARAMS) == [error]


def test_an_unknown_param_in_a_field_path_stays_text() -> None:
    assert build_errors("{field: '{nope}.x', exists: true}", PARAMS) == [
        "1:9: unknown parameter '{nope}'",
        "1:9: bad field path '{nope}.x' at character 1",
    ]


def test_an_unknown_whole_param_stays_text_for_the_operator() -> None:
    assert build_errors("{field: x, in: '{allowd}'}", PARAMS) == [
        "1:16: unknown parameter '{allowd}' (did you mean 'allowed'?)",
        "1:16: 'in': expects a list, got '{allowd}'",
    ]


# -- conditions that read the repository ------------------------------------------------

CARD = """\
---
license: mit
---
# Model m
## **Intended use:**
x
```
# Not a heading
```
## Known risks and limitations
### Metrics
AUC 0.9 (the parent section is not empty: its subsection has text)
## Training-Data
y

**Ethics**
<!-- only the template's hint -->
"""
MODELS = {
    "LICENSE": "MIT\n",
    "models/m/MODEL_CARD.md": CARD,
    "models/m/README.md": "# m\n## Usage\n",
    "models/m/train.yaml": "owner: ml@x.org\n",
    "models/n/README.md": "# n\n## Usage\nu\n## Intended Use\ni\n",
    "models/shared.yaml": "a: 1\n",
    "data/m.csv": "1\n",
}
DIRS = "{field: path, glob: 'models/*'}"


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _repo(root: Path, files: Mapping[str, str]) -> Path:
    """What make_repo does (tests/conftest.py), for a repository all of a module's tests
    only read: built once, as a check per case costs less than a repository per case."""
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Test User")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "commit.gpgsign", "false")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _git(root, "add", "--", *files)
    _git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _repo(tmp_path_factory.mktemp("models"), MODELS)


@pytest.mark.parametrize(
    ("require", "directory", "expected"),
    [
        ("{file_exists: MODEL_CARD.md}", "models/m", HELD),  # relative to the directory
        ("{file_exists: MODEL_CARD.md}", "models/n", failed("no file models/n/MODEL_CARD.md")),
        ("{file_exists: LICENSE}", "models/n", failed("no file models/n/LICENSE")),
        ("{file_exists: /LICENSE}", "models/n", HELD),  # a leading / is the repository root
        ("{file_exists: ../shared.yaml}", "models/n", HELD),
        ("{file_exists: ./README.md}", "models/n", HELD),
        ("{file_exists: ../../../etc/passwd}", "models/n", failed("no file ../../../etc/passwd")),
        ("{file_exists: /data}", "models/n", HELD),  # a directory holding a file exists
        ("{file_exists: '*.yaml'}", "models/m", HELD),  # globs
        ("{file_exists: '*.yaml'}", "models/n", failed("no file models/n/*.yaml")),
        ("{file_exists: '/**/m.csv'}", "models/n", HELD),
        ("{file_exists: '[A-Z]*.md'}", "models/n", HELD),
        ("{file_exists: '/data/{name}.csv'}", "models/m", HELD),  # {field} templates
        ("{file_exists: '/data/{name}.csv'}", "models/n", failed("no file data/n.csv")),
        ("{file_exists: '{nope}.md'}", "models/n", failed("no file models/n/{nope}.md")),
        ("{file_exists: '{card}'}", "models/m", HELD),  # {param}
        ("{file_exists: '{card}'}", "models/n", failed("no file models/n/MODEL_CARD.md")),
        ("{file_exists: [MODEL_CARD.md, README.md]}", "models/n", HELD),  # any one of a list
        (
            "{file_exists: [MODEL_CARD.md, '/docs/{name}.md']}",
            "models/n",
            failed("no file models/n/MODEL_CARD.md or docs/n.md"),
        ),
        ("{file_exists: '{cards}'}", "models/n", HELD),  # a list parameter
    ],
)
def test_file_exists(models: Path, require: str, directory: str, expected: Verdict) -> None:
    params = {"card": "MODEL_CARD.md", "cards": ["MODEL_CARD.md", "README.md"]}
    verdicts = check_rule(models, "directory", require, DIRS, params)
    assert verdicts[directory] == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("models/m/train.yaml", HELD),  # data.model 'm' is the name of a directory
        ("models/shared.yaml", failed("data.model 'zz' names no directory (by name)")),
        ("data/m.yaml", failed("data.model is missing")),
    ],
)
def test_refers_to(make_repo: MakeRepo, path: str, expected: Verdict) -> None:
    repo = make_repo(
        {
            "models/m/train.yaml": "model: m\n",
            "models/shared.yaml": "model: zz\n",
            "data/m.yaml": "other: m\n",
        }
    )
    require = "{refers_to: {field: data.model, kind: directory, key: name}}"
    verdicts = check_rule(repo, "file", require, "{field: suffix, equals: .yaml}")
    assert verdicts[path] == expected


def test_file_exists_resolves_against_the_root_for_a_file(models: Path) -> None:
    yaml = "{field: suffix, equals: .yaml}"
    verdicts = check_rule(models, "file", "{file_exists: LICENSE}", yaml)
    assert verdicts == {"models/m/train.yaml": HELD, "models/shared.yaml": HELD}
    verdicts = check_rule(models, "file", "{file_exists: '{dir}/README.md'}", yaml)
    no_readme = failed("no file models/README.md")
    assert verdicts == {"models/m/train.yaml": HELD, "models/shared.yaml": no_readme}


def test_file_exists_sees_the_index_not_the_disk(
    make_repo: MakeRepo, run_git: Callable[..., str]
) -> None:
    repo = make_repo({"README.md": "# r\n"})
    (repo / "untracked.txt").write_text("u\n", encoding="utf-8")
    (repo / "staged.txt").write_text("s\n", encoding="utf-8")
    run_git(repo, "add", "staged.txt")

    def exists(path: str) -> bool:
        return check_rule(repo, "repo", f"{{file_exists: {path}}}")["repo"].ok

    assert (exists("untracked.txt"), exists("staged.txt"), exists("README.md")) == (0, 1, 1)
    run_git(repo, "rm", "-q", "--cached", "README.md")  # deleted from the index, kept on disk
    assert not exists("README.md")


INTENDED = "{sections: [Intended Use]}"
NO_INTENDED_USE = failed("missing sections: Intended Use")


@pytest.mark.parametrize(
    ("directory", "candidates", "require", "expected"),
    [
        ("models/m", "[MODEL_CARD.md, README.md]", INTENDED, HELD),
        ("models/n", "[MODEL_CARD.md, README.md]", INTENDED, HELD),
        # The first candidate that exists decides, even when a later one would pass.
        ("models/m", "[README.md, MODEL_CARD.md]", INTENDED, NO_INTENDED_USE),
        ("models/n", "[nope.md]", INTENDED, HELD),  # no candidate: file_exists' business
        ("models/m", "train.yaml", "{field: data.owner, matches: '@x\\.org$'}", HELD),
        (
            "models/m",
            "train.yaml",
            "{field: data.owner, equals: x}",
            failed("data.owner is 'ml@x.org', expected 'x'"),
        ),
        (
            "models/n",
            "../shared.yaml",
            "{field: data.a, equals: 2}",
            failed("data.a is 1, expected 2"),
        ),
        ("models/n", "/models/m/train.yaml", "{file_exists: MODEL_CARD.md}", HELD),  # its dir
        ("models/m", "'/data/{name}.csv'", "{field: size, equals: 2}", HELD),  # {field}
        ("models/m", "'{card}'", "{field: name, equals: MODEL_CARD.md}", HELD),  # {param}
    ],
)
def test_file(
    models: Path, directory: str, candidates: str, require: str, expected: Verdict
) -> None:
    condition = f"{{file: {candidates}, require: {require}}}"
    verdicts = check_rule(models, "directory", condition, DIRS, {"card": "MODEL_CARD.md"})
    assert verdicts[directory] == expected


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        ("[Intended Use]", HELD),  # case, emphasis and punctuation do not count
        ("['intended   USE']", HELD),
        ("[Model m, Metrics]", HELD),  # any level
        ("[Training Data]", HELD),
        ("[Limitations]", failed("missing sections: Limitations")),  # a heading, not a part
        ("[{name: Limitations, contains: [limitation]}]", HELD),
        ("[{name: Evaluation, equals: [Evaluation, Metrics]}]", HELD),
        ("[{name: Evaluation, equals: [evaluation]}]", failed("missing sections: Evaluation")),
        ("[{name: Metrics}]", HELD),  # equals defaults to the name
        ("[Usage, Intended Use, Ethic]", failed("missing sections: Usage, Ethic")),
        ("[Ethics]", failed("empty section: Ethics ('Ethics')")),  # a bold line, no text
        (
            "[Usage, Ethics]",
            failed("missing sections: Usage; empty section: Ethics ('Ethics')"),
        ),
        ("[license]", failed("missing sections: license")),  # front matter is no heading
        ("[Not a heading]", failed("missing sections: Not a heading")),  # code is no heading
        ("'{required}'", failed("missing sections: Usage")),  # a list parameter
    ],
)
def test_sections(models: Path, sections: str, expected: Verdict) -> None:
    where = "{field: path, equals: models/m/MODEL_CARD.md}"
    params = {"required": ["Intended Use", "Usage"]}
    verdicts = check_rule(models, "file", f"{{sections: {sections}}}", where, params)
    assert verdicts == {"models/m/MODEL_CARD.md": expected}


def test_sections_of_a_file_without_headings(models: Path) -> None:
    verdicts = check_rule(models, "file", "{sections: [Usage]}", "{field: path, equals: LICENSE}")
    assert verdicts == {"LICENSE": failed("missing sections: Usage")}


RUN_SCHEMA = {
    "type": "object",
    "required": ["owner"],
    "properties": {
        "owner": {"type": "string"},
        "n": {"type": "integer", "minimum": 1},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}
DATA = {
    "schemas/run.json": json.dumps(RUN_SCHEMA),
    "good.yaml": "owner: a\nn: 2\ntags: [x]\n",
    "bad.yaml": "n: 0\n",
    "wrong.json": '{"owner": 1, "n": 0}',
    "tags.yaml": "owner: a\ntags: [x, 2]\n",
    "broken.yaml": "a: [\n",
    "many.yaml": "{owner: 1, n: x, tags: [1, 2, 3, 4]}\n",
    "list.json": "[{}]",
    "runs.yaml": "runs: [{owner: a}, {n: 0}]\n",
}
OWNER = "(top level): 'owner' is a required property"
MIN = "n: 0 is less than the minimum of 1"
NOT_STR = "is not of type 'string'"
SCHEMA_ERRORS = [
    ("good.yaml", HELD),
    ("bad.yaml", failed(f"schema errors: {OWNER}; {MIN}")),
    ("wrong.json", failed(f"schema errors: {MIN}; owner: 1 {NOT_STR}")),
    ("tags.yaml", failed(f"schema errors: tags[1]: 2 {NOT_STR}")),
    (
        "broken.yaml",
        failed("cannot be parsed: 2:1: invalid YAML: did not find expected node content"),
    ),
    ("list.json", failed("schema errors: (top level): [{}] is not of type 'object'")),
    (
        "many.yaml",
        failed(
            "schema errors: n: 'x' is not of type 'integer'; owner: 1 is not of type 'string'; "
            f"tags[0]: 1 {NOT_STR}; tags[1]: 2 {NOT_STR}; tags[2]: 3 {NOT_STR} (and 1 more)"
        ),
    ),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _repo(tmp_path_factory.mktemp("data"), DATA)


@pytest.mark.parametrize(("path", "expected"), SCHEMA_ERRORS)
@pytest.mark.parametrize("ref", ["schemas/run.json", "/schemas/run.json", "'{run_schema}'"])
def test_schema(data: Path, ref: str, path: str, expected: Verdict) -> None:
    where = f"{{field: path, equals: {path}}}"
    verdicts = check_rule(
        data, "file", f"{{schema: {ref}}}", where, {"run_schema": "schemas/run.json"}
    )
    assert verdicts == {path: expected}


def test_schema_validates_list_items(data: Path) -> None:
    require = "{every: data.runs, require: {schema: schemas/run.json}}"
    verdicts = check_rule(data, "file", require, "{field: path, equals: runs.yaml}")
    why = f"1 of 2 data.runs fail: [1]: schema errors: {OWNER}; {MIN}"
    assert verdicts == {"runs.yaml": failed(why)}


def test_schema_builtin(make_repo: MakeRepo) -> None:
    monitoring = (
        "model: m\nowner: team@example.com\nschedule: daily\n"
        'baseline: {dataset: "s3://b/train.csv?versionId=abc"}\n'
        "metrics: [{name: auc, threshold: {min: 0.8}}]\n"
        "alerts: [{channel: email, target: team@example.com}]\n"
    )
    bad = monitoring.replace("daily", "7")
    repo = make_repo({"a/monitoring.yaml": monitoring, "b/monitoring.yaml": bad})
    where = "{field: name, equals: monitoring.yaml}"
    verdicts = check_rule(repo, "file", "{schema: 'builtin:monitoring'}", where)
    assert verdicts["a/monitoring.yaml"] == HELD
    assert verdicts["b/monitoring.yaml"].reason.startswith("schema errors: schedule: ")


@pytest.mark.parametrize(
    ("files", "ref", "error"),
    [
        ({}, "missing.json", "cannot read JSON Schema 'missing.json' (rule LANG-001)"),
        ({"s.json": "{"}, "s.json", "cannot read JSON Schema 's.json' (rule LANG-001)"),
        ({"s.json": '{"type": 12}'}, "s.json", "invalid JSON Schema s.json: 12 is not valid"),
    ],
)
def test_a_schema_that_cannot_be_used_stops_the_check(
    make_repo: MakeRepo, files: dict[str, str], ref: str, error: str
) -> None:
    repo = make_repo({"a.yaml": "a: 1\n", **files})
    with pytest.raises(UsageError, match=re.escape(error)):
        check_rule(repo, "file", f"{{schema: {ref}}}", "{field: path, equals: a.yaml}")


@pytest.fixture(scope="module")
def commits(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A repository whose runs.yaml holds commit references, and the SHAs it refers to."""
    repo = _repo(tmp_path_factory.mktemp("commits"), {"a.txt": "a\n"})
    head = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-q", "-b", "other")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "on another branch")
    other = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-q", "main")
    blob = _git(repo, "rev-parse", "HEAD:a.txt")
    refs = {
        "full": head, "short": head[:7], "upper": head.upper(), "spaced": f" {head} ",
        "other": other, "blob": blob, "absent": "0" * 40, "ref": "HEAD", "six": head[:6],
        "empty": "", "null": None, "tags": {"mlflow.source.git.commit": head},
    }  # fmt: skip
    (repo / "runs.yaml").write_text(json.dumps(refs), encoding="utf-8")
    _git(repo, "add", "runs.yaml")
    return repo, {"blob": blob[:12], "six": head[:6]}


NOT_IN_HISTORY = "is not in this repository's history"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data.full", HELD),
        ("data.short", HELD),  # 7 hex digits are enough
        ("data.upper", HELD),
        ("data.spaced", HELD),
        ("data.other", HELD),  # in the repository, though not on this branch
        ("\"data.tags['mlflow.source.git.commit']\"", HELD),
        ("'{commit_field}'", HELD),  # {param}
        ("data.blob", failed(f"commit {{blob}} {NOT_IN_HISTORY}")),  # an object, not a commit
        ("data.absent", failed(f"commit 000000000000 {NOT_IN_HISTORY}")),
        ("data.ref", failed("data.ref is 'HEAD', not a commit SHA")),  # names are not SHAs
        ("data.six", failed("data.six is '{six}', not a commit SHA")),
        ("data.empty", failed("data.empty is missing")),
        ("data.null", failed("data.null is missing")),
        ("data.nope", failed("data.nope is missing")),
    ],
)
def test_git_commit_exists(
    commits: tuple[Path, dict[str, str]], path: str, expected: Verdict
) -> None:
    repo, shas = commits
    require = f"{{git_commit_exists: {path}}}"
    params = {"commit_field": "data.full"}
    verdicts = check_rule(repo, "file", require, "{field: path, equals: runs.yaml}", params)
    assert verdicts == {"runs.yaml": Verdict(expected.ok, expected.reason.format(**shas))}


# -- the registry ------------------------------------------------------------------------


def test_every_condition_has_cases_here() -> None:
    """A new condition without a case in this file fails here."""
    text = Path(__file__).read_text(encoding="utf-8")
    used = set(re.findall(r"\{\{?(\w+):", text))
    assert CONDITION_NAMES - used == set()


def test_a_rule_reading_mlflow_through_refers_to_is_skipped_without_a_store(
    make_repo: MakeRepo,
) -> None:
    from govcheck.check import CheckOptions, run

    repo = make_repo({"m.yaml": "model: m\n"})
    policy = repo.parent / "refers-policy.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - id: LANG-002\n    name: model-registered\n    resource: file\n"
        "    require: {refers_to: {field: data.model, kind: mlflow_registered_model, key: name}}\n",
        encoding="utf-8",
    )
    report = run(CheckOptions(repo=str(repo), policies=(str(policy),), select=("LANG-002",)))
    assert [s.rule_id for s in report.skipped] == ["LANG-002"]
    assert report.findings == ()


# -- bounds: a named number within the limits a table gives for its name ------------------

LIMITS = (
    "{'*_difference*': {max: 0.1}, demographic_parity_ratio: {min: 0.8}, 'x_*': {min: 0, max: 1}}"
)
BOUNDS = f"{{bounds: {{value: value, name: key, limits: {LIMITS}}}}}"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"key": "demographic_parity_difference", "value": 0.05}, True),
        ({"key": "demographic_parity_difference", "value": 0.1}, True),  # inclusive
        ({"key": "demographic_parity_difference", "value": 0.12}, False),
        ({"key": "equalized_odds_difference_sex", "value": 0.3}, False),  # per-group suffix
        ({"key": "demographic_parity_ratio", "value": 0.79}, False),
        ({"key": "demographic_parity_ratio", "value": 0.95}, True),
        ({"key": "x_y", "value": -0.5}, False),  # both directions
        ({"key": "x_y", "value": 1.5}, False),
        ({"key": "x_y", "value": 0.5}, True),
        ({"key": "accuracy", "value": 0.1}, True),  # no entry: not judged
        ({"value": 0.5}, True),  # no name: nothing applies
        ({"key": "demographic_parity_ratio", "value": float("nan")}, False),  # NaN: not a number
        ({"key": "demographic_parity_ratio", "value": "high"}, False),
        ({"key": "demographic_parity_ratio"}, False),  # named but no value
        ({"key": "demographic_parity_ratio", "value": True}, False),
    ],
)
def test_bounds(fields: dict[str, Any], expected: bool) -> None:
    assert holds(BOUNDS, fields) is expected


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        (
            {"key": "demographic_parity_difference_race", "value": 0.23},
            (
                "demographic_parity_difference_race is 0.23, above 0.1 "
                "(limits['*_difference*']: max 0.1)"
            ),
        ),
        (
            {"key": "demographic_parity_ratio", "value": 0.5},
            "demographic_parity_ratio is 0.5, below 0.8 (limits['demographic_parity_ratio']: min 0.8)",
        ),
        ({"key": "x_y", "value": 0.5}, "x_y is 0.5, within limits['x_*']: min 0, max 1"),
        ({"key": "x_y", "value": None}, "x_y is null, not a number (limits['x_*']: min 0, max 1)"),
    ],
)
def test_bounds_reasons(fields: dict[str, Any], why: str) -> None:
    assert reason(BOUNDS, fields) == why


def test_bounds_prefer_the_exact_name_then_the_most_specific_glob() -> None:
    limits = "{'*': {max: 1}, 'dp_*': {max: 0.5}, dp_sex: {max: 0.2}}"
    cond = f"{{bounds: {{value: v, name: n, limits: {limits}}}}}"
    assert not holds(cond, {"n": "dp_sex", "v": 0.3})  # the exact entry, not dp_*
    assert holds(cond, {"n": "dp_race", "v": 0.3})
    assert not holds(cond, {"n": "dp_race", "v": 0.6})
    assert holds(cond, {"n": "other", "v": 0.9})


def test_bounds_name_the_parameter_they_take_their_limits_from() -> None:
    params = {"fairness_thresholds": {"dp_*": {"max": 0.1}}}
    cond = "{bounds: {value: value, name: key, limits: '{fairness_thresholds}'}}"
    assert reason(cond, {"key": "dp_a", "value": 0.2}, params) == (
        "dp_a is 0.2, above 0.1 (fairness_thresholds['dp_*']: max 0.1)"
    )


@pytest.mark.parametrize(
    ("condition", "error"),
    [
        ("{bounds: x}", "1:10: 'bounds' takes {value: PATH, name: PATH, limits: TABLE}"),
        (
            "{bounds: {value: v, name: n}}",
            "1:10: 'bounds' takes {value: PATH, name: PATH, limits: TABLE}",
        ),
        (
            "{bounds: {value: v, name: n, limits: [1]}}",
            "1:10: 'limits' takes a mapping of name globs to {min, max}, got [1]",
        ),
        (
            "{bounds: {value: v, name: n, limits: {a: {most: 1}}}}",
            "1:42: limits for 'a' take min and/or max, got {'most': 1}",
        ),
        (
            "{bounds: {value: v, name: n, limits: {a: {max: high}}}}",
            "1:42: limits for 'a': min and max take numbers, got {'max': 'high'}",
        ),
    ],
)
def test_bounds_load_errors(condition: str, error: str) -> None:
    assert build_errors(condition) == [error]


# -- every / some over a mapping: its entries as {key, value} items ------------------------


@pytest.mark.parametrize(
    ("condition", "fields", "expected"),
    [
        ("{some: m, require: {field: key, glob: '*_ratio'}}", {"m": {"a_ratio": 1, "b": 2}}, True),
        ("{some: m, require: {field: key, glob: '*_ratio'}}", {"m": {"b": 2}}, False),
        ("{some: m, require: {field: key, glob: '*_ratio'}}", {"m": {}}, False),
        ("{every: m, require: {field: value, lt: 1}}", {"m": {"a": 0.5, "b": 0.2}}, True),
        ("{every: m, require: {field: value, lt: 1}}", {"m": {"a": 0.5, "b": 2}}, False),
    ],
)
def test_every_and_some_over_a_mapping(
    condition: str, fields: dict[str, Any], expected: bool
) -> None:
    assert holds(condition, fields) is expected


def test_every_over_a_mapping_names_the_failing_key() -> None:
    why = reason("{every: m, require: {field: value, lt: 1}}", {"m": {"a": 0.5, "b": 2}})
    assert why == "1 of 2 m fail: [1] 'b': value is 2, expected < 1"
