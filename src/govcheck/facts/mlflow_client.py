"""An MlflowClient that can only read, bounded in time, with its failures as one line.

govcheck never creates, migrates or writes a store (SPEC section 2). MLflow's client does
all three for local stores: it makes an empty database for a missing `sqlite:///` path,
runs migrations on an empty one, inserts the Default experiment, creates `mlruns/.trash`.
So local stores are checked for existence first and sqlite is opened through SQLite's own
read-only mode; anything that still tries to write then fails instead of writing.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import signal
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any
from urllib.parse import quote, unquote

from govcheck import urls
from govcheck.errors import DataSourceError, UsageError, clip
from govcheck.redact import redact_url, scrub

MISSING_CLIENT = "MLflow rules need the MLflow client: pip install 'govcheck[mlflow]'"
_REFUSED = {"UNAUTHENTICATED", "PERMISSION_DENIED", "UNAUTHORIZED", "CUSTOMER_UNAUTHORIZED"}
_UNREACHABLE = (
    "connection refused",
    "failed to establish",
    "max retries exceeded",
    "name or service not known",
    "nodename nor servname",
    "connectionerror",
)
# Database URIs MLflow would open (and migrate) directly; only sqlite is opened read-only.
_SERVER_ONLY = ("postgresql", "mysql", "mssql")

# What MLflow's REST client sends credentials from (besides user:password@ in the URI).
_CREDENTIAL_VARS = (
    "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_TRACKING_AUTH",
    "MLFLOW_TRACKING_CLIENT_CERT_PATH",
)
_CREDENTIALS_HINT = (
    "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
)
_ERROR_RESPONSES = re.compile(r"too many (\d{3}) error responses")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Packages of the MLflow client and what it reads through: an exception raised inside
# them is the store's failure (a malformed answer, a refused connection), not a bug of ours.
_CLIENT_PACKAGES = frozenset(
    {"mlflow", "requests", "urllib3", "sqlalchemy", "alembic", "sqlite3", "google"}
)
# The wall-clock bound of one request to a remote store, while a session is open.
_REQUEST_BOUND: ContextVar[float | None] = ContextVar("request_bound", default=None)
_FROZEN = False  # whether _freeze_heap ran in this process


def import_mlflow() -> ModuleType:
    try:
        import mlflow
    except ImportError:
        raise UsageError(MISSING_CLIENT) from None
    _freeze_heap()
    return mlflow


def _freeze_heap() -> None:
    """Move every object alive now (MLflow's ~1 M objects of modules, protobuf descriptors
    and SQLAlchemy metadata, the loaded rules) out of the cyclic collector's reach.

    Reading 10,000 runs allocates millions of short-lived objects; each full collection
    then walked MLflow's heap again: a quarter of the client's CPU time (8.4 s -> 6.4 s
    over a PostgreSQL-backed server). They live as long as the process anyway, and
    reference counting still frees whatever is dropped. Once per process."""
    global _FROZEN
    if not _FROZEN:
        _FROZEN = True
        gc.collect()
        gc.freeze()


def read_only_uris(uri: str) -> tuple[str, str | None]:
    """(tracking URI, registry URI) to hand to MlflowClient for a store that must not change.

    The registry URI is None where MLflow's own default applies (servers, databricks).
    """
    if uri == "databricks":  # MLflow's own name for "the workspace in the environment"
        return uri, None
    found = _SCHEME.match(uri)
    scheme = found.group(1).lower() if found else ""
    if scheme == "sqlite":
        ro = _sqlite_read_only(uri)
        return ro, ro
    if scheme in ("", "file") or len(scheme) == 1:  # a bare path (or a Windows drive letter)
        _check_file_store(uri)
        return uri, uri
    if scheme.split("+")[0] in _SERVER_ONLY:
        raise UsageError(
            f"govcheck reads {scheme} stores through an MLflow server, never directly "
            f"(it would migrate them): point --mlflow-uri at the server, not {redact_url(uri)}"
        )
    return uri, None


def _sqlite_read_only(uri: str) -> str:
    """The store as a read-only SQLite URI for MLflow's client. govcheck reads sqlite stores
    itself (facts/mlflow_sqlite.py); this path serves callers that want MLflow's own view."""
    from govcheck.facts.mlflow_sqlite import sqlite_path

    # A percent-encoded SQLite URI: MLflow's "create parent folders" step then sees no folder
    # to create, and mode=ro makes any write attempt fail instead of touching the file.
    encoded = quote(str(sqlite_path(uri)), safe="")
    return f"sqlite:///file:{encoded}?mode=ro&uri=true"


def _check_file_store(uri: str) -> None:
    path = Path(unquote(urls.split(uri).path) if uri.startswith("file:") else uri)
    if not path.is_dir():
        raise DataSourceError(f"MLflow tracking store not found: {redact_url(uri)}")
    if not (path / ".trash").is_dir():
        # MLflow would create it, and an MLflow-made store always has it.
        raise DataSourceError(f"not an MLflow file store (no .trash folder): {redact_url(uri)}")


@contextmanager
def client_session(uri: str, timeout_seconds: float) -> Iterator[None]:
    """Bound every HTTP request, quieten MLflow, and turn its failures into one line.

    MLflow reads its HTTP settings from the environment at each request, so they are set
    for the duration of the provider and restored after; its retry loop (minutes by
    default) is cut to none, so an unreachable server fails within one timeout.
    """
    settings = {
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": str(max(1, round(timeout_seconds))),
        "MLFLOW_ALLOW_FILE_STORE": "true",  # legacy file: stores, read-only here
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    saved = {k: os.environ.get(k) for k in settings}
    logger = logging.getLogger("mlflow")
    level = logger.level
    os.environ.update(settings)
    logger.setLevel(logging.ERROR)
    bound = _REQUEST_BOUND.set(timeout_seconds if _remote(uri) else None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except DataSourceError:
        raise
    except UsageError:
        raise
    except Exception as exc:
        if not _is_store_error(exc):
            raise
        raise DataSourceError(describe_failure(exc, uri, timeout_seconds)) from None
    finally:
        _REQUEST_BOUND.reset(bound)
        logger.setLevel(level)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _is_store_error(exc: Exception) -> bool:
    if type(exc).__module__.split(".")[0] in _CLIENT_PACKAGES or isinstance(exc, OSError):
        return True
    # A server answering 200 with fields of the wrong type makes the client raise plain
    # TypeError, KeyError, ValueError...: the store's failure when raised in its code.
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).split(".")[0] in _CLIENT_PACKAGES:
            return True
        tb = tb.tb_next
    return False


def _remote(uri: str) -> bool:
    found = _SCHEME.match(uri)
    scheme = found.group(1).lower() if found else ""
    return not (scheme in ("", "file", "sqlite") or len(scheme) == 1)


class RequestTimeout(TimeoutError):
    """A remote store took longer than timeout_seconds to answer one request in full."""


@contextmanager
def request_deadline(seconds: float | None) -> Iterator[None]:
    """Bound one request in wall-clock time, answer body included.

    The HTTP client's own timeout bounds each socket read: a server sending one byte
    every 5 s held a check with a 10 s timeout for 381 s. A real-time timer interrupts
    the read instead, and keeps firing should anything swallow the first interrupt. It
    needs the main thread of a POSIX process; elsewhere the per-read timeout remains.
    """
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    assert seconds is not None

    def expired(signum: int, frame: FrameType | None) -> None:
        raise RequestTimeout(f"the request timed out after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def describe_failure(exc: Exception, uri: str, timeout_seconds: float) -> str:
    """One line naming the store (without credentials) and what went wrong."""
    where = redact_url(uri)
    code = str(getattr(exc, "error_code", "") or "")
    text = str(exc)
    lowered = text.lower()
    if code in _REFUSED:
        if not credentials_sent(uri):
            return f"MLflow at {where} needs credentials: {_CREDENTIALS_HINT}"
        return f"MLflow refused the credentials for {where}"
    status = _ERROR_RESPONSES.search(text)
    if status:  # urllib3 gives up on a 5xx at once, since retries are off
        return f"MLflow at {where} failed: the server answered HTTP {status.group(1)}"
    if "timeout" in lowered or "timed out" in lowered:
        return f"MLflow at {where} did not answer within {timeout_seconds:g} s"
    if any(marker in lowered for marker in _UNREACHABLE):
        return f"cannot reach MLflow at {where} (connection failed)"
    if type(exc).__name__ == "ParseError":  # protobuf: a 200 whose fields have the wrong types
        first = clip(scrub(text.strip().splitlines()[0], uri), 240)
        return f"MLflow at {where} answered with data that is not MLflow's: {first}"
    if "readonly database" in lowered or "read-only" in lowered:
        return f"MLflow store {where} cannot be read without changing it (not an MLflow database?)"
    first = scrub(text.strip().splitlines()[0] if text.strip() else type(exc).__name__, uri)
    return f"MLflow at {where} failed: {first[:240]}"


def credentials_sent(uri: str, env: Mapping[str, str] = os.environ) -> bool:
    """Whether MLflow's client sends any credentials to this URI: a user or password in it,
    or MLflow's (or Databricks') credential settings in the environment."""
    if uri.startswith("databricks"):
        return True  # Databricks always authenticates, from its own config if not the env
    parts = urls.split(uri)
    return bool(parts.username or parts.password or any(env.get(k) for k in _CREDENTIAL_VARS))


def all_pages(
    search: Callable[..., Any], on_page: Callable[[int], None] | None = None
) -> Iterator[Any]:
    """Every item of a paged MLflow search; search(page_token=...) returns one PagedList.
    on_page(n) hears of each page as it arrives (progress on a terminal)."""
    token: str | None = None
    bound = _REQUEST_BOUND.get()
    while True:
        with request_deadline(bound):
            page = search(page_token=token)
        if on_page is not None:
            on_page(len(page))
        yield from page
        token = getattr(page, "token", None)
        if not token:
            return


def open_client(uri: str) -> Any:
    import_mlflow()
    from mlflow import MlflowClient

    tracking, registry = read_only_uris(uri)
    return MlflowClient(tracking_uri=tracking, registry_uri=registry)
