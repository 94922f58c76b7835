"""Databricks Asset Bundles as the Databricks CLI reads them: a root `databricks.yml` with
`bundle:`, the files its `include:` globs pull in, its `variables` and its `targets`.

Only files a bundle includes are deployed, so readers of bundle resources (quality
monitors, experiments, registered models) ask `bundle_of(path)` and skip the rest. A
bundle's variables are resolved as the CLI would: `${var.x}` from `variables.x.default`
or a target's override, `${bundle.target}` once per target, `${bundle.name}`; what only
the workspace knows (`${workspace.current_user.userName}`) stays a variable.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from govcheck.facts import variables
from govcheck.facts.base import Facts
from govcheck.globs import glob_filter
from govcheck.model import Resource

ROOT_NAMES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")


@dataclass(frozen=True)
class Bundle:
    root: str  # path of the root file
    files: frozenset[str]  # the root and every file its include: globs match
    values: dict[str, str]  # variables with one value: var.x defaults, bundle.name
    targets: tuple[str, ...]
    target_values: dict[str, dict[str, str]] = field(default_factory=dict)

    def expand(self, text: str) -> list[str]:
        """Every value text takes across the bundle's targets; [] when a variable is unknown
        under any target (a name is judged on all its values or not at all)."""
        if not variables.has_variables(text):
            return [text]
        out: list[str] = []
        for target in self.targets or ("",):
            found = variables.expand(text, self._values(target), {})
            if not found:
                return []
            out += [v for v in found if v not in out]
        return out

    def _values(self, target: str) -> dict[str, str]:
        values = {**self.values, **self.target_values.get(target, {})}
        if target:
            values["bundle.target"] = target
        return values


def _strings(mapping: Any) -> Iterator[tuple[str, str]]:
    for name, value in mapping.items() if isinstance(mapping, dict) else ():
        if isinstance(value, dict):
            value = value.get("default")
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            yield str(name), str(value)


def _bundle(res: Resource, tracked: list[str]) -> Bundle | None:
    data = res.fields["data"]
    if not isinstance(data, dict) or not isinstance(data.get("bundle"), dict):
        return None
    base = res.fields["dir"]
    files = {res.id}
    includes = data.get("include")
    for pattern in includes if isinstance(includes, list) else ():
        if not isinstance(pattern, str):
            continue
        full = posixpath.normpath(posixpath.join(base, pattern)) if base else pattern
        full = full.removeprefix("./")
        files.update(glob_filter(full, tracked))
    values = {f"var.{k}": v for k, v in _strings(data.get("variables"))}
    name = data["bundle"].get("name")
    if isinstance(name, str):
        values["bundle.name"] = name
    targets = data.get("targets")
    targets = targets if isinstance(targets, dict) else {}
    target_values = {
        str(t): {f"var.{k}": v for k, v in _strings(body.get("variables"))}
        for t, body in targets.items()
        if isinstance(body, dict)
    }
    names = tuple(str(t) for t in targets) or ()
    return Bundle(res.id, frozenset(files), values, names, target_values)


def bundles(facts: Facts) -> list[Bundle]:
    def make() -> list[Bundle]:
        tracked = facts.tracked()
        out = []
        for path in tracked:
            if path.rsplit("/", 1)[-1] not in ROOT_NAMES:
                continue
            res = facts.file(path)
            found = _bundle(res, tracked) if res is not None else None
            if found is not None:
                out.append(found)
        return out

    return facts.shared("bundles", make)


def bundle_of(facts: Facts, path: str) -> Bundle | None:
    """The bundle that deploys this file, if any."""
    return next((b for b in bundles(facts) if path in b.files), None)
