"""The four mlflow_* kinds read from a sqlite store, which stays byte-identical."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from mlflow_world import MISSING_SHA, World

from govcheck.errors import DataSourceError
from govcheck.facts.mlflow_source import model_versions, registered_models, runs

KINDS = ("mlflow_experiment", "mlflow_run", "mlflow_registered_model", "mlflow_model_version")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def by_id(resources: list[Any]) -> dict[str, Any]:
    return {r.id: r for r in resources}


def test_runs_carry_tags_datasets_and_names(world: World, facts_for: Any, good_sha: str) -> None:
    found = by_id(runs(facts_for(mlflow_uri=world.uri)))
    good = found[f"mlflow:run/{world.run_ids['good-run']}"]
    assert good.entity == good.id
    assert good.fields["run_name"] == "good-run"
    assert good.fields["experiment_name"] == "fraud-detection"
    assert good.fields["tags"]["mlflow.source.git.commit"] == good_sha
    assert good.fields["params"] == {"lr": "0.1"} and good.fields["metrics"] == {"auc": 0.91}
    assert good.fields["status"] == "FINISHED"
    assert good.fields["start_time"].endswith("+00:00")
    [dataset] = good.fields["datasets"]
    assert dataset["name"] == "fraud-train" and dataset["digest"]
    assert dataset["source"] == "s3://ml-data/fraud/train.parquet"
    assert dataset["source_type"] == "s3" and dataset["context"] == "training"
    no_source = found[f"mlflow:run/{world.run_ids['churn-train']}"].fields["datasets"]
    # A run's datasets come sorted by name, whatever order the store returns them in.
    assert [(d["name"], d["source"]) for d in no_source] == [
        ("churn-features", ""),
        ("fraud-train", "s3://ml-data/fraud/train.parquet"),
    ]
    in_default = found[f"mlflow:run/{world.run_ids['default-run']}"]
    assert in_default.fields["experiment_name"] == "Default"
    assert len(found) == len(world.run_ids)


def test_experiments_count_their_runs(world: World, facts_for: Any) -> None:
    facts = facts_for(mlflow_uri=world.uri)
    found = {r.fields["name"]: r for r in facts.resources("mlflow_experiment")}
    assert sorted(found) == ["Default", "Fraud_Detection v2", "churn/training", "fraud-detection"]
    assert found["fraud-detection"].fields["run_count"] == 4
    assert found["Default"].fields["run_count"] == 1
    assert found["Default"].id == "mlflow:experiment/Default"


def test_registered_models_have_descriptions_and_aliases(world: World, facts_for: Any) -> None:
    found = {r.fields["name"]: r.fields for r in registered_models(facts_for(mlflow_uri=world.uri))}
    assert found["fraud-detector"]["aliases"] == ["champion", "production"]
    assert found["churn-model"]["description"] == ""
    assert found["legacy-model"]["description"] == "   "


def test_versions_trace_to_their_runs(world: World, facts_for: Any, good_sha: str) -> None:
    found = {r.id: r.fields for r in model_versions(facts_for(mlflow_uri=world.uri))}
    champion = found["mlflow:model_version/fraud-detector/1"]
    assert champion["aliases"] == ["champion"]
    assert champion["run"]["run_id"] == world.run_ids["good-run"]
    assert champion["run"]["tags"]["mlflow.source.git.commit"] == good_sha
    # Registered from an MLflow 3 logged model: traced through the logged model's source run.
    from_logged = found["mlflow:model_version/fraud-detector/2"]
    assert from_logged["model_id"] == world.model_ids["fraud-lm"]
    assert from_logged["source"] == f"models:/{world.model_ids['fraud-lm']}"
    assert from_logged["run"]["run_id"] == world.run_ids["good-run"]
    assert (
        found["mlflow:model_version/churn-model/1"]["run"]["tags"]["mlflow.source.git.commit"]
        == MISSING_SHA
    )
    assert found["mlflow:model_version/legacy-model/1"]["run"] is None
    orphan = found["mlflow:model_version/ranker/1"]
    assert orphan["model_id"] == world.model_ids["ranker-lm"] and orphan["run"] is None
    assert found["mlflow:model_version/fraud-detector/3"]["aliases"] == []


def test_reading_leaves_the_database_byte_identical(store_copy: Path, facts_for: Any) -> None:
    before = digest(store_copy)
    facts = facts_for(mlflow_uri=f"sqlite:///{store_copy}")
    assert all(facts.resources(kind) for kind in KINDS)
    assert digest(store_copy) == before
    assert sorted(p.name for p in store_copy.parent.iterdir()) == ["copy.db"]


def test_a_missing_sqlite_store_is_reported_not_created(tmp_path: Path, facts_for: Any) -> None:
    missing = tmp_path / "nowhere" / "mlflow.db"
    facts = facts_for(mlflow_uri=f"sqlite:///{missing}")
    with pytest.raises(DataSourceError) as caught:
        facts.resources("mlflow_run")
    assert caught.value.lines() == [f"MLflow tracking store not found: sqlite:///{missing}"]
    assert caught.value.exit_code == 3
    assert not missing.parent.exists()


def test_an_empty_database_file_is_not_initialised(tmp_path: Path, facts_for: Any) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    facts = facts_for(mlflow_uri=f"sqlite:///{empty}")
    with pytest.raises(DataSourceError) as caught:
        facts.resources("mlflow_experiment")
    assert caught.value.lines() == [f"sqlite:///{empty} is not an MLflow tracking database"]
    assert empty.read_bytes() == b""


def test_a_missing_file_store_is_reported_not_created(tmp_path: Path, facts_for: Any) -> None:
    facts = facts_for(mlflow_uri=f"file://{tmp_path}/mlruns")
    with pytest.raises(DataSourceError, match="MLflow tracking store not found: file://"):
        facts.resources("mlflow_experiment")
    assert not (tmp_path / "mlruns").exists()


def test_logged_models_resolve_to_their_source_runs_in_one_search(world: World) -> None:
    # MLflow 3.17 also copies the source run into the version's run_id, so the store above
    # cannot show this path alone: ask the batched logged-model lookup directly.
    from govcheck.facts.mlflow_client import client_session, open_client
    from govcheck.facts.mlflow_live import LiveStore
    from govcheck.facts.mlflow_sqlite import SqliteStore
    from govcheck.facts.mlflow_store import Scope

    store = LiveStore(world.uri, Scope())
    with client_session(world.uri, 10):
        store._client = open_client(world.uri)
        found = store._logged_model_runs(set(world.model_ids.values()))
    assert found == {
        world.model_ids["fraud-lm"]: world.run_ids["good-run"],
        world.model_ids["ranker-lm"]: None,
    }
    # The direct reader resolves them the same way.
    assert (
        SqliteStore(world.uri, Scope())._logged_model_runs(set(world.model_ids.values())) == found
    )
