"""Which store a check reads (pure precedence), credentials kept out of every message, and
the repo-only path never importing mlflow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govcheck.config import MlflowConfig
from govcheck.facts.mlflow_store import NO_STORE_NOTICE, StoreChoice, resolve_scope, resolve_store
from govcheck.redact import redact_url

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_command_line_uri_beats_everything(tmp_path: Path) -> None:
    (tmp_path / "mlflow.db").write_bytes(b"")
    config = MlflowConfig(tracking_uri="http://config", snapshot="s.json")
    env = {"MLFLOW_TRACKING_URI": "http://env"}
    assert resolve_store(
        config, tmp_path, env, uri="http://cli:5000", snapshot="snap.json"
    ) == StoreChoice(uri="http://cli:5000", origin="--mlflow-uri")


def test_a_snapshot_beats_configured_and_environment_stores(tmp_path: Path) -> None:
    config = MlflowConfig(tracking_uri="http://config", snapshot=".govcheck/mlflow.json")
    env = {"MLFLOW_TRACKING_URI": "http://env"}
    cli = resolve_store(config, tmp_path, env, snapshot="x.json")
    assert cli == StoreChoice(snapshot="x.json", origin="--mlflow-snapshot")
    configured = resolve_store(config, tmp_path, env)
    assert configured.snapshot == str(tmp_path / ".govcheck/mlflow.json") and configured.uri is None


def test_config_then_environment_then_mlflow_db(tmp_path: Path) -> None:
    env = {"MLFLOW_TRACKING_URI": "http://env:5000"}
    none = MlflowConfig()
    configured = resolve_store(MlflowConfig(tracking_uri="http://config"), tmp_path, env)
    assert (configured.uri, configured.origin) == ("http://config", "mlflow.tracking_uri")
    assert resolve_store(none, tmp_path, env) == StoreChoice(
        uri="http://env:5000", origin="MLFLOW_TRACKING_URI"
    )
    assert resolve_store(none, tmp_path, {}) == StoreChoice()
    assert not resolve_store(none, tmp_path, {}).configured
    (tmp_path / "mlflow.db").write_bytes(b"")
    assert resolve_store(none, tmp_path, {}) == StoreChoice(
        uri=f"sqlite:///{(tmp_path / 'mlflow.db').resolve()}", origin="mlflow.db"
    )


def test_relative_sqlite_in_config_means_relative_to_the_repo(tmp_path: Path) -> None:
    relative = MlflowConfig(tracking_uri="sqlite:///data/mlflow.db")
    expected = f"sqlite:///{(tmp_path / 'data/mlflow.db').resolve()}"
    assert resolve_store(relative, tmp_path, {}).uri == expected
    absolute = MlflowConfig(tracking_uri="sqlite:////srv/m.db")
    assert resolve_store(absolute, tmp_path, {}).uri == "sqlite:////srv/m.db"


def test_scope_from_config() -> None:
    block = {"experiments": ["fraud-*"], "runs_since_days": 90, "timeout_seconds": 3}
    scope = resolve_scope(MlflowConfig.from_data(block, None))
    assert (scope.experiments, scope.runs_since_days, scope.timeout_seconds) == (
        ("fraud-*",),
        90.0,
        3.0,
    )
    assert resolve_scope(MlflowConfig()).timeout_seconds == 10.0


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("http://user:secret@127.0.0.1:5000/x", "http://127.0.0.1:5000/x"),
        ("https://token@mlflow.example.com", "https://mlflow.example.com"),
        ("https://h/p?token=abc&x=1", "https://h/p?token=***&x=1"),
        ("sqlite:////tmp/mlflow.db", "sqlite:////tmp/mlflow.db"),
        ("databricks://profile:prefix", "databricks://profile:prefix"),
    ],
)
def test_redact_url(uri: str, shown: str) -> None:
    assert redact_url(uri) == shown


def test_the_notice_names_every_way_to_configure_a_store() -> None:
    for way in ("--mlflow-uri", "mlflow.tracking_uri", "MLFLOW_TRACKING_URI", "mlflow.db"):
        assert way in NO_STORE_NOTICE


def test_repo_only_code_paths_do_not_import_mlflow() -> None:
    code = (
        "import sys, govcheck.facts.registry, govcheck.commands, govcheck.check; "
        "import govcheck.facts.mlflow_source, govcheck.facts.snapshot_store; "
        "assert 'mlflow' not in sys.modules, 'mlflow imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_without_the_client_a_live_store_says_how_to_install_it(tmp_path: Path) -> None:
    # `sys.modules['mlflow'] = None` makes `import mlflow` fail as if it were not installed.
    code = (
        "import sys; sys.modules['mlflow'] = None\n"
        "from govcheck.context import CheckContext, MlflowSettings\n"
        "from govcheck.facts.base import Facts\n"
        "from govcheck.facts.mlflow_store import StoreChoice\n"
        "from govcheck.facts.registry import PROVIDERS\n"
        "from govcheck.errors import UsageError\n"
        "store = StoreChoice(uri='http://127.0.0.1:9')\n"
        f"context = CheckContext(root={str(tmp_path)!r}, mlflow=MlflowSettings(store))\n"
        "facts = Facts(None, context, PROVIDERS)\n"
        "try:\n    facts.resources('mlflow_run')\n"
        "except UsageError as e:\n    print(e.exit_code, e.lines()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        done.stdout.strip()
        == "2 MLflow rules need the MLflow client: pip install 'govcheck[mlflow]'"
    )


def test_a_sqlite_store_needs_no_mlflow_at_all(store_db: Path) -> None:
    # MLflow, SQLAlchemy and Alembic unimportable: the store is read all the same.
    code = (
        "import sys\n"
        "for name in ('mlflow', 'sqlalchemy', 'alembic'):\n    sys.modules[name] = None\n"
        "from govcheck.facts.mlflow_sqlite import SqliteStore\n"
        "from govcheck.facts.mlflow_store import Scope\n"
        f"store = SqliteStore('sqlite:///{store_db}', Scope())\n"
        "print(len(store.runs()), len(store.model_versions()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.stdout.strip(), done.stderr) == ("7 6", "")
