"""A PostgreSQL server on 127.0.0.1 for the benchmarks: its cluster under benchmarks/.cache,
a free port, stopped on exit whatever happened.

The machine's own binaries are used (`initdb`, `pg_ctl` on PATH, in /usr/local/bin or in
/usr/lib/postgresql/*/bin). PostgreSQL refuses to run as root, so when the benchmark runs
as root the cluster belongs to the `postgres` user and its commands run as that user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

from mlflow_server import free_port

USER = "postgres"  # the database superuser the cluster is made with (trust auth, loopback)


def binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    raise RuntimeError(f"PostgreSQL's {name} not found (apt-get install postgresql)")


def _as_owner(argv: list[str]) -> list[str]:
    """argv run as the cluster's owner: the `postgres` system user when we are root."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", USER, "--", *argv]


class Postgres:
    """`with Postgres(datadir) as pg:` a running server; pg.uri(db) for a database in it."""

    def __init__(self, datadir: Path) -> None:
        self.datadir = datadir
        self.port = free_port()
        self.log = datadir.with_name(datadir.name + ".log")
        self._started = False

    def _run(self, *argv: str) -> None:
        done = subprocess.run(_as_owner(list(argv)), capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"{' '.join(argv)} failed: {(done.stderr or done.stdout)[-800:]}")

    def _init(self) -> None:
        if (self.datadir / "PG_VERSION").is_file():
            return
        if self.datadir.exists():
            shutil.rmtree(self.datadir)  # a half-made cluster from an interrupted run
        self.datadir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.datadir, USER, USER)
        self._run(
            binary("initdb"),
            "-D",
            str(self.datadir),
            "-U",
            USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )

    def __enter__(self) -> Postgres:  # noqa: PYI034
        self._init()
        if os.geteuid() == 0:
            self.log.touch()
            shutil.chown(self.log, USER, USER)
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c synchronous_commit=off -c shared_buffers=256MB"
        )
        self._started = True  # from here on, __exit__ stops it (pg_ctl stop is harmless)
        try:
            self._run(
                binary("pg_ctl"),
                "-D",
                str(self.datadir),
                "-o",
                options,
                "-l",
                str(self.log),
                "-w",
                "-t",
                "120",
                "start",
            )
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def uri(self, database: str) -> str:
        # SQLAlchemy 2.1 defaults postgresql:// to psycopg 3; the bench extra installs psycopg2.
        return f"postgresql+psycopg2://{USER}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):  # type: ignore[no-untyped-def]
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                return psycopg2.connect(
                    host="127.0.0.1", port=self.port, user=USER, dbname=database
                )
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def ensure_database(self, database: str) -> None:
        conn = self.connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{database}"')  # our own fixed names
        conn.close()

    def drop_database(self, database: str) -> None:
        conn = self.connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.close()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._started:
            return
        self._started = False
        subprocess.run(
            _as_owner([binary("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]),
            capture_output=True,
            check=False,
        )
