"""Report.models: every model of a repository as a row, and what belongs to each.

One repository for the module (the tests only read it): a declared model with a card and
monitoring, one without a card whose training config names unpinned data, a card folder
of two models, a monitoring config kept apart that watches a model by name, code that registers a
model nobody documents, and files that belong to no model.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from govcheck.check import CheckOptions, run
from govcheck.model import ModelRow, Report
from govcheck.reporters import REPORTERS
from govcheck.reporters.governance import NO_MODEL, view
from support import CARD, MONITORING, govcheck

FILES = {
    "models/fraud/MODEL_CARD.md": CARD,
    "models/fraud/monitoring.yaml": MONITORING.replace("model: m", "model: fraud"),
    "models/scorer/train.yaml": "data_path: s3://bucket/train.csv\n",
    "model_cards/alpha.md": CARD,
    "model_cards/beta.md": CARD.replace("license: mit", "license: ''"),
    "ops/fraud-watch/monitoring.yaml": MONITORING.replace("model: m", "model: fraud"),
    "src/register.py": (
        "import mlflow\n\n"
        "mlflow.sklearn.log_model(m, name='model', registered_model_name='churn-model')\n"
    ),
    "configs/shared.yaml": "train_data: s3://bucket/shared.csv\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("rows") / "repo"
    root.mkdir()
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "models"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    yield root


@pytest.fixture(scope="module")
def report(repo: Path) -> Report:
    return run(CheckOptions(repo=str(repo), no_mlflow=True, models=True))


def rows(report: Report) -> dict[str, ModelRow]:
    return {m.name: m for m in report.models}


def test_every_model_is_a_row(report: Report) -> None:
    found = rows(report)
    assert set(found) == {"fraud", "scorer", "alpha", "beta", "churn-model"}
    assert found["fraud"].folder == "models/fraud" and found["fraud"].registered is None
    assert found["churn-model"].folder is None  # only registered, by the code
    assert found["churn-model"].registered == "churn-model"


def test_resources_belong_to_the_model_that_holds_or_names_them(report: Report) -> None:
    found = rows(report)
    fraud = set(found["fraud"].resources)
    assert {"models/fraud", "models/fraud/MODEL_CARD.md", "models/fraud/monitoring.yaml"} <= fraud
    # a monitor kept elsewhere belongs to the model it watches
    assert any(r.startswith("ops/fraud-watch/monitoring.yaml:") for r in fraud)
    scorer = set(found["scorer"].resources)
    assert any(r.startswith("models/scorer/train.yaml") for r in scorer)
    assert "model_cards/beta.md" in found["beta"].resources
    assert "model_cards/beta.md" not in found["alpha"].resources
    assert any(r.startswith("src/register.py") for r in found["churn-model"].resources)
    everywhere = {r for m in report.models for r in m.resources}
    assert not any(r.startswith("configs/shared.yaml") for r in everywhere)


def test_the_page_shows_each_model_in_its_cells(report: Report) -> None:
    v = view(report)
    index = {r.name: r.index for r in v.rows}
    assert v.cell(index["fraud"], "cards") == "pass"
    assert v.cell(index["fraud"], "monitoring") == "pass"
    assert v.cell(index["scorer"], "cards") == "fail"  # no card
    assert v.cell(index["scorer"], "data") == "fail"  # unpinned s3 path
    assert v.cell(index["beta"], "cards") == "fail"  # no license
    assert v.cell(index["alpha"], "cards") == "pass"
    assert v.cell(index["churn-model"], "cards") == "fail"  # registered, no card
    assert v.cell(NO_MODEL, "data") == "fail"  # configs/shared.yaml
    assert v.cell(index["alpha"], "fairness") == "skipped"  # the fairness pack needs MLflow
    assert v.cell(index["alpha"], "experiments") == "skipped"  # the MLflow rules were


def test_other_formats_do_not_change_when_the_rows_are_asked_for(
    repo: Path, report: Report
) -> None:
    plain = run(CheckOptions(repo=str(repo), no_mlflow=True))
    assert plain.models == ()
    same = replace(report, models=(), started_at=plain.started_at, ended_at=plain.ended_at)
    for fmt in sorted(set(REPORTERS) - {"html"}):
        assert REPORTERS[fmt](same) == REPORTERS[fmt](plain), fmt


def test_html_output_beside_another_format(repo: Path, tmp_path: Path) -> None:
    page = tmp_path / "governance.html"
    done = govcheck(
        "check", "--no-mlflow", "--format", "json", "--html-output", str(page), cwd=repo
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["counts"]["error"] >= 3
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<a href="#m0">fraud</a>' in text or ">fraud</a>" in text
    assert "churn-model" in text


def test_a_deployment_belongs_to_the_model_it_serves(repo: Path, tmp_path: Path) -> None:
    from govcheck.check import load_rules
    from govcheck.config import find_config
    from govcheck.facts.model_rows import model_rows
    from support import make_facts

    manifest = (
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: scoring\nmodel: azureml:scorer:7\n"
    )
    root = tmp_path / "deployed"
    subprocess.run(["git", "clone", "-q", str(repo), str(root)], check=True)
    (root / "deploy").mkdir()
    (root / "deploy/scorer-online.yml").write_text(manifest, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    _, params = load_rules(find_config(root, None), root)
    found = {m.name: m for m in model_rows(make_facts(root, params), {"deployment"})}
    assert "deploy/scorer-online.yml:4" in found["scorer"].resources  # its `model:` line
