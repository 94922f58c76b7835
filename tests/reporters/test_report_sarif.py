from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft7Validator

from govcheck.fingerprints import KEY as FINGERPRINT_KEY
from govcheck.fingerprints import fingerprint_base
from govcheck.model import Finding, Location, RepoInfo, Report
from govcheck.redact import bare_remote_uri
from govcheck.reporters import sarif
from govcheck.reporters.sarif_locations import artifact_uri, root_uri


def _errors(validator: Any, log: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


@pytest.fixture(scope="module")
def validators(vendor: Path) -> list[Any]:
    oasis = json.loads((vendor / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    store = json.loads((vendor / "sarif-2.1.0.schemastore.json").read_text(encoding="utf-8"))
    return [
        Draft4Validator(oasis, format_checker=Draft4Validator.FORMAT_CHECKER),
        Draft7Validator(store, format_checker=Draft7Validator.FORMAT_CHECKER),
    ]


def _log(report: Report) -> dict[str, Any]:
    return json.loads(sarif.render(report))


def test_valid_against_both_schemas(
    report: Report, empty_report: Report, baselined_report: Report, validators: list[Any]
) -> None:
    for r in (report, empty_report, baselined_report):
        for v in validators:
            assert _errors(v, _log(r)) == []


def test_schemas_catch_a_broken_log(report: Report, validators: list[Any]) -> None:
    log = _log(report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert all(_errors(v, log) for v in validators)


def test_driver_and_rules(report: Report) -> None:
    driver = _log(report)["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == (
        "govcheck",
        "0.1.0",
        "0.1.0",
    )
    assert driver["informationUri"] == "https://github.com/govcheck/govcheck"
    assert [r["id"] for r in driver["rules"]] == [r.id for r in report.rules]
    card = driver["rules"][0]
    assert card["shortDescription"]["text"] == "Model directories have a model card"
    assert card["help"]["markdown"].startswith("**Fix**")
    assert card["defaultConfiguration"] == {"level": "error"}
    assert card["properties"]["tags"] == [
        "eu-ai-act/art-11",
        "nist-ai-rmf/map-4.1",
        "iso-42001/a.6.2.7",
    ]
    assert "helpUri" not in driver["rules"][3]  # GC-EXP-001 has none


def test_rules_deduplicated_and_tags_capped(report: Report) -> None:
    many = replace(report.rules[0], tags=tuple(f"t{i}" for i in range(30)))
    log = _log(replace(report, rules=(many, *report.rules)))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(report.rules) and len(rules[0]["properties"]["tags"]) == 20
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_locations(report: Report) -> None:
    results = _log(report)["runs"][0]["results"]
    card = results[0]["locations"][0]["physicalLocation"]
    assert card == {
        "artifactLocation": {"uri": "models/fraud/MODEL_CARD.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 1},
    }
    directory = results[1]["locations"][0]["physicalLocation"]
    assert "region" not in directory  # never a made-up line 1
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "configs/europ%C3%A9en%20data.yaml"
    )
    mlflow = results[5]["locations"][0]
    assert mlflow["physicalLocation"]["region"] == {"startLine": 9, "startColumn": 3}
    assert mlflow["logicalLocations"] == [
        {"name": "4f2a9c", "fullyQualifiedName": "mlflow:run/4f2a9c", "kind": "resource"}
    ]


def test_run_metadata(report: Report) -> None:
    run = _log(report)["runs"][0]
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": "file:///srv/checkouts/ml%20platform/"}
    }
    assert run["automationDetails"] == {"id": "govcheck/"}
    assert run["versionControlProvenance"][0]["revisionId"] == report.repo.head
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert (invocation["startTimeUtc"], invocation["endTimeUtc"]) == (
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:06Z",
    )
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert texts[0] == "Skipped GC-REG-001, GC-REG-002: no registered models in the MLflow snapshot"
    assert len(texts) == 4
    assert invocation["properties"]["checked"]["data_reference"] == 3
    assert invocation["properties"]["emptyScope"] == [report.empty_scope[0]]


def test_suppressions(report: Report) -> None:
    results = _log(report)["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["GC-EXP-001"]["suppressions"][0]["kind"] == "inSource"
    external = by_rule["GC-MON-001"]["suppressions"][0]
    assert (external["kind"], external["justification"]) == (
        "external",
        "Retired model, removed in Q1",
    )
    expired = results[3]
    assert (
        "suppressions" not in expired
        and "Waiver expired on 2024-06-30" in expired["message"]["text"]
    )


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://user:s3cret@github.com/acme/x.git", "https://github.com/acme/x.git"),
        ("https://ghp_token@github.com/acme/x.git?token=abc#frag", "https://github.com/acme/x.git"),
        ("git@github.com:acme/x.git", "ssh://github.com/acme/x.git"),
        ("ssh://git@host:2222/acme/x.git", "ssh://host:2222/acme/x.git"),
        ("https://github.com/acme/x.git", "https://github.com/acme/x.git"),
    ],
)
def test_credentials_stripped(url: str, clean: str, report: Report) -> None:
    assert bare_remote_uri(url) == clean
    log = _log(replace(report, repo=replace(report.repo, remote_url=url)))
    assert log["runs"][0]["versionControlProvenance"][0]["repositoryUri"] == clean
    assert "s3cret" not in json.dumps(log) and "ghp_token" not in json.dumps(log)


def test_no_provenance_without_remote(empty_report: Report) -> None:
    assert "versionControlProvenance" not in _log(empty_report)["runs"][0]


def test_uri_helpers() -> None:
    assert artifact_uri("a b/c#d?.yaml") == "a%20b/c%23d%3F.yaml"
    assert artifact_uri("c:d/x.yaml") == "c%3Ad/x.yaml"  # never read as a scheme
    assert root_uri("/srv/repo") == "file:///srv/repo/"


def test_fingerprint_ignores_line_number(report: Report) -> None:
    shifted = tuple(
        replace(f, location=replace(f.location, line=f.location.line + 7))
        if f.location and f.location.line
        else f
        for f in report.findings
    )
    before = [r["partialFingerprints"] for r in _log(report)["runs"][0]["results"]]
    after = [
        r["partialFingerprints"]
        for r in _log(replace(report, findings=shifted))["runs"][0]["results"]
    ]
    assert before == after
    assert len({fp[FINGERPRINT_KEY] for fp in before}) == len(before)


def test_fingerprint_follows_content(report: Report) -> None:
    f = report.findings[2]
    assert fingerprint_base(f) != fingerprint_base(
        replace(f, location=replace(f.location, snippet="s3://other"))
    )
    assert fingerprint_base(f) != fingerprint_base(replace(f, rule_id="GC-DATA-009"))


def test_fingerprint_of_a_directory_or_entity_ignores_where_it_is_shown(report: Report) -> None:
    legacy = report.findings[6]  # GC-MON-001 about models/legacy-churn, shown at its README
    moved = replace(legacy, location=Location("models/legacy-churn/MODEL_CARD.md"))
    assert fingerprint_base(moved) == fingerprint_base(legacy)
    run = report.findings[5]  # an MLflow run, anchored at the config's mlflow: line
    assert fingerprint_base(replace(run, location=Location(".govcheck.yml", 30, 1))) == (
        fingerprint_base(run)
    )
    other = replace(run, entity="mlflow:run/ffff", resource_id="mlflow:run/ffff")
    assert fingerprint_base(other) != fingerprint_base(run)


def test_identical_findings_get_occurrence_counters(report: Report) -> None:
    twin = report.findings[1]
    log = _log(replace(report, findings=(twin, twin, twin)))
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"]]
    base = fingerprint_base(twin)
    assert prints == [f"{base}:1", f"{base}:2", f"{base}:3"]


def test_location_falls_back_to_rule_source(report: Report) -> None:
    # GC-RUN-001 is defined at policies/team.yaml:14:3; a finding with no place points there.
    finding = replace(report.findings[5], location=None)
    result = _log(replace(report, findings=(finding,)))["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "policies/team.yaml"
    assert physical["region"] == {"startLine": 14, "startColumn": 3}


def test_result_cap(report: Report, validators: list[Any]) -> None:
    base = report.findings
    bulk = [replace(base[0], message=f"finding {i}") for i in range(sarif.MAX_RESULTS)]
    findings = (*bulk, base[4], base[5])  # one waived, one note beyond the cap
    log = sarif.sarif_log(replace(report, findings=findings))
    results = log["runs"][0]["results"]
    assert len(results) == sarif.MAX_RESULTS
    assert not any("suppressions" in r for r in results)  # the waived one went first
    note = log["runs"][0]["invocations"][0]["toolExecutionNotifications"][-1]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith("2 of 25002 results omitted")


def test_small_cap_keeps_most_severe(report: Report) -> None:
    log = sarif.sarif_log(report, max_results=2)
    assert [r["level"] for r in log["runs"][0]["results"]] == ["error", "error"]


def test_finding_for_unlisted_rule_gets_a_descriptor(report: Report, validators: list[Any]) -> None:
    stray = Finding(
        "ACME-9", "stray-rule", "warning", "m", Location("x.yaml", 1, 1), "file", "x.yaml"
    )
    log = _log(replace(report, findings=(stray,)))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[log["runs"][0]["results"][0]["ruleIndex"]]["id"] == "ACME-9"
    for v in validators:
        assert _errors(v, log) == []


def test_repo_without_head_or_branch() -> None:
    report = Report("0.1.0", RepoInfo("/r", None, None, "https://example.com/r.git"), (), ())
    assert _log(report)["runs"][0]["versionControlProvenance"] == [
        {"repositoryUri": "https://example.com/r.git", "mappedTo": {"uriBaseId": "%SRCROOT%"}}
    ]


def test_baseline_state_on_every_result(baselined_report: Report, report: Report) -> None:
    run = _log(baselined_report)["runs"][0]
    states = [(r["ruleId"], r["baselineState"]) for r in run["results"]]
    assert states == [
        ("GC-CARD-002", "unchanged"),
        ("GC-CARD-001", "unchanged"),
        ("GC-DATA-001", "new"),
        ("GC-DATA-001", "new"),
        ("GC-EXP-001", "unchanged"),
        ("GC-RUN-001", "unchanged"),
        ("GC-MON-001", "new"),
        ("GC-DATA-001", "absent"),  # fixed since the baseline, reported once, last
    ]
    fixed = run["results"][-1]
    assert fixed["partialFingerprints"] == {FINGERPRINT_KEY: "5" * 64 + ":1"}
    assert fixed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "configs/old.yaml"
    )
    # The fingerprints SARIF carries are the ones the baseline matched on.
    assert [r["partialFingerprints"][FINGERPRINT_KEY] for r in run["results"][:-1]] == [
        f.fingerprint for f in baselined_report.findings
    ]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[-1]["message"]["text"].startswith("Baseline commit 89abcdef0123: 3 findings")
    # Without a baseline, no result claims a baseline state.
    assert all("baselineState" not in r for r in _log(report)["runs"][0]["results"])
