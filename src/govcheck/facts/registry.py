"""PROVIDERS: every resource kind a rule can name, with the function that produces it.

Read top to bottom, this is the list of resource kinds. Policies are validated against
its names; a check hands it to Facts, which calls each provider at most once.
"""

from __future__ import annotations

from govcheck.facts import (
    dvc_files,
    dvc_stages,
    experiments,
    files,
    mlflow_source,
    mlproject,
    references,
    registered_models,
)
from govcheck.facts.base import Provider
from govcheck.facts.monitors import provider as monitors

PROVIDERS: dict[str, Provider] = {
    "repo": files.repo_resources,
    "file": files.file_resources,
    "directory": files.directory_resources,
    "data_reference": references.data_references,
    "experiment_reference": experiments.experiment_references,
    "monitor": monitors.monitor_resources,  # every platform's monitors (facts/monitors/)
    "registered_model_reference": registered_models.registered_model_references,
    "dvc_file": dvc_files.dvc_files,
    "dvc_stage": dvc_stages.dvc_stages,
    "mlproject": mlproject.mlproject_resources,
    # MLflow entities: mlflow itself is imported only when one of these runs on a live store.
    "mlflow_experiment": mlflow_source.experiments,
    "mlflow_run": mlflow_source.runs,
    "mlflow_registered_model": mlflow_source.registered_models,
    "mlflow_model_version": mlflow_source.model_versions,
}
