"""Data references read in Python files and notebook code cells, found through `ast`:
pandas/Spark/Ray readers, Hugging Face, W&B, DVC's API and MLflow dataset sources. Nothing is
imported or run; notebook outputs and markdown are not read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from support import make_facts

MakeRepo = Callable[..., Path]
SHA = "8f1c2d3e4b5a69788796a5b4c3d2e1f001122334"

TRAIN_PY = f'''"""Train the wine model. Data: https://archive.ics.uci.edu/ml/datasets/wine+quality"""
import mlflow
import pandas as pd
from datasets import load_dataset
from transformers import AutoModel

CSV_URL = "https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv"
BUCKET = "s3://ml-data/wine"


def main(path):
    data = pd.read_csv(CSV_URL, sep=";")
    lookup = pd.read_parquet(f"{{BUCKET}}/lookup.parquet")
    local = pd.read_csv("data/local.csv")
    runtime = pd.read_csv(path)
    reviews = load_dataset("acme/reviews")
    pinned = load_dataset("acme/reviews", revision="{SHA}")
    files = load_dataset("csv", data_files={{"train": "data/train.csv", "test": "s3://ml-data/test.csv"}})
    model = AutoModel.from_pretrained("acme/bert-small")
    base = AutoModel.from_pretrained("./outputs/model")
    source = mlflow.data.from_pandas(data, source="s3://ml-data/wine/red.csv")
    mlflow.log_input(source, context="training")
    with open("config.json") as f:
        f.read()
    events = spark.read.format("delta").load("dbfs:/mnt/wine/events")
    pinned_events = spark.read.format("delta").option("versionAsOf", 12).load("dbfs:/mnt/wine/events")
    dated = spark.read.parquet(f"s3://ml-data/wine/{{day}}/")
    artifact = run.use_artifact("acme/wine/train-data:latest")
    fixed = run.use_artifact("acme/wine/train-data:v3")
    source.read_bytes("not-data.bin")
'''


def refs(root: Path) -> dict[int, dict[str, Any]]:
    return {
        r.fields["line"]: dict(r.fields)
        for r in make_facts(root).resources("data_reference")
        if r.fields["source"] in ("python", "notebook")
    }


def test_python_calls(make_repo: MakeRepo) -> None:
    found = refs(make_repo({"src/train.py": TRAIN_PY, "data/local.csv": "a\n"}))
    shown = {line: (f["scheme"], f["status"], f["pin"]) for line, f in found.items()}
    assert shown == {
        12: ("https", "unpinned", None),  # the constant, a raw URL on master
        13: ("s3", "unpinned", None),  # an f-string of constants
        14: ("local", "pinned", "git-tracked"),
        16: ("hf", "unpinned", None),
        17: ("hf", "pinned", "hf-revision"),
        18: ("s3", "unpinned", None),  # data_files of the csv builder (and data/train.csv)
        19: ("hf", "unpinned", None),
        21: ("s3", "unpinned", None),  # the source MLflow records
        25: ("dbfs", "unpinned", None),
        26: ("dbfs", "pinned", "delta-version"),
        27: ("s3", "unknown", None),
        28: ("wandb-artifact", "unpinned", None),
        29: ("wandb-artifact", "pinned", "wandb-version"),
    }
    assert found[12]["uri"] == (
        "https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv"
    )
    assert "moving ref 'master'" in found[12]["pin_hint"]
    assert found[19]["asset"] == "model"
    assert "versionAsOf" in found[25]["pin_hint"]
    assert (found[12]["file"], found[12]["column"]) == ("src/train.py", 24)


def test_both_data_files_of_a_builder_are_references(make_repo: MakeRepo) -> None:
    found = make_facts(make_repo({"t.py": TRAIN_PY})).resources("data_reference")
    on_18 = sorted(r.fields["uri"] for r in found if r.fields["line"] == 18)
    assert on_18 == ["data/train.csv", "s3://ml-data/test.csv"]


def cell(source: Any, kind: str = "code") -> dict[str, Any]:
    out: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        out.update(execution_count=None, outputs=[])
    return out


def test_notebook_code_cells_constants_carry_across(make_repo: MakeRepo) -> None:
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            cell("# Data\nThe data lives at s3://ml-data/docs-only.csv", "markdown"),
            cell(["%pip install pandas\n", "import pandas as pd\n"]),
            cell(
                [
                    'DATASET_LOC = "https://raw.githubusercontent.com/acme/mlops/main/datasets/dataset.csv"\n'
                ]
            ),
            cell(["!wget s3://ml-data/shell-only.csv\n", "df = pd.read_csv(DATASET_LOC)\n"]),
            {
                **cell("df.head()"),
                "outputs": [{"output_type": "stream", "text": "pd.read_csv('s3://x/out.csv')"}],
            },
        ],
    }
    text = json.dumps(notebook, indent=1)
    root = make_repo({"notebooks/explore.ipynb": text})
    [found] = make_facts(root).resources("data_reference")
    line = text.splitlines().index('    "df = pd.read_csv(DATASET_LOC)\\n"') + 1
    assert (found.fields["file"], found.fields["line"], found.fields["source"]) == (
        "notebooks/explore.ipynb",
        line,
        "notebook",
    )
    assert found.fields["uri"].endswith("/main/datasets/dataset.csv")
    assert not found.fields["pinned"]


def test_dvc_api_pins_by_commit(make_repo: MakeRepo) -> None:
    code = (
        "import dvc.api\n"
        "a = dvc.api.read('data/x.csv', repo='https://github.com/acme/registry')\n"
        f"b = dvc.api.read('data/x.csv', repo='https://github.com/acme/registry', rev='{SHA}')\n"
        "c = dvc.api.open('data/x.csv', repo='https://github.com/acme/registry', rev='main')\n"
    )
    found = refs(make_repo({"load.py": code}))
    assert {line: f["pin"] for line, f in found.items()} == {2: None, 3: "dvc-rev", 4: None}
    assert "rev 'main' can move" in found[4]["pin_hint"]


def test_files_without_data_calls_are_not_parsed(make_repo: MakeRepo) -> None:
    # a syntax error would be harmless anyway; nothing here names data
    root = make_repo({"util.py": "def f(:\n", "ok.py": "import os\nos.getcwd()\n"})
    assert make_facts(root).resources("data_reference") == []


def test_literals_in_tests_are_fixtures_and_reads_are_not_data(make_repo: MakeRepo) -> None:
    code = (
        "import pandas as pd\n"
        "expected = make_ref(uri='s3://ml-data/fraud/train.parquet')\n"
        "frame = pd.read_csv('s3://ml-data/fraud/eval.csv')\n"
    )
    root = make_repo({"tests/test_load.py": code, "src/load.py": code})
    found = {
        (r.fields["file"], r.fields["line"]): r.fields
        for r in make_facts(root).resources("data_reference")
    }
    assert set(found) == {("src/load.py", 2), ("src/load.py", 3), ("tests/test_load.py", 3)}
    assert found[("src/load.py", 3)]["status"] == "unpinned"
    test_read = found[("tests/test_load.py", 3)]
    assert (test_read["status"], test_read["reason"]) == (
        "not-data",
        "its file matches non_data_files '**/tests/**'",
    )
    # A team that governs its tests' data too says so.
    kept = make_facts(root, {"non_data_files": []}).resources("data_reference")
    assert {(r.fields["file"], r.fields["status"]) for r in kept if r.fields["line"] == 3} == {
        ("src/load.py", "unpinned"),
        ("tests/test_load.py", "unpinned"),
    }


def test_an_http_get_is_a_data_read_only_of_a_data_file(make_repo: MakeRepo) -> None:
    code = (
        "import httpx, requests, urllib.request\n"
        "fact = httpx.get('https://catfact.ninja/fact?max_length=140').json()\n"
        "latest = requests.get('https://pypi.org/pypi/govcheck/json').json()\n"
        "frame = requests.get('https://example.com/exports/transactions.csv')\n"
        "urllib.request.urlretrieve('https://example.com/exports/archive', 'a')\n"
        "blob = requests.get('s3://ml-data/fraud/train.parquet')\n"
    )
    found = {
        r.fields["line"]: r.fields["status"]
        for r in make_facts(make_repo({"src/fetch.py": code})).resources("data_reference")
    }
    # pypi.org is in non_data_hosts: found, and not data
    assert found == {3: "not-data", 4: "unpinned", 5: "unpinned", 6: "unpinned"}
