"""quickschema may say "valid" only where jsonschema finds no error (that a caller keeps).

Every built-in pack, a full config and a monitoring config are mutated one place at a time (key removed, value
of another type, unknown key, impossible date); for each variant the fast answer is held
against jsonschema's own, so the shortcut can never hide a malformed file.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest

from govcheck import builtin
from govcheck.quickschema import plainly_valid
from govcheck.yamlsrc import load_one

CONFIG = """\
version: 1
policies: [builtin:all, .govcheck/policies/]
params: {models_glob: "models/*", max_data_file_mb: 20}
exclude: ["vendor/**"]
fail_on: warning
mlflow:
  tracking_uri: sqlite:///mlflow.db
  experiments: ["fraud/*"]
  runs_since_days: 30
waivers:
  - rule: GC-CARD-001
    target: models/legacy
    reason: Retired in Q1
    expires: 2027-01-31
    approved_by: jane.doe
"""
MONITORING = """\
model: fraud-detector
alias: champion
owner: fraud-team@example.com
schedule: "0 * * * *"
baseline: {dataset: "s3://ml-data/fraud/train.parquet?versionId=3HL4kqtJlcpXroDTDmJ"}
metrics:
  - {name: auc, threshold: {min: 0.85}}
  - {name: feature_drift, method: psi, threshold: {max: 0.2}}
alerts:
  - {channel: slack, target: "#fraud-alerts"}
"""
REPLACEMENTS: tuple[Any, ...] = (
    None,
    0,
    1,
    -3,
    True,
    "",
    "x",
    "2027-13-45",
    "2027-01-31",
    1.5,
    [],
    ["x"],
    {},
    {"zzz": 1},
)


def plain(data: Any) -> Any:
    return json.loads(json.dumps(data))


def in_condition(path: list[Any]) -> bool:
    return len(path) >= 3 and path[0] == "rules" and path[2] in ("where", "require")


def schema(name: str) -> dict[str, Any]:
    return json.loads(builtin.schema_file(name).read_text(encoding="utf-8"))


def places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    items = (
        list(node.items())
        if isinstance(node, dict)
        else list(enumerate(node))
        if isinstance(node, list)
        else []
    )
    if isinstance(node, list) and not any(isinstance(v, (dict, list)) for v in node):
        # A list of scalars (a pack's param list of 60 key globs): its first items stand
        # for the rest; mutating each one made the test quadratic in the pack's size.
        items = items[:2]
    for key, child in items:
        yield from places(child, (*path, key))


def variants(doc: Any) -> Iterator[Any]:
    for path in places(doc):
        if not path:
            continue
        *parents, last = path
        for value in ("<delete>", *REPLACEMENTS):
            out = copy.deepcopy(doc)
            holder = out
            for key in parents:
                holder = holder[key]
            if value == "<delete>":
                del holder[last]
            else:
                holder[last] = copy.deepcopy(value)
            yield out
        if isinstance(doc_at(doc, path), dict):
            out = copy.deepcopy(doc)
            doc_at(out, path)["zzz_unknown"] = 1
            yield out


def doc_at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def kept_errors(
    data: Any, schema_doc: dict[str, Any], skip: Callable[[list[Any]], bool]
) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        schema_doc, format_checker=jsonschema.FormatChecker()
    )
    return [e.message for e in validator.iter_errors(data) if not skip(list(e.absolute_path))]


CORPUS = [(f"builtin:{name}", "policy", in_condition) for name in sorted(builtin.pack_files())]
CORPUS.append(("config", "config", lambda path: False))
CORPUS.append(("monitoring", "monitoring", lambda path: False))  # GC-MON-002's fast path


def load(name: str) -> Any:
    if name in ("config", "monitoring"):
        return plain(load_one(CONFIG if name == "config" else MONITORING, name))
    path = builtin.pack_files()[name.removeprefix("builtin:")]
    return plain(load_one(path.read_text(encoding="utf-8"), name))


@pytest.mark.parametrize(("name", "schema_name", "skip"), CORPUS, ids=[c[0] for c in CORPUS])
def test_valid_documents_take_the_fast_path(
    name: str, schema_name: str, skip: Callable[[list[Any]], bool]
) -> None:
    doc, sch = load(name), schema(schema_name)
    assert kept_errors(doc, sch, skip) == []
    assert plainly_valid(doc, sch, skip) is True


@pytest.mark.parametrize(("name", "schema_name", "skip"), CORPUS, ids=[c[0] for c in CORPUS])
def test_never_valid_where_jsonschema_finds_an_error(
    name: str, schema_name: str, skip: Callable[[list[Any]], bool]
) -> None:
    doc, sch = load(name), schema(schema_name)
    fast_no = 0
    for variant in variants(doc):
        if plainly_valid(variant, sch, skip):
            assert kept_errors(variant, sch, skip) == [], json.dumps(variant)[:300]
        else:
            fast_no += 1
    assert fast_no > 0  # the mutations do produce malformed documents


def test_unknown_keywords_and_formats_defer_to_jsonschema() -> None:
    assert plainly_valid("a", {"type": "string", "contentEncoding": "base64"}) is False
    assert plainly_valid("a@b", {"type": "string", "format": "email"}) is False
    assert plainly_valid(1, {"oneOf": [{"type": "integer"}]}) is False
    assert plainly_valid(1, {"$ref": "https://example.com/other.json"}) is False
    assert plainly_valid("2027-02-30", {"format": "date"}) is False
    assert plainly_valid("2027-02-28", {"format": "date"}) is True
