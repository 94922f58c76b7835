"""Experiment names in YAML, JSON and TOML configs.

- A key naming an experiment, in any casing or separator: `experiment_name`,
  `experimentName`, `Experiment Name`, `mlflow_experiment_name`, `MLFLOW_EXPERIMENT_NAME`
  (in a workflow's or a container's `env:`); when its value is a mapping (a bundle's
  `variables:`, a workflow_dispatch input), its `default`.
- Databricks bundles' `resources.experiments.<key>.name`; MLflow Recipes profiles'
  `experiment: {name, tracking_uri}`.
- Argument lists: `["--experiment-name", "x"]`, `--experiment_name=x`.
- A Lightning `MLFlowLogger` configured with Hydra (`_target_:`) or LightningCLI
  (`class_path:`) without `experiment_name` logs to the library's default,
  `lightning_logs`, unless another config of the repository sets `mlflow.experiment_name`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from govcheck.facts import cloudformation
from govcheck.facts.base import Facts
from govcheck.facts.experiment_code import ENV, LIGHTNING_DEFAULT
from govcheck.facts.experiment_names import Found
from govcheck.facts.parsing import TextLocator, data_files
from govcheck.yamlsrc import value_mark

NAME_KEYS = frozenset({"experimentname", "mlflowexperimentname"})
_FLAG = re.compile(r"^--experiment[-_]name(?:=(.*))?$")
_LOGGER_KEYS = ("_target_", "class_path")
_LIGHTNING = re.compile(
    r"^(lightning\.pytorch|pytorch_lightning)\.loggers(\.mlflow)?\.MLFlowLogger$"
)

Keys = tuple[Any, ...]


def normal(key: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(key).lower())


def walk(doc: Any) -> Iterator[tuple[Keys, Any, Any, Any]]:
    """(keys from the root, parent, key, value) of every value, depth first."""
    stack: list[tuple[Keys, Any, Any, Any]] = [((), None, None, doc)]
    seen: set[int] = set()
    while stack:
        keys, parent, key, value = stack.pop()
        yield keys, parent, key, value
        if isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))
            items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
            for k, v in reversed(items):
                stack.append(((*keys, k), value, k, v))


def _named(keys: Keys, parent: Any, key: Any) -> str | None:
    """What sets a string found at these keys as an experiment name, or None."""
    if not isinstance(key, str):
        return None
    if normal(key) in NAME_KEYS:
        return f"{key} key"
    if key == "default" and len(keys) >= 2 and normal(keys[-2]) in NAME_KEYS:
        return f"{keys[-2]} default"
    if key == "value" and isinstance(parent, dict) and parent.get("name") == ENV:
        return ENV  # a Kubernetes container's env: [{name: MLFLOW_EXPERIMENT_NAME, value: x}]
    if key == "name" and len(keys) >= 4 and keys[-3] == "experiments" and keys[-4] == "resources":
        return "bundle resources.experiments"
    recipe = isinstance(parent, dict) and (
        "tracking_uri" in parent or "artifact_location" in parent
    )
    if key == "name" and len(keys) >= 2 and keys[-2] == "experiment" and recipe:
        return "experiment.name"
    return None


def _overridden(facts: Facts) -> bool:
    """Whether some config sets `experiment_name` under an `mlflow` key (a Hydra override
    of the logger's name)."""

    def make() -> bool:
        for res, _ in data_files(facts, ("yaml",)):
            text = res.fields["text"] or ""
            if "experiment_name" not in text or "mlflow" not in text:
                continue
            for doc in res.fields["documents"]:
                for keys, _, key, _ in walk(doc):
                    if key == "experiment_name" and any("mlflow" in str(k) for k in keys[:-1]):
                        return True
        return False

    return bool(facts.shared("experiment_name_overridden", make))


def read(facts: Facts) -> Iterator[tuple[str, str, Found]]:
    for res, kind in data_files(facts, ("yaml", "json", "toml")):
        text = res.fields["text"]
        lowered = (text or "").lower()
        # A key naming an experiment says "experiment" (or spells it with an escape).
        if not text or (
            "experiment" not in lowered and "mlflowlogger" not in lowered and "\\" not in text
        ):
            continue
        locator = TextLocator(text)
        for doc in res.fields["documents"]:
            for found in _document(facts, doc, locator):
                yield res.id, kind, found


def _position(parent: Any, key: Any, value: Any, locator: TextLocator) -> tuple[int, int] | None:
    mark = value_mark(parent, key)
    if mark is not None:
        return mark.line, mark.column
    return locator.find(value) if isinstance(value, str) else None


def _document(facts: Facts, doc: Any, locator: TextLocator) -> Iterator[Found]:
    # In a CloudFormation template `!Ref ModelName` reads as "ModelName": what it stands for
    # is the parameter's default, or a variable known at deploy time.
    template = cloudformation.template("", doc)
    for keys, parent, key, value in walk(doc):
        if isinstance(value, str) and parent is not None:
            set_by = _named(keys, parent, key)
            where = _position(parent, key, value, locator) if set_by else None
            if set_by and where and value.strip() and value.strip() != "???":
                shown = (template.text(value) if template else None) or value
                yield Found(shown, *where, set_by)
            elif isinstance(parent, list) and isinstance(key, int):
                yield from _flag(parent, key, value, locator)
            elif key in _LOGGER_KEYS and _LIGHTNING.match(value.strip()):
                yield from _logger_default(facts, parent, key, locator)


def _flag(items: list[Any], index: int, value: str, locator: TextLocator) -> Iterator[Found]:
    found = _FLAG.match(value.strip())
    if not found:
        return
    if found.group(1) is not None:
        name, at, where = found.group(1), index, None
    elif index + 1 < len(items) and isinstance(items[index + 1], str):
        name, at, where = items[index + 1], index + 1, None
    else:
        return
    where = _position(items, at, items[at], locator)
    if where and name.strip():
        yield Found(name, *where, "--experiment-name")


def _logger_default(facts: Facts, logger: Any, key: Any, locator: TextLocator) -> Iterator[Found]:
    init = logger.get("init_args") if isinstance(logger, dict) else None
    given = "experiment_name" in logger or (isinstance(init, dict) and "experiment_name" in init)
    if given or _overridden(facts):
        return
    where = _position(logger, key, logger[key], locator)
    if where:
        yield Found(LIGHTNING_DEFAULT, *where, "MLFlowLogger's library default", True)
