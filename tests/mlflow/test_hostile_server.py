"""A tracking server that misbehaves: bounded in time, one line, exit 3, never a crash.

A tiny HTTP server on 127.0.0.1 stands in for a hostile or broken one; the client is
MLflow's own, as in a real check.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from govcheck.check import CheckOptions, run
from govcheck.errors import DataSourceError
from govcheck.reporters import REPORTERS

Answer = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def serve() -> Iterator[Callable[[Answer], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer(self)

            do_GET = do_POST

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def drip(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then the body one byte every 0.4 s: no single read ever waits long."""
    body = b'{"experiments": []}' + b" " * 200
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.4)
    except OSError:  # the client gave up: what the test wants
        pass


def test_timeout_bounds_the_whole_request_not_each_read(
    serve: Callable[[Answer], str], facts_for: Any
) -> None:
    uri = serve(drip)
    started = time.monotonic()
    with pytest.raises(DataSourceError) as caught:
        facts_for(mlflow_uri=uri, mlflow={"timeout_seconds": 1}).resources("mlflow_experiment")
    assert time.monotonic() - started < 6  # the body alone takes 88 s to arrive
    assert caught.value.lines() == [f"MLflow at {uri} did not answer within 1 s"]


def answering(**bodies: Any) -> Answer:
    """A server answering 200 with the given JSON (or raw text) per endpoint fragment."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        body: Any = {}
        for fragment, value in bodies.items():
            if fragment.replace("_", "-") in handler.path:
                body = value
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return answer


EXPERIMENT = {"experiment_id": "1", "name": "a", "lifecycle_stage": "active"}


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("mlflow_experiment", {"experiments": [{**EXPERIMENT, "name": 123}]}),
        ("mlflow_experiment", {"experiments": [{**EXPERIMENT, "tags": "x"}]}),
        ("mlflow_experiment", {"experiments": 5}),
        ("mlflow_experiment", {"experiments": [{**EXPERIMENT, "creation_time": "abc"}]}),
        ("mlflow_experiment", '{"experiments": [{"experiment_id": "1", "name": "a\\ud800"}]}'),
        ("mlflow_experiment", "<html>not json</html>"),
        ("mlflow_registered_model", {"registered_models": [{"name": 5, "aliases": "x"}]}),
        ("mlflow_registered_model", '{"registered_models": [{"name": "m\\ud800"}]}'),
    ],
)
def test_wrongly_typed_answers_are_exit_3(
    serve: Callable[[Answer], str], facts_for: Any, kind: str, body: Any
) -> None:
    endpoint = "experiments/search" if kind == "mlflow_experiment" else "registered-models/search"
    uri = serve(answering(**{endpoint: body}))
    with pytest.raises(DataSourceError) as caught:
        facts_for(mlflow_uri=uri).resources(kind)
    [line] = caught.value.lines()
    assert line.startswith(f"MLflow at {uri} ") and len(line) < 400


def test_odd_names_and_times_from_a_server_are_findings(
    serve: Callable[[Answer], str], ml_repo: Path
) -> None:
    models = {
        "registered_models": [
            {"name": "[z-a]", "aliases": [{"alias": "champion", "version": "1"}]},
            {"name": "models/*", "creation_timestamp": 10**18},  # year 31,690,708
        ]
    }
    uri = serve(answering(**{"registered-models/search": models}))
    report = run(CheckOptions(repo=str(ml_repo), mlflow_uri=uri, select=("GC-REG-001",)))
    assert sorted(f.entity or "" for f in report.findings) == [
        "mlflow:registered_model/[z-a]",
        "mlflow:registered_model/models/*",
    ]
    for render in REPORTERS.values():
        render(report).encode("utf-8")
