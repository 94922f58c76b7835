"""Every model a check can show as a row, and which checked resources belong to each.

The rows: each `model` resource (a models_glob folder, the home of cards), each registered
model in MLflow (one row with the repository model of its name, matched as GC-REG-003
matches them) and each model the repository's code registers that is neither.

A resource belongs to a model through what the facts already say:
- the model resource itself, its cards and monitoring configs;
- a registered model by its name, a model version by its model's name, a run through the
  versions it trained;
- a `registered_model_reference` to the model it registers (its `model` field);
- a monitor to the model it watches by name, a deployment to the first model it serves,
  else by their folder;
- anything else with a path (files, data references, DVC stages, experiment names...) to
  the model whose folder is the deepest to hold it.

MLflow experiments, runs no version came from, and files outside every model's folder
belong to no model: a report shows them apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govcheck.facts import mlflow_source
from govcheck.facts.base import Facts
from govcheck.facts.deployments import normalize
from govcheck.model import ModelRow, Resource

# Kinds whose resources are placed by their links to models, not by their folder.
_LINKED = frozenset(
    {
        "model",
        "mlflow_registered_model",
        "mlflow_model_version",
        "mlflow_run",
        "mlflow_experiment",
        "registered_model_reference",
        "repo",
    }
)


@dataclass
class _Row:
    name: str
    folder: str | None
    registered: str | None = None
    resources: list[str] = field(default_factory=list)

    def frozen(self) -> ModelRow:
        return ModelRow(
            self.name, self.folder, self.registered, tuple(dict.fromkeys(self.resources))
        )


@dataclass
class _Index:
    rows: list[_Row] = field(default_factory=list)
    by_dir: dict[str, _Row] = field(default_factory=dict)  # folders a model owns
    by_name: dict[str, _Row] = field(default_factory=dict)  # normalised model names
    by_registered: dict[str, _Row] = field(default_factory=dict)  # registered names
    by_id: dict[str, _Row] = field(default_factory=dict)  # resource ids placed so far

    def place(self, row: _Row, resource_id: str) -> None:
        if resource_id not in self.by_id:
            self.by_id[resource_id] = row
            row.resources.append(resource_id)

    def owner(self, path: str) -> _Row | None:
        """The model whose folder is the deepest to hold path (path itself may be one)."""
        current = path.strip("/")
        while True:
            row = self.by_dir.get(current)
            if row is not None:
                return row
            if not current:
                return None
            current = current.rpartition("/")[0]


def model_rows(facts: Facts, kinds: Iterable[str]) -> tuple[ModelRow, ...]:
    """The rows, with the resources of `kinds` (the kinds the rules checked) placed in them.
    MLflow is read only when the check opened it: the rows never ask a store the check did
    not (registered models then are rows too, whether or not a rule read them)."""
    wanted = set(kinds)
    index = _Index()
    _repository_models(facts, index)
    mlflow = mlflow_source.opened(facts) is not None
    if mlflow:
        _registered_models(facts, index)
        if wanted & {"mlflow_model_version", "mlflow_run"}:
            _versions(facts, index)
    if "registered_model_reference" in wanted:
        _declared(facts, index)
    for kind in sorted(wanted - _LINKED):
        if kind.startswith("mlflow_") and not mlflow:
            continue
        for res in facts.resources(kind):
            if res.id in index.by_id or res.entity:
                continue
            row = _named(index, res)
            path = _path(res)
            row = row or (index.owner(path) if path is not None else None)
            if row is not None:
                index.place(row, res.id)
    return tuple(r.frozen() for r in index.rows)


def _repository_models(facts: Facts, index: _Index) -> None:
    models = facts.resources("model")
    shared = Counter(str(m.fields["dir"]) for m in models)
    for m in models:
        folder = str(m.fields["dir"])
        row = _Row(str(m.fields["name"]), folder)
        index.rows.append(row)
        index.place(row, m.id)
        for path in [*m.fields["cards"], *m.fields["monitoring"]]:
            index.place(row, str(path))
        # Several models in one folder (a card folder, MODEL_CARD_VISION.md): the folder is
        # the one named by it (its id), else nobody's at that level.
        if m.id == folder or shared[folder] == 1:
            index.by_dir.setdefault(folder, row)
        for name in m.fields["names"]:
            index.by_name.setdefault(normalize(str(name)), row)


def _registered_models(facts: Facts, index: _Index) -> None:
    for res in facts.resources("mlflow_registered_model"):
        name = str(res.fields.get("name", ""))
        row = _repository_row(index, res.fields.get("model"))
        if row is None or row.registered is not None:
            row = _Row(name, None, name)
            index.rows.append(row)
        else:
            row.registered = name
        index.by_registered.setdefault(normalize(name), row)
        index.place(row, res.id)


def _versions(facts: Facts, index: _Index) -> None:
    for res in facts.resources("mlflow_model_version"):
        row = index.by_registered.get(normalize(str(res.fields.get("name", ""))))
        if row is None:
            continue
        index.place(row, res.id)
        run_id = res.fields.get("run_id")
        if run_id:
            index.place(row, f"mlflow:run/{run_id}")


def _declared(facts: Facts, index: _Index) -> None:
    """Models the repository's code registers: the registered row of that name, else the
    repository model the reference names (its `model`), else a row of their own."""
    for res in facts.resources("registered_model_reference"):
        if not res.fields.get("resolved", True):
            continue  # a name still holding a variable names no model
        name = str(res.fields.get("name", ""))
        row = index.by_registered.get(normalize(name))
        if row is None:
            row = _repository_row(index, res.fields.get("model"))
            if row is not None and normalize(name) == normalize(row.name):
                row.registered = row.registered or name
        if row is None:
            row = _Row(name, None, name)
            index.rows.append(row)
        index.by_registered.setdefault(normalize(name), row)
        index.place(row, res.id)


def _repository_row(index: _Index, model: Any) -> _Row | None:
    """The row of a repository model given by its fields (a `model` field), if any."""
    if not isinstance(model, Mapping):
        return None
    folder, name = str(model.get("dir", "")), str(model.get("name", ""))
    return next((r for r in index.rows if r.folder == folder and r.name == name), None)


def _named(index: _Index, res: Resource) -> _Row | None:
    """The model a monitor watches or the first a deployment serves, by name."""
    if res.kind == "monitor":
        target = res.fields.get("target")
        names = [target.get("model"), target.get("name")] if isinstance(target, Mapping) else []
    elif res.kind == "deployment":
        served = res.fields.get("models")
        names = list(served) if isinstance(served, list) else []
    else:
        return None
    for value in names:
        if isinstance(value, str):
            # A Unity Catalog name `catalog.schema.model` watches the model `model`.
            for name in (value, value.rsplit(".", 1)[-1]):
                row = index.by_name.get(normalize(name)) or index.by_registered.get(normalize(name))
                if row is not None:
                    return row
    return None


def _path(res: Resource) -> str | None:
    if res.file:
        return res.file
    if res.location is not None:
        return res.location.path
    return res.id if res.kind in ("file", "directory") else None
