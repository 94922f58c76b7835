"""Rule cases as files in folders: tests/cases/<RULE-ID>/{pass,fail}/ and expected.yaml.

Each tree is copied into a fresh git repository and checked with only its rule selected.
`pass` must give no finding for the rule; `fail` must give exactly the findings listed in
expected.yaml (path, line, and optionally a message fragment each). Rules over MLflow
entities need a tracking store, so their folders are run by tests/mlflow/ instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcheck.check import CheckOptions, joined_reads, load_rules, run
from govcheck.config import Config
from govcheck.model import Report
from support import CASES, builtin_kinds, git_copy, repo_case_dirs

Git = Callable[..., str]


def reading_mlflow() -> frozenset[str]:
    """Rules over repository resources that look names up in MLflow (refers_to) or read
    a joined MLflow field (a model's `serving`): their trees carry a snapshot, named in the
    tree's .govcheck.yaml."""
    rules, _ = load_rules(Config(path=None), Path.cwd())
    return frozenset(
        r.id for r in rules if any(k.startswith("mlflow_") for k in (*r.reads, *joined_reads(r)))
    )


KINDS = builtin_kinds()
READING_MLFLOW = reading_mlflow()


def case_params() -> list[Any]:
    return [
        pytest.param(folder, outcome, id=f"{folder.name}-{outcome}")
        for folder in repo_case_dirs()
        for outcome in ("pass", "fail")
    ]


def check(repo: Path, rule_id: str) -> Report:
    no_mlflow = rule_id not in READING_MLFLOW
    return run(CheckOptions(repo=str(repo), select=(rule_id,), no_mlflow=no_mlflow))


def load_expected(folder: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list) and data, f"{folder}/expected.yaml: a non-empty list"
    for item in data:
        assert isinstance(item, dict) and "path" in item, f"{folder}/expected.yaml: {item!r}"
        assert set(item) <= {"path", "line", "message_contains"}, f"unknown keys in {item!r}"
    return data


def test_every_case_folder_names_a_builtin_rule() -> None:
    unknown = [p.name for p in CASES.iterdir() if p.is_dir() and p.name not in KINDS]
    assert unknown == []


def test_repo_rules_have_case_folders() -> None:
    repo_rules = {rid for rid, kind in KINDS.items() if not kind.startswith("mlflow_")}
    assert repo_rules <= {p.name for p in repo_case_dirs()}


@pytest.mark.parametrize(("folder", "outcome"), case_params())
def test_case(folder: Path, outcome: str, tmp_path: Path, run_git: Git) -> None:
    rule_id = folder.name
    tree = folder / outcome
    assert tree.is_dir(), f"missing case tree {tree}"
    repo = git_copy(tree, tmp_path / "repo", run_git)
    report = check(repo, rule_id)
    assert rule_id in {r.id for r in report.rules}
    findings = [f for f in report.findings if f.rule_id == rule_id]
    if outcome == "pass":
        assert [(f.location, f.message) for f in findings] == []
        # a pass case that selects nothing would pass vacuously
        assert any(c.rule_id == rule_id and c.status == "passed" for c in report.checked)
        return
    got = {
        (f.location.path if f.location else None, f.location.line if f.location else None)
        for f in findings
    }
    expected = load_expected(folder)
    assert got == {(e["path"], e.get("line")) for e in expected}
    assert len(findings) == len(expected), "one finding per expected entry"
    for e in expected:
        if "message_contains" not in e:
            continue
        messages = [
            f.message
            for f in findings
            if f.location and (f.location.path, f.location.line) == (e["path"], e.get("line"))
        ]
        assert any(e["message_contains"] in m for m in messages), (e, messages)


# Beyond the folders: behaviour the cases found wrong, pinned down as plain tests.


def test_prose_under_a_data_dir_is_not_a_data_reference(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "configs/notes.yaml": 'description: "data/ holds the raw exports, see README"\n'
            "path: data/raw/untracked.csv\n",
        }
    )
    report = check(repo, "GC-DATA-001")
    assert [(f.location.line if f.location else None) for f in report.findings] == [2]


def test_file_size_in_a_message_is_readable(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            ".govcheck.yaml": "version: 1\nparams: {max_data_file_mb: 0.01}\n",
            "data/train.csv": "id,amount\n" + "".join(f"{i},{i * 1.5}\n" for i in range(1500)),
        }
    )
    [finding] = check(repo, "GC-DATA-002").findings
    assert "data/train.csv is a 0.0" in finding.message
    # the size as a person reads it, not float noise such as 0.015410423278808594
    assert not re.search(r"\d\.\d{5,}", finding.message), finding.message
