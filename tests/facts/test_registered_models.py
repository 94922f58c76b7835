"""registered_model_reference: models a repository registers, from bundles, code and configs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from support import make_facts

from .monitors.common import build_repo

TRAIN = """\
import mlflow
from mlflow import MlflowClient

MODEL = "fraud-detector"
mlflow.sklearn.log_model(model, name="model", registered_model_name=MODEL)
mlflow.register_model("runs:/abc/model", f"{MODEL}-shadow")
MlflowClient().create_registered_model(name="main.risk.credit_model")
mlflow.register_model(uri, args.model_name)   # known at run time only
mlflow.pyfunc.log_model("model", python_model=m)
"""
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": [
                "import mlflow\n",
                "mlflow.register_model('runs:/x/model', 'fraud-detector')\n",
            ],
        }
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}
BUNDLE = """\
bundle: {name: stack}
variables:
  model_name: {default: stack-model}
include: [resources/*.yml]
targets:
  dev: {default: true}
  prod: {}
"""
RESOURCES = """\
resources:
  registered_models:
    model:
      name: ${var.model_name}
      catalog_name: ${bundle.target}
      schema_name: ml
    other:
      name: ${var.not_defined}
      catalog_name: main
      schema_name: ml
  models:
    legacy:
      name: legacy-workspace-model
"""
FILES = {
    "src/train.py": TRAIN,
    "notebooks/register.ipynb": json.dumps(NOTEBOOK, indent=1),
    "bundle/databricks.yml": BUNDLE,
    "bundle/resources/models.yml": RESOURCES,
    "bundle/drafts/unused.yml": "resources:\n  registered_models:\n    x: {name: never-deployed}\n",
    "profiles/databricks.yaml": "model_registry:\n  model_name: recipe-model\n",
}


@pytest.fixture(scope="module")
def refs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    root: Path = build_repo(tmp_path_factory.mktemp("registered"), FILES)
    return [dict(r.fields) for r in make_facts(root).resources("registered_model_reference")]


def test_every_declared_model(refs: list[dict[str, object]]) -> None:
    shown = [
        (r["file"], r["line"], r["name"], r["resolved"], r["set_by"], r["first"]) for r in refs
    ]
    assert shown == [
        ("bundle/resources/models.yml", 4, "stack-model", True, "bundle registered_models", True),
        (
            "bundle/resources/models.yml",
            8,
            "${var.not_defined}",
            False,
            "bundle registered_models",
            True,
        ),
        ("bundle/resources/models.yml", 13, "legacy-workspace-model", True, "bundle models", True),
        ("notebooks/register.ipynb", 10, "fraud-detector", True, "mlflow.register_model", True),
        ("profiles/databricks.yaml", 2, "recipe-model", True, "model_registry.model_name", True),
        ("src/train.py", 5, "fraud-detector", True, "registered_model_name=", False),
        ("src/train.py", 6, "fraud-detector-shadow", True, "mlflow.register_model", True),
        ("src/train.py", 7, "credit_model", True, "MlflowClient.create_registered_model", True),
    ]


def test_names_and_places(refs: list[dict[str, object]]) -> None:
    by_place = {(r["file"], r["line"]): r for r in refs}
    uc = by_place[("bundle/resources/models.yml", 4)]
    assert (uc["declared"], uc["full_name"]) == (
        "${bundle.target}.ml.${var.model_name}",
        "${bundle.target}.ml.${var.model_name}",
    )
    assert by_place[("src/train.py", 7)]["full_name"] == "main.risk.credit_model"
    assert by_place[("src/train.py", 5)]["places"] == [
        "notebooks/register.ipynb:10",
        "src/train.py:5",
    ]


def test_config_keys_in_any_spelling_are_found(make_repo: Callable[..., Path]) -> None:
    # The text gate before parsing must let every spelling normal() accepts through.
    root = make_repo(
        {
            "a.yaml": "train:\n  registeredModelName: churn-a\n",
            "b.json": '{"job": {"Registered-Model-Name": "churn-b"}}\n',
            "c.yaml": "registered: true\nmodel: x\nname: y\n",  # the words, not the key
        }
    )
    found = make_facts(root).resources("registered_model_reference")
    names = {(r.fields["file"], r.fields["name"]) for r in found}
    assert names == {("a.yaml", "churn-a"), ("b.json", "churn-b")}
