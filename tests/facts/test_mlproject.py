"""`mlproject` resources agree with MLflow's own loader on what loads (every variant is also
given to `mlflow.projects._project_spec.load_project`), and say where each problem is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support import make_facts

MakeRepo = Callable[..., Path]

GOOD = """name: wine-quality
python_env: python_env.yaml
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      l1_ratio: {type: float, default: 0.1}
      data: {type: path, default: data/wine.csv}
    command: "python train.py {alpha} {l1_ratio} --data {data}"
"""
ENV_FILES = {"python_env.yaml": "python: 3.11\n", "conda.yaml": "name: x\n"}

# name -> (MLproject text, whether MLflow loads it)
VARIANTS: dict[str, tuple[str, bool]] = {
    "good": (GOOD, True),
    "good-conda": (GOOD.replace("python_env: python_env.yaml", "conda_env: conda.yaml"), True),
    "no-env-key": (GOOD.replace("python_env: python_env.yaml\n", ""), True),
    "two-env-keys": (
        GOOD.replace(
            "python_env: python_env.yaml", "python_env: python_env.yaml\nconda_env: conda.yaml"
        ),
        False,
    ),
    "env-file-missing": (GOOD.replace("python_env.yaml", "envs/python_env.yaml"), False),
    "conda-file-missing": (
        GOOD.replace("python_env: python_env.yaml", "conda_env: environment.yml"),
        False,
    ),
    "docker-no-image": (
        GOOD.replace("python_env: python_env.yaml", "docker_env:\n  volumes: [/data:/data]"),
        False,
    ),
    "docker-latest": (
        GOOD.replace("python_env: python_env.yaml", "docker_env:\n  image: acme/train:latest"),
        True,
    ),
    "docker-bad-volumes": (
        GOOD.replace(
            "python_env: python_env.yaml", "docker_env:\n  image: acme/train:1.0\n  volumes: /data"
        ),
        False,
    ),
    "invalid-yaml": (
        GOOD.replace("{type: float, default: 0.5}", "{type: float, default: 0.5"),
        False,
    ),
    "empty": ("", False),
    "parameters-list": (
        GOOD.replace("    parameters:\n      alpha", "    parameters:\n      - alpha").replace(
            "      l1_ratio: {type: float, default: 0.1}\n      data: {type: path, default: data/wine.csv}\n",
            "",
        ),
        False,
    ),
    "parameter-number": (GOOD.replace("{type: float, default: 0.5}", "0.5"), False),
    "bare-type": (GOOD.replace("{type: float, default: 0.5}", "float"), True),
    "undeclared-placeholder": (
        GOOD.replace("--data {data}", "--data {data} --epochs {epochs}"),
        True,
    ),
    "no-command": (
        GOOD.replace('    command: "python train.py {alpha} {l1_ratio} --data {data}"\n', ""),
        True,
    ),
    "databricks-and-env": (
        "databricks_spark_job:\n  python_file: train.py\npython_env: python_env.yaml\n",
        False,
    ),
    "databricks-both": (
        "databricks_spark_job:\n  python_file: train.py\n"
        + GOOD.replace("name: wine-quality\npython_env: python_env.yaml\n", ""),
        False,
    ),
    "duplicate-key": (GOOD + "name: again\n", True),
    # Tags whose constructors raise a plain exception in PyYAML (fuzz cases 474, 7650).
    "tagged-bool": (GOOD.replace("name: wine-quality", "name: !!bool string"), False),
    "tagged-huge-int": (GOOD.replace("name: wine-quality", "name: !!int " + "9" * 5000), False),
    # A parameter type of another shape, here a list an alias repeats (fuzz case 951).
    "list-type": (
        GOOD.replace("{type: float, default: 0.5}", "{type: &t [a, b], default: 0.5}").replace(
            "{type: float, default: 0.1}", "{type: *t, default: 0.1}"
        ),
        True,
    ),
}


def mlproject(root: Path) -> dict[str, Any]:
    [res] = make_facts(root).resources("mlproject")
    return dict(res.fields)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_loads_exactly_when_mlflow_loads_it(make_repo: MakeRepo, variant: str) -> None:
    from mlflow.projects._project_spec import load_project

    text, expected = VARIANTS[variant]
    root = make_repo({"MLproject": text, **ENV_FILES, "data/wine.csv": "a\n", "train.py": ""})
    try:
        load_project(str(root))
        mlflow_loads = True
    except Exception:  # noqa: BLE001 - MLflow's own errors, or a crash on a shape it cannot read
        mlflow_loads = False
    assert mlflow_loads is expected, "the variant table is wrong about MLflow"
    fields = mlproject(root)
    assert fields["loads"] is mlflow_loads, fields["load_errors"]


def test_problems_are_located(make_repo: MakeRepo) -> None:
    text = """name: wine-quality
python_env: python_env.yaml
conda_env: conda.yaml
docker_env:
  image: acme/train
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      epochs: {type: int, default: 10}
      unused: string
    command: |
      python train.py
        --alpha {alpha}
        --epochs {epochs} --seed {seed}
  report:
    parameters: {}
"""
    fields = mlproject(make_repo({"sub/MLproject": text, "sub/python_env.yaml": ""}))
    assert [(e["line"], e["message"]) for e in fields["load_errors"]] == [
        (
            3,
            "several environment keys (python_env, conda_env, docker_env): MLflow takes at most one",
        )
    ]
    assert [(p["entry_point"], p["line"], p.get("name")) for p in fields["command_problems"]] == [
        ("main", 15, "seed"),
        ("report", 16, None),
    ]
    params = {p["name"]: (p["type"], p["used"], p["line"]) for p in fields["parameters"]}
    assert params == {
        "alpha": ("float", True, 9),
        "epochs": ("int", True, 10),
        "unused": ("string", False, 11),
    }
    assert fields["images"] == [
        {
            "image": "acme/train",
            "pinned": False,
            "reason": "no tag: Docker pulls latest, which moves",
            "line": 5,
            "column": 10,
        }
    ]


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("acme/train:latest", False),
        ("acme/train", False),
        ("localhost:5000/acme/train", False),
        ("ghcr.io/acme/train:1.4.2", True),
        ("localhost:5000/acme/train:2024-01-01", True),
        ("acme/train@sha256:" + "a" * 64, True),
    ],
)
def test_docker_image_pins(make_repo: MakeRepo, image: str, pinned: bool) -> None:
    root = make_repo({"MLproject": f"docker_env:\n  image: {image}\nentry_points: {{}}\n"})
    [found] = mlproject(root)["images"]
    assert found["pinned"] is pinned
