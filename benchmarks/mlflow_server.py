"""A real `mlflow server` on 127.0.0.1 behind a small proxy that counts HTTP requests.

Both govcheck and the bare-pagination baseline talk to the proxy, so both pay the same
extra hop, and the count of requests each makes is read from the proxy.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CountingProxy:
    """Forwards every request to the upstream port and counts them by path."""

    def __init__(self, upstream_port: int) -> None:
        self.counts: Counter[str] = Counter()
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with lock:
                    proxy.counts[self.path.split("?", 1)[0]] += 1
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PATCH = do_DELETE = _forward

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MlflowServer:
    """`mlflow server` over a copy of a sqlite store, or over a database URI given as a
    string (PostgreSQL: pg_server.py), stopped on exit."""

    def __init__(self, store: Path | str, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        if isinstance(store, str):
            backend = store
        else:
            db = workdir / "server.db"
            shutil.copyfile(store, db)
            backend = f"sqlite:///{db}"
        self.port = free_port()
        self.log = open(workdir / "server.log", "wb")  # noqa: SIM115 (closed in __exit__)
        mlflow_cli = Path(sys.executable).with_name("mlflow")
        self.proc = subprocess.Popen(
            [
                str(mlflow_cli),
                "server",
                "--backend-store-uri",
                backend,
                "--default-artifact-root",
                str(workdir / "artifacts"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.proxy: CountingProxy | None = None

    def __enter__(self) -> MlflowServer:  # noqa: PYI034
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"mlflow server exited {self.proc.returncode}; see {self.log.name}"
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"mlflow server did not answer in 120 s; see {self.log.name}")
        self.proxy = CountingProxy(self.port)
        return self

    @property
    def uri(self) -> str:
        assert self.proxy is not None
        return f"http://127.0.0.1:{self.proxy.port}"

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proxy is not None:
            self.proxy.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
