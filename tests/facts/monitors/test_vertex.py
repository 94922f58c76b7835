"""Vertex AI model monitoring jobs: specs in YAML/JSON and gcloud command lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .common import build_repo, monitors, plain, summary

# The shape of `gcloud ai model-monitoring-jobs describe` output.
DESCRIBED = """\
displayName: churn-monitoring
endpoint: projects/123/locations/us-central1/endpoints/4567
modelDeploymentMonitoringObjectiveConfigs:
- deployedModelId: '8910'
  objectiveConfig:
    trainingDataset:
      bigquerySource: {inputUri: bq://project.dataset.train}
      targetField: churned
    trainingPredictionSkewDetectionConfig:
      skewThresholds:
        tenure: {value: 0.3}
        plan: {value: 0.2}
    predictionDriftDetectionConfig:
      defaultDriftThreshold: {value: 0.25}
modelDeploymentMonitoringScheduleConfig:
  monitorInterval: 3600s
modelMonitoringAlertConfig:
  emailAlertConfig:
    userEmails:
    - churn-ml@example.com
  notificationChannels:
  - projects/123/notificationChannels/42
"""
# Only the objectives: endpoint and emails are flags of the command that names the file.
OBJECTIVES = """\
modelDeploymentMonitoringObjectiveConfigs:
- deployedModelId: '111'
  objectiveConfig:
    predictionDriftDetectionConfig:
      driftThresholds:
        amount: {value: 0.4}
"""
SCRIPT = """\
#!/bin/bash
set -euo pipefail
gcloud ai model-monitoring-jobs create \\
  --project="$PROJECT" --region=us-central1 \\
  --display-name=fraud-monitoring \\
  --endpoint="$ENDPOINT_ID" \\
  --emails=fraud-ml@example.com \\
  --monitoring-config-from-file=monitoring/objectives.yaml
"""
WORKFLOW = """\
name: monitor
on: workflow_dispatch
jobs:
  create:
    runs-on: ubuntu-latest
    steps:
      - run: |
          gcloud beta ai model-monitoring-jobs create --display-name=ranker-mon \\
            --endpoint=8888 --prediction-sampling-rate=0.5 \\
            --feature-thresholds=query_length=0.3,clicks --target-field=label \\
            --bigquery-uri=bq://p.d.train
"""
SNAKE = {
    "display_name": "orphan-objectives",
    "model_deployment_monitoring_objective_configs": [
        {"objective_config": {"prediction_drift_detection_config": {}}}
    ],
}
FILES = {
    "monitoring/churn-job.yaml": DESCRIBED,
    "monitoring/objectives.yaml": OBJECTIVES,
    "scripts/create_monitor.sh": SCRIPT,
    ".github/workflows/monitor.yml": WORKFLOW,
    "monitoring/orphan.json": json.dumps(SNAKE, indent=2),
}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root: Path = build_repo(tmp_path_factory.mktemp("vertex"), FILES)
    return {r.fields["name"]: r for r in monitors(root)}


def test_monitors_found(found: dict[str, object]) -> None:
    assert sorted(found) == [
        "churn-monitoring",
        "fraud-monitoring",
        "orphan-objectives",
        "ranker-mon",
    ]


def test_a_job_spec(found: dict[str, object]) -> None:
    res = found["churn-monitoring"]
    assert summary(res) == {
        "platform": "vertex",
        "name": "churn-monitoring",
        "at": "monitoring/churn-job.yaml:3",
        "target": "4567",
        "signals": [
            ("data_drift", "skew", {"max": 0.3}, 11),
            ("data_drift", "skew", {"max": 0.2}, 12),
            ("data_drift", "drift", {"max": 0.25}, 14),
        ],
        "alerts": [
            ("email", "churn-ml@example.com", "breach"),
            ("gcp_notification_channel", "projects/123/notificationChannels/42", "breach"),
        ],
    }
    f = res.fields  # type: ignore[attr-defined]
    assert [s["feature"] for s in f["signals"][:2]] == ["tenure", "plan"]
    assert plain(f["schedule"]) == {"raw": "3600s", "kind": "interval"}
    assert f["set_elsewhere"] == []


def test_a_command_reads_the_file_it_names(found: dict[str, object]) -> None:
    res = found["fraud-monitoring"]
    assert summary(res) == {
        "platform": "vertex",
        "name": "fraud-monitoring",
        "at": "scripts/create_monitor.sh:3",
        "target": "$ENDPOINT_ID",
        "signals": [("data_drift", "drift", {"max": 0.4}, 6)],
        "alerts": [("email", "fraud-ml@example.com", "breach")],
    }
    f = res.fields  # type: ignore[attr-defined]
    assert f["target"]["has_variables"] is True
    assert res.touches == ("scripts/create_monitor.sh", "monitoring/objectives.yaml")  # type: ignore[attr-defined]


def test_a_command_in_a_workflow(found: dict[str, object]) -> None:
    assert summary(found["ranker-mon"]) == {
        "platform": "vertex",
        "name": "ranker-mon",
        "at": ".github/workflows/monitor.yml:8",
        "target": "8888",
        "signals": [
            ("data_drift", "skew", {"max": 0.3}, 8),
            ("data_drift", "skew", None, 8),
        ],
        "alerts": [],
    }


def test_objectives_no_command_names(found: dict[str, object]) -> None:
    res = found["orphan-objectives"]
    f = res.fields  # type: ignore[attr-defined]
    assert summary(res)["signals"] == [("data_drift", "drift", None, 6)]
    assert f["set_elsewhere"] == ["target", "alerts"]
