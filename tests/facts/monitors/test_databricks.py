"""Databricks quality monitors in Asset Bundles, with the alerts and jobs that threshold
their metrics, and only in files the bundle deploys."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import make_facts

from .common import build_repo, monitors, plain, summary

ROOT = """\
bundle:
  name: fraud_stack
variables:
  catalog: {default: main}
include:
  - resources/*.yml
targets:
  dev: {default: true}
  prod:
    variables: {catalog: prod}
"""
MONITORS = """\
resources:
  quality_monitors:
    fraud_inference:
      table_name: ${var.catalog}.fraud.scores_payload
      output_schema_name: ${var.catalog}.fraud
      assets_dir: /Workspace/Users/${workspace.current_user.userName}/monitoring
      inference_log:
        granularities: [1 day]
        model_id_col: model_version
        prediction_col: prediction
        label_col: is_fraud
        problem_type: PROBLEM_TYPE_CLASSIFICATION
        timestamp_col: ts
      slicing_exprs: ["age_band", "region"]
      schedule:
        quartz_cron_expression: 0 0 6 * * ?
        timezone_id: UTC
      notifications:
        on_failure:
          email_addresses: [platform@example.com]
    churn_features:
      table_name: main.churn.features
      time_series: {granularities: [1 day], timestamp_col: ts}
      custom_metrics:
        - name: avg_tenure_shift
          type: CUSTOM_METRIC_TYPE_DRIFT
          definition: "{{current_df}}.avg - {{base_df}}.avg"
          input_columns: [tenure]
          output_data_type: double
"""
CHECKS = """\
resources:
  alerts:
    fraud_drift:
      display_name: Fraud feature drift
      query_text: |
        SELECT max(js_distance) AS js FROM ${var.catalog}.fraud.scores_payload_drift_metrics
      evaluation:
        comparison_operator: GREATER_THAN
        source: {name: js, aggregation: MAX}
        threshold:
          value: {double_value: 0.2}
        notification:
          subscriptions:
            - user_email: fraud-ml@example.com
  jobs:
    quality_check:
      name: fraud-quality-check
      tasks:
        - task_key: check
          notebook_task:
            notebook_path: ../monitoring/check.py
            base_parameters:
              table_name_under_monitor: ${var.catalog}.fraud.scores_payload
              metric_to_monitor: f1_score
              metric_violation_threshold: 0.7
  model_serving_endpoints:
    fraud_endpoint:
      name: fraud-scoring
      config:
        served_entities:
          - entity_name: ${var.catalog}.fraud.fraud_model
            entity_version: "3"
        auto_capture_config:
          catalog_name: ${var.catalog}
          schema_name: fraud
          table_name_prefix: scores
"""
NOT_INCLUDED = """\
resources:
  quality_monitors:
    draft:
      table_name: main.x.y
      snapshot: {}
"""
FILES = {
    "databricks.yml": ROOT,
    "resources/monitoring.yml": MONITORS,
    "resources/checks.yml": CHECKS,
    "drafts/monitor.yml": NOT_INCLUDED,
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repo(tmp_path_factory.mktemp("databricks"), FILES)


@pytest.fixture(scope="module")
def found(repo: Path) -> dict[str, object]:
    return {r.fields["name"]: r for r in monitors(repo)}


def test_only_deployed_monitors(repo: Path, found: dict[str, object]) -> None:
    assert sorted(found) == ["churn_features", "fraud_inference"]
    facts = make_facts(repo)
    facts.resources("monitor")
    assert facts.notices == [
        "drafts/monitor.yml: quality monitors no bundle includes (never deployed)"
    ]


def test_thresholds_come_from_alerts_and_checks(found: dict[str, object]) -> None:
    res = found["fraud_inference"]
    assert summary(res) == {
        "platform": "databricks",
        "name": "fraud_inference",
        "at": "resources/monitoring.yml:3",
        "target": "${var.catalog}.fraud.scores_payload",
        "signals": [
            ("bias", "fairness_metrics", None, 14),
            ("data_drift", "js", {"max": 0.2}, 3),
            ("performance", "f1_score", {"value": 0.7}, 25),
        ],
        # a refresh failure is not a breach
        "alerts": [
            ("email", "fraud-ml@example.com", "breach"),
            ("email", "platform@example.com", "failure"),
        ],
    }
    f = res.fields  # type: ignore[attr-defined]
    assert plain(f["target"]) == {
        "ref": "${var.catalog}.fraud.scores_payload",
        "kind": "table",
        "name": "${var.catalog}.fraud.scores_payload",  # main in dev, prod in prod
        "model": "${var.catalog}.fraud.fraud_model",
        "version": "3",
        "registry": "mlflow",
        "has_variables": True,
    }
    assert plain(f["schedule"]) == {"raw": "0 0 6 * * ?", "kind": "quartz"}
    assert f["alerts"][0].mark.path == "resources/checks.yml"
    assert "resources/checks.yml" in res.touches  # type: ignore[attr-defined]


def test_a_monitor_nothing_thresholds(found: dict[str, object]) -> None:
    res = found["churn_features"]
    assert summary(res) == {
        "platform": "databricks",
        "name": "churn_features",
        "at": "resources/monitoring.yml:21",
        "target": "main.churn.features",
        "signals": [
            ("data_drift", "drift_metrics", None, 21),
            ("data_quality", "profile_metrics", None, 21),
            ("data_drift", "avg_tenure_shift", None, 25),
        ],
        "alerts": [],
    }
