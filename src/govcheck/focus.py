"""`--model NAME@ALIAS` / `--model NAME/VERSION`: one registered model version and what
belongs to it, the question a deployment job asks before it moves an alias.

What belongs to a version: its own `mlflow_model_version` resource, its registered model,
the run it was trained in (through the logged model in MLflow 3), and the repository model
of its name (the registered model's `model` field: `registered_model_dir`, or a card naming
it) with that model's files (cards, monitoring configs, training config, the manifests
that serve it, everything under a `models_glob` folder). The check is then limited as a
PATH-limited check is: MLflow entities by name, the repository by those files.

`--as-alias ALIAS` judges the version as if ALIAS pointed at it: rules over serving
versions (`where: {field: aliases, intersects: ...}`) judge a candidate before the alias
moves, not after.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from govcheck.errors import UsageError
from govcheck.facts.base import Facts
from govcheck.facts.mlflow_source import registered_model_entity, run_entity
from govcheck.model import Resource
from govcheck.suggest import suggest

_VERSION = re.compile(r"^[1-9][0-9]*$")
SPEC_HELP = "--model takes NAME@ALIAS or NAME/VERSION (e.g. fraud-detector@champion)"


@dataclass(frozen=True)
class Target:
    """What `--model` names, before the store is read."""

    name: str
    alias: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        return f"{self.name}@{self.alias}" if self.alias else f"{self.name}/{self.version}"


@dataclass(frozen=True)
class Focus:
    """One version and what belongs to it, resolved against the store and the repository."""

    name: str
    version: str
    version_entity: str
    entities: frozenset[str]  # the version, its registered model, its source run
    paths: frozenset[str]  # the repository model's files (empty: no repository model)
    repo_model: str | None  # the repository model's id, when there is one
    # entity -> aliases assumed to point at it (--as-alias)
    assumed_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self) -> str:
        where = f"repository model {self.repo_model}" if self.repo_model else "no repository model"
        return f"limited to model version {self.name}/{self.version} and {where}"


def parse(spec: str) -> Target:
    """NAME@ALIAS or NAME/VERSION (the last `@` or `/`: registry names may hold dots and
    Unity Catalog's three levels)."""
    spec = spec.strip()
    if "@" in spec:
        name, _, alias = spec.rpartition("@")
        if name and alias:
            return Target(name, alias=alias)
    elif "/" in spec:
        name, _, version = spec.rpartition("/")
        if name and _VERSION.match(version):
            return Target(name, version=version)
    raise UsageError(f"{SPEC_HELP}, not '{spec}'")


def resolve(target: Target, facts: Facts, as_alias: str | None = None) -> Focus:
    """The version `target` names in the check's store; exit 2 when the store does not hold
    it, 3 (raised by the reader) when the store cannot be read."""
    settings = facts.context.mlflow
    if settings.skip_reason is not None:
        raise UsageError(f"--model {target} needs an MLflow store: {settings.skip_reason}")
    version = _version(target, facts)
    fields = version.fields
    name, number = str(fields["name"]), str(fields["version"])
    entities = {str(version.entity), registered_model_entity({"name": name})}
    if fields.get("run_id"):
        entities.add(run_entity({"run_id": fields["run_id"]}))
    model = _repo_model(facts, name)
    assumed: dict[str, tuple[str, ...]] = {}
    if as_alias:
        assumed = {
            str(version.entity): (as_alias,),
            registered_model_entity({"name": name}): (as_alias,),
        }
    return Focus(
        name=name,
        version=number,
        version_entity=str(version.entity),
        entities=frozenset(entities),
        paths=_files(facts, model) if model is not None else frozenset(),
        repo_model=model.id if model is not None else None,
        assumed_aliases=assumed,
    )


def _version(target: Target, facts: Facts) -> Resource:
    versions = facts.resources("mlflow_model_version")
    named = [v for v in versions if v.fields.get("name") == target.name]
    if not named:
        names = sorted(
            {str(r.fields.get("name")) for r in facts.resources("mlflow_registered_model")}
        )
        if target.name not in names:
            raise UsageError(
                f"--model {target}: no registered model '{target.name}' in MLflow"
                f"{suggest(target.name, names)}"
            )
        raise UsageError(f"--model {target}: registered model '{target.name}' has no versions")
    if target.alias is not None:
        found = [v for v in named if target.alias in (v.fields.get("aliases") or [])]
        if not found:
            aliases = sorted({a for v in named for a in v.fields.get("aliases") or []})
            listed = ", ".join(aliases) if aliases else "none"
            raise UsageError(
                f"--model {target}: registered model '{target.name}' has no alias "
                f"'{target.alias}' (its aliases: {listed})"
            )
        return found[0]
    found = [v for v in named if str(v.fields.get("version")) == target.version]
    if not found:
        numbers = ", ".join(str(v.fields.get("version")) for v in named)
        raise UsageError(
            f"--model {target}: registered model '{target.name}' has no version "
            f"{target.version} (its versions: {numbers})"
        )
    return found[0]


def _repo_model(facts: Facts, name: str) -> Resource | None:
    """The repository model the registered model's `model` field names (the same join
    GC-REG-003 reads)."""
    for registered in facts.resources("mlflow_registered_model"):
        if registered.fields.get("name") != name:
            continue
        joined = registered.fields.get("model")
        if joined is None:
            return None
        return next((m for m in facts.resources("model") if m.fields is joined), None)
    return None


def _files(facts: Facts, model: Resource) -> frozenset[str]:
    """The model's files: what it touches, and everything under the folders it covers."""
    out = set(model.touches)
    for folder in model.covers:
        out.add(folder)
        out.update(p for p in facts.tracked() if p.startswith(folder + "/"))
    return frozenset(out)
