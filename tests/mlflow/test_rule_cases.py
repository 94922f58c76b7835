"""MLflow rule cases: tests/cases/<RULE-ID>/{pass,fail}/ for rules over mlflow_* kinds.

A tree is a repository (model cards, monitoring configs...) plus `mlflow.yaml`, the MLflow
metadata in snapshot form with only the fields that matter written out; the rest get
neutral defaults, and `$HEAD` stands for the case repository's commit. The runner commits
the tree, writes the completed snapshot beside it and checks with `--mlflow-snapshot` and
only that rule selected. `expected.yaml` lists the entities the fail tree must report,
each with an optional `message_contains`; the pass tree must report none.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcheck.check import CheckOptions, load_rules, run
from govcheck.config import Config
from govcheck.facts.snapshot_store import snapshot_problem

CASES = Path(__file__).resolve().parents[1] / "cases"

RUN = {
    "run_id": "",
    "run_name": "",
    "experiment_id": "1",
    "experiment_name": "fraud-detection",
    "status": "FINISHED",
    "user": "",
    "tags": {},
    "params": {},
    "metrics": {},
    "start_time": "2026-01-05T10:00:00.000+00:00",
    "end_time": None,
    "datasets": [],
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "experiments": {
        "experiment_id": "1",
        "name": "",
        "tags": {},
        "lifecycle_stage": "active",
        "creation_time": None,
        "run_count": 0,
    },
    "runs": RUN,
    "registered_models": {
        "name": "",
        "description": "",
        "tags": {},
        "aliases": [],
        "creation_time": None,
    },
    "model_versions": {
        "name": "",
        "version": "1",
        "run_id": None,
        "model_id": None,
        "source": "",
        "status": "READY",
        "tags": {},
        "aliases": [],
        "description": "",
        "creation_time": None,
        "run": None,
    },
}
DATASET = {"name": "", "digest": "", "source": "", "source_type": "", "context": ""}


def mlflow_rules() -> list[str]:
    rules, _ = load_rules(Config(path=None), Path.cwd())
    return sorted(r.id for r in rules if r.info.resource.startswith("mlflow_"))


RULES = mlflow_rules()


def complete(kind: str, partial: dict[str, Any], head: str) -> dict[str, Any]:
    item = {**copy.deepcopy(DEFAULTS[kind]), **partial}
    if kind == "runs":
        item["datasets"] = [{**DATASET, **d} for d in item["datasets"]]
    if kind == "model_versions" and item["run"] is not None:
        item["run"] = complete("runs", item["run"], head)
    return substitute(item, head)


def substitute(value: Any, head: str) -> Any:
    if isinstance(value, dict):
        return {k: substitute(v, head) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, head) for v in value]
    return head if value == "$HEAD" else value


def snapshot_for(tree: Path, head: str) -> dict[str, Any]:
    partial = yaml.safe_load((tree / "mlflow.yaml").read_text(encoding="utf-8")) or {}
    document = {
        "format": "govcheck-mlflow-snapshot",
        "version": 1,
        "recorded_at": "2026-01-06T00:00:00+00:00",
        "tracking_uri": "sqlite:///mlflow.db",
        "scope": {"experiments": [], "runs_since_days": None, "runs_since": None},
    }
    for kind in DEFAULTS:
        document[kind] = [complete(kind, p, head) for p in partial.get(kind) or []]
    assert snapshot_problem(document) is None, f"{tree}/mlflow.yaml: {snapshot_problem(document)}"
    return document


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def check_case(tree: Path, rule: str, dest: Path) -> list[tuple[str, str]]:
    shutil.copytree(tree, dest, ignore=shutil.ignore_patterns("mlflow.yaml"))
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(
        dest,
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@example.com",
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "case",
    )
    snapshot = dest.parent / f"{dest.name}-mlflow.json"
    snapshot.write_text(json.dumps(snapshot_for(tree, git(dest, "rev-parse", "HEAD"))))
    report = run(CheckOptions(repo=str(dest), select=(rule,), mlflow_snapshot=str(snapshot)))
    assert not report.skipped, report.skipped
    assert any(c.rule_id == rule for c in report.checked), "the tree never evaluates the rule"
    return [(f.entity or "", f.message) for f in report.findings if f.rule_id == rule]


def test_every_mlflow_rule_has_cases() -> None:
    missing = [r for r in RULES if not (CASES / r / "expected.yaml").is_file()]
    assert missing == []


@pytest.mark.parametrize("rule", RULES)
def test_pass_tree_gives_no_finding(rule: str, tmp_path: Path) -> None:
    assert check_case(CASES / rule / "pass", rule, tmp_path / "pass") == []


@pytest.mark.parametrize("rule", RULES)
def test_fail_tree_gives_exactly_the_expected_findings(rule: str, tmp_path: Path) -> None:
    expected = yaml.safe_load((CASES / rule / "expected.yaml").read_text(encoding="utf-8"))
    found = check_case(CASES / rule / "fail", rule, tmp_path / "fail")
    assert sorted(e for e, _ in found) == sorted(item["entity"] for item in expected)
    messages = dict(found)
    for item in expected:
        if "message_contains" in item:
            assert item["message_contains"] in messages[item["entity"]], messages[item["entity"]]
