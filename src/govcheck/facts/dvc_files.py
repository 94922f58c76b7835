"""`dvc_file` resources: DVC's `.dvc` files (`dvc add`, `dvc import`, `dvc import-url`),
each output with whether it is pinned and why not.

An output is pinned by a content hash DVC recorded: `md5` (local files, DVC 2 and 3),
`etag` (S3, GCS, Azure, HTTP), `checksum` (HDFS), or per-file hashes / `version_id` of a
cloud-versioned output. An import from another repository is pinned only when DVC also
recorded the commit it came from (`rev_lock`); `dvc update` would otherwise bring in
whatever the branch says today. Paths are relative to the `.dvc` file's folder (or its
`wdir`), as DVC reads them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from govcheck.facts.base import Facts
from govcheck.model import Location, Resource
from govcheck.yamlsrc import value_mark

HASH_KEYS = ("md5", "etag", "checksum")
_SHA40 = re.compile(r"[0-9a-f]{40}")


def hash_of(entry: Mapping[str, Any]) -> str | None:
    """Which hash an output or dependency entry records ("md5", "etag"...), if any."""
    for key in HASH_KEYS:
        value = entry.get(key)
        # DVC's schema reads a blank hash, or one under 3 characters, as none at all.
        if isinstance(value, (str, int)) and len(str(value).strip()) >= 3:
            return key
    files = entry.get("files")
    if (
        isinstance(files, list)
        and files
        and all(isinstance(f, Mapping) and (hash_of(f) or f.get("version_id")) for f in files)
    ):
        return "files"
    if entry.get("version_id"):
        return "version_id"
    return None


def repo_path(base: str, written: str) -> str | None:
    """A path DVC wrote, relative to `base`, as a repo-relative path (None if outside)."""
    if "://" in written or written.startswith(("remote://", "/")):
        return None
    joined = posixpath.normpath(posixpath.join(base, written))
    return None if joined == ".." or joined.startswith("../") else joined


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _kind(data: Mapping[str, Any]) -> str:
    deps = data.get("deps")
    dep = deps[0] if isinstance(deps, list) and len(deps) == 1 else None
    if data.get("cmd"):
        return "pipeline"  # a DVC 0.x single-stage pipeline
    if isinstance(dep, Mapping) and isinstance(dep.get("repo"), Mapping):
        return "import"
    if isinstance(dep, Mapping):
        return "import-url"
    return "add"


def _verdict(
    out: Mapping[str, Any], kind: str, repo: Mapping[str, Any], name: str
) -> tuple[str | None, str]:
    """(pin, reason it is not pinned)."""
    hashed = hash_of(out)
    if hashed is None:
        if kind == "import-url":
            return None, f"no hash recorded (a --no-download import): run `dvc update {name}`"
        if kind == "import":
            return None, f"no hash recorded: run `dvc update {name}` and commit it"
        return None, f"no hash recorded: run `dvc commit {name}` (or `dvc add` the data again)"
    if kind == "import":
        lock = str(repo.get("rev_lock") or "")
        if not _SHA40.fullmatch(lock):
            what = "no rev_lock" if not lock else f"rev_lock {lock!r} is not a commit SHA"
            url = repo.get("url") or "the source repository"
            return None, (
                f"imported from {url} with {what}: run `dvc update {name}` so DVC records "
                "the commit it came from"
            )
        return "dvc-import-rev-lock", ""
    return f"dvc-{hashed}".replace("_", "-"), ""


def dvc_files(facts: Facts) -> list[Resource]:
    return [r for r in all_dvc_files(facts) if facts.reaches(r.id)]


def all_dvc_files(facts: Facts) -> list[Resource]:
    """Every `.dvc` file, whatever PATHs limit the check: what they pin counts anywhere."""
    return facts.shared("dvc_files", lambda: _read_all(facts))


def _read_all(facts: Facts) -> list[Resource]:
    out: list[Resource] = []
    for res in facts.resources("file"):
        if not res.id.endswith(".dvc"):
            continue
        data = res.fields["data"]
        if not isinstance(data, Mapping):
            continue  # unparsable (GC-FILE-001 says so) or not a DVC file at all
        out.append(_resource(res.id, res.fields["dir"], data))
    return out


def _resource(path: str, folder: str, data: Mapping[str, Any]) -> Resource:
    kind = _kind(data)
    deps = _list(data.get("deps"))
    dep: Mapping[str, Any] = deps[0] if deps and isinstance(deps[0], Mapping) else {}
    repo: Mapping[str, Any] = dep["repo"] if isinstance(dep.get("repo"), Mapping) else {}
    wdir = data["wdir"] if isinstance(data.get("wdir"), str) else "."
    base = posixpath.normpath(posixpath.join(folder, wdir))
    outs_data = _list(data.get("outs"))
    outs = []
    for index, entry in enumerate(outs_data):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            continue
        pin, reason = _verdict(entry, kind, repo, path)
        mark = value_mark(outs_data, index)
        outs.append(
            {
                "path": repo_path(base, entry["path"]) or entry["path"],
                "written": entry["path"],
                "file": path,
                "line": mark.line if mark else 1,
                "column": mark.column if mark else 1,
                "hash": hash_of(entry),
                "pinned": pin is not None,
                "pin": pin,
                "reason": reason,
            }
        )
    fields = {
        "path": path,
        "dir": folder,
        "kind": kind,
        "frozen": bool(data.get("frozen") or data.get("locked")),
        "source": dep.get("path") if kind in ("import", "import-url") else None,
        "repo_url": repo.get("url"),
        "rev": repo.get("rev"),
        "rev_lock": repo.get("rev_lock"),
        "outs": outs,
    }
    return Resource("dvc_file", path, fields, Location(path, 1, 1), touches=(path,))
