"""data_reference resources in configs shaped like real repositories' (AzureML job YAML, a
Kedro catalog, a Databricks asset bundle, the lightning-hydra-template config tree, Hugging
Face training configs): what is data and pinned, what is data and not (with the fix that
fits its scheme), what is not data (with the reason), what cannot be verified. Every tree
is written here in the shape of the public repositories studied, never copied from them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support import make_facts

MakeRepo = Callable[..., Path]
SHA = "8f1c2d3e4b5a69788796a5b4c3d2e1f001122334"


def refs(root: Path, params: dict[str, Any] | None = None) -> dict[tuple[str, int], dict[str, Any]]:
    return {
        (r.fields["file"], r.fields["line"]): dict(r.fields)
        for r in make_facts(root, params).resources("data_reference")
    }


def data_lines(found: dict[tuple[str, int], dict[str, Any]]) -> set[int]:
    """The lines of the references found that are data (of any status but not-data)."""
    return {line for (_, line), f in found.items() if f["status"] != "not-data"}


def verdicts(root: Path, file: str) -> dict[int, tuple[str, str | None]]:
    """line -> (status, pin) for one file."""
    return {line: (f["status"], f["pin"]) for (path, line), f in refs(root).items() if path == file}


AZUREML_JOB = """$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
code: ./src
command: python train.py --data ${{inputs.training_data}}
inputs:
  training_data:
    type: uri_folder
    path: azureml:sampledata@latest
  labels:
    type: uri_file
    path: azureml:labels:3
  shared:
    type: uri_folder
    path: azureml://registries/acme-registry/data/transactions/versions/2
  raw:
    type: uri_folder
    path: azureml://datastores/workspaceblobstore/paths/fraud/raw/
  unversioned:
    type: mltable
    path: azureml:features
  base_model:
    type: mlflow_model
    path: azureml:fraud-model@latest
environment: azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest
compute: azureml:cpu-cluster
"""


def test_azureml_job_inputs(make_repo: MakeRepo) -> None:
    root = make_repo({"jobs/train.yml": AZUREML_JOB})
    found = {line: f for (path, line), f in refs(root).items()}
    assert {line: (f["status"], f["pin"]) for line, f in found.items()} == {
        7: ("unpinned", None),  # @latest
        10: ("pinned", "azureml-version"),
        13: ("pinned", "azureml-version"),
        16: ("unpinned", None),  # a datastore path: mutable storage
        19: ("unpinned", None),  # no version
        22: ("not-data", None),  # an MLflow model input
        23: ("not-data", None),  # environment:
        24: ("not-data", None),  # compute:
    }
    assert "azureml:sampledata:<version>" in found[7]["pin_hint"]
    assert "not @latest" in found[7]["pin_hint"]
    assert found[22]["reason"] == "its type 'mlflow_model' is in non_data_types"
    assert found[23]["reason"] == "key 'environment' matches non_data_keys '*environment*'"


KEDRO_CATALOG = """companies:
  type: pandas.CSVDataset
  filepath: data/01_raw/companies.csv

reviews:
  type: pandas.CSVDataset
  filepath: data/01_raw/reviews.csv

shuttles:
  type: pandas.ExcelDataset
  filepath: s3://${globals:bucket}/01_raw/shuttles.xlsx
  versioned: true

preprocessed_companies:
  type: pandas.ParquetDataset
  filepath: data/02_intermediate/preprocessed_companies.pq

regressor:
  type: pickle.PickleDataset
  filepath: data/06_models/regressor.pickle
  versioned: true

"{namespace}.{name}_data":
  type: pandas.CSVDataset
  filepath: data/03_primary/{namespace}/{name}.csv
"""


def test_kedro_catalog(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "conf/base/catalog.yml": KEDRO_CATALOG,
            "conf/base/globals.yml": "bucket: acme-spaceflights\n",
            "data/01_raw/companies.csv": "id,name\n1,a\n",
            "data/01_raw/.gitkeep": "",
        }
    )
    found = refs(root)
    shown = {line: (f["status"], f["pin"]) for (_, line), f in found.items()}
    assert shown == {
        3: ("pinned", "git-tracked"),
        7: ("unpinned", None),  # the raw input is neither committed nor tracked by DVC
        11: ("unpinned", None),  # versioned: true versions writes, not the read
        16: ("not-data", None),  # a pipeline output layer
        20: ("not-data", None),
    }
    shuttles = found[("conf/base/catalog.yml", 11)]
    assert shuttles["uri"] == "s3://acme-spaceflights/01_raw/shuttles.xlsx"  # globals resolved
    assert "?versionId=" in shuttles["pin_hint"]
    assert found[("conf/base/catalog.yml", 16)]["reason"] == (
        "folder '02_intermediate' is in non_data_dirs"
    )
    assert "dvc add data/01_raw/reviews.csv" in found[("conf/base/catalog.yml", 7)]["pin_hint"]


BUNDLE_JOB = """resources:
  jobs:
    model_training_job:
      name: fraud-training
      tasks:
        - task_key: Train
          notebook_task:
            notebook_path: ../training/notebooks/Train.py
            base_parameters:
              training_data_path: dbfs:/mnt/fraud/features
              validation_data: dbfs:/FileStore/fraud/validation.csv
              scratch_dir: /dbfs/tmp/fraud/scratch
              experiment_name: /Shared/fraud
          libraries:
            - whl: dbfs:/FileStore/wheels/fraud_lib-0.1.0-py3-none-any.whl
            - jar: dbfs:/FileStore/jars/udfs.jar
        - task_key: Score
          spark_python_task:
            python_file: dbfs:/FileStore/scripts/score.py
          new_cluster:
            cluster_log_conf:
              dbfs:
                destination: dbfs:/cluster-logs
  experiments:
    fraud:
      name: /Shared/fraud
      artifact_location: dbfs:/databricks/mlflow-tracking/fraud
"""


def test_databricks_bundle_wheels_scratch_and_artifacts_are_not_data(make_repo: MakeRepo) -> None:
    root = make_repo({"resources/training.yml": BUNDLE_JOB})
    found = refs(root)
    reported = {line: f for (_, line), f in found.items() if f["status"] in ("pinned", "unpinned")}
    assert sorted(reported) == [10, 11]
    assert "versionAsOf" in reported[10]["pin_hint"]  # a Delta table folder
    assert "versionAsOf" not in reported[11]["pin_hint"]  # a file
    reasons = {line: f["reason"] for (_, line), f in found.items() if f["status"] == "not-data"}
    assert reasons == {
        8: "key 'notebook_path' matches non_data_keys '*notebook*'",
        12: "key 'scratch_dir' matches non_data_keys '*scratch*'",
        15: "key 'whl' matches non_data_keys 'whl'",
        16: "key 'jar' matches non_data_keys 'jar'",
        19: "key 'python_file' matches non_data_keys 'python_file'",
        23: "key 'destination' matches non_data_keys 'destination'",
        27: "key 'artifact_location' matches non_data_keys 'artifact_location'",
    }


def test_non_data_by_extension_and_folder_whatever_the_key(make_repo: MakeRepo) -> None:
    text = (
        "a: dbfs:/FileStore/wheels/lib-0.1-py3-none-any.whl\n"
        "b: s3://bucket/code/train.py\n"
        "c: s3://bucket/checkpoints/epoch=3.ckpt\n"
        "d: gs://bucket/runs/exp1/\n"
        "e: s3://bucket/fraud/train.parquet\n"
        "f: runs:/0123/model\n"
        "g: models:/fraud@champion\n"
        # what an AzureML batch job wrote, downloaded (`ml_client.jobs.download`)
        "data_path: named-outputs/score/predictions.csv\n"
    )
    found = refs(make_repo({"c.yaml": text}))
    assert {line: f["reason"] for (_, line), f in found.items()} == {
        1: "extension .whl is in non_data_extensions",
        2: "extension .py is in non_data_extensions",
        3: "extension .ckpt is in non_data_extensions",
        4: "folder 'runs' is in non_data_dirs",
        5: None,
        8: "folder 'named-outputs' is in non_data_dirs",
    }


def test_bundle_variable_defaults_are_judged_by_the_variable_name(make_repo: MakeRepo) -> None:
    # A Databricks bundle names its volumes in variables; `default:` is the value's own key.
    text = (
        "bundle: {name: parse-docs}\n"
        "variables:\n"
        "  source_volume_path:\n"
        "    default: /Volumes/main/default/source_documents\n"
        "  output_volume_path:\n"
        "    description: Where parsed pages go\n"
        "    default: /Volumes/main/default/parsed_output\n"
    )
    found = refs(make_repo({"databricks.yml": text}))
    assert {line: (f["status"], f["reason"]) for (_, line), f in found.items()} == {
        4: ("unpinned", None),
        7: (
            "not-data",
            "it is the default of 'output_volume_path', which matches non_data_keys '*output*'",
        ),
    }
    # A CloudFormation parameter's `Default:` likewise.
    template = (
        "Parameters:\n  ScoresOutputUri:\n    Type: String\n    Default: s3://ml-bucket/scores/\n"
    )
    [(_, scores)] = refs(make_repo({"infra/stack.yaml": template})).items()
    assert scores["status"] == "not-data"
    assert scores["reason"] == (
        "it is the default of 'ScoresOutputUri', which matches non_data_keys '*output*'"
    )


def test_lightning_cli_class_paths_are_not_data(make_repo: MakeRepo) -> None:
    # A LightningCLI / jsonargparse config names classes under `class_path`, not files.
    text = (
        "trainer:\n"
        "  logger:\n"
        "    class_path: TensorBoardLogger\n"
        "  callbacks:\n"
        "    - class_path: lightning.pytorch.callbacks.EarlyStopping\n"
        "data:\n"
        "  class_path: GenericNonGeoPixelwiseRegressionDataModule\n"
        "  init_args:\n"
        "    train_data_root: train_images\n"
    )
    found = refs(make_repo({"configs/config.yaml": text}))
    assert found[("configs/config.yaml", 9)]["status"] == "unpinned"  # the data folder
    assert data_lines(found) == {9}


def test_kubernetes_field_and_json_paths_are_not_data(make_repo: MakeRepo) -> None:
    # The downward API's fieldPath, a CRD column's jsonPath, a storage container declaring
    # which URI schemes it serves: none names data (KServe's manifests hold ~1,000 of them).
    text = (
        "env:\n"
        "  - name: POD_NAMESPACE\n"
        "    valueFrom: {fieldRef: {fieldPath: metadata.namespace}}\n"
        "additionalPrinterColumns:\n"
        "  - {jsonPath: .metadata.creationTimestamp, name: Age, type: date}\n"
        "supportedUriFormats:\n"
        "  - prefix: gs://\n"
        "  - prefix: s3://\n"
        "train_data: gs://acme-data/fraud/train.csv\n"
    )
    assert data_lines(refs(make_repo({"config/runtime.yaml": text}))) == {9}


def test_editor_settings_name_no_data(make_repo: MakeRepo) -> None:
    # Paths in an editor's settings are relative to a workspace folder the repository does
    # not record (`.vscode` here means bundle/.vscode), and a debug launch is not a pipeline.
    root = make_repo(
        {
            "bundle/.vscode/settings.json": '{"python.analysis.stubPath": ".vscode",\n'
            ' "python.defaultInterpreterPath": "/usr/local/bin/python3"}\n',
            "bundle/.vscode/launch.json": '{"configurations": [{"name": "train",\n'
            ' "args": ["--data_path", "data/train.csv"]}]}\n',
            "bundle/databricks.yml": "bundle: {name: b}\n",
        }
    )
    found = refs(root)
    assert found, "the references are found, and classified"
    assert {f["status"] for f in found.values()} == {"not-data"}
    assert {f["reason"] for f in found.values()} == {
        "its file matches non_data_files '**/.vscode/**'"
    }


def test_the_classifier_is_the_data_packs_params(make_repo: MakeRepo) -> None:
    root = make_repo({"c.yaml": "a: s3://bucket/code/train.py\nartifact_uri: s3://b/x.csv\n"})
    found = make_facts(root, {"non_data_extensions": [], "non_data_keys": []}).resources(
        "data_reference"
    )
    assert [r.fields["status"] for r in found] == ["unpinned", "unpinned"]


def test_prefixes_and_objects_get_different_fixes(make_repo: MakeRepo) -> None:
    text = "a: s3://ml-data/fraud/raw/\nb: s3://ml-data/fraud/raw\nc: s3://ml-data/fraud/t.csv\n"
    found = refs(make_repo({"c.yaml": text}))
    hints = [f["pin_hint"] for _, f in sorted(found.items())]
    assert "prefix" in hints[0] and "?versionId" not in hints[0]
    assert "prefix" in hints[1]
    assert hints[2].startswith("add ?versionId=")


@pytest.mark.parametrize(
    ("url", "pin"),
    [
        ("https://raw.githubusercontent.com/acme/data/main/train.csv", None),
        ("https://raw.githubusercontent.com/acme/data/refs/heads/main/train.csv", None),
        ("https://raw.githubusercontent.com/acme/data/develop/train.csv", None),
        (f"https://raw.githubusercontent.com/acme/data/{SHA}/train.csv", "git-sha"),
        ("https://raw.githubusercontent.com/acme/data/v1.2.0/train.csv", "git-tag"),
        ("https://github.com/acme/data/blob/master/train.csv", None),
        ("https://github.com/acme/assets/releases/download/v0.0.0/coco128.zip", "release-asset"),
        ("https://gitlab.com/acme/data/-/raw/master/train.csv", None),
        ("https://archive.ics.uci.edu/ml/machine-learning-databases/wine/wine.data.csv", None),
    ],
)
def test_urls_into_a_moving_branch(make_repo: MakeRepo, url: str, pin: str | None) -> None:
    [found] = refs(make_repo({"c.yaml": f"source: {url}\n"})).values()
    assert found["pin"] == pin
    if pin is None and "githubusercontent" in url or "-/raw/" in url or "/blob/" in url:
        assert "replace it with a commit SHA" in found["pin_hint"]


def test_hugging_face_ids_in_configs(make_repo: MakeRepo) -> None:
    text = (
        "dataset_name: acme/reviews\n"
        f"dataset_revision: {SHA}\n"
        "model:\n"
        "  model_name_or_path: acme/bert-small\n"
        "  tokenizer_name: bert-base-uncased\n"
        "  config_name: configs/model.json\n"
        "local:\n"
        "  dataset_name: data/reviews\n"
        "other:\n"
        "  model_name_or_path: distilbert-base-uncased\n"
        "  revision: main\n"
    )
    found = refs(make_repo({"train.yaml": text}))
    shown = {line: (f["scheme"], f["status"], f["asset"]) for (_, line), f in found.items()}
    assert shown == {
        1: ("hf", "pinned", "data"),
        4: ("hf", "unpinned", "model"),
        8: ("local", "unpinned", "data"),  # a folder under data/, not a Hub id
        10: ("hf", "unpinned", "model"),  # a bare name only under *_name_or_path
    }
    assert "revision: <40-hex commit sha>" in found[("train.yaml", 4)]["pin_hint"]


def test_wandb_artifacts(make_repo: MakeRepo) -> None:
    text = (
        "train: wandb-artifact://acme/fraud/train-data:latest\n"
        "eval: wandb-artifact://acme/fraud/eval-data:v3\n"
        "test: wandb-artifact://acme/fraud/test-data:best\n"
    )
    assert verdicts(make_repo({"c.yaml": text}), "c.yaml") == {
        1: ("unpinned", None),
        2: ("pinned", "wandb-version"),
        3: ("unpinned", None),
    }


def test_local_data_under_data_keys_outside_data_dirs(make_repo: MakeRepo) -> None:
    text = (
        "train_data_root: train_images\n"  # the issue's own example: a bare folder name
        "img_root: assets/imgs\n"
        "eval_data_path: eval/eval.csv\n"
        "log_path: logs/train\n"
        "dataset_name: imagenet\n"  # a name, not a path
        "train_file: train.py\n"
        "val_data: default\n"
    )
    root = make_repo({"conf.yaml": text, "assets/imgs/1.png": "x", "eval/eval.csv": "a\n"})
    found = refs(root)
    shown = {line: (f["status"], f["pin"]) for (_, line), f in found.items()}
    assert shown == {
        1: ("unpinned", None),
        2: ("pinned", "git-tracked"),
        3: ("pinned", "git-tracked"),
        4: ("not-data", None),
    }
    assert "not in the repository" in found[("conf.yaml", 1)]["pin_hint"]


def test_untracked_data_on_disk_is_told_apart_from_missing_data(make_repo: MakeRepo) -> None:
    root = make_repo({"conf.yaml": "a: data/raw.csv\nb: data/gone.csv\n"})
    (root / "data").mkdir()
    (root / "data/raw.csv").write_text("a\n")
    found = refs(root)
    assert found[("conf.yaml", 1)]["pin_hint"].startswith("neither committed nor tracked by DVC")
    assert found[("conf.yaml", 2)]["pin_hint"].startswith("not in the repository")


def test_templates_are_unknown_not_findings(make_repo: MakeRepo) -> None:
    text = (
        "input_table: '{{ .input_table_path }}'\n"
        "train_data: s3://{{cookiecutter.bucket}}/train.csv\n"
        "data_path: <datastore-name>/raw\n"
    )
    found = refs(make_repo({"c.yaml": text}))
    assert {line: f["status"] for (_, line), f in found.items()} == {
        2: "unknown",
        3: "unknown",
    }
