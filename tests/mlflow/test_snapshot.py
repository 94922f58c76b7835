"""A snapshot holds what the providers produce; reading it gives the same resources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from kinds import KINDS, everything
from mlflow_world import World

from govcheck import builtin
from govcheck.errors import DataSourceError
from govcheck.facts.mlflow_store import Scope
from govcheck.facts.snapshot_store import write_snapshot
from support import make_facts


@pytest.fixture(scope="module")
def snapshot_file(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snap") / "mlflow.json"
    counts = write_snapshot(world.uri, str(out), Scope())
    assert counts == {"experiments": 4, "runs": 7, "registered_models": 4, "model_versions": 6}
    return out


def test_snapshot_validates_against_its_schema(snapshot_file: Path, world: World) -> None:
    document = json.loads(snapshot_file.read_text())
    schema = json.loads(builtin.schema_file("mlflow-snapshot").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["format"] == "govcheck-mlflow-snapshot" and document["version"] == 1
    assert document["tracking_uri"] == world.uri
    assert document["recorded_at"].endswith("+00:00")


def test_snapshot_gives_the_same_resources_as_the_store(
    snapshot_file: Path, world: World, facts_for: Any
) -> None:
    live = everything(facts_for(mlflow_uri=world.uri))
    recorded = everything(facts_for(mlflow_snapshot=str(snapshot_file)))
    assert recorded == live
    assert all(live[kind] for kind in KINDS)


def test_config_snapshot_is_read_relative_to_the_repo(snapshot_file: Path, make_repo: Any) -> None:
    root = make_repo({"recorded/mlflow.json": snapshot_file.read_text(encoding="utf-8")})
    facts = make_facts(root, mlflow={"snapshot": "recorded/mlflow.json"})
    assert len(facts.resources("mlflow_run")) == 7


def test_experiment_globs_narrow_a_snapshot_like_a_live_store(
    snapshot_file: Path, world: World, facts_for: Any
) -> None:
    scope = {"experiments": ["fraud-*", "Default"]}
    live = everything(facts_for(mlflow_uri=world.uri, mlflow=scope))
    recorded = everything(facts_for(mlflow_snapshot=str(snapshot_file), mlflow=scope))
    assert recorded == live
    assert [e[2]["name"] for e in live["mlflow_experiment"]] == ["Default", "fraud-detection"]
    assert {r[2]["experiment_name"] for r in live["mlflow_run"]} == {"Default", "fraud-detection"}


def test_a_broken_snapshot_names_the_file_and_the_place(tmp_path: Path, facts_for: Any) -> None:
    bad = tmp_path / "snap.json"
    bad.write_text(json.dumps({"format": "govcheck-mlflow-snapshot", "version": 2}))
    with pytest.raises(DataSourceError, match=r"snap.json: not a govcheck MLflow snapshot: \$"):
        facts_for(mlflow_snapshot=str(bad)).resources("mlflow_run")
    with pytest.raises(DataSourceError, match="MLflow snapshot not found: .*gone.json"):
        facts_for(mlflow_snapshot=str(tmp_path / "gone.json")).resources("mlflow_run")
