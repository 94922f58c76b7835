"""READERS: every monitoring platform govcheck reads, with its reader.

Read top to bottom, this is the list of platforms. Each reader takes the check's Facts and
returns the Monitors it found (facts/monitors/shape.py); the provider runs them all once.
"""

from __future__ import annotations

from collections.abc import Callable

from govcheck.facts.base import Facts
from govcheck.facts.monitors import azureml, databricks, native, prometheus, sagemaker, vertex
from govcheck.facts.monitors.shape import Monitor

Reader = Callable[[Facts], list[Monitor]]

READERS: dict[str, Reader] = {
    "govcheck": native.read,  # models/*/monitoring.yaml
    "azureml": azureml.read,  # CLI v2 schedules with create_monitor:
    "sagemaker": sagemaker.read,  # MonitoringSchedule in CloudFormation, alarms, SNS
    "vertex": vertex.read,  # monitoring job specs, gcloud ai model-monitoring-jobs create
    "databricks": databricks.read,  # quality_monitors in the files an Asset Bundle deploys
    "prometheus": prometheus.read,  # alerting rules on model services, via Alertmanager
}
