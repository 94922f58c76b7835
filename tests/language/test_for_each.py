"""`for_each: PATH` on a rule: each failing item of a list field is its own finding, at the
item's own line, with the message rendered over the item (then the resource)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from govcheck.check import CheckOptions, run
from govcheck.errors import PolicyErrors
from govcheck.fingerprints import fingerprint_base
from govcheck.model import Report

MakeRepo = Callable[..., Path]

STAGES = """stages:
  - {name: prepare, owner: ana}
  - {name: train}
  - {name: evaluate}
"""


def check(repo: Path, rule: str) -> Report:
    policy = repo.parent / "policy.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - id: T-001\n    name: t\n    resource: file\n"
        "    where: {field: name, equals: pipeline.yaml}\n" + rule,
        encoding="utf-8",
    )
    return run(
        CheckOptions(repo=str(repo), policies=(str(policy),), select=("T-001",), no_mlflow=True)
    )


def test_each_failing_item_is_a_finding_at_its_line(make_repo: MakeRepo) -> None:
    repo = make_repo({"pipeline.yaml": STAGES})
    report = check(
        repo,
        "    for_each: data.stages\n"
        "    require: {field: owner, exists: true}\n"
        "    message: 'stage {name} of {path} has no owner'\n",
    )
    shown = [(f.location.line, f.message) for f in report.findings if f.location]
    assert shown == [
        (3, "stage train of pipeline.yaml has no owner (owner is missing)"),
        (4, "stage evaluate of pipeline.yaml has no owner (owner is missing)"),
    ]
    # one checked pair per resource, failed at its first failing item
    assert [(c.resource_id, c.status) for c in report.checked] == [("pipeline.yaml", "failed")]
    # SARIF fingerprints of two items never collide
    assert len({fingerprint_base(f) for f in report.findings}) == 2


def test_items_that_say_where_they_are(make_repo: MakeRepo) -> None:
    text = "problems:\n  - {kind: a, line: 7, file: other.yaml}\n  - {kind: b, line: 9}\n"
    repo = make_repo({"pipeline.yaml": text})
    report = check(repo, "    for_each: data.problems\n    require: {field: kind, in: []}\n")
    assert [(f.location.path, f.location.line) for f in report.findings if f.location] == [
        ("other.yaml", 7),
        ("pipeline.yaml", 9),
    ]


def test_scalar_items_and_a_missing_list(make_repo: MakeRepo) -> None:
    repo = make_repo({"pipeline.yaml": "tags: [ok, bad, ok]\n"})
    report = check(
        repo,
        "    for_each: data.tags\n    require: {field: ., equals: ok}\n    message: '{path}'\n",
    )
    assert [(f.location.line, f.message) for f in report.findings if f.location] == [
        (1, "pipeline.yaml (is 'bad', expected 'ok')")
    ]
    empty = check(
        make_repo({"pipeline.yaml": "x: 1\n"}),
        "    for_each: data.tags\n    require: {field: ., equals: ok}\n",
    )
    assert empty.findings == () and [c.status for c in empty.checked] == ["passed"]


def test_a_bad_path_is_a_policy_error(make_repo: MakeRepo) -> None:
    repo = make_repo({"pipeline.yaml": STAGES})
    with pytest.raises(PolicyErrors) as caught:
        check(repo, "    for_each: 'data..x'\n    require: {field: x, exists: true}\n")
    [line] = caught.value.lines()
    assert "policy.yaml:7:15: for_each: bad field path 'data..x'" in line


def test_without_require_every_item_is_a_finding(make_repo: MakeRepo) -> None:
    text = "problems:\n  - {kind: a}\n  - {kind: b}\n"
    report = check(
        make_repo({"pipeline.yaml": text}),
        "    for_each: data.problems\n    message: 'problem {kind}'\n",
    )
    assert [(f.location.line, f.message) for f in report.findings if f.location] == [
        (2, "problem a"),
        (3, "problem b"),
    ]


def test_a_rule_needs_require_or_for_each(make_repo: MakeRepo) -> None:
    with pytest.raises(PolicyErrors) as caught:
        check(make_repo({"pipeline.yaml": STAGES}), "    message: x\n")
    assert any(
        "missing required key 'require' or 'for_each' in rule T-001" in line
        for line in caught.value.lines()
    )
