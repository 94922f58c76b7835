"""The `data_reference` provider (and, by import, `experiment_reference`).

References are read from the parsed content of the `file` resources, so a config read by
a rule and scanned for references is parsed once. Only YAML, JSON and TOML files and
`MLproject` are opened; a file that does not parse yields no references.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from govcheck.facts.base import Facts
from govcheck.facts.datarefs import UriPin, classify, pin_hint, sibling_pin
from govcheck.facts.parsing import Scalar, data_files, located_strings, parse_yaml_all
from govcheck.model import Location, Resource


class DvcOutputs:
    """Paths DVC pins by content hash: `<path>.dvc` files and `dvc.lock` outs with an md5."""

    def __init__(self, facts: Facts) -> None:
        tracked = facts.tracked_set()
        self.paths = {p[: -len(".dvc")] for p in tracked if p.endswith(".dvc")}
        for res in facts.resources("file"):
            if res.fields["name"] == "dvc.lock" and res.fields["text"] is not None:
                # not a data_format file (no YAML suffix), so parsed here, not by `file`
                lock = parse_yaml_all(res.fields["text"], res.id).data
                self.paths.update(_lock_outs(lock, res.fields["dir"]))

    def pins(self, path: str) -> bool:
        while path and path != ".":
            if path in self.paths:
                return True
            path = posixpath.dirname(path)
        return False


def _lock_outs(data: Any, base: str) -> Iterator[str]:
    stages = data.get("stages") if isinstance(data, dict) else None
    for stage in (stages or {}).values() if isinstance(stages, dict) else ():
        outs = stage.get("outs") if isinstance(stage, dict) else None
        for out in outs if isinstance(outs, list) else ():
            if isinstance(out, dict) and out.get("md5") and isinstance(out.get("path"), str):
                yield posixpath.normpath(posixpath.join(base, out["path"]))


def _local_pin(path: str, file_dir: str, facts: Facts, dvc: DvcOutputs) -> str | None:
    # Configs usually name paths from the repo root; some from their own directory.
    candidates = [path, posixpath.normpath(posixpath.join(file_dir, path))] if file_dir else [path]
    if any(dvc.pins(c) for c in candidates):
        return "dvc-md5"
    if any(c in facts.tracked_set() for c in candidates):
        return "git-tracked"
    return None


def is_dvc_file(name: str) -> bool:
    return name in ("dvc.yaml", "dvc.lock") or name.endswith(".dvc")


SCHEMA_KEYWORDS = frozenset({"$schema", "$id", "$ref"})


def data_references(facts: Facts) -> list[Resource]:
    data_dirs = facts.params.get("data_dirs", ["data"])
    if isinstance(data_dirs, str):
        data_dirs = [data_dirs]
    dvc: DvcOutputs | None = None
    found: dict[str, Resource] = {}
    for res, _ in data_files(facts, ("yaml", "json", "toml")):
        if is_dvc_file(res.fields["name"]):
            continue  # DVC's own files: what pins their paths is the DVC rules' business
        for scalar in located_strings(res):
            if scalar.key in SCHEMA_KEYWORDS:
                continue  # "$schema": "https://…/x.json" names a schema, not data
            hit = classify(scalar.value, data_dirs)
            if hit is None or scalar.line is None:
                continue
            uri_pin, uri = hit
            pin = uri_pin.pin
            if uri_pin.scheme == "local" and pin is None:
                dvc = dvc or DvcOutputs(facts)
                pin = _local_pin(uri, res.fields["dir"], facts, dvc)
            if pin is None and not uri_pin.floating:
                pin = sibling_pin(scalar)
            ref = _resource(res.id, scalar, uri_pin, pin)
            found.setdefault(ref.id, ref)  # a YAML alias repeats its anchor's position
    return sorted(
        found.values(), key=lambda r: (r.fields["file"], r.fields["line"], r.fields["column"])
    )


def _resource(path: str, scalar: Scalar, uri_pin: UriPin, pin: str | None) -> Resource:
    fields = {
        "uri": scalar.value,
        "scheme": uri_pin.scheme,
        "file": path,
        "line": scalar.line,
        "column": scalar.column,
        "key": scalar.key if isinstance(scalar.key, str) else None,
        "pinned": pin is not None,
        "pin": pin,
        "pin_hint": None if pin else pin_hint(uri_pin),
    }
    return Resource(
        "data_reference",
        f"{path}:{scalar.line}:{scalar.column}",
        fields,
        Location(path, scalar.line, scalar.column, snippet=scalar.value),
        touches=(path,),
    )
