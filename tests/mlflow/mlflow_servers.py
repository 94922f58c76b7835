"""Real `mlflow server` processes on loopback, and a loopback proxy that counts requests."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

START_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"mlflow server not healthy after {START_TIMEOUT:g} s")

    def stop(self) -> None:
        # The server runs uvicorn in a child process: stop the whole group it leads.
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


AUTH_USER, AUTH_PASSWORD = "admin", "s3cret-admin-pw"


READER, READER_PASSWORD = "reader", "s3cret-reader-pw"


def add_reader(url: str, models: list[str]) -> None:
    """Create READER through the basic-auth admin REST API and grant it READ (only) on each
    registered model: a user who may look but not write."""

    def post(path: str, body: dict[str, str]) -> None:
        token = base64.b64encode(f"{AUTH_USER}:{AUTH_PASSWORD}".encode()).decode()
        request = urllib.request.Request(
            f"{url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200, answer.read()

    post("/api/2.0/mlflow/users/create", {"username": READER, "password": READER_PASSWORD})
    for name in models:
        post(
            "/api/3.0/mlflow/users/permissions/grant",
            {
                "username": READER,
                "resource_type": "registered_model",
                "resource_id": name,
                "permission": "READ",
            },
        )


def start_server(db_path: Path, workdir: Path, basic_auth: bool = False) -> Server:
    """`mlflow server` over db_path; with basic_auth, MLflow's basic-auth app, whose one
    user is AUTH_USER with AUTH_PASSWORD."""
    port = free_port()
    log = workdir / f"server-{port}.log"
    env = {
        **os.environ,
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    env.pop("MLFLOW_TRACKING_URI", None)
    app: list[str] = []
    if basic_auth:
        config = workdir / "basic_auth.ini"
        config.write_text(
            "[mlflow]\ndefault_permission = READ\n"
            f"database_uri = sqlite:///{workdir / 'basic_auth.db'}\n"
            f"admin_username = {AUTH_USER}\nadmin_password = {AUTH_PASSWORD}\n"
            "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
        )
        env["MLFLOW_AUTH_CONFIG_PATH"] = str(config)
        env["MLFLOW_FLASK_SERVER_SECRET_KEY"] = "govcheck-tests"
        app = ["--app-name", "basic-auth"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlflow",
                "server",
                "--backend-store-uri",
                f"sqlite:///{db_path}",
                "--default-artifact-root",
                str(workdir / "artifacts"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                *app,
            ],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(proc, f"http://127.0.0.1:{port}", log)


@dataclass
class CountingProxy:
    """Forwards every request to upstream and records its path; `fail(n, path)` may answer
    with an HTTP status instead (n counts requests from 1), to stage a refusal or an outage."""

    upstream: str
    fail: Callable[[int, str], int | None] = lambda n, path: None
    paths: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # each request's method, in order
    url: str = ""

    def __post_init__(self) -> None:
        proxy = self
        host, port = self.upstream.removeprefix("http://").split(":")
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                with lock:
                    proxy.paths.append(self.path)
                    proxy.methods.append(self.command)
                    n = len(proxy.paths)
                status = proxy.fail(n, self.path)
                if status is not None:
                    body = b"refused" if status in (401, 403) else b"boom"
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PATCH = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def api_calls(self) -> list[str]:
        return [p for p in self.paths if "/api/" in p]

    def writes(self) -> list[str]:
        """METHOD path of every request that is not a read (GET, or a search by POST)."""
        return [
            f"{m} {p}"
            for m, p in zip(self.methods, self.paths)
            if m != "GET" and "/search" not in p
        ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
