"""`data_reference` resources: data locations written in configs, and whether each is pinned.

A reference is pinned when it names immutable content: an object version, a generation,
a commit, a content hash. Anything naming a moving target (`latest`, a branch) is not,
whatever else surrounds it. The rules are SPEC section 9's, one small function per form.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from govcheck.facts.parsing import Scalar

DATA_SCHEMES = frozenset(
    {"s3", "s3a", "gs", "gcs", "abfs", "abfss", "az", "wasbs", "hf", "dbfs", "lakefs"}
)
DATA_EXTENSIONS = frozenset(
    {
        "csv",
        "tsv",
        "parquet",
        "json",
        "jsonl",
        "avro",
        "orc",
        "arrow",
        "feather",
        "npy",
        "npz",
        "pkl",
        "h5",
        "zip",
        "tar",
        "gz",
        "bz2",
        "xz",
        "zst",
        "tgz",
    }
)
FLOATING = frozenset({"latest", "main", "master", "dev", "develop", "head", "trunk"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(//)?")
_SHA40 = re.compile(r"[0-9a-fA-F]{40}")
_SHA64 = re.compile(r"[0-9a-fA-F]{64}")
_HF_REVISION = re.compile(r"@([^/?#]+)")
_SIBLINGS = (
    ("version", "sibling-version"),
    ("versionAsOf", "sibling-version"),
    ("version_as_of", "sibling-version"),
    ("revision", "sibling-revision"),
    ("md5", "sibling-md5"),
    ("digest", "sibling-digest"),
    ("etag", "sibling-etag"),
)
_AZURE = frozenset({"abfs", "abfss", "az", "wasbs"})


@dataclass(frozen=True)
class UriPin:
    scheme: str  # "s3", ..., "http", "https", "local"
    pin: str | None  # what pins it, None when the URI alone does not
    floating: bool = False  # names a moving ref (latest, a branch): never pinned


def _query(uri: str) -> dict[str, str]:
    return {k.lower(): v for k, v in parse_qsl(urlsplit(uri).query, keep_blank_values=True)}


def _fixed(value: str | None) -> bool:
    return bool(value) and str(value).lower() not in FLOATING


def _object_store_pin(scheme: str, uri: str) -> UriPin:
    query = _query(uri)
    floating = any(v.lower() in FLOATING for v in query.values())
    if scheme in ("s3", "s3a") and _fixed(query.get("versionid")):
        return UriPin(scheme, "s3-version-id")
    if scheme in ("gs", "gcs"):
        fragment = urlsplit(uri).fragment
        if fragment.isdigit() or query.get("generation", "").isdigit():
            return UriPin(scheme, "gcs-generation")
    if scheme in _AZURE:
        if _fixed(query.get("versionid")):
            return UriPin(scheme, "azure-version-id")
        if _fixed(query.get("snapshot")):
            return UriPin(scheme, "azure-snapshot")
    return UriPin(scheme, None, floating)


def _hf_pin(uri: str) -> UriPin:
    found = _HF_REVISION.search(uri)
    if found and _SHA40.fullmatch(found.group(1)):
        return UriPin("hf", "hf-revision")
    return UriPin("hf", None, found is not None and found.group(1).lower() in FLOATING)


def _lakefs_pin(uri: str) -> UriPin:
    segments = urlsplit(uri).path.strip("/").split("/")
    ref = segments[0] if segments else ""
    if _SHA64.fullmatch(ref):
        return UriPin("lakefs", "lakefs-commit")
    return UriPin("lakefs", None, ref.lower() in FLOATING)


def _http_pin(scheme: str, uri: str) -> UriPin:
    parts = urlsplit(uri)
    segments = parts.path.split("/")
    if any(_SHA40.fullmatch(s) for s in segments):
        return UriPin(scheme, "git-sha")
    query = _query(uri)
    if _fixed(query.get("versionid")):
        host = parts.hostname or ""
        return UriPin(scheme, "s3-version-id" if "amazonaws" in host else "azure-version-id")
    if query.get("generation", "").isdigit():
        return UriPin(scheme, "gcs-generation")
    if _fixed(query.get("snapshot")):
        return UriPin(scheme, "azure-snapshot")
    floating = any(s.lower() in FLOATING for s in segments) or any(
        v.lower() in FLOATING for v in query.values()
    )
    return UriPin(scheme, None, floating)


def _is_data_file_url(uri: str) -> bool:
    name = urlsplit(uri).path.rsplit("/", 1)[-1].lower()
    return "." in name and name.rsplit(".", 1)[1] in DATA_EXTENSIONS


def local_data_path(value: str, data_dirs: Iterable[str]) -> str | None:
    """The normalised repo-relative path when value is a relative path under a data dir."""
    # Prose that mentions a data folder ("data/ holds the raw exports") is not a path.
    if not value or value != value.strip() or any(c in value for c in " \n\t\"'*?{}$<>|"):
        return None
    if value.startswith("/") or _SCHEME.match(value) or "\\" in value:
        return None
    path = posixpath.normpath(value)
    if path.startswith("../") or path == "..":
        return None
    for d in data_dirs:
        d = posixpath.normpath(str(d)).strip("/")
        if d and path.startswith(d + "/"):
            return path
    return None


def classify(value: str, data_dirs: Iterable[str]) -> tuple[UriPin, str] | None:
    """(pin from the URI itself, normalised uri or local path), or None when not data."""
    found = _SCHEME.match(value)
    if found:
        scheme, slashes = found.group(1).lower(), found.group(2)
        if scheme in DATA_SCHEMES and (slashes or scheme == "dbfs"):
            if scheme == "hf":
                return _hf_pin(value), value
            if scheme == "lakefs":
                return _lakefs_pin(value), value
            if scheme == "dbfs":
                return UriPin("dbfs", None), value
            return _object_store_pin(scheme, value), value
        if scheme in ("http", "https") and slashes and _is_data_file_url(value):
            return _http_pin(scheme, value), value
        return None
    path = local_data_path(value, data_dirs)
    return (UriPin("local", None), path) if path is not None else None


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
        text = str(value).strip()
        if key == "revision":
            if _SHA40.fullmatch(text):
                return pin
        elif _fixed(text):
            return pin
    return None


# How to pin a reference of each scheme: said in GC-DATA-001's message, so the fix is on
# the line that reports the problem.
PIN_HINTS = {
    "s3": "add ?versionId=<object version>",
    "s3a": "add ?versionId=<object version>",
    "gs": "add #<generation>",
    "gcs": "add #<generation>",
    "abfs": "add ?versionid= or ?snapshot=",
    "abfss": "add ?versionid= or ?snapshot=",
    "az": "add ?versionid= or ?snapshot=",
    "wasbs": "add ?versionid= or ?snapshot=",
    "hf": "pin @<40-hex revision sha>",
    "lakefs": "use a 64-hex commit id instead of a branch",
    "dbfs": "add a sibling versionAsOf: for the Delta table",
    "http": "use a URL with a commit SHA",
    "https": "use a URL with a commit SHA",
    "local": "track it with DVC (dvc add) or commit it",
}


def pin_hint(uri_pin: UriPin) -> str:
    hint = PIN_HINTS.get(uri_pin.scheme, "pin it to an immutable version")
    return f"a moving version (latest or a branch); {hint}" if uri_pin.floating else hint
