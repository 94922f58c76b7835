"""A synthetic MLflow sqlite store: M runs across experiments, 200 registered models.

MlflowClient creates the store (schema, migrations, the Default experiment) and the
experiments; the runs, their tags, params, metrics and dataset inputs, and the registry
are then bulk-inserted with sqlite3 into that same schema. Logging 50,000 runs through
MlflowClient.log_batch takes many minutes; bulk inserts take seconds. The result is read
back through MlflowClient before it is cached, so a schema drift fails loudly here.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from pathlib import Path

GENERATOR_VERSION = 1
RUNS_PER_EXPERIMENT = 100
N_MODELS = 200
VERSIONS_PER_MODEL = 3
_T0 = 1_735_689_600_000  # 2025-01-01, epoch milliseconds


def _experiment_names(count: int) -> list[str]:
    names = [f"team-{k % 17}/model-{k:04d}" for k in range(count)]
    for k in range(24, count, 25):
        names[k] = f"Scratch Model {k}"  # planted: against the naming convention
    return names


def _create_schema(uri: str, experiments: list[str]) -> dict[str, str]:
    import logging

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    from mlflow import MlflowClient

    client = MlflowClient(uri, registry_uri=uri)
    ids = {}
    for name in experiments:
        ids[name] = client.create_experiment(name, tags={"team": name.split("/")[0]})
    return ids


# Columns written per table, in the order of the row tuples built by rows().
COLUMNS = {
    "datasets": (
        "dataset_uuid",
        "experiment_id",
        "name",
        "digest",
        "dataset_source_type",
        "dataset_source",
        "dataset_schema",
        "dataset_profile",
    ),
    "runs": (
        "run_uuid",
        "name",
        "source_type",
        "source_name",
        "entry_point_name",
        "user_id",
        "status",
        "start_time",
        "end_time",
        "source_version",
        "lifecycle_stage",
        "artifact_uri",
        "experiment_id",
        "deleted_time",
    ),
    "tags": ("key", "value", "run_uuid"),
    "params": ("key", "value", "run_uuid"),
    "metrics": ("key", "value", "timestamp", "run_uuid", "step", "is_nan"),
    "latest_metrics": ("key", "value", "timestamp", "step", "is_nan", "run_uuid"),
    "inputs": (
        "input_uuid",
        "source_type",
        "source_id",
        "destination_type",
        "destination_id",
        "step",
    ),
    "input_tags": ("input_uuid", "name", "value"),
    "registered_models": (
        "name",
        "creation_time",
        "last_updated_time",
        "description",
        "workspace",
    ),
    "model_versions": (
        "name",
        "version",
        "creation_time",
        "last_updated_time",
        "description",
        "user_id",
        "current_stage",
        "source",
        "run_id",
        "status",
        "status_message",
        "run_link",
        "storage_location",
        "workspace",
    ),
    "registered_model_aliases": ("alias", "version", "name", "workspace"),
}


def rows(
    n_runs: int, exp_ids: list[str], commit: str, n_models: int = N_MODELS
) -> dict[str, list[tuple[object, ...]]]:
    """The rows of every table COLUMNS names, for n_runs runs over the given experiments."""
    rng = random.Random(n_runs)
    out: dict[str, list[tuple[object, ...]]] = {table: [] for table in COLUMNS}
    datasets, runs, tags, params = out["datasets"], out["runs"], out["tags"], out["params"]
    metrics, latest, inputs, input_tags = (
        out["metrics"],
        out["latest_metrics"],
        out["inputs"],
        out["input_tags"],
    )
    dataset_of: dict[str, str] = {}
    for exp_id in exp_ids:
        ds = uuid.uuid4().hex
        dataset_of[exp_id] = ds
        source = json.dumps({"uri": f"s3://ml-data/exp-{exp_id}/train.parquet?versionId=v{exp_id}"})
        datasets.append((ds, int(exp_id), "train", f"{int(exp_id):08x}", "s3", source, None, None))
    run_ids = []
    for k in range(n_runs):
        run_id = uuid.uuid4().hex
        run_ids.append(run_id)
        exp_id = exp_ids[k % len(exp_ids)]
        start = _T0 + k * 60_000
        runs.append(
            (
                run_id,
                f"run-{k}",
                "LOCAL",
                "train.py",
                "",
                f"user{k % 50}",
                "FINISHED",
                start,
                start + 30_000,
                "",
                "active",
                f"/tmp/artifacts/{run_id}",
                int(exp_id),
                None,
            )
        )
        sha = commit if k % 20 else f"{k:040x}"  # planted: a commit this repo never had
        run_tags = {
            "mlflow.runName": f"run-{k}",
            "mlflow.user": f"user{k % 50}",
            "mlflow.source.git.commit": sha,
            "mlflow.source.name": "train.py",
        }
        if k % 30:
            run_tags["owner"] = f"team-{k % 17}@example.com"
        tags += [(key, value, run_id) for key, value in run_tags.items()]
        params += [(name, str(rng.randint(1, 500)), run_id) for name in ("lr", "depth", "epochs")]
        for name in ("auc", "loss"):
            value = rng.random()
            metrics.append((name, value, start, run_id, 0, 0))
            latest.append((name, value, start, 0, 0, run_id))
        if k % 10:  # planted: some runs record no dataset at all
            input_id = uuid.uuid4().hex
            inputs.append((input_id, "DATASET", dataset_of[exp_id], "RUN", run_id, 0))
            input_tags.append((input_id, "mlflow.data.context", "training"))
    for m in range(n_models):
        name = f"model-{m:04d}"
        out["registered_models"].append(
            (name, _T0, _T0, "" if m % 10 == 3 else f"Model {m}", "default")
        )
        for v in range(1, VERSIONS_PER_MODEL + 1):
            run_id = run_ids[(m * VERSIONS_PER_MODEL + v) % n_runs]
            out["model_versions"].append(
                (
                    name,
                    v,
                    _T0,
                    _T0,
                    "",
                    "bench",
                    "None",
                    f"s3://models/{name}/{v}",
                    run_id,
                    "READY",
                    None,
                    None,
                    f"s3://models/{name}/{v}",
                    "default",
                )
            )
        out["registered_model_aliases"].append(("champion", VERSIONS_PER_MODEL, name, "default"))
    return out


def generate(path: Path, n_runs: int, commit: str) -> Path:
    """Write a store of n_runs runs to path (a new file); runs name `commit` as their source."""
    uri = f"sqlite:///{path.resolve()}"
    n_experiments = max(1, n_runs // RUNS_PER_EXPERIMENT)
    exp_ids = list(_create_schema(uri, _experiment_names(n_experiments)).values())
    tables = rows(n_runs, exp_ids, commit)
    db = sqlite3.connect(path)
    with db:
        for table, columns in COLUMNS.items():
            marks = ",".join("?" * len(columns))
            db.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", tables[table]
            )
    db.close()
    _verify(uri, n_runs)
    return path


def _verify(uri: str, n_runs: int) -> None:
    import logging

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    from mlflow import MlflowClient

    client = MlflowClient(uri, registry_uri=uri)
    exp = client.search_experiments(max_results=1, filter_string="name LIKE 'team-%'")[0]
    run = client.search_runs([exp.experiment_id], max_results=1)[0]
    assert run.data.tags.get("mlflow.source.git.commit"), "bulk-inserted tags not read back"
    assert run.data.metrics.get("auc") is not None, "bulk-inserted metrics not read back"
    model = client.get_registered_model("model-0001")
    assert str(model.aliases.get("champion")) == str(VERSIONS_PER_MODEL), model.aliases


def cached(cache: Path, n_runs: int, commit: str) -> Path:
    """The store of n_runs runs under cache/, generated on first use."""
    path = cache / f"mlflow-{n_runs}-{commit[:8]}-v{GENERATOR_VERSION}.db"
    if not path.is_file():
        tmp = path.with_name(path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        generate(tmp, n_runs, commit)
        tmp.rename(path)
    return path


def _copy_text(value: object) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def populate_postgres(pg, n_runs: int, commit: str, n_models: int) -> str:  # type: ignore[no-untyped-def]
    """A database of n_runs runs over n_runs/100 experiments and n_models registered models in
    the PostgreSQL server pg (pg_server.Postgres), made on first use; returns its URI.

    As for sqlite: MlflowClient creates the schema and the experiments, the rest is
    bulk-loaded (COPY) into that schema, and a search through MlflowClient verifies it."""
    import io

    database = f"mlflow_{n_runs}_{n_models}_{commit[:8]}_v{GENERATOR_VERSION}"
    done = pg.datadir.with_name(f"{pg.datadir.name}.{database}.done")
    uri = pg.uri(database)
    if done.is_file():
        return str(uri)
    pg.drop_database(database)  # half-made by an interrupted run
    pg.ensure_database(database)
    n_experiments = max(1, n_runs // RUNS_PER_EXPERIMENT)
    exp_ids = list(_create_schema(uri, _experiment_names(n_experiments)).values())
    tables = rows(n_runs, exp_ids, commit, n_models)
    conn = pg.connect(database)
    with conn, conn.cursor() as cur:
        for table, columns in COLUMNS.items():
            buffer = io.StringIO()
            for row in tables[table]:
                buffer.write("\t".join(_copy_text(v) for v in row) + "\n")
            buffer.seek(0)
            cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
        cur.execute("ANALYZE")
    conn.close()
    _verify(uri, n_runs)
    done.write_text(database + "\n", encoding="utf-8")
    return str(uri)
