"""`govcheck check` end to end: each violating MLflow entity reported once under its rule and
no compliant one, identically via sqlite, a real server over HTTP, and a snapshot."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from kinds import MLFLOW_RULES, reported
from mlflow_world import World, expected

from govcheck.facts.mlflow_store import NO_STORE_NOTICE
from support import govcheck


def check_json(repo: Path, *args: str) -> dict[str, Any]:
    done = govcheck(
        "check",
        "--repo",
        str(repo),
        "--format",
        "json",
        *args,
        "--select",
        ",".join(MLFLOW_RULES),
        cwd=repo,
    )
    assert done.returncode == 1, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def via_sqlite(ml_repo: Path, world: World) -> dict[str, Any]:
    return check_json(ml_repo, "--mlflow-uri", world.uri)


def test_sqlite_reports_exactly_the_violating_entities(
    via_sqlite: dict[str, Any], world: World
) -> None:
    assert reported(via_sqlite) == expected(world)
    assert via_sqlite["skipped"] == []


def test_findings_name_their_entity(via_sqlite: dict[str, Any], world: World) -> None:
    messages = {(f["rule_id"], f["entity"]): f["message"] for f in via_sqlite["findings"]}
    bad = world.run_ids["bad-commit"]
    assert messages[("GC-RUN-001", f"mlflow:run/{bad}")].startswith(
        f"MLflow run {bad} ('bad-commit', experiment 'fraud-detection') does not trace"
    )
    assert (
        "commit 0badc0de0bad is not in this repository's history"
        in messages[("GC-RUN-001", f"mlflow:run/{bad}")]
    )
    assert messages[("GC-REG-002", "mlflow:model_version/ranker/1")].startswith(
        "Model 'ranker' version 1 (alias champion) does not trace"
    )
    assert (
        "'raw-dump': digest is empty"
        in messages[("GC-RUN-003", f"mlflow:run/{world.run_ids['no-commit']}")]
    )


def test_a_check_leaves_the_store_byte_identical(ml_repo: Path, store_copy: Path) -> None:
    before = hashlib.sha256(store_copy.read_bytes()).hexdigest()
    check_json(ml_repo, "--mlflow-uri", f"sqlite:///{store_copy}")
    assert hashlib.sha256(store_copy.read_bytes()).hexdigest() == before


def test_findings_point_at_the_config_mlflow_line(make_repo: Any, world: World) -> None:
    repo = make_repo({".govcheck.yaml": f"version: 1\n\nmlflow:\n  tracking_uri: {world.uri}\n"})
    report = check_json(repo)
    locations = {(f["location"]["path"], f["location"]["line"]) for f in report["findings"]}
    assert locations == {(".govcheck.yaml", 3)}


def test_snapshot_command_then_offline_check_gives_the_same_findings(
    ml_repo: Path, world: World, via_sqlite: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "mlflow.json"
    done = govcheck(
        "snapshot", "--repo", str(ml_repo), "--mlflow-uri", world.uri, "--output", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"wrote {out}: 4 experiments, 7 runs, 4 registered models, 6 model versions"
    )
    offline = check_json(ml_repo, "--mlflow-snapshot", str(out))
    assert reported(offline) == reported(via_sqlite)
    assert [f["message"] for f in offline["findings"]] == [
        f["message"] for f in via_sqlite["findings"]
    ]


@pytest.mark.slow
def test_http_reports_what_sqlite_reports(
    ml_repo: Path, mlflow_server: str, via_sqlite: dict[str, Any]
) -> None:
    over_http = check_json(ml_repo, "--mlflow-uri", mlflow_server)
    assert reported(over_http) == reported(via_sqlite)
    assert [f["message"] for f in over_http["findings"]] == [
        f["message"] for f in via_sqlite["findings"]
    ]


def test_a_missing_store_is_exit_3_in_one_line(ml_repo: Path, tmp_path: Path) -> None:
    missing = tmp_path / "absent.db"
    done = govcheck(
        "check",
        "--repo",
        str(ml_repo),
        "--mlflow-uri",
        f"sqlite:///{missing}",
        "--select",
        "GC-RUN-001",
    )
    assert done.returncode == 3
    assert done.stderr.strip().splitlines() == [
        f"MLflow tracking store not found: sqlite:///{missing}"
    ]
    assert not missing.exists()


def test_an_unreachable_server_is_exit_3_without_credentials(ml_repo: Path) -> None:
    from mlflow_servers import free_port

    port = free_port()
    done = govcheck(
        "check",
        "--repo",
        str(ml_repo),
        "--mlflow-uri",
        f"http://user:secret@127.0.0.1:{port}",
        "--select",
        "GC-REG-001",
        timeout=60,
    )
    assert done.returncode == 3
    assert "secret" not in done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        f"cannot reach MLflow at http://127.0.0.1:{port} (connection failed)"
    ]


def test_without_a_store_mlflow_rules_are_skipped_once(make_repo: Any) -> None:
    repo = make_repo({"README.md": "# r\n"})
    done = govcheck(
        "check",
        "--repo",
        str(repo),
        "--format",
        "json",
        "--select",
        ",".join(MLFLOW_RULES),
        cwd=repo,
    )
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert report["findings"] == []
    assert {s["rule_id"]: s["reason"] for s in report["skipped"]} == dict.fromkeys(
        MLFLOW_RULES, NO_STORE_NOTICE
    )
