"""experiment_reference resources from Python, YAML, JSON and .env files."""

from __future__ import annotations

from pathlib import Path

from govcheck.facts.experiments import env_names, is_env_file, python_names
from govcheck.model import Location
from support import make_facts

TRAIN_PY = """\
import mlflow
from mlflow import MlflowClient, set_experiment

mlflow.set_experiment("fraud-detection")
set_experiment(experiment_name="Churn Model")
client = MlflowClient(tracking_uri="sqlite:///mlflow.db")
client.create_experiment("ranking/v2")
MlflowClient().create_experiment(name="Default", artifact_location="s3://b")
name = "dynamic"
mlflow.set_experiment(name)              # a module constant: its value is the name
mlflow.set_experiment(f"exp-{name}")     # and so is an f-string of constants
mlflow.set_experiment(experiment_id="42")
x = "é"; mlflow.set_experiment("unicode-col")
"""


def experiment_refs(root: Path) -> list[tuple[str, str, int, int, str]]:
    facts = make_facts(root)
    return [
        (
            r.fields["name"],
            r.fields["file"],
            r.fields["line"],
            r.fields["column"],
            r.fields["source"],
        )
        for r in facts.resources("experiment_reference")
    ]


def _plain(found: object) -> tuple[object, ...]:
    return (found.name, found.line, found.column)  # type: ignore[attr-defined]


def test_python_calls_with_constant_names() -> None:
    assert [_plain(f) for f in python_names(TRAIN_PY)] == [
        ("fraud-detection", 4, 23),
        ("Churn Model", 5, 32),
        ("ranking/v2", 7, 26),
        ("Default", 8, 39),
        ("dynamic", 10, 23),
        ("exp-dynamic", 11, 23),
        ("unicode-col", 13, 32),
    ]


def test_python_syntax_error_is_skipped() -> None:
    assert list(python_names('mlflow.set_experiment("x"\n')) == []


def test_env_lines() -> None:
    text = (
        "# comment MLFLOW_EXPERIMENT_NAME=nope\n"
        "MLFLOW_EXPERIMENT_NAME=plain-name # trailing comment\n"
        "export MLFLOW_EXPERIMENT_NAME='Quoted Name'\n"
        '  MLFLOW_EXPERIMENT_NAME = "spaced"\n'
        "MLFLOW_EXPERIMENT_NAME=\n"
        "MLFLOW_EXPERIMENT_NAMES=other\n"
    )
    assert [_plain(f) for f in env_names(text)] == [
        ("plain-name", 2, 24),
        ("Quoted Name", 3, 32),
        ("spaced", 4, 29),
    ]


def test_env_file_names() -> None:
    assert [is_env_file(n) for n in (".env", "prod.env", ".env.local", "env", "envs.txt")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_provider_over_a_repository(make_repo) -> None:
    root = make_repo(
        {
            "src/train.py": TRAIN_PY,
            "src/broken.py": "def f(:\n    mlflow.set_experiment('never')\n",
            "src/other.py": "print('set_experiment is only mentioned')\n",
            "conf/run.yaml": "run:\n  tracking:\n    experiment_name: Fraud_Detection\n"
            "  steps:\n    - experiment_name: steps/one\n",
            "conf/run.json": '{"mlflow": {"experiment_name": "json-exp"}}',
            "conf/bad.yaml": "experiment_name: x\n  broken: [\n",
            "deploy/.env.prod": "export MLFLOW_EXPERIMENT_NAME=prod-exp\n",
            "README.md": "mlflow.set_experiment('docs-only')\n",
        }
    )
    assert experiment_refs(root) == [
        ("json-exp", "conf/run.json", 1, 32, "json"),
        ("Fraud_Detection", "conf/run.yaml", 3, 22, "yaml"),
        ("steps/one", "conf/run.yaml", 5, 24, "yaml"),
        ("prod-exp", "deploy/.env.prod", 1, 31, "env"),
        ("fraud-detection", "src/train.py", 4, 23, "python"),
        ("Churn Model", "src/train.py", 5, 32, "python"),
        ("ranking/v2", "src/train.py", 7, 26, "python"),
        ("Default", "src/train.py", 8, 39, "python"),
        ("dynamic", "src/train.py", 10, 23, "python"),
        ("exp-dynamic", "src/train.py", 11, 23, "python"),
        ("unicode-col", "src/train.py", 13, 32, "python"),
    ]


def test_resource_shape(make_repo) -> None:
    root = make_repo({"conf.yaml": "experiment_name: demo\n"})
    [ref] = make_facts(root).resources("experiment_reference")
    assert ref.id == "conf.yaml:1:18"
    assert ref.location == Location("conf.yaml", 1, 18, snippet="demo")
    assert ref.touches == ("conf.yaml",)
