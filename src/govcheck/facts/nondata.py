"""Which keys name data, and which values that look like data references are not data
(wheels, notebooks, logs, checkpoints, scratch folders, MLflow artifact locations...).

All of it is data, not code: the lists are the `data` pack's params (`data_keys`,
`hf_keys`, `non_data_keys`, `non_data_types`, `non_data_extensions`, `non_data_names`,
`non_data_dirs`, `non_data_hosts`, `non_data_files`), which `.govcheck.yaml` can
override; a check that does not load the `data` pack gets the pack's defaults. Each verdict names the param and entry
that decided it, so a reference left out can be explained.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from govcheck import builtin, urls
from govcheck.facts.base import Facts
from govcheck.globs import glob_match, translate
from govcheck.regex import Regex, compile_regex
from govcheck.yamlsrc import YAMLSourceError, load_one

PARAMS = (
    "data_dirs",
    "data_extensions",
    "data_keys",
    "hf_keys",
    "non_data_keys",
    "non_data_sections",
    "non_data_types",
    "non_data_extensions",
    "non_data_names",
    "non_data_dirs",
    "non_data_hosts",
    "non_data_files",
)


@cache
def pack_defaults() -> dict[str, Any]:
    """The `data` pack's params as shipped."""
    try:
        path = builtin.pack_files()["data"]
        data = load_one(path.read_text(encoding="utf-8"), "builtin:data")
    except (KeyError, OSError, YAMLSourceError):
        return {}
    params = data.get("params") if isinstance(data, Mapping) else None
    return dict(params) if isinstance(params, Mapping) else {}


class _Globs:
    """Case-insensitive name globs, matched with one RE2 pass; says which one matched."""

    def __init__(self, patterns: Iterable[Any]) -> None:
        self.patterns = [str(p) for p in patterns if str(p)]
        self._any: Regex | None = None
        if self.patterns:
            joined = "|".join(translate(p.lower(), path=False) for p in self.patterns)
            self._any = compile_regex(joined)
        self._seen: dict[str, str | None] = {}  # the same keys recur in every config

    def match(self, name: str) -> str | None:
        if name not in self._seen:
            if len(self._seen) > 100_000:
                self._seen.clear()
            self._seen[name] = self._match(name)
        return self._seen[name]

    def _match(self, name: str) -> str | None:
        if self._any is None:
            return None
        low = name.lower()
        if not self._any.match(low):
            low = normal_key(name)
            if not self._any.match(low):
                return None
        return next(
            p for p in self.patterns if compile_regex(translate(p.lower(), path=False)).match(low)
        )


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def normal_key(key: str) -> str:
    """`_artifact_location`, `artifactLocation`, `mlflow.loggedModel.artifactLocation`,
    `artifact-location` all read as `artifact_location`."""
    last = key.rsplit(".", 1)[-1]
    return _CAMEL.sub(r"_\1", last).replace("-", "_").lower().lstrip("_$")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def extension(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


@dataclass(frozen=True)
class Classifier:
    data_dirs: tuple[str, ...]
    data_extensions: frozenset[str]
    data_keys: _Globs
    hf_keys: _Globs
    non_data_keys: _Globs
    non_data_sections: _Globs
    non_data_types: frozenset[str]
    non_data_extensions: frozenset[str]
    non_data_names: _Globs
    non_data_dirs: frozenset[str]
    non_data_hosts: _Globs
    non_data_files: tuple[str, ...]
    # file path -> why nothing it names is data: asked for every reference of a file
    _files_seen: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Classifier:
        defaults = pack_defaults()

        def get(name: str) -> list[str]:
            return _strings(params[name] if name in params else defaults.get(name, []))

        dirs = [posixpath.normpath(d).strip("/") for d in get("data_dirs")]
        return cls(
            data_dirs=tuple(d for d in dirs if d and d != "."),
            data_extensions=frozenset(e.lower() for e in get("data_extensions")),
            data_keys=_Globs(get("data_keys")),
            hf_keys=_Globs(get("hf_keys")),
            non_data_keys=_Globs(get("non_data_keys")),
            non_data_sections=_Globs(get("non_data_sections")),
            non_data_types=frozenset(get("non_data_types")),
            non_data_extensions=frozenset(e.lower() for e in get("non_data_extensions")),
            non_data_names=_Globs(get("non_data_names")),
            non_data_dirs=frozenset(d.lower() for d in get("non_data_dirs")),
            non_data_hosts=_Globs(get("non_data_hosts")),
            non_data_files=tuple(get("non_data_files")),
        )

    def not_data(self, key: Any, parent: Any, location: str) -> str | None:
        """Why a reference is not data (naming the param and entry), else None.

        `location` is the path part of the reference: a local path, or a URI's path."""
        if isinstance(key, str):
            hit = self.non_data_keys.match(key)
            if hit:
                return f"key {key!r} matches non_data_keys {hit!r}"
        kind = parent.get("type") if isinstance(parent, Mapping) else None
        if isinstance(kind, str) and kind in self.non_data_types:
            return f"its type {kind!r} is in non_data_types"
        name = location.rstrip("/").rsplit("/", 1)[-1]
        ext = extension(location)
        if ext and ext in self.non_data_extensions:
            return f"extension {ext} is in non_data_extensions"
        hit = self.non_data_names.match(name) if name else None
        if hit:
            return f"file name {name!r} matches non_data_names {hit!r}"
        for segment in (
            location.strip("/").split("/")[:-1] if ext else location.strip("/").split("/")
        ):
            if segment.lower() in self.non_data_dirs:
                return f"folder {segment!r} is in non_data_dirs"
        return None

    def default_not_data(self, path: tuple[Any, ...]) -> str | None:
        """A `default:` value named by the key that holds it (a bundle variable
        `output_volume_path: {default: ...}`, a CloudFormation parameter's `Default:`) when
        that key is not data."""
        last = path[-1] if path else None
        if len(path) < 2 or not isinstance(last, str) or last.lower() != "default":
            return None
        if not isinstance(path[-2], str):
            return None
        hit = self.non_data_keys.match(path[-2])
        return (
            f"it is the default of {path[-2]!r}, which matches non_data_keys {hit!r}"
            if hit
            else None
        )

    def file_not_data(self, path: str) -> str | None:
        """Why nothing a file names is data (test code, an editor's settings), else None."""
        if path not in self._files_seen:
            hit = next((g for g in self.non_data_files if glob_match(g, path)), None)
            self._files_seen[path] = f"its file matches non_data_files {hit!r}" if hit else None
        return self._files_seen[path]

    def section_not_data(self, path: tuple[str, ...]) -> str | None:
        """A value under a section that holds what a job writes (`outputs:`)."""
        for key in path[:-1]:
            hit = self.non_data_sections.match(key)
            if hit:
                return f"it is under {key!r}, which matches non_data_sections {hit!r}"
        return None

    def host_not_data(self, uri: str) -> str | None:
        host = urls.split(uri).hostname or ""
        hit = self.non_data_hosts.match(host) if host else None
        return f"host {host} matches non_data_hosts {hit!r}" if hit else None

    def is_data_url(self, uri: str) -> bool:
        return extension(urls.split(uri).path) in self.data_extensions

    def under_data_dir(self, path: str) -> bool:
        return any(path == d or path.startswith(d + "/") for d in self.data_dirs)


def classifier(facts: Facts) -> Classifier:
    return facts.shared("classifier", lambda: Classifier.from_params(facts.params))
