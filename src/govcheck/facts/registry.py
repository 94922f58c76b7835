"""PROVIDERS: every resource kind a rule can name, with the function that produces it.

Read top to bottom, this is the list of resource kinds. Policies are validated against
its names; a check hands it to Facts, which calls each provider at most once.
"""

from __future__ import annotations

from govcheck.facts import (
    cards,
    deployments,
    dvc_files,
    dvc_stages,
    experiments,
    files,
    mlflow_source,
    mlproject,
    models,
    references,
)
from govcheck.facts.base import Provider
from govcheck.facts.monitors import provider as monitors

PROVIDERS: dict[str, Provider] = {
    "repo": files.repo_resources,
    "file": files.file_resources,
    "directory": files.directory_resources,
    "model": models.model_resources,
    "model_card": cards.model_cards,
    "dataset_card": cards.dataset_cards,
    "deployment": deployments.deployment_resources,
    "data_reference": references.data_references,
    "experiment_reference": experiments.experiment_references,
    "monitor": monitors.monitor_resources,  # every platform's monitors (facts/monitors/)
    # with the repository model (cards) of each: models.py
    "registered_model_reference": models.declared_registered_models,
    "dvc_file": dvc_files.dvc_files,
    "dvc_stage": dvc_stages.dvc_stages,
    "mlproject": mlproject.mlproject_resources,
    # MLflow entities: mlflow itself is imported only when one of these runs on a live store.
    "mlflow_experiment": mlflow_source.experiments,
    "mlflow_run": mlflow_source.runs,
    "mlflow_registered_model": models.mlflow_registered_models,  # with the repository's model
    "mlflow_model_version": models.mlflow_model_versions,  # with the repository's model
}

# MLflow fields a provider reads on its own, not through a rule's conditions, so a snapshot
# records them for every rule over that kind: a model is deployed when MLflow holds a
# registered model of its name behind a serving alias (deployments.py).
PROVIDER_READS: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "model": {"mlflow_registered_model": (("aliases",),)},
}

# Fields of repository kinds that are MLflow entities joined in: a model's `serving` is the
# newest version behind a serving alias of its registered model (models.py). A rule reading
# one reads that MLflow kind: the fields below it (`serving.run.start_time` reads the
# version's `run.start_time`) and what picks the version are recorded in a snapshot, and
# the rule is skipped, and says so, when the check has no MLflow store.
JOINED: dict[str, dict[str, tuple[str, tuple[tuple[str, ...], ...]]]] = {
    "model": {
        "serving": ("mlflow_model_version", (("aliases",), ("creation_time",))),
    },
}

# What reports call each kind when they say how many were checked ("3 model cards").
NOUNS: dict[str, str] = {
    "repo": "repository",
    "file": "file",
    "directory": "directory",
    "model": "model",
    "model_card": "model card",
    "dataset_card": "dataset card",
    "deployment": "deployment",
    "data_reference": "data reference",
    "experiment_reference": "experiment name",
    "monitor": "monitor",
    "registered_model_reference": "model registration",  # register_model(...), a bundle entry
    "mlflow_experiment": "MLflow experiment",
    "mlflow_run": "MLflow run",
    "mlflow_registered_model": "registered model",
    "mlflow_model_version": "model version",
}
