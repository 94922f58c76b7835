"""Hydra/OmegaConf interpolation in a config tree shaped like ashleve/lightning-hydra-template:
`${paths.data_dir}` in a data config resolves through the primary config's defaults list;
what only the run knows (`${oc.env:...}`, `${hydra:...}`) stays unknown. Where the value
can be resolved, it is what Hydra's own compose API gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support import make_facts

MakeRepo = Callable[..., Path]

TEMPLATE = {
    "configs/train.yaml": """# @package _global_
defaults:
  - _self_
  - data: mnist
  - callbacks: default
  - logger: mlflow
  - paths: default
  - experiment: null

task_name: train
ckpt_path: null
""",
    "configs/eval.yaml": """# @package _global_
defaults:
  - _self_
  - data: mnist
  - paths: default

task_name: eval
ckpt_path: ???
""",
    "configs/paths/default.yaml": """root_dir: ${oc.env:PROJECT_ROOT}
data_dir: ${paths.root_dir}/data/
log_dir: ${paths.root_dir}/logs/
output_dir: ${hydra:runtime.output_dir}
work_dir: ${hydra:runtime.cwd}
""",
    "configs/data/mnist.yaml": """_target_: src.data.mnist_datamodule.MNISTDataModule
data_dir: ${paths.data_dir}
batch_size: 128
train_val_test_split: [55_000, 5_000, 10_000]
""",
    "configs/logger/mlflow.yaml": """mlflow:
  _target_: lightning.pytorch.loggers.mlflow.MLFlowLogger
  experiment_name: lightning_logs
  tracking_uri: ${paths.log_dir}/mlflow/mlruns
  artifact_location: null
""",
    "configs/callbacks/default.yaml": """defaults:
  - model_checkpoint

model_checkpoint:
  dirpath: ${paths.output_dir}/checkpoints
  filename: epoch_{epoch:03d}
""",
    "configs/callbacks/model_checkpoint.yaml": """model_checkpoint:
  _target_: lightning.pytorch.callbacks.ModelCheckpoint
  dirpath: null
""",
}


def refs(root: Path) -> dict[tuple[str, int], dict[str, Any]]:
    return {
        (r.fields["file"], r.fields["line"]): dict(r.fields)
        for r in make_facts(root).resources("data_reference")
    }


def test_the_template_as_published_gives_no_finding(make_repo: MakeRepo) -> None:
    found = refs(make_repo(TEMPLATE))
    data_dir = found[("configs/data/mnist.yaml", 2)]
    assert data_dir["status"] == "unknown"
    assert "oc.env:PROJECT_ROOT" in data_dir["reason"]
    assert ("configs/logger/mlflow.yaml", 4) not in found  # tracking_uri: not data
    assert all(f["status"] in ("unknown", "not-data") for f in found.values()), found


def fork(**paths: str) -> dict[str, str]:
    """The template as a team forks it: data under the repository, paths spelt out."""
    text = "".join(f"{k}: {v}\n" for k, v in paths.items())
    return {**TEMPLATE, "configs/paths/default.yaml": text}


def test_data_dir_resolves_across_config_groups(make_repo: MakeRepo) -> None:
    root = make_repo(fork(root_dir=".", data_dir="${paths.root_dir}/data/", log_dir="logs/"))
    found = refs(root)
    data_dir = found[("configs/data/mnist.yaml", 2)]
    assert (data_dir["written"], data_dir["uri"]) == ("${paths.data_dir}", "./data/")
    assert data_dir["status"] == "unpinned"
    assert "dvc add data" in data_dir["pin_hint"]


def test_a_resolved_remote_prefix_gets_its_scheme_fix(make_repo: MakeRepo) -> None:
    root = make_repo(fork(root_dir="s3://ml-data/mnist", data_dir="${paths.root_dir}/raw/"))
    data_dir = refs(root)[("configs/data/mnist.yaml", 2)]
    assert data_dir["uri"] == "s3://ml-data/mnist/raw/"
    assert "prefix" in data_dir["pin_hint"]


def test_relative_interpolation_and_plain_omegaconf_files(make_repo: MakeRepo) -> None:
    text = "data:\n  root: s3://ml-data/fraud\n  train: ${.root}/train.parquet\n  eval: ${data.root}/eval.parquet\n"
    found = refs(make_repo({"conf/omegaconf.yaml": text}))
    assert [f["uri"] for f in found.values()] == [
        "s3://ml-data/fraud",
        "s3://ml-data/fraud/train.parquet",
        "s3://ml-data/fraud/eval.parquet",
    ]


def test_a_cycle_or_a_missing_key_is_unknown(make_repo: MakeRepo) -> None:
    text = "a: ${b}/x.csv\nb: ${a}\ntrain_data: ${nowhere.to_be_found}\n"
    found = refs(make_repo({"c.yaml": text}))
    assert {line: f["status"] for (_, line), f in found.items()} == {3: "unknown"}


def test_hydras_own_compose_agrees(make_repo: MakeRepo) -> None:
    hydra = pytest.importorskip("hydra", reason="hydra-core comes with the test extra (dvc)")
    from omegaconf import OmegaConf

    files = fork(root_dir="s3://ml-data/mnist", data_dir="${paths.root_dir}/raw/", log_dir="logs/")
    files["configs/train.yaml"] = files["configs/train.yaml"].replace("  - experiment: null\n", "")
    files["configs/callbacks/default.yaml"] = files["configs/callbacks/default.yaml"].replace(
        "${paths.output_dir}", "${paths.log_dir}"
    )
    root = make_repo(files)
    with hydra.initialize_config_dir(config_dir=str(root / "configs"), version_base=None):
        composed = OmegaConf.to_container(hydra.compose(config_name="train"), resolve=True)
    assert isinstance(composed, dict)
    found = refs(root)
    assert found[("configs/data/mnist.yaml", 2)]["uri"] == composed["data"]["data_dir"]
    assert ("configs/callbacks/default.yaml", 5) not in found  # a checkpoint folder
    assert composed["callbacks"]["model_checkpoint"]["dirpath"] == "logs//checkpoints"
