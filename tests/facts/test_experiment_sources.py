"""Experiment names from every place a repository sets them: code and notebooks, config
keys in any spelling, argument lists, command lines, environment settings, Dockerfiles,
Databricks bundles (variables and targets filled in), and loggers left on their default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import make_facts

from .monitors.common import build_repo

TRAIN_PY = """\
import os
import mlflow
from lightning.pytorch.loggers import MLFlowLogger
from ray.air.integrations.mlflow import MLflowLoggerCallback

EXP = os.getenv("MLFLOW_EXPERIMENT_NAME", "Weather Forecast")
mlflow.set_experiment(EXP)
logger = MLFlowLogger(tracking_uri="http://mlflow:5000")
named = MLFlowLogger(experiment_name="fraud-training")
given = MLFlowLogger(**settings)
user = os.environ["USER"]
mlflow.set_experiment(f"/Users/{user}/Fraud_Training")
os.environ["MLFLOW_EXPERIMENT_NAME"] = "env_in_code"
callback = MLflowLoggerCallback(experiment_name="ray tune")
mlflow.projects.run(".", experiment_name="projects-run")
mlflow.set_experiment(experiment_id="12")
"""
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["mlflow.set_experiment('md')"]},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": [
                "%pip install mlflow\n",
                "import mlflow\n",
                "mlflow.set_experiment('Notebook Exp')\n",
            ],
        },
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}
HYDRA_LOGGER = """\
mlflow:
  _target_: lightning.pytorch.loggers.mlflow.MLFlowLogger
  # experiment_name: ""
  tracking_uri: ${paths.log_dir}/mlflow/mlruns
"""
CLI_LOGGER = """\
trainer:
  logger:
    class_path: lightning.pytorch.loggers.MLFlowLogger
    init_args:
      experiment_name: cli-named
"""
RUN_YAML = """\
experimentName: CamelCase Name
"Experiment Name": spaced
trainer:
  args: ["--experiment-name", "inline_list"]
  more:
    - --experiment_name
    - multi_line_list
experiment:
  name: /dev-team/Recipe Exp
  tracking_uri: databricks
hydra_experiment: not-an-mlflow-name
experiment_name: ???
"""
WORKFLOW = """\
on:
  workflow_dispatch:
    inputs:
      experiment_name:
        description: which experiment
        default: dispatch_default
env:
  MLFLOW_EXPERIMENT_NAME: WorkflowEnv
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: |
          mlflow run . \\
            --experiment-name "CI Run" -P alpha=0.5
          echo "MLFLOW_EXPERIMENT_NAME=github_env" >> $GITHUB_ENV
          python train.py --experiment-name ${{ inputs.experiment_name }}
"""
DOCKERFILE = """\
FROM python:3.11
ENV MLFLOW_EXPERIMENT_NAME docker_old
ENV MLFLOW_EXPERIMENT_NAME=docker-ok
CMD ["mlflow", "run", ".", "--experiment-name", "Docker CMD"]
"""
SCRIPT = """\
#!/bin/bash
export MLFLOW_EXPERIMENT_NAME=shell_export
MLFLOW_EXPERIMENT_NAME=inline-ok python train.py
docker run -e MLFLOW_EXPERIMENT_NAME=DockerRun img
mlflow experiments create -n Created_By_CLI
# mlflow run . --experiment-name commented
"""
COMPOSE = """\
services:
  trainer:
    image: trainer
    environment:
      - MLFLOW_EXPERIMENT_NAME=compose_env
"""
BUNDLE = """\
bundle:
  name: mlops_stacks
variables:
  experiment_name:
    description: Experiment name for the model training.
    default: /Users/${workspace.current_user.userName}/${bundle.target}-mlops_stacks-experiment
include:
  - ./resources/*.yml
targets:
  dev: {default: true}
  prod: {}
"""
BUNDLE_RESOURCES = """\
resources:
  experiments:
    experiment:
      name: ${var.experiment_name}
    shared:
      name: /Shared/fraud/${bundle.target}-scoring
    personal:
      name: /Users/${workspace.current_user.userName}/${var.unknown}
"""
FILES = {
    "src/train.py": TRAIN_PY,
    "notebooks/explore.ipynb": json.dumps(NOTEBOOK, indent=1),
    "configs/logger/mlflow.yaml": HYDRA_LOGGER,
    "configs/cli.yaml": CLI_LOGGER,
    "configs/run.yaml": RUN_YAML,
    ".github/workflows/train.yml": WORKFLOW,
    "Dockerfile": DOCKERFILE,
    "scripts/run.sh": SCRIPT,
    "docker-compose.yml": COMPOSE,
    "Makefile": "train:\n\tmlflow run . --experiment-name $(EXPERIMENT)\n",
    "bundle/databricks.yml": BUNDLE,
    "bundle/resources/ml.yml": BUNDLE_RESOURCES,
    ".env": "MLFLOW_EXPERIMENT_NAME=dotenv-ok\n",
    "README.md": "Run `mlflow run . --experiment-name Docs_Only`.\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repo(tmp_path_factory.mktemp("experiments"), FILES)


@pytest.fixture(scope="module")
def refs(repo: Path) -> dict[tuple[str, int], dict[str, object]]:
    return {
        (r.fields["file"], r.fields["line"]): dict(r.fields)
        for r in make_facts(repo).resources("experiment_reference")
    }


def test_every_place_a_name_is_set(refs: dict[tuple[str, int], dict[str, object]]) -> None:
    assert {k: (v["name"], v["set_by"]) for k, v in refs.items()} == {
        (".env", 1): ("dotenv-ok", "MLFLOW_EXPERIMENT_NAME"),
        (".github/workflows/train.yml", 6): ("dispatch_default", "experiment_name default"),
        (".github/workflows/train.yml", 8): ("WorkflowEnv", "MLFLOW_EXPERIMENT_NAME key"),
        (".github/workflows/train.yml", 15): ("CI Run", "--experiment-name"),
        (".github/workflows/train.yml", 16): ("github_env", "MLFLOW_EXPERIMENT_NAME"),
        (".github/workflows/train.yml", 17): (
            "${{ inputs.experiment_name }}",
            "--experiment-name",
        ),
        ("Dockerfile", 2): ("docker_old", "MLFLOW_EXPERIMENT_NAME"),
        ("Dockerfile", 3): ("docker-ok", "MLFLOW_EXPERIMENT_NAME"),
        ("Dockerfile", 4): ("Docker CMD", "--experiment-name"),
        ("Makefile", 2): ("$(EXPERIMENT)", "--experiment-name"),
        ("bundle/databricks.yml", 6): (
            "/Users/${workspace.current_user.userName}/${bundle.target}-mlops_stacks-experiment",
            "experiment_name default",
        ),
        ("bundle/resources/ml.yml", 6): (
            "/Shared/fraud/${bundle.target}-scoring",
            "bundle resources.experiments",
        ),
        ("bundle/resources/ml.yml", 8): (
            "/Users/${workspace.current_user.userName}/${var.unknown}",
            "bundle resources.experiments",
        ),
        ("configs/cli.yaml", 5): ("cli-named", "experiment_name key"),
        ("configs/logger/mlflow.yaml", 2): ("lightning_logs", "MLFlowLogger's library default"),
        ("configs/run.yaml", 1): ("CamelCase Name", "experimentName key"),
        ("configs/run.yaml", 2): ("spaced", "Experiment Name key"),
        ("configs/run.yaml", 4): ("inline_list", "--experiment-name"),
        ("configs/run.yaml", 7): ("multi_line_list", "--experiment-name"),
        ("configs/run.yaml", 9): ("/dev-team/Recipe Exp", "experiment.name"),
        ("docker-compose.yml", 5): ("compose_env", "MLFLOW_EXPERIMENT_NAME"),
        ("notebooks/explore.ipynb", 18): ("Notebook Exp", "mlflow.set_experiment"),
        ("scripts/run.sh", 2): ("shell_export", "MLFLOW_EXPERIMENT_NAME"),
        ("scripts/run.sh", 3): ("inline-ok", "MLFLOW_EXPERIMENT_NAME"),
        ("scripts/run.sh", 4): ("DockerRun", "MLFLOW_EXPERIMENT_NAME"),
        ("scripts/run.sh", 5): ("Created_By_CLI", "mlflow experiments create"),
        ("src/train.py", 6): ("Weather Forecast", "MLFLOW_EXPERIMENT_NAME default"),
        ("src/train.py", 8): ("lightning_logs", "MLFlowLogger's library default"),
        ("src/train.py", 9): ("fraud-training", "MLFlowLogger"),
        ("src/train.py", 12): ("/Users/${user}/Fraud_Training", "mlflow.set_experiment"),
        ("src/train.py", 13): ("env_in_code", "MLFLOW_EXPERIMENT_NAME"),
        ("src/train.py", 14): ("ray tune", "MLflowLoggerCallback"),
        ("src/train.py", 15): ("projects-run", "mlflow.projects.run"),
    }


def test_columns_point_at_the_name(refs: dict[tuple[str, int], dict[str, object]]) -> None:
    at = {k: v["column"] for k, v in refs.items()}
    assert at[(".github/workflows/train.yml", 15)] == 32  # inside the quotes, on its own line
    assert at[("Dockerfile", 2)] == 28
    assert at[("src/train.py", 8)] == 10  # the MLFlowLogger(...) call without a name
    assert at[("configs/run.yaml", 7)] == 7


def test_parts_and_variables(refs: dict[tuple[str, int], dict[str, object]]) -> None:
    def parts(key: tuple[str, int]) -> tuple[object, ...]:
        f = refs[key]
        return f["has_variables"], f["names"], f["paths"]

    # the bundle's targets fill in ${bundle.target}; the user is known only in the workspace
    assert parts(("bundle/databricks.yml", 6)) == (
        True,
        {"full": [], "basename": ["dev-mlops_stacks-experiment", "prod-mlops_stacks-experiment"]},
        [],
    )
    assert parts(("bundle/resources/ml.yml", 6)) == (
        True,
        {
            "full": ["/Shared/fraud/dev-scoring", "/Shared/fraud/prod-scoring"],
            "basename": ["dev-scoring", "prod-scoring"],
        },
        ["/Shared/fraud"],
    )
    assert parts(("bundle/resources/ml.yml", 8)) == (True, {"full": [], "basename": []}, [])
    assert parts(("src/train.py", 12)) == (True, {"full": [], "basename": ["Fraud_Training"]}, [])
    assert parts(("configs/run.yaml", 9)) == (
        False,
        {"full": ["/dev-team/Recipe Exp"], "basename": ["Recipe Exp"]},
        ["/dev-team"],
    )
    assert refs[("src/train.py", 8)]["default"] is True


def test_unknown_variables_are_noticed_once(repo: Path) -> None:
    facts = make_facts(repo)
    facts.resources("experiment_reference")
    expected = (
        "3 experiment name(s) hold variables whose values are not in the repository and were "
        "not checked (e.g. .github/workflows/train.yml:17 '${{ inputs.experiment_name }}')"
    )
    assert facts.notices == [expected]


def test_a_command_line_override_replaces_the_logger_default(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = build_repo(
        tmp_path_factory.mktemp("override"),
        {
            "configs/logger/mlflow.yaml": HYDRA_LOGGER,
            "scripts/train.sh": "python train.py logger.mlflow.experiment_name=churn-training\n",
        },
    )
    names = [r.fields["name"] for r in make_facts(root).resources("experiment_reference")]
    assert names == ["churn-training"]


def test_a_cloudformation_reference_is_a_variable(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    template = """\
Parameters:
  ModelName: {Type: String}
  Experiment: {Type: String, Default: Churn_Experiments}
Resources:
  TrainingJob:
    Type: Custom::TrainingJob
    Properties:
      ExperimentName: !Ref ModelName
  TuningJob:
    Type: Custom::TuningJob
    Properties:
      ExperimentName: !Ref Experiment
"""
    root = build_repo(tmp_path_factory.mktemp("cfn"), {"infra/training.yml": template})
    refs = make_facts(root).resources("experiment_reference")
    assert [(r.fields["line"], r.fields["name"], r.fields["names"]["basename"]) for r in refs] == [
        (8, "${ModelName}", []),  # known at deploy time only
        (12, "Churn_Experiments", ["Churn_Experiments"]),  # the parameter's default
    ]
