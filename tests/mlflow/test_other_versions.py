"""Stores written by MLflow 2.22 and 3.16, and govcheck with the oldest MLflow client it allows.

The stores and virtualenvs are built before the tests, once, by
`python tests/mlflow/versioned_stores.py DIR`; .ci/run does that and exports
GOVCHECK_MLFLOW_STORES=DIR, so CI always runs these. Without the variable they are skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from kinds import MLFLOW_RULES, reported
from mlflow_world import World, expected
from versioned_stores import CLIENT_LOWER_BOUND, ENV_VAR, WRITERS, client_python, fixed_repo

from govcheck.facts.mlflow_live import LiveStore
from govcheck.facts.mlflow_sqlite import SqliteStore
from govcheck.facts.mlflow_store import Scope
from support import SRC, govcheck

STORES = os.environ.get(ENV_VAR)
pytestmark = pytest.mark.skipif(
    not STORES,
    reason=f"{ENV_VAR} is not set: build the stores with "
    f"`python tests/mlflow/versioned_stores.py DIR` and export {ENV_VAR}=DIR (.ci/run does)",
)
LISTS = ("experiments", "runs", "registered_models", "model_versions")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def stores() -> Path:
    path = Path(str(STORES))
    # The variable is set, so the stores must be there: a missing one is a failure, not a skip.
    assert (path / "commit.json").is_file(), f"{ENV_VAR}={path} holds no stores"
    return path


@pytest.fixture(scope="module")
def repo(stores: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("versions") / "repo"
    sha = fixed_repo(root)
    assert sha == json.loads((stores / "commit.json").read_text())["good_sha"]
    return root


@pytest.fixture(scope="module", params=sorted(WRITERS))
def store(request: Any, stores: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    """A private copy of the store written by that MLflow version (the cache stays pristine)."""
    label = request.param
    copy = tmp_path_factory.mktemp(f"mlflow-{label}") / "mlflow.db"
    shutil.copyfile(stores / f"mlflow-{label}.db", copy)
    ids = json.loads((stores / f"world-{label}.json").read_text())
    return World(f"sqlite:///{copy}", ids["run_ids"], ids["model_ids"])


def db_path(world: World) -> Path:
    return Path(world.uri.removeprefix("sqlite:///"))


def test_the_store_is_at_its_own_versions_schema(store: World) -> None:
    from govcheck.facts.mlflow_sqlite import KNOWN_REVISIONS

    with sqlite3.connect(f"file:{db_path(store)}?mode=ro", uri=True) as db:
        [(revision,)] = db.execute("SELECT version_num FROM alembic_version").fetchall()
    heads = {"2.22": "0584bdc529eb", "3.16": "b7e2c1a4d9f3"}
    assert revision in heads.values() and revision in KNOWN_REVISIONS


def test_a_check_gives_the_right_findings_and_leaves_the_store_unchanged(
    store: World, repo: Path
) -> None:
    db = db_path(store)
    before = digest(db)
    done = govcheck(
        "check", "--repo", str(repo), "--format", "json", "--mlflow-uri", store.uri,
        "--select", ",".join(MLFLOW_RULES), cwd=repo,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""  # no MLflow or Alembic log line, no advice to migrate
    report = json.loads(done.stdout)
    assert reported(report) == expected(store)
    assert report["notices"] == []
    assert digest(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["mlflow.db"]  # no journal left


def test_the_direct_reader_gives_what_mlflow_itself_reads_after_migrating(
    store: World, tmp_path: Path
) -> None:
    # MLflow's own answer: a private copy migrated by the installed MLflow's migrations,
    # then read through its client (the way govcheck did not choose; see mlflow_sqlite.py).
    import logging

    from mlflow.store.db.utils import _upgrade_db
    from sqlalchemy import create_engine

    migrated = tmp_path / "migrated.db"
    shutil.copyfile(db_path(store), migrated)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    engine = create_engine(f"sqlite:///{migrated}")
    _upgrade_db(engine)
    engine.dispose()
    direct = SqliteStore(store.uri, Scope())
    client = LiveStore(f"sqlite:///{migrated}", Scope())
    for name in LISTS:
        assert getattr(direct, name)() == getattr(client, name)(), name
    assert len(direct.runs()) == len(store.run_ids)


def test_older_stores_without_young_tables_read_as_having_none(
    store: World, tmp_path: Path
) -> None:
    # Before MLflow 2.4 there were no dataset inputs, before 2.3 no aliases.
    old = tmp_path / "old.db"
    shutil.copyfile(db_path(store), old)
    with sqlite3.connect(old) as db:
        for table in ("input_tags", "inputs", "datasets", "registered_model_aliases"):
            db.execute(f"DROP TABLE {table}")
    reader = SqliteStore(f"sqlite:///{old}", Scope())
    assert all(run["datasets"] == [] for run in reader.runs())
    assert all(model["aliases"] == [] for model in reader.registered_models())
    assert len(reader.runs()) == len(store.run_ids)


def test_a_newer_schema_is_read_with_one_notice_naming_both_versions(
    store: World, tmp_path: Path
) -> None:
    from govcheck import __version__
    from govcheck.facts.mlflow_sqlite import NEWEST_KNOWN

    newer = tmp_path / "newer.db"
    shutil.copyfile(db_path(store), newer)
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    reader = SqliteStore(f"sqlite:///{newer}", Scope())
    assert reader.notices == [
        (
            f"MLflow store sqlite:///{newer} has schema revision f00dfeedbeef, newer than MLflow "
            f"{NEWEST_KNOWN}, the newest govcheck {__version__} knows: read as a {NEWEST_KNOWN} "
            "store (pip install -U govcheck for a reader that knows it)"
        )
    ]
    assert len(reader.runs()) == len(store.run_ids)
    with sqlite3.connect(newer) as db:
        db.execute("ALTER TABLE latest_metrics RENAME COLUMN is_nan TO nan_flag")
    done = govcheck("check", "--mlflow-uri", f"sqlite:///{newer}", "--select", "GC-RUN-002")
    assert done.returncode == 3
    assert done.stderr.splitlines() == [
        (
            f"MLflow store sqlite:///{newer} has schema revision f00dfeedbeef (newer than MLflow "
            f"{NEWEST_KNOWN}, the newest govcheck {__version__} knows) but no "
            "latest_metrics.is_nan: pip install -U govcheck"
        )
    ]


@pytest.mark.slow
def test_the_oldest_allowed_client_checks_a_server_like_the_newest(
    stores: Path, repo: Path, tmp_path: Path, mlflow_server: str
) -> None:
    from mlflow_servers import start_server

    python = client_python(stores)
    version = subprocess.run(
        [str(python), "-c", "import mlflow; print(mlflow.__version__)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert version.stdout.strip() == CLIENT_LOWER_BOUND
    ids = json.loads((stores / "world-2.22.json").read_text())
    served = tmp_path / "served.db"  # the server migrates its own copy of the 2.22 store
    shutil.copyfile(stores / "mlflow-2.22.db", served)
    (tmp_path / "server").mkdir()
    server = start_server(served, tmp_path / "server")
    try:
        server.wait_healthy()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env["PYTHONPATH"] = str(SRC)  # this checkout's govcheck, the venv's MLflow client

        def check(uri: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(python), "-m", "govcheck", "check", "--repo", str(repo), "--format",
                 "json", "--mlflow-uri", uri, "--select", ",".join(MLFLOW_RULES)],
                cwd=repo, env=env, capture_output=True, text=True, timeout=180, check=False,
            )  # fmt: skip

        done = check(server.url)
        assert done.returncode == 1, done.stderr
        assert done.stderr == ""
        assert reported(json.loads(done.stdout)) == expected(World("", ids["run_ids"], {}))
    finally:
        server.stop()
    # A version registered from an MLflow 3 logged model, with no run id of its own, cannot
    # be traced by a 2.x client: one line saying so, never a guessed finding.
    done = check(mlflow_server)
    assert done.returncode == 3
    [line] = done.stderr.splitlines()
    assert line.startswith(f"MLflow at {mlflow_server} has model versions registered from 1 ")
    assert line.endswith(
        f"which the installed MLflow client {CLIENT_LOWER_BOUND} cannot trace: "
        "pip install -U 'mlflow-skinny>=3'"
    )
