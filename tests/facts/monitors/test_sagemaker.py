"""SageMaker Model Monitor schedules in CloudFormation (YAML short tags, JSON long form,
CDK output) and create_monitoring_schedule requests, with their CloudWatch alarms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .common import build_repo, monitors, plain, summary

# A SAM template in the shape of AWS's safe-deployment samples: an inline data quality
# job and an alarm on its drift metric that nothing listens to.
SAM = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  ModelName: {Type: String}
  DriftThreshold: {Type: Number}
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ModelName: !Sub churn-${ModelName}
      PrimaryContainer: {Image: example}
  EndpointConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - ModelName: !GetAtt Model.ModelName
          VariantName: main
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: !Sub churn-${ModelName}-prod
      EndpointConfigName: !GetAtt EndpointConfig.EndpointConfigName
  DataSchedule:
    Type: AWS::SageMaker::MonitoringSchedule
    Properties:
      MonitoringScheduleName: churn-data-quality
      EndpointName: !GetAtt Endpoint.EndpointName
      MonitoringScheduleConfig:
        ScheduleConfig:
          ScheduleExpression: cron(0 * ? * * *)
        MonitoringJobDefinition:
          BaselineConfig:
            ConstraintsResource:
              S3Uri: s3://ml-monitoring/churn/baseline/constraints.json
          MonitoringInputs:
            - EndpointInput:
                EndpointName: !GetAtt Endpoint.EndpointName
                LocalPath: /opt/ml/processing/input
  DriftAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: aws/sagemaker/Endpoints/data-metrics
      MetricName: feature_baseline_drift_tenure
      ComparisonOperator: GreaterThanThreshold
      Threshold: !Ref DriftThreshold
      Dimensions:
        - Name: Endpoint
          Value: !GetAtt Endpoint.EndpointName
        - Name: MonitoringSchedule
          Value: !GetAtt DataSchedule.MonitoringScheduleName
  LambdaErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Threshold: 0
"""

# Job definitions for quality and bias on an endpoint defined elsewhere, alarms routed to
# an SNS topic and to a topic passed as a parameter.
JOBS = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  EndpointName: {Type: String, Default: fraud-scoring}
  OnCallTopicArn: {Type: String}
Resources:
  AlertsTopic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: fraud-model-alerts
      Subscription:
        - {Protocol: email, Endpoint: fraud-ml@example.com}
  QualityJob:
    Type: AWS::SageMaker::ModelQualityJobDefinition
    Properties:
      ModelQualityJobInput:
        EndpointInput: {EndpointName: !Ref EndpointName, LocalPath: /opt/ml/input}
      ModelQualityBaselineConfig:
        ConstraintsResource: {S3Uri: s3://ml-monitoring/fraud/quality/constraints.json}
  QualitySchedule:
    Type: AWS::SageMaker::MonitoringSchedule
    Properties:
      MonitoringScheduleName: fraud-model-quality
      MonitoringScheduleConfig:
        MonitoringJobDefinitionName: !GetAtt QualityJob.JobDefinitionName
        MonitoringType: ModelQuality
        ScheduleConfig: {ScheduleExpression: "cron(0 0 ? * * *)"}
  BiasJob:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      ModelBiasJobInput:
        EndpointInput: {EndpointName: !Ref EndpointName, LocalPath: /opt/ml/input}
  BiasSchedule:
    Type: AWS::SageMaker::MonitoringSchedule
    Properties:
      MonitoringScheduleName: fraud-bias
      MonitoringScheduleConfig:
        MonitoringJobDefinitionName: !GetAtt [BiasJob, JobDefinitionName]
        MonitoringType: ModelBias
        ScheduleConfig: {ScheduleExpression: "cron(0 6 ? * * *)"}
  AucAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: aws/sagemaker/Endpoints/model-metrics
      MetricName: auc
      ComparisonOperator: LessThanThreshold
      Threshold: 0.8
      AlarmActions: [!Ref AlertsTopic]
      Dimensions:
        - {Name: Endpoint, Value: !Ref EndpointName}
  BiasAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: aws/sagemaker/Endpoints/bias-metrics
      MetricName: bias_metric_DPPL
      ComparisonOperator: GreaterThanThreshold
      Threshold: 0.1
      AlarmActions:
        - !Ref OnCallTopicArn
        - arn:aws:automate:us-east-1:ec2:stop
      Dimensions:
        - {Name: Endpoint, Value: fraud-scoring}
"""

# CDK-synthesised JSON: long-form intrinsics, an alarm routed to a literal SNS ARN.
CDK = {
    "Resources": {
        "MonitorSchedule1A2B": {
            "Type": "AWS::SageMaker::MonitoringSchedule",
            "Properties": {
                "MonitoringScheduleName": "ranker-data-quality",
                "MonitoringScheduleConfig": {
                    "MonitoringJobDefinition": {
                        "MonitoringInputs": [{"EndpointInput": {"EndpointName": "ranker-prod"}}]
                    },
                    "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                },
            },
            "Metadata": {"aws:cdk:path": "RankerStack/MonitorSchedule/Resource"},
        },
        "DriftAlarm9F3C": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "Namespace": "aws/sagemaker/Endpoints/data-metrics",
                "MetricName": "feature_baseline_drift_query_length",
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "Threshold": 0.3,
                "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:ranker-alerts"],
                "Dimensions": [
                    {"Name": "Endpoint", "Value": "ranker-prod"},
                    {
                        "Name": "MonitoringSchedule",
                        "Value": {"Fn::GetAtt": ["MonitorSchedule1A2B", "MonitoringScheduleName"]},
                    },
                ],
            },
        },
    }
}
REQUEST = {
    "MonitoringScheduleName": "search-explainability",
    "MonitoringScheduleConfig": {
        "MonitoringType": "ModelExplainability",
        "MonitoringJobDefinitionName": "search-explainability-job",
        "ScheduleConfig": {"ScheduleExpression": "cron(0 12 ? * * *)"},
    },
}
FILES = {
    "infra/churn-prod.yml": SAM,
    "infra/fraud-monitoring.yaml": JOBS,
    "cdk.out/RankerStack.template.json": json.dumps(CDK, indent=2),
    "monitoring/schedule-request.json": json.dumps(REQUEST, indent=2),
    "infra/unrelated.yaml": "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root: Path = build_repo(tmp_path_factory.mktemp("sagemaker"), FILES)
    return {r.fields["name"]: r for r in monitors(root)}


def test_every_schedule_is_a_monitor(found: dict[str, object]) -> None:
    assert sorted(found) == [
        "churn-data-quality",
        "fraud-bias",
        "fraud-model-quality",
        "ranker-data-quality",
        "search-explainability",
    ]


def test_inline_job_with_an_alarm_nobody_hears(found: dict[str, object]) -> None:
    res = found["churn-data-quality"]
    assert summary(res) == {
        "platform": "sagemaker",
        "name": "churn-data-quality",
        "at": "infra/churn-prod.yml:22",
        "target": "churn-${ModelName}-prod",
        "signals": [
            (
                "data_drift",
                "DataQuality constraints",
                {"baseline": "s3://ml-monitoring/churn/baseline/constraints.json"},
                30,
            ),
            ("data_drift", "feature_baseline_drift_tenure", {"max": "${DriftThreshold}"}, 38),
        ],
        "alerts": [],
    }
    f = res.fields  # type: ignore[attr-defined]
    assert plain(f["target"]) == {
        "ref": "churn-${ModelName}-prod",
        "kind": "endpoint",
        "name": "churn-${ModelName}-prod",
        "model": "churn-${ModelName}",
        "registry": "sagemaker",
        "has_variables": True,
    }
    assert plain(f["schedule"]) == {"raw": "cron(0 * ? * * *)", "kind": "cron"}
    assert f["signals"][1]["threshold"].value_marks["max"].line == 44


def test_job_definitions_and_routed_alarms(found: dict[str, object]) -> None:
    quality, bias = found["fraud-model-quality"], found["fraud-bias"]
    assert summary(quality)["signals"] == [
        (
            "performance",
            "ModelQuality constraints",
            {"baseline": "s3://ml-monitoring/fraud/quality/constraints.json"},
            25,
        ),
        ("performance", "auc", {"min": 0.8}, 40),
    ]
    assert summary(quality)["alerts"] == [("sns", "fraud-model-alerts", "breach")]
    assert summary(bias)["signals"] == [
        ("bias", "ModelBias constraints", None, 38),
        ("bias", "bias_metric_DPPL", {"max": 0.1}, 50),
    ]
    # a parameter naming the topic routes (known at deploy time); stopping an instance does not
    assert summary(bias)["alerts"] == [("sns", "${OnCallTopicArn}", "breach")]
    assert quality.fields["target"]["name"] == "fraud-scoring"  # type: ignore[attr-defined]
    # Both schedules watch one endpoint: one group, whose signals cover performance and bias.
    group = bias.fields["group"]  # type: ignore[attr-defined]
    assert (group["key"], group["size"]) == ("endpoint:fraud-scoring", 2)
    assert group["signal_types"] == ["bias", "performance"]


def test_cdk_synthesised_json(found: dict[str, object]) -> None:
    res = found["ranker-data-quality"]
    assert summary(res) == {
        "platform": "sagemaker",
        "name": "ranker-data-quality",
        "at": "cdk.out/RankerStack.template.json:3",
        "target": "ranker-prod",
        "signals": [
            ("data_drift", "DataQuality constraints", None, 8),
            ("data_drift", "feature_baseline_drift_query_length", {"max": 0.3}, 26),
        ],
        "alerts": [("sns", "arn:aws:sns:us-east-1:123456789012:ranker-alerts", "breach")],
    }


def test_a_request_document_leaves_alarms_to_its_sender(found: dict[str, object]) -> None:
    res = found["search-explainability"]
    assert summary(res)["signals"] == [
        ("feature_attribution_drift", "ModelExplainability constraints", None, 4)
    ]
    assert res.fields["set_elsewhere"] == ["alerts"]  # type: ignore[attr-defined]
