"""govcheck's own monitoring.yaml as a `monitor`, and what the provider adds to every
monitor: the group of monitors watching the same model, and monitors_for()."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcheck.facts.monitors.provider import monitors_for
from support import make_facts

from .common import build_repo, monitors, plain, summary

FRAUD = """\
model: fraud-detector
alias: champion
owner: fraud@example.com
schedule: daily
metrics:
  - {name: auc, threshold: {min: 0.85}}
  - {name: feature_drift, method: psi, threshold: {max: 0.2}}
  - {name: approval_rate_gap, type: bias}
  - just text
alerts:
  - {channel: slack, target: "#fraud"}
protected_attributes: [age]
"""
FILES = {
    "models/fraud/monitoring.yaml": FRAUD,
    "models/churn/monitoring.yml": "model: churn\nmetrics: [{name: recall, threshold: {min: 0.7}}]\n",
    # Another tool's file of the same name, and one too sparse to be ours.
    "ops/monitoring.yaml": "groups:\n  - name: x\n    rules: []\n",
    "docs/monitoring.yaml": "model: x\n",
    "infra/fraud-latency/monitoring.yaml": "model: fraud-detector\nschedule: hourly\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repo(tmp_path_factory.mktemp("native"), FILES)


def test_monitoring_yaml_in_the_common_shape(repo: Path) -> None:
    found = {r.fields["file"]: r for r in monitors(repo)}
    assert sorted(found) == [
        "infra/fraud-latency/monitoring.yaml",
        "models/churn/monitoring.yml",
        "models/fraud/monitoring.yaml",
    ]
    fraud = found["models/fraud/monitoring.yaml"]
    assert summary(fraud) == {
        "platform": "govcheck",
        "name": "fraud-detector",
        "at": "models/fraud/monitoring.yaml:1",
        "target": "fraud-detector",
        "signals": [
            ("performance", "auc", {"min": 0.85}, 6),
            ("data_drift", "feature_drift", {"max": 0.2}, 7),
            ("bias", "approval_rate_gap", None, 8),
        ],
        "alerts": [("slack", "#fraud", "breach")],
    }
    f = fraud.fields
    assert plain(f["target"]) == {
        "ref": "fraud-detector",
        "kind": "model",
        "name": "fraud-detector",
        "model": "fraud-detector",
        "version": "champion",
        "registry": "mlflow",
        "has_variables": False,
    }
    assert f["target"].value_marks["model"].line == 1
    assert f["target"].value_marks["version"].line == 2
    assert f["signals"][0]["threshold"].value_marks["min"].line == 6
    assert (f["fairness"], f["protected_attributes"], plain(f["schedule"])) == (
        True,
        ["age"],
        {"raw": "daily", "kind": "interval"},
    )
    assert fraud.touches == ("models/fraud/monitoring.yaml",)


def test_monitors_of_one_model_form_a_group(repo: Path) -> None:
    found = {r.fields["file"]: r.fields["group"] for r in monitors(repo)}
    latency, fraud = (
        found["infra/fraud-latency/monitoring.yaml"],
        found["models/fraud/monitoring.yaml"],
    )
    assert (latency["key"], latency["size"], latency["first"]) == ("model:fraud-detector", 2, True)
    assert (fraud["size"], fraud["first"]) == (2, False)
    assert fraud["signal_types"] == ["bias", "data_drift", "performance"]
    assert fraud["protected_attributes"] == latency["protected_attributes"] == ["age"]
    assert found["models/churn/monitoring.yml"]["size"] == 1


def test_monitors_for_a_model_directory_or_name(repo: Path) -> None:
    facts = make_facts(repo)

    def files(**kwargs: str) -> list[str]:
        return [r.fields["file"] for r in monitors_for(facts, **kwargs)]

    assert files(model_dir="models/churn") == ["models/churn/monitoring.yml"]
    # the directory's name is the model's name when none is given
    assert files(model_dir="models/fraud-detector") == [
        "infra/fraud-latency/monitoring.yaml",
        "models/fraud/monitoring.yaml",
    ]
    assert files(model_name="main.risk.churn") == []
    assert files(model_name="churn") == ["models/churn/monitoring.yml"]
    assert files(model_dir="models/none") == []


def test_a_check_limited_to_paths_still_groups_every_monitor(repo: Path) -> None:
    # The fraud detector's latency monitor in infra/ belongs to its group even when only
    # models/fraud is checked (pre-commit): its coverage is the full check's.
    facts = make_facts(repo, paths=frozenset({"models/fraud/monitoring.yaml"}))
    found = {r.fields["file"]: r for r in facts.resources("monitor")}
    assert sorted(found) == [
        "infra/fraud-latency/monitoring.yaml",
        "models/churn/monitoring.yml",
        "models/fraud/monitoring.yaml",
    ]
    assert found["models/fraud/monitoring.yaml"].fields["group"]["size"] == 2
