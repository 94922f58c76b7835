"""Write the test world (tests/mlflow/mlflow_world.py) into a store, with any MLflow 2.x/3.x.

This file runs inside throwaway virtualenvs holding other MLflow versions, so it imports
only the standard library and mlflow, and uses only client calls MLflow 2.4 already had.
MLflow 3 stores also get logged models (a version registered from `models:/m-...`); older
ones register the same versions from runs, so every version gives the same findings.

    python world_writer.py sqlite:////tmp/mlflow.db GOOD_SHA OUT.json
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

MISSING_SHA = "0badc0de" * 5  # a well-formed commit that no repository has


def write_world(uri: str, good_sha: str) -> dict[str, Any]:
    """Populate the store at uri; returns {"run_ids": {name: id}, "model_ids": {name: id}}."""
    from mlflow import MlflowClient

    # Registering a `models:/m-...` source resolves the logged model through the default
    # tracking URI, so it must name the same store while populating.
    saved = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = uri
    try:
        return _write(MlflowClient(uri, registry_uri=uri), good_sha)
    finally:
        if saved is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = saved


def _write(c: Any, good_sha: str) -> dict[str, Any]:
    from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param

    run_ids: dict[str, str] = {}
    model_ids: dict[str, str] = {}
    exp = {
        n: c.create_experiment(n)
        for n in ("fraud-detection", "Fraud_Detection v2", "churn/training")
    }
    exp["Default"] = "0"
    datasets = {
        "good": DatasetInput(
            Dataset("fraud-train", "6d3a5e1f", "s3", '{"uri": "s3://ml-data/fraud/train.parquet"}'),
            [InputTag("mlflow.data.context", "training")],
        ),
        "no-digest": DatasetInput(Dataset("raw-dump", "", "local", '{"uri": "/data/raw.csv"}')),
        "no-source": DatasetInput(Dataset("churn-features", "9f86d081", "code", "{}")),
    }

    def run(experiment: str, name: str, tags: dict[str, str], inputs: tuple[str, ...] = ()) -> str:
        r = c.create_run(exp[experiment], run_name=name, tags=tags)
        c.log_batch(
            r.info.run_id,
            metrics=[Metric("auc", 0.91, 1_700_000_000_000, 0)],
            params=[Param("lr", "0.1")],
        )
        if inputs:
            c.log_inputs(r.info.run_id, [datasets[i] for i in inputs])
        c.set_terminated(r.info.run_id)
        run_ids[name] = r.info.run_id
        return r.info.run_id

    commit = "mlflow.source.git.commit"
    good = run("fraud-detection", "good-run", {commit: good_sha, "owner": "alice"}, ("good",))
    no_commit = run("fraud-detection", "no-commit", {"owner": "bob"}, ("no-digest",))
    bad_commit = run("fraud-detection", "bad-commit", {commit: MISSING_SHA})
    run("fraud-detection", "user-only", {commit: good_sha, "mlflow.user": "carol"})
    run("Fraud_Detection v2", "bad-exp-run", {commit: good_sha, "owner": "dan"})
    run("Default", "default-run", {commit: good_sha, "owner": "erin"})
    run("churn/training", "churn-train", {commit: good_sha, "owner": "fay"}, ("good", "no-source"))

    logged_models = hasattr(c, "create_logged_model")  # MLflow 3
    if logged_models:
        traced = c.create_logged_model(exp["fraud-detection"], name="fraud-lm", source_run_id=good)
        orphan = c.create_logged_model(exp["fraud-detection"], name="ranker-lm")
        model_ids = {"fraud-lm": traced.model_id, "ranker-lm": orphan.model_id}

    c.create_registered_model("fraud-detector", description="Scores card transactions for fraud.")
    c.create_model_version("fraud-detector", f"runs:/{good}/model", run_id=good)
    if logged_models:
        source = f"models:/{traced.model_id}"
        c.create_model_version("fraud-detector", source, model_id=traced.model_id)
    else:
        c.create_model_version("fraud-detector", f"runs:/{good}/model2", run_id=good)
    c.create_model_version("fraud-detector", f"runs:/{no_commit}/model", run_id=no_commit)
    c.set_registered_model_alias("fraud-detector", "champion", "1")
    c.set_registered_model_alias("fraud-detector", "production", "2")

    c.create_registered_model("churn-model")
    c.create_model_version("churn-model", f"runs:/{bad_commit}/model", run_id=bad_commit)
    c.set_registered_model_alias("churn-model", "champion", "1")

    c.create_registered_model("legacy-model", description="   ")
    c.create_model_version("legacy-model", "s3://models/legacy/1")
    c.set_registered_model_alias("legacy-model", "champion", "1")

    c.create_registered_model("ranker", description="Ranks search results.")
    if logged_models:
        c.create_model_version("ranker", f"models:/{orphan.model_id}", model_id=orphan.model_id)
    else:
        c.create_model_version("ranker", "s3://models/ranker/1")
    c.set_registered_model_alias("ranker", "champion", "1")
    return {"run_ids": run_ids, "model_ids": model_ids}


if __name__ == "__main__":
    import logging

    logging.disable(logging.CRITICAL)
    target_uri, sha, out = sys.argv[1:4]
    world = write_world(target_uri, sha)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(world, f, indent=1, sort_keys=True)
