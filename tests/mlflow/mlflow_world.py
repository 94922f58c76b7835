"""The MLflow metadata the tests check: good and bad entities, built through MlflowClient.

Each entity is named after what is wrong with it, and EXPECTED lists, per rule, exactly the
entities that must be reported; everything else in the store is compliant with that rule.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field

from world_writer import MISSING_SHA

__all__ = ["MISSING_SHA", "World", "expected", "populate", "populate_bulk"]


@dataclass
class World:
    uri: str
    run_ids: dict[str, str] = field(default_factory=dict)  # run name -> id
    model_ids: dict[str, str] = field(default_factory=dict)  # logged model name -> id


def populate(uri: str, good_sha: str) -> World:
    """The world through the installed MLflow (world_writer.py also writes it with others)."""
    from world_writer import write_world

    ids = write_world(uri, good_sha)
    return World(uri, ids["run_ids"], ids["model_ids"])


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
