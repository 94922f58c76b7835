"""The MLflow metadata the tests check: good and bad entities, built through MlflowClient.

Each entity is named after what is wrong with it, and EXPECTED lists, per rule, exactly the
entities that must be reported; everything else in the store is compliant with that rule.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

MISSING_SHA = "0badc0de" * 5  # a well-formed commit that no repository has


@dataclass
class World:
    uri: str
    run_ids: dict[str, str] = field(default_factory=dict)  # run name -> id
    model_ids: dict[str, str] = field(default_factory=dict)  # logged model name -> id


@contextmanager
def tracking_env(uri: str) -> Iterator[None]:
    # Registering a `models:/m-...` source resolves the logged model through the default
    # tracking URI, so it must name the same store while populating.
    saved = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = uri
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = saved


def populate(uri: str, good_sha: str) -> World:
    import mlflow.data
    import pandas as pd
    from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param

    from mlflow import MlflowClient

    world = World(uri)
    with tracking_env(uri):
        c = MlflowClient(uri)
        exp = {
            n: c.create_experiment(n)
            for n in ("fraud-detection", "Fraud_Detection v2", "churn/training")
        }
        exp["Default"] = "0"
        frame = pd.DataFrame({"amount": [1.0, 2.5], "label": [0, 1]})
        good_ds = mlflow.data.from_pandas(
            frame,
            # govcheck: ignore[GC-DATA-001] a source a test run records, never read
            source="s3://ml-data/fraud/train.parquet",
            name="fraud-train",
        )
        datasets = {
            "good": DatasetInput(
                good_ds._to_mlflow_entity(), [InputTag("mlflow.data.context", "training")]
            ),
            "no-digest": DatasetInput(Dataset("raw-dump", "", "local", '{"uri": "/data/raw.csv"}')),
            "no-source": DatasetInput(Dataset("churn-features", "9f86d081", "code", "{}")),
        }

        def run(
            experiment: str, name: str, tags: dict[str, str], inputs: tuple[str, ...] = ()
        ) -> str:
            r = c.create_run(exp[experiment], run_name=name, tags=tags)
            c.log_batch(
                r.info.run_id,
                metrics=[Metric("auc", 0.91, 1_700_000_000_000, 0)],
                params=[Param("lr", "0.1")],
            )
            if inputs:
                c.log_inputs(r.info.run_id, [datasets[i] for i in inputs])
            c.set_terminated(r.info.run_id)
            world.run_ids[name] = r.info.run_id
            return r.info.run_id

        commit = "mlflow.source.git.commit"
        good = run("fraud-detection", "good-run", {commit: good_sha, "owner": "alice"}, ("good",))
        no_commit = run("fraud-detection", "no-commit", {"owner": "bob"}, ("no-digest",))
        bad_commit = run("fraud-detection", "bad-commit", {commit: MISSING_SHA})
        run("fraud-detection", "user-only", {commit: good_sha, "mlflow.user": "carol"})
        run("Fraud_Detection v2", "bad-exp-run", {commit: good_sha, "owner": "dan"})
        run("Default", "default-run", {commit: good_sha, "owner": "erin"})
        run(
            "churn/training",
            "churn-train",
            {commit: good_sha, "owner": "fay"},
            ("good", "no-source"),
        )

        traced = c.create_logged_model(exp["fraud-detection"], name="fraud-lm", source_run_id=good)
        orphan = c.create_logged_model(exp["fraud-detection"], name="ranker-lm")
        world.model_ids = {"fraud-lm": traced.model_id, "ranker-lm": orphan.model_id}

        c.create_registered_model(
            "fraud-detector", description="Scores card transactions for fraud."
        )
        c.create_model_version("fraud-detector", f"runs:/{good}/model", run_id=good)
        c.create_model_version(
            "fraud-detector", f"models:/{traced.model_id}", model_id=traced.model_id
        )
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
        c.create_model_version("ranker", f"models:/{orphan.model_id}", model_id=orphan.model_id)
        c.set_registered_model_alias("ranker", "champion", "1")
    return world


def expected(world: World) -> dict[str, set[str]]:
    """Rule code -> the entities a check must report under it (and no others)."""
    r = world.run_ids
    return {
        "GC-EXP-010": {"mlflow:experiment/Fraud_Detection v2", "mlflow:experiment/Default"},
        "GC-EXP-011": {f"mlflow:run/{r['default-run']}"},
        "GC-RUN-001": {f"mlflow:run/{r['no-commit']}", f"mlflow:run/{r['bad-commit']}"},
        "GC-RUN-002": {f"mlflow:run/{r['bad-commit']}"},
        "GC-RUN-003": {f"mlflow:run/{r['no-commit']}", f"mlflow:run/{r['churn-train']}"},
        "GC-REG-001": {
            "mlflow:registered_model/churn-model",
            "mlflow:registered_model/legacy-model",
        },
        "GC-REG-002": {
            "mlflow:model_version/churn-model/1",
            "mlflow:model_version/legacy-model/1",
            "mlflow:model_version/ranker/1",
        },
        "GC-REG-003": {
            "mlflow:registered_model/churn-model",
            "mlflow:registered_model/legacy-model",
            "mlflow:registered_model/ranker",
        },
        "GC-MON-010": {
            "mlflow:model_version/churn-model/1",
            "mlflow:model_version/legacy-model/1",
            "mlflow:model_version/ranker/1",
        },
    }


def populate_bulk(uri: str, db_path: str, runs: int) -> None:
    """A store with `runs` runs in one experiment, quickly: one run made by the client, then
    cloned row by row in SQL (the client needs ~15 ms a run, too slow for thousands)."""
    from mlflow import MlflowClient

    c = MlflowClient(uri)
    exp = c.create_experiment("bulk-load")
    seed = c.create_run(exp, run_name="seed", tags={"owner": "bulk"}).info.run_id
    c.log_param(seed, "lr", "0.1")
    c.create_registered_model("bulk-model", description="Many versions' lineage in one batch.")
    with sqlite3.connect(db_path) as db:
        cols = [row[1] for row in db.execute("PRAGMA table_info(runs)")]
        row = dict(
            zip(cols, db.execute("SELECT * FROM runs WHERE run_uuid = ?", (seed,)).fetchone())
        )
        clones = []
        for i in range(runs - 1):
            new = uuid.uuid4().hex
            clones.append(
                {**row, "run_uuid": new, "name": f"bulk-{i}", "start_time": row["start_time"] + i}
            )
        db.executemany(
            f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [tuple(c_[k] for k in cols) for c_ in clones],
        )
        db.executemany(
            "INSERT INTO tags (key, value, run_uuid) VALUES ('owner', 'bulk', ?)",
            [(c_["run_uuid"],) for c_ in clones],
        )
        ids = [c_["run_uuid"] for c_ in clones[:5]]
    for run_id in ids:
        c.create_model_version("bulk-model", f"runs:/{run_id}/model", run_id=run_id)
