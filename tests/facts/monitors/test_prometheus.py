"""Prometheus alerting rules on model services as monitors, their alerts routed through
the repository's Alertmanager config."""

from __future__ import annotations

from pathlib import Path

import pytest

from .common import build_repo, monitors, plain, summary

RULES = """\
groups:
  - name: fraud-model
    interval: 1m
    rules:
      - alert: FraudModelLatencyHigh
        expr: histogram_quantile(0.99, sum(rate(request_predict_seconds_bucket{model_name="fraud-detector"}[5m])) by (le)) > 0.5
        for: 10m
        labels: {severity: page}
      - alert: FraudFeatureDrift
        expr: max(evidently_drift_share{model_name="fraud-detector"}) >= 0.3
        labels: {severity: ticket, team: fraud}
      - alert: FraudModelDown
        expr: absent(up{model_name="fraud-detector"})
      - record: job:predictions:rate5m
        expr: sum(rate(predictions_total[5m]))
  - name: cluster
    rules:
      - alert: NodeCPU
        expr: avg(rate(node_cpu_seconds_total{mode!="idle"}[5m])) > 0.9
      - alert: OperatorQueue
        expr: workqueue_depth{name="seldon"} > 10
"""
CRD = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: seldon-rules}
spec:
  groups:
    - name: seldon
      rules:
        - alert: SeldonErrors
          expr: sum(rate(seldon_api_executor_server_requests_seconds_count{code!="200"}[5m])) > 1
          labels: {severity: page}
"""
ALERTMANAGER = """\
route:
  receiver: blackhole
  routes:
    - matchers: ['severity="page"']
      receiver: oncall
    - match_re: {alertname: '.*Drift.*'}
      receiver: ml-team
      continue: true
    - match: {team: fraud}
      receiver: fraud-mail
receivers:
  - name: blackhole
  - name: oncall
    pagerduty_configs:
      - routing_key: abc123secret
  - name: ml-team
    slack_configs:
      - channel: '#ml-alerts'
        api_url: https://hooks.slack.com/services/T000/B000/secret
  - name: fraud-mail
    email_configs:
      - to: fraud-ml@example.com
"""
CHARM_RULES = """\
groups:
- name: seldon-operator
  rules:
  - alert: SeldonWorkqueueRetries
    expr: rate(workqueue_retries_total[10m]) > 0
- name: churn-serving
  rules:
  - alert: ChurnPredictionsStalled
    expr: sum(rate(seldon_api_executor_client_requests_seconds_count{model_name="churn"}[15m])) < 1
"""
FILES = {
    "ops/prometheus/model-rules.yml": RULES,
    # named for Prometheus rather than YAML; an operator's health is not a model's
    "charm/src/prometheus_alert_rules/seldon.rules": CHARM_RULES,
    "deploy/seldon-rules.yaml": CRD,
    "ops/alertmanager.yml": ALERTMANAGER,
}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root: Path = build_repo(tmp_path_factory.mktemp("prometheus"), FILES)
    return {r.fields["name"]: r for r in monitors(root)}


def test_only_model_rules_make_monitors(found: dict[str, object]) -> None:
    assert sorted(found) == ["churn-serving (churn)", "fraud-model (fraud-detector)", "seldon"]


def test_rules_are_signals_routed_by_alertmanager(found: dict[str, object]) -> None:
    res = found["fraud-model (fraud-detector)"]
    assert summary(res) == {
        "platform": "prometheus",
        "name": "fraud-model (fraud-detector)",
        "at": "ops/prometheus/model-rules.yml:2",
        "target": "fraud-detector",
        "signals": [
            ("latency", "request_predict_seconds_bucket", {"max": 0.5}, 5),
            ("data_drift", "evidently_drift_share", {"max": 0.3}, 9),
            ("errors", "up", {"condition": 'absent(up{model_name="fraud-detector"})'}, 12),
        ],
        # page -> oncall; the drift rule -> ml-team and (continue) fraud-mail; the
        # last rule matches no route and goes to the root's receiver, which has no configs
        "alerts": [
            ("pagerduty", "pagerduty", "breach"),
            ("slack", "#ml-alerts", "breach"),
            ("email", "fraud-ml@example.com", "breach"),
        ],
    }
    f = res.fields  # type: ignore[attr-defined]
    assert plain(f["target"])["model"] == "fraud-detector"
    assert f["set_elsewhere"] == []
    assert plain(f["schedule"]) == {"raw": "1m", "kind": "interval"}
    assert "ops/alertmanager.yml" in res.touches  # type: ignore[attr-defined]
    assert "secret" not in repr(plain(f["alerts"]))


def test_a_rule_without_a_model_label(found: dict[str, object]) -> None:
    res = found["seldon"]
    assert summary(res)["signals"] == [
        ("errors", "seldon_api_executor_server_requests_seconds_count", {"max": 1.0}, 8)
    ]
    assert summary(res)["alerts"] == [("pagerduty", "pagerduty", "breach")]
    assert res.fields["set_elsewhere"] == ["target"]  # type: ignore[attr-defined]


def test_without_alertmanager_alerts_are_set_elsewhere(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = build_repo(tmp_path_factory.mktemp("no-am"), {"rules.yml": RULES})
    [res] = monitors(root)
    assert res.fields["set_elsewhere"] == ["alerts"]
    assert res.fields["alerts"] == []
