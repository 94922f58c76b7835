"""What `govcheck publish` would write (publish.py): verdicts from a version's check, and
only the tags that differ from the registry's (the MLflow side: tests/mlflow/
test_publish_server.py)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from govcheck import publish
from govcheck.cli import main
from govcheck.model import Finding, Provenance, RepoInfo, Report, Severity, Waiver

VERDICT = {
    "govcheck.status": "pass",
    "govcheck.errors": "0",
    "govcheck.warnings": "1",
    "govcheck.commit": "a" * 40,
    "govcheck.policy_hash": "b" * 64,
}
RECORDED = {**VERDICT, "govcheck.checked_at": "2026-01-01T00:00:00Z"}


def finding(severity: Severity, waived: bool = False) -> Finding:
    waiver = Waiver("R", "x", "accepted", "external") if waived else None
    return Finding("R", "r", severity, "m", None, "model", "x", waiver=waiver)


def report(*findings: Finding, fail_on: str = "error") -> Report:
    return Report(
        tool_version="0",
        repo=RepoInfo("/r", "a" * 40, "main", None),
        rules=(),
        findings=findings,
        fail_on=fail_on,  # type: ignore[arg-type]
        provenance=Provenance(commit="a" * 40, policy_hash="b" * 64),
    )


def test_a_verdict_fails_on_what_fails_the_check_and_counts_only_active_findings() -> None:
    assert publish.verdict(report(finding("warning"))) == publish.Verdict("pass", 0, 1)
    assert publish.verdict(report(finding("error"), finding("error", True))) == publish.Verdict(
        "fail", 1, 0
    )
    assert publish.verdict(report(finding("error", True))) == publish.Verdict("waived", 0, 0)
    assert publish.verdict(report(finding("warning"), fail_on="warning")).status == "fail"
    assert publish.verdict(report(finding("error"), fail_on="never")).status == "pass"
    tags = publish.version_tags(publish.verdict(report(finding("warning"))), report())
    assert tags == VERDICT


def test_the_same_verdict_again_writes_nothing_whatever_the_time_or_url() -> None:
    assert publish.changes(RECORDED, VERDICT, "2026-02-02T00:00:00Z", "https://ci/2") == {}


def test_a_new_verdict_writes_what_differs_and_a_new_record() -> None:
    current = {**RECORDED, "govcheck.report_url": "https://ci/1"}
    wanted = {**VERDICT, "govcheck.status": "fail", "govcheck.errors": "2"}
    assert publish.changes(current, wanted, "2026-02-02T00:00:00Z", "https://ci/2") == {
        "govcheck.status": "fail",
        "govcheck.errors": "2",
        "govcheck.checked_at": "2026-02-02T00:00:00Z",
        "govcheck.report_url": "https://ci/2",
    }
    # Without a URL, the old report's URL is blanked (never deleted: that needs MANAGE).
    assert (
        publish.changes(current, wanted, "2026-02-02T00:00:00Z", None)["govcheck.report_url"] == ""
    )


def test_a_first_publish_writes_everything_and_a_missing_record_is_completed() -> None:
    first = publish.changes({"owner": "team"}, VERDICT, "2026-02-02T00:00:00Z", None)
    assert first == {**VERDICT, "govcheck.checked_at": "2026-02-02T00:00:00Z"}
    assert publish.changes(VERDICT, VERDICT, "2026-02-02T00:00:00Z", None) == {
        "govcheck.checked_at": "2026-02-02T00:00:00Z"
    }


def test_a_registered_model_is_as_good_as_its_worst_serving_version() -> None:
    tags = publish.model_tags({"production": ("2", "waived"), "champion": ("3", "pass")}, VERDICT)
    assert tags["govcheck.status"] == "waived"
    assert tags["govcheck.serving"] == "champion=3:pass,production=2:waived"
    assert publish.model_tags({"champion": ("3", "fail")}, VERDICT)["govcheck.status"] == "fail"


def test_judged_versions_come_from_checked_pairs_and_findings() -> None:
    base = report(Finding("R", "r", "error", "m", None, "x", "e", "mlflow:model_version/a/b/10"))
    assert publish.judged_versions(base) == [("a/b", "10")]
    assert publish.version_key("mlflow:registered_model/a") is None


def test_publish_without_the_mlflow_client_is_one_line(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo({"README.md": "# r\n"})
    monkeypatch.setitem(sys.modules, "mlflow", None)  # import mlflow raises ImportError
    code = main(["publish", "--repo", str(repo), "--mlflow-uri", "http://127.0.0.1:9"])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "govcheck publish writes through the MLflow client: pip install 'govcheck[mlflow]'"
    ]


def test_publish_needs_a_live_store(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo({"README.md": "# r\n"})
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert main(["publish", "--repo", str(repo), "--dry-run"]) == 2
    assert "needs a live MLflow store to write to" in capsys.readouterr().err
