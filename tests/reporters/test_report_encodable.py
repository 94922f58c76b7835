"""Lone surrogates (from a JSON file's `\\ud800`, a file name that is not UTF-8, an MLflow
server) reach reports as escapes, in every format, never as an encoding error."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from govcheck.model import Finding, Location, Report
from govcheck.reporters import REPORTERS
from govcheck.reporters.common import encodable

LONE = "\ud800"


def _hostile(report: Report) -> Report:
    first = report.findings[0]
    bad = replace(
        first,
        message=f"value {LONE} is not pinned",
        location=Location(f"conf/{LONE}.json", 3, 7, snippet=f"s3://b/{LONE}"),
        resource_id=f"conf/{LONE}.json:3:7",
    )
    entity = Finding(
        rule_id=first.rule_id,
        rule_name=first.rule_name,
        severity="error",
        message=f"model {LONE} has no description",
        location=None,
        resource_kind="mlflow_registered_model",
        resource_id=f"mlflow:registered_model/{LONE}",
        entity=f"mlflow:registered_model/{LONE}",
    )
    return replace(
        report, findings=(bad, entity, *report.findings[1:]), notices=(f"{LONE}.yaml: note",)
    )


@pytest.mark.parametrize("fmt", list(REPORTERS))
def test_every_format_shows_lone_surrogates_escaped(report: Report, fmt: str) -> None:
    out = REPORTERS[fmt](_hostile(report))
    out.encode("utf-8")  # what writing it to a file or a pipe does
    assert "\\ud800" in out and LONE not in out
    if fmt in ("json", "sarif"):
        json.loads(out)  # `\ud800` inside a JSON string is a valid escape
    if fmt == "junit":
        ET.fromstring(out)


def test_encodable_shares_what_needs_no_change(report: Report) -> None:
    assert encodable(report) is report
    hostile = _hostile(report)
    clean = encodable(hostile)
    assert clean.findings[0].message == "value \\ud800 is not pinned"
    assert clean.findings[2] is hostile.findings[2] and clean.rules is hostile.rules


def test_a_snapshot_with_lone_surrogates_reports_in_every_format(make_repo) -> None:  # type: ignore[no-untyped-def]
    from govcheck.check import CheckOptions, run

    snapshot = json.dumps(
        {
            "format": "govcheck-mlflow-snapshot",
            "version": 1,
            "recorded_at": "2026-01-01T00:00:00Z",
            "tracking_uri": "https://mlflow.example.com",
            "scope": {"experiments": [], "runs_since_days": None},
            "experiments": [
                {
                    "experiment_id": "1",
                    "name": f"Fraud {LONE}",
                    "tags": {},
                    "lifecycle_stage": "active",
                    "creation_time": None,
                    "run_count": 0,
                }
            ],
            "runs": [],
            "registered_models": [
                {"name": f"m{LONE}", "description": "", "tags": {}, "aliases": []}
            ],
            "model_versions": [],
        }
    )  # json.dumps writes `\ud800`: the file itself is valid UTF-8
    repo = make_repo({".govcheck/mlflow.json": snapshot})
    report = run(
        CheckOptions(
            repo=str(repo),
            mlflow_snapshot=str(repo / ".govcheck/mlflow.json"),
            select=("GC-EXP-010", "GC-REG-001"),
        )
    )
    assert {f.rule_id for f in report.findings} == {"GC-EXP-010", "GC-REG-001"}
    for fmt, render in REPORTERS.items():
        out = render(report)
        out.encode("utf-8")
        assert "\\ud800" in out, fmt
