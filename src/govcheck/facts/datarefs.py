"""What a data URI is, and what pins it: one small function per form.

A reference is pinned when it names immutable content: an object version, a generation, a
commit, a content hash, a registered asset version. Anything naming a moving target
(`latest`, a branch, an alias) is not, whatever else surrounds it. Each unpinned form
carries the fix that fits it: an S3 object takes `?versionId=`, but a prefix names a
changing set of objects and needs a versioned manifest or snapshot instead; a Delta table
on DBFS is read at a `versionAsOf`; an AzureML asset is referenced as `azureml:name:N`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from govcheck import urls
from govcheck.facts.nondata import extension
from govcheck.facts.parsing import Scalar

OBJECT_STORES = frozenset(
    {"s3", "s3a", "s3n", "gs", "gcs", "abfs", "abfss", "az", "wasb", "wasbs", "adl", "hdfs"}
)
DATA_SCHEMES = OBJECT_STORES | {"hf", "dbfs", "lakefs", "azureml", "wandb-artifact"}
DBFS_PREFIXES = ("/dbfs/", "/Volumes/", "/databricks-datasets/")
FLOATING = frozenset({"latest", "main", "master", "dev", "develop", "head", "trunk"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(//)?")
SHA40 = re.compile(r"[0-9a-fA-F]{40}")
_SHA64 = re.compile(r"[0-9a-fA-F]{64}")
_HF_REVISION = re.compile(r"@([^/?#]+)")
_AZURE = frozenset({"abfs", "abfss", "az", "wasb", "wasbs", "adl"})
_AZUREML_ASSET = re.compile(
    r"^azureml:(?!//)/?(?P<name>[^:@/]+)(?::(?P<version>[^:@/]+))?(?:@(?P<label>.+))?$"
)
_VERSIONS = re.compile(r"/versions/([^/]+)")
_WANDB_ALIAS = re.compile(r":([^/:]+)$")
_SIBLINGS = (
    ("version", "sibling-version"),
    ("versionAsOf", "sibling-version"),
    ("version_as_of", "sibling-version"),
    ("md5", "sibling-md5"),
    ("digest", "sibling-digest"),
    ("etag", "sibling-etag"),
)
PREFIX_HINT = (
    "a prefix names whatever objects are under it today: read a versioned manifest or "
    "snapshot instead (`dvc import-url --version-aware`, a Delta/Iceberg table version, or a "
    "listing of object versions)"
)


@dataclass(frozen=True)
class UriPin:
    scheme: str  # "s3", ..., "http", "https", "azureml", "local"
    pin: str | None  # what pins it, None when the URI alone does not
    floating: bool = False  # names a moving ref (latest, a branch): never pinned
    hint: str = ""  # how to pin it


def scheme_of(value: str) -> tuple[str, bool] | None:
    """(lowercased scheme, has //) of a URI, or ("dbfs", True) for Databricks paths."""
    if value.startswith(DBFS_PREFIXES):
        return "dbfs", True
    found = _SCHEME.match(value)
    return (found.group(1).lower(), bool(found.group(2))) if found else None


def _query(uri: str) -> dict[str, str]:
    return {k.lower(): v for k, v in parse_qsl(urls.split(uri).query, keep_blank_values=True)}


def _fixed(value: str | None) -> bool:
    return bool(value) and str(value).lower() not in FLOATING


def _is_prefix(path: str) -> bool:
    return path.endswith("/") or not extension(path)


def _object_store_pin(scheme: str, uri: str) -> UriPin:
    query = _query(uri)
    floating = any(v.lower() in FLOATING for v in query.values())
    if scheme in ("s3", "s3a", "s3n") and _fixed(query.get("versionid")):
        return UriPin(scheme, "s3-version-id")
    if scheme in ("gs", "gcs"):
        fragment = urls.split(uri).fragment
        if fragment.isdigit() or query.get("generation", "").isdigit():
            return UriPin(scheme, "gcs-generation")
    if scheme in _AZURE:
        if _fixed(query.get("versionid")):
            return UriPin(scheme, "azure-version-id")
        if _fixed(query.get("snapshot")):
            return UriPin(scheme, "azure-snapshot")
    path = urls.split(uri).path
    if _is_prefix(path):
        return UriPin(scheme, None, floating, PREFIX_HINT)
    if scheme in ("s3", "s3a", "s3n"):
        hint = "add ?versionId=<object version> (a versioned bucket), or track it with `dvc import-url --version-aware`"
    elif scheme in ("gs", "gcs"):
        hint = "add #<generation> (a versioned bucket), or track it with `dvc import-url --version-aware`"
    elif scheme in _AZURE:
        hint = "add ?versionid= or ?snapshot=, or track it with `dvc import-url --version-aware`"
    else:
        hint = "copy it into a versioned store, or track it with `dvc import-url` (records its checksum)"
    return UriPin(scheme, None, floating, hint)


def _dbfs_pin(uri: str) -> UriPin:
    path = uri.split(":", 1)[1] if uri.startswith("dbfs:") else uri
    if _is_prefix(path):
        return UriPin(
            "dbfs",
            None,
            hint="read a fixed Delta version (`versionAsOf` / `VERSION AS OF`, or a sibling "
            "versionAsOf: key)",
        )
    return UriPin(
        "dbfs", None, hint="copy it into a versioned table or store, or track it with DVC"
    )


def _hf_pin(uri: str) -> UriPin:
    found = _HF_REVISION.search(uri)
    if found and SHA40.fullmatch(found.group(1)):
        return UriPin("hf", "hf-revision")
    floating = found is not None and found.group(1).lower() in FLOATING
    return UriPin("hf", None, floating, "pin @<40-hex revision sha>")


def _lakefs_pin(uri: str) -> UriPin:
    segments = urls.split(uri).path.strip("/").split("/")
    ref = segments[0] if segments else ""
    if _SHA64.fullmatch(ref):
        return UriPin("lakefs", "lakefs-commit")
    return UriPin(
        "lakefs", None, ref.lower() in FLOATING, "use a 64-hex commit id instead of a branch"
    )


def _azureml_pin(uri: str) -> UriPin:
    hint = "register it as a data asset and reference a version: azureml:<name>:<version>"
    asset = _AZUREML_ASSET.match(uri)
    if asset:
        if asset["label"]:
            return UriPin(
                "azureml",
                None,
                True,
                f"reference a version (azureml:{asset['name']}:<version>), not @{asset['label']}",
            )
        if asset["version"]:
            return UriPin("azureml", "azureml-version")
        return UriPin("azureml", None, False, f"add the version: azureml:{asset['name']}:<version>")
    lower = uri.lower()
    version = _VERSIONS.search(lower)
    if version is not None and _fixed(version.group(1)):
        return UriPin("azureml", "azureml-version")
    if "/labels/" in lower:
        return UriPin("azureml", None, True, "reference /versions/<n> instead of a label")
    if "/jobs/" in lower and "/outputs/" in lower:
        return UriPin("azureml", "azureml-job-output")  # a finished job's outputs do not change
    return UriPin("azureml", None, False, hint)  # a datastore path: mutable storage


def _wandb_pin(uri: str) -> UriPin:
    alias = _WANDB_ALIAS.search(uri.rstrip("/").split("?", 1)[0])
    value = alias.group(1) if alias else ""
    if re.fullmatch(r"v\d+", value):
        return UriPin("wandb-artifact", "wandb-version")
    return UriPin(
        "wandb-artifact",
        None,
        bool(value),
        f"reference an explicit version (name:vN), not {':' + value if value else 'no version (latest)'}",
    )


def wandb_name_pin(name: str) -> UriPin:
    """A W&B artifact name as code writes it: `entity/project/name:alias`."""
    return _wandb_pin("wandb-artifact://" + name)


_TAG = re.compile(r"v?\d+(\.\d+)+([-.+][0-9A-Za-z.]+)?")
_SHORT_SHA = re.compile(r"[0-9a-f]{7,40}")
_GIT_HOSTS = ("raw.githubusercontent.com", "github.com", "gitlab.com", "bitbucket.org")


def _branch_of(host: str, segments: list[str]) -> str | None:
    """The ref a code-hosting URL reads from, when it has one."""
    if host == "raw.githubusercontent.com" and len(segments) > 3:
        return "/".join(segments[2:5]) if segments[2] == "refs" else segments[2]
    for marker in ("blob", "raw", "resolve"):
        if marker in segments:
            i = segments.index(marker)
            if i + 1 < len(segments):
                return segments[i + 1]
    return None


def _http_pin(scheme: str, uri: str) -> UriPin:
    parts = urls.split(uri)
    host = (parts.hostname or "").lower()
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if any(SHA40.fullmatch(s) for s in segments):
        return UriPin(scheme, "git-sha")
    if host == "github.com" and "releases" in segments and "download" in segments:
        return UriPin(scheme, "release-asset")  # a published release's files
    query = _query(uri)
    if _fixed(query.get("versionid")):
        return UriPin(scheme, "s3-version-id" if "amazonaws" in host else "azure-version-id")
    if query.get("generation", "").isdigit():
        return UriPin(scheme, "gcs-generation")
    if _fixed(query.get("snapshot")):
        return UriPin(scheme, "azure-snapshot")
    branch = (
        _branch_of(host, segments)
        if host.endswith(_GIT_HOSTS) or host == "huggingface.co"
        else None
    )
    floating = any(s.lower() in FLOATING for s in segments) or any(
        v.lower() in FLOATING for v in query.values()
    )
    if branch is not None and _TAG.fullmatch(branch):
        return UriPin(scheme, "git-tag")  # a release tag: moved only by force
    if branch is not None and _SHORT_SHA.fullmatch(branch):
        return UriPin(scheme, "git-sha")
    if branch is not None:
        return UriPin(
            scheme,
            None,
            True,
            f"it reads from the moving ref {branch!r}: replace it with a commit SHA (or vendor "
            "the file with DVC)",
        )
    return UriPin(
        scheme,
        None,
        floating,
        "download it with `dvc import-url` (records its etag), or use a URL with a commit SHA "
        "or a version",
    )


def classify_uri(value: str) -> UriPin | None:
    """The pin verdict for a URI with a data scheme or an http(s) URL; None otherwise."""
    found = scheme_of(value)
    if found is None:
        return None
    scheme, slashes = found
    if scheme == "dbfs":
        return _dbfs_pin(value)
    if scheme == "azureml":
        return _azureml_pin(value)
    if scheme in DATA_SCHEMES and slashes:
        if scheme == "hf":
            return _hf_pin(value)
        if scheme == "lakefs":
            return _lakefs_pin(value)
        if scheme == "wandb-artifact":
            return _wandb_pin(value)
        return _object_store_pin(scheme, value)
    if scheme in ("http", "https") and slashes:
        return _http_pin(scheme, value)
    return None


def uri_path(value: str) -> str:
    """The path part of a URI (or the value itself), for the non-data classifier."""
    if value.startswith(DBFS_PREFIXES):
        return value
    if value.startswith(("dbfs:", "azureml:")) and "://" not in value:
        return value.split(":", 1)[1]
    return unquote(urls.split(value).path)


def sibling_pin(scalar: Scalar) -> str | None:
    """A key next to the reference, in the same mapping, that pins what it names."""
    parent = scalar.parent
    if not isinstance(parent, Mapping):
        return None
    for key, pin in _SIBLINGS:
        if key == scalar.key or key not in parent:
            continue
        value: Any = parent[key]
        if isinstance(value, bool) or value is None:
            continue
        if _fixed(str(value).strip()):
            return pin
    return revision_pin(parent, scalar.key)


def revision_pin(parent: Mapping[str, Any], own_key: Any = None) -> str | None:
    """A sibling `revision`, `model_revision`, `dataset_revision`... holding a commit SHA."""
    for key, value in parent.items():
        named = key != own_key and isinstance(key, str) and "revision" in key.lower()
        if named and isinstance(value, str) and SHA40.fullmatch(value.strip()):
            return "sibling-revision"
    return None
