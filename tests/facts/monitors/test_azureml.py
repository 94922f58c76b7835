"""AzureML monitor schedules (CLI v2 YAML with `create_monitor:`) as `monitor` resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from .common import build_repo, monitors, plain, summary

ADVANCED = """\
$schema: http://azureml/sdk-2-0/Schedule.json
name: loan_monitoring
trigger:
  type: recurrence
  frequency: day
  interval: 1
  schedule: {hours: 4, minutes: 30}
create_monitor:
  compute: {instance_type: standard_e4s_v3, runtime_version: "3.4"}
  monitoring_target:
    ml_task: classification
    endpoint_deployment_id: azureml:loan-endpoint:blue
  monitoring_signals:
    feature_drift:
      type: data_drift
      features: {top_n_feature_importance: 5}
      metric_thresholds:
        numerical:
          jensen_shannon_distance: 0.02
        categorical:
          pearsons_chi_squared_test: 0.05
    quality:
      type: data_quality
    performance:
      type: model_performance
      metric_thresholds:
        tabular_classification:
          accuracy: 0.9
    attribution:
      type: feature_attribution_drift
      metric_thresholds:
        normalized_discounted_cumulative_gain: 0.85
  alert_notification:
    emails:
      - credit-ml@example.com
"""
OUT_OF_BOX = """\
name: churn_basic
trigger: {type: cron, expression: "15 3 * * *"}
create_monitor:
  monitoring_target:
    ml_task: regression
    endpoint_deployment_id: azureml:churn-endpoint:main
"""
CUSTOM = """\
name: custom_signal_monitor
trigger: {type: recurrence, frequency: week, interval: 1}
create_monitor:
  monitoring_signals:
    my_signal:
      type: custom
      component_id: azureml:my_custom_signal:1.0.0
      alert_enabled: false
      metric_thresholds:
        - metric_name: std_deviation
          threshold: 2
        - metric_name: row_count
  alert_notification:
    emails: [ops@example.com]
"""
DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: loan-endpoint
model: azureml:loan-approval:7
instance_type: Standard_DS3_v2
"""
JOB_SCHEDULE = """\
name: nightly_training
trigger: {type: cron, expression: "0 1 * * *"}
create_job: ./train.yml
"""
FILES = {
    "monitoring/advanced.yaml": ADVANCED,
    "monitoring/out-of-box.yml": OUT_OF_BOX,
    "monitoring/custom.yaml": CUSTOM,
    "deploy/blue.yaml": DEPLOYMENT,
    "schedules/train.yml": JOB_SCHEDULE,
}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root: Path = build_repo(tmp_path_factory.mktemp("azureml"), FILES)
    return {r.fields["file"]: r for r in monitors(root)}


def test_only_monitor_schedules_are_monitors(found: dict[str, object]) -> None:
    assert sorted(found) == [
        "monitoring/advanced.yaml",
        "monitoring/custom.yaml",
        "monitoring/out-of-box.yml",
    ]


def test_every_metric_threshold_is_a_signal(found: dict[str, object]) -> None:
    assert summary(found["monitoring/advanced.yaml"]) == {
        "platform": "azureml",
        "name": "loan_monitoring",
        "at": "monitoring/advanced.yaml:8",
        "target": "loan-endpoint",
        "signals": [
            ("data_drift", "jensen_shannon_distance", {"max": 0.02}, 14),
            ("data_drift", "pearsons_chi_squared_test", {"max": 0.05}, 14),
            ("data_quality", None, None, 22),  # AzureML's default thresholds apply
            ("performance", "accuracy", {"min": 0.9}, 24),
            (
                "feature_attribution_drift",
                "normalized_discounted_cumulative_gain",
                {"min": 0.85},
                29,
            ),
        ],
        "alerts": [("email", "credit-ml@example.com", "breach")],
    }


def test_target_resolved_through_the_deployment(found: dict[str, object]) -> None:
    f = found["monitoring/advanced.yaml"].fields  # type: ignore[attr-defined]
    assert plain(f["target"]) == {
        "ref": "azureml:loan-endpoint:blue",
        "kind": "endpoint_deployment",
        "name": "loan-endpoint",
        "model": "loan-approval",
        "version": "7",
        "registry": "azureml",
        "has_variables": False,
    }
    assert f["target"].mark.line == 12
    assert f["signals"][0]["threshold"].value_marks["max"].line == 19
    assert plain(f["schedule"]) == {"raw": "every 1 day", "kind": "recurrence"}
    assert f["group"]["key"] == "model:loan-approval"


def test_out_of_box_monitor_runs_the_default_signals(found: dict[str, object]) -> None:
    res = found["monitoring/out-of-box.yml"]
    assert summary(res) == {
        "platform": "azureml",
        "name": "churn_basic",
        "at": "monitoring/out-of-box.yml:3",
        "target": "churn-endpoint",
        "signals": [
            ("data_drift", None, None, 3),
            ("prediction_drift", None, None, 3),
            ("data_quality", None, None, 3),
        ],
        "alerts": [],
    }
    f = res.fields  # type: ignore[attr-defined]
    assert all(s["default"] for s in f["signals"])
    assert plain(f["schedule"]) == {"raw": "15 3 * * *", "kind": "cron"}
    assert "model" not in f["target"]  # the endpoint's deployment is not in the repository


def test_custom_signal_without_target_and_alerting_off(found: dict[str, object]) -> None:
    res = found["monitoring/custom.yaml"]
    assert summary(res) == {
        "platform": "azureml",
        "name": "custom_signal_monitor",
        "at": "monitoring/custom.yaml:3",
        "target": None,
        "signals": [
            ("custom", "std_deviation", {"max": 2}, 5),
            ("custom", "row_count", None, 5),
        ],
        "alerts": [("email", "ops@example.com", "disabled")],
    }
    assert res.fields["target"]["kind"] == "none"  # type: ignore[attr-defined]
