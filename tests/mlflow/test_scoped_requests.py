"""A scoped check through a real `mlflow server`: requests grow with pages, not with
versions x experiments.

The store is wide (150 experiments, more than one batch of 100) and every registered model
has a version behind `champion` whose run is older than `runs_since_days`, so each must be
looked up by id. Tracing used to cost (versions / 100) x (experiments / 100) searches, for
every version; now only versions behind an alias are traced (what GC-REG-002 reads), 100
run ids a request, across all experiments at once.
"""

from __future__ import annotations

import math
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mlflow_servers import CountingProxy, start_server

from govcheck.check import CheckOptions, run

pytestmark = pytest.mark.slow

EXPERIMENTS = 150  # team-a/*: two in three (100); all of them, with Default, take two batches
MODELS = 120  # each with v1 (no alias) and v2 (champion)
DAY_MS = 86_400_000


def _clone(db: sqlite3.Connection, table: str, where: str, rows: list[dict[str, Any]]) -> None:
    """Insert copies of the row of `table` matching `where`, each updated by one dict."""
    cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    seed = dict(zip(cols, db.execute(f"SELECT * FROM {table} WHERE {where}").fetchone()))
    db.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [tuple({**seed, **row}[c] for c in cols) for row in rows],
    )


def populate_wide(db_path: Path, good_sha: str) -> dict[str, Any]:
    from mlflow import MlflowClient

    uri = f"sqlite:///{db_path}"
    client = MlflowClient(uri, registry_uri=uri)
    names = [f"team-{'a' if k % 3 else 'b'}/exp-{k:03d}" for k in range(EXPERIMENTS)]
    exp_ids = [client.create_experiment(n) for n in names]
    seed = client.create_run(exp_ids[0], run_name="seed").info.run_id  # out of scope
    client.set_tag(seed, "mlflow.source.git.commit", good_sha)
    client.create_registered_model("seed-model")
    client.create_model_version("seed-model", f"runs:/{seed}/model", run_id=seed)
    client.set_registered_model_alias("seed-model", "seed", 1)  # not a serving alias
    now = int(time.time() * 1000)
    runs: list[dict[str, Any]] = []
    for k, exp_id in enumerate(exp_ids):
        for age_days in (400, 1):  # one run out of the 30-day window, one in it
            runs.append(
                {
                    "run_uuid": uuid.uuid4().hex,
                    "name": f"run-{k}-{age_days}",
                    "experiment_id": int(exp_id),
                    "start_time": now - age_days * DAY_MS,
                    "end_time": now - age_days * DAY_MS + 1000,
                }
            )
    old = [r for r in runs if r["name"].endswith("-400")]
    with sqlite3.connect(db_path) as db:
        _clone(db, "runs", f"run_uuid = '{seed}'", runs)
        commits = [
            {"run_uuid": r["run_uuid"], "value": good_sha if i % 7 else "0" * 40}
            for i, r in enumerate(runs)
        ]
        _clone(db, "tags", f"run_uuid = '{seed}' AND key = 'mlflow.source.git.commit'", commits)
        models = [{"name": f"model-{m:03d}"} for m in range(MODELS)]
        _clone(db, "registered_models", "name = 'seed-model'", models)
        versions = [
            {"name": f"model-{m:03d}", "version": v, "run_id": old[m % len(old)]["run_uuid"]}
            for m in range(MODELS)
            for v in (1, 2)
        ]
        _clone(db, "model_versions", "name = 'seed-model'", versions)
        aliases = [{"alias": "champion", "version": 2, "name": n["name"]} for n in models]
        _clone(db, "registered_model_aliases", "name = 'seed-model'", aliases)
    return {"old": old}


@pytest.fixture(scope="module")
def wide_server(tmp_path_factory: pytest.TempPathFactory, good_sha: str) -> Iterator[str]:
    work = tmp_path_factory.mktemp("wide")
    populate_wide(work / "wide.db", good_sha)
    server = start_server(work / "wide.db", work)
    try:
        server.wait_healthy()
        yield server.url
    finally:
        server.stop()


def test_a_scoped_check_traces_serving_versions_in_batches(
    wide_server: str, ml_repo: Path, tmp_path: Path
) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(ml_repo, repo, symlinks=True)
    (repo / ".govcheck.yaml").write_text(
        'version: 1\nmlflow:\n  experiments: ["team-a/*"]\n  runs_since_days: 30\n',
        encoding="utf-8",
    )
    proxy = CountingProxy(wide_server)
    try:
        report = run(
            CheckOptions(
                repo=str(repo),
                mlflow_uri=proxy.url,
                select=("GC-EXP-01", "GC-RUN-", "GC-REG-", "GC-MON-010"),
            )
        )
    finally:
        proxy.close()
    calls = proxy.api_calls()
    in_scope = sum(1 for k in range(EXPERIMENTS) if k % 3)  # one new run each
    serving = MODELS  # one champion version per model, each run older than the window
    run_pages = math.ceil(in_scope / 100)  # batches of 100 experiments, under 1,000 runs each
    lookups = math.ceil(serving / 100)  # 100 run ids a request, all experiments at once
    assert sum("runs/search" in c for c in calls) == run_pages + lookups, calls
    # + experiments in scope, every experiment (to look runs up), models, versions.
    assert len(calls) == run_pages + lookups + 4, calls
    # The versions traced (to runs out of scope) are those behind the alias, and only they:
    # a version of a run of a commit this repository lacks is reported, the others not.
    reported = {f.entity for f in report.findings if f.rule_id == "GC-REG-002"}
    assert reported and all(e.endswith("/2") for e in reported)
    runs = {f.entity for f in report.findings if f.rule_id.startswith("GC-RUN-")}
    assert len({f.resource_id for f in report.checked if f.rule_id == "GC-RUN-002"}) == in_scope
    assert runs  # the planted commits of runs in scope are reported too
