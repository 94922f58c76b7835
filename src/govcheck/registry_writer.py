"""The one place govcheck writes to MLflow: tags on registered models and their versions,
for `govcheck publish` only (`check` never writes; facts/mlflow_client.py opens stores
read-only).

Permission is proven before the first write, so a user who may only read gets exit 3 with
nothing written: for each registered model about to change, a request that needs exactly
the permission tag writes need (MLflow's basic-auth: EDIT on the registered model) and
changes nothing, the deletion of a tag key no one sets (`govcheck.permission_probe`). A
refusal there stops the publish before any tag is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from govcheck.errors import DataSourceError
from govcheck.facts import mlflow_client
from govcheck.redact import redact_url

PROBE_KEY = "govcheck.permission_probe"
_DENIED = {"PERMISSION_DENIED"}


class RegistryWriter:
    def __init__(self, uri: str, timeout_seconds: float) -> None:
        self.uri = uri
        self.timeout_seconds = timeout_seconds
        self._client: Any = None

    @contextmanager
    def _session(self) -> Iterator[Any]:
        with mlflow_client.client_session(self.uri, self.timeout_seconds):
            if self._client is None:
                self._client = _open(self.uri)
            yield self._client

    def check_permission(self, name: str) -> None:
        """Fails (exit 3) unless the caller may set tags on this registered model and its
        versions; writes nothing."""
        with self._session() as client:
            try:
                client.delete_registered_model_tag(name, PROBE_KEY)
            except Exception as exc:
                code = str(getattr(exc, "error_code", "") or "")
                if code in _DENIED:
                    raise DataSourceError(
                        f"MLflow at {redact_url(self.uri)} does not let these credentials "
                        f"write tags on registered model '{name}' (EDIT permission needed): "
                        "nothing was written"
                    ) from None
                if code != "RESOURCE_DOES_NOT_EXIST":  # a store that says the key is unset
                    raise

    def set_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        with self._session() as client:
            client.set_model_version_tag(name, version, key, value)

    def set_model_tag(self, name: str, key: str, value: str) -> None:
        with self._session() as client:
            client.set_registered_model_tag(name, key, value)


def _open(uri: str) -> Any:
    mlflow_client.import_mlflow()
    from mlflow import MlflowClient

    if not uri.startswith("sqlite:"):
        return MlflowClient(tracking_uri=uri)  # the registry MLflow pairs with it
    from govcheck.facts.mlflow_sqlite import sqlite_path

    sqlite_path(uri)  # it must exist: publishing never creates a store
    return MlflowClient(tracking_uri=uri, registry_uri=uri)
