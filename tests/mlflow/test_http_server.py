"""Through a real `mlflow server` over HTTP: the same resources, bounded failures, few requests."""

from __future__ import annotations

import math
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from kinds import everything
from mlflow_servers import AUTH_PASSWORD, AUTH_USER, CountingProxy, free_port
from mlflow_world import World

from govcheck.errors import DataSourceError
from govcheck.facts.mlflow_store import Scope
from govcheck.facts.snapshot_store import write_snapshot

pytestmark = pytest.mark.slow


def test_http_gives_the_same_resources_as_sqlite(
    mlflow_server: str, world: World, facts_for: Any
) -> None:
    assert everything(facts_for(mlflow_uri=mlflow_server)) == everything(
        facts_for(mlflow_uri=world.uri)
    )


def test_snapshot_recorded_over_http_matches_sqlite(
    mlflow_server: str, world: World, facts_for: Any, tmp_path: Path
) -> None:
    out = tmp_path / "snap.json"
    write_snapshot(f"http://user:secret@{mlflow_server.removeprefix('http://')}", str(out), Scope())
    assert "secret" not in out.read_text()
    assert everything(facts_for(mlflow_snapshot=str(out))) == everything(
        facts_for(mlflow_uri=world.uri)
    )


def test_an_unreachable_server_fails_fast_without_credentials(facts_for: Any) -> None:
    port = free_port()  # nothing listens there once the probe socket is closed
    uri = f"http://user:secret@127.0.0.1:{port}"
    started = time.monotonic()
    with pytest.raises(DataSourceError) as caught:
        facts_for(mlflow_uri=uri).resources("mlflow_experiment")
    assert time.monotonic() - started < 10
    assert caught.value.lines() == [
        f"cannot reach MLflow at http://127.0.0.1:{port} (connection failed)"
    ]


def test_a_silent_server_times_out_within_the_configured_bound(facts_for: Any) -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        uri = f"http://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(DataSourceError) as caught:
            facts_for(mlflow_uri=uri, mlflow={"timeout_seconds": 2}).resources("mlflow_run")
        assert time.monotonic() - started < 8
    assert caught.value.lines() == [f"MLflow at {uri} did not answer within 2 s"]


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_one_line(status: int, mlflow_server: str, facts_for: Any) -> None:
    proxy = CountingProxy(mlflow_server, fail=lambda n, path: status)
    try:
        uri = f"http://alice:hunter2@{proxy.url.removeprefix('http://')}"
        with pytest.raises(DataSourceError) as caught:
            facts_for(mlflow_uri=uri).resources("mlflow_registered_model")
    finally:
        proxy.close()
    assert caught.value.lines() == [f"MLflow refused the credentials for {proxy.url}"]


def test_a_server_error_mid_paging_fails_the_whole_read(bulk_server: str, facts_for: Any) -> None:
    # The second page of runs fails: no partial list of runs may come back.
    proxy = CountingProxy(
        bulk_server, fail=lambda n, path: 500 if "runs/search" in path and n > 2 else None
    )
    try:
        with pytest.raises(DataSourceError) as caught:
            facts_for(mlflow_uri=proxy.url).resources("mlflow_run")
    finally:
        proxy.close()
    [line] = caught.value.lines()
    assert line == f"MLflow at {proxy.url} failed: the server answered HTTP 500"
    assert sum("runs/search" in p for p in proxy.paths) == 2


def test_requests_grow_with_pages_not_runs(bulk_server: str, facts_for: Any) -> None:
    from govcheck.facts.mlflow_live import PAGE

    proxy = CountingProxy(bulk_server)
    try:
        facts = facts_for(mlflow_uri=proxy.url)
        data = everything(facts)
    finally:
        proxy.close()
    runs = len(data["mlflow_run"])
    assert runs >= 2500
    assert all(v[2]["run"] is not None for v in data["mlflow_model_version"])
    calls = proxy.api_calls()
    run_pages = math.ceil(runs / PAGE)
    assert sum("runs/search" in c for c in calls) == run_pages
    # experiments, registered models, versions: one page each; nothing per run or version.
    assert len(calls) <= run_pages + 4, calls


def test_a_server_asking_for_credentials_none_were_sent_for_says_so(
    auth_server: str, facts_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(DataSourceError) as caught:
        facts_for(mlflow_uri=auth_server).resources("mlflow_registered_model")
    needs = (
        f"MLflow at {auth_server} needs credentials: set MLFLOW_TRACKING_USERNAME and "
        "MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
    )
    assert caught.value.lines() == [needs]
    # Wrong ones are refused, and never shown.
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", AUTH_USER)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "not-the-password")
    with pytest.raises(DataSourceError) as caught:
        facts_for(mlflow_uri=auth_server).resources("mlflow_registered_model")
    assert caught.value.lines() == [f"MLflow refused the credentials for {auth_server}"]


def test_a_server_with_basic_auth_is_read_with_the_right_credentials(
    auth_server: str, world: World, facts_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", AUTH_USER)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", AUTH_PASSWORD)
    assert everything(facts_for(mlflow_uri=auth_server)) == everything(
        facts_for(mlflow_uri=world.uri)
    )


def test_registered_models_are_fetched_once_whichever_kind_asks_first(
    mlflow_server: str, facts_for: Any
) -> None:
    proxy = CountingProxy(mlflow_server)
    try:
        facts = facts_for(mlflow_uri=proxy.url)
        versions = facts.resources("mlflow_model_version")  # needs the models' aliases first
        models = facts.resources("mlflow_registered_model")
    finally:
        proxy.close()
    assert len(versions) == 6 and len(models) == 4
    assert sum("registered-models/search" in p for p in proxy.api_calls()) == 1
