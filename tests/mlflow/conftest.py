"""Session fixtures: one populated sqlite store, one git repository, three real MLflow servers.

Everything is real: the store is written through MlflowClient, the servers are `mlflow
server` processes on loopback (started together, since each takes seconds to boot), and
the repository is a git repository whose HEAD commit is the "good" commit of the runs.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mlflow_servers import Server, add_reader, start_server
from mlflow_world import World, populate, populate_bulk

BULK_RUNS = 2500

REPO_FILES = {
    "models/fraud-detector/MODEL_CARD.md": "# fraud-detector\n\n## Intended Use\nFraud scoring.\n",
    "models/fraud-detector/monitoring.yaml": "model: fraud-detector\nalias: champion\n",
    "README.md": "# ML repo\n",
}


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture(scope="session")
def mlflow_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mlflow")


@pytest.fixture(scope="session")
def ml_repo(mlflow_dir: Path) -> Path:
    """A git repository holding the fraud-detector model card and monitoring config."""
    root = mlflow_dir / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Test User")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "commit.gpgsign", "false")
    for rel, text in REPO_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _git(root, "add", "--", *REPO_FILES)
    _git(root, "commit", "-q", "-m", "models")
    return root


@pytest.fixture(scope="session")
def good_sha(ml_repo: Path) -> str:
    return _git(ml_repo, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def world(mlflow_dir: Path, good_sha: str) -> World:
    db = mlflow_dir / "store" / "mlflow.db"
    db.parent.mkdir()
    return populate(f"sqlite:///{db}", good_sha)


@pytest.fixture(scope="session")
def store_db(world: World) -> Path:
    return Path(world.uri.removeprefix("sqlite:///"))


@pytest.fixture
def store_copy(store_db: Path, tmp_path: Path) -> Path:
    """A private copy of the store, for tests that must see it untouched or may break it."""
    target = tmp_path / "copy.db"
    shutil.copyfile(store_db, target)
    return target


@pytest.fixture(scope="session")
def _servers(mlflow_dir: Path, store_db: Path) -> Iterator[dict[str, Server]]:
    # Each server gets its own copy: a server may write to its database (jobs, workspaces),
    # and the sqlite tests need the original byte-identical.
    main_db = mlflow_dir / "server-main.db"
    shutil.copyfile(store_db, main_db)
    bulk_db = mlflow_dir / "server-bulk.db"
    populate_bulk(f"sqlite:///{bulk_db}", str(bulk_db), BULK_RUNS)
    auth_db = mlflow_dir / "server-auth.db"
    shutil.copyfile(store_db, auth_db)
    servers = {}
    try:
        for name, db in (("main", main_db), ("bulk", bulk_db), ("auth", auth_db)):
            workdir = mlflow_dir / f"server-{name}"
            workdir.mkdir()
            servers[name] = start_server(db, workdir, basic_auth=name == "auth")
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="session")
def mlflow_server(_servers: dict[str, Server]) -> str:
    _servers["main"].wait_healthy()
    return _servers["main"].url


@pytest.fixture(scope="session")
def bulk_server(_servers: dict[str, Server]) -> str:
    _servers["bulk"].wait_healthy()
    return _servers["bulk"].url


@pytest.fixture(scope="session")
def auth_server(_servers: dict[str, Server]) -> str:
    """A server with MLflow's basic-auth app (user AUTH_USER, password AUTH_PASSWORD)."""
    _servers["auth"].wait_healthy()
    return _servers["auth"].url


@pytest.fixture(scope="session")
def publish_server(mlflow_dir: Path, store_db: Path) -> Iterator[str]:
    """A basic-auth server of its own, for `govcheck publish` (which writes tags: the other
    servers must keep matching the sqlite store), with a read-only user READER. Started
    only by the tests that write."""
    from mlflow import MlflowClient

    db = mlflow_dir / "server-publish.db"
    shutil.copyfile(store_db, db)
    # Two registered models are enough (one passing, one failing): every tag written costs
    # a password check on a basic-auth server.
    local = MlflowClient(f"sqlite:///{db}", registry_uri=f"sqlite:///{db}")
    for name in ("legacy-model", "ranker"):
        local.delete_registered_model(name)
    workdir = mlflow_dir / "server-publish"
    workdir.mkdir()
    server = start_server(db, workdir, basic_auth=True)
    try:
        server.wait_healthy()
        add_reader(server.url, ["fraud-detector", "churn-model"])
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def facts_for(ml_repo: Path) -> Any:
    """facts_for(mlflow_uri=, mlflow_snapshot=, mlflow={config block}) -> a Facts over the
    session repository with the context a check would build from those options."""
    from support import make_facts

    def make(**options: Any) -> Any:
        return make_facts(ml_repo, **options)

    return make
