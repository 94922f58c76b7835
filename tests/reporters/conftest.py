"""One shared report that exercises every kind of finding each reporter must render.

Volatile fields (times, commit) are fixed here, so golden files compare exactly.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from govcheck.errors import Mark
from govcheck.model import (
    Checked,
    Finding,
    Location,
    ModelRow,
    Provenance,
    RepoInfo,
    Report,
    RuleInfo,
    ScopeCount,
    Skipped,
    Waiver,
)

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[2]
# Unchanged third-party schemas (SARIF, JUnit XSDs), vendored in tests/schemas/ (see its README).
VENDOR = ROOT / "tests" / "schemas"

TAGS = ("eu-ai-act/art-11", "nist-ai-rmf/map-4.1", "iso-42001/a.6.2.7")


def _rule(rid: str, name: str, severity: str, resource: str, title: str, **kw: object) -> RuleInfo:
    return RuleInfo(
        id=rid,
        name=name,
        title=title,
        severity=severity,
        resource=resource,
        description=str(kw.get("description", f"{title}. Reviewers rely on it.")),
        help=str(
            kw.get("help", f"**Fix**: make sure that {title.lower()}.\n\n```yaml\nkey: value\n```")
        ),
        help_uri=kw.get(
            "help_uri", f"https://github.com/govcheck/govcheck/blob/main/docs/rules/{rid}.md"
        ),  # type: ignore[arg-type]
        tags=tuple(kw.get("tags", TAGS)),  # type: ignore[arg-type]
        source=kw.get("source", Mark("builtin:model-cards", 15, 5)),  # type: ignore[arg-type]
    )


RULES = (
    _rule(
        "GC-CARD-001",
        "model-card-present",
        "error",
        "directory",
        "Model directories have a model card",
    ),
    _rule(
        "GC-CARD-002",
        "model-card-sections",
        "error",
        "file",
        "Model cards have the required sections",
    ),
    _rule(
        "GC-DATA-001",
        "data-reference-pinned",
        "warning",
        "data_reference",
        "Data references are pinned to a version",
        source=Mark("builtin:data", 24, 5),
        tags=("eu-ai-act/art-10", "nist-ai-rmf/map-2.3"),
    ),
    _rule(
        "GC-EXP-001",
        "experiment-name-convention",
        "warning",
        "experiment_reference",
        "Experiment names follow the convention",
        source=Mark("builtin:experiments", 9, 5),
        help_uri=None,
        tags=(),
    ),
    _rule(
        "GC-RUN-001",
        "run-has-owner",
        "note",
        "mlflow_run",
        "Runs carry an owner",
        source=Mark("policies/team.yaml", 14, 3),
        help="",
        description="",
    ),
    _rule(
        "GC-MON-001",
        "monitoring-config-present",
        "error",
        "directory",
        "Model directories have a monitoring config",
        source=Mark("builtin:monitoring", 9, 5),
    ),
)

EXTERNAL = Waiver(
    rule="monitoring-config-present",
    target="models/legacy-churn",
    reason="Retired model, removed in Q1",
    kind="external",
    expires="2027-01-31",
    approved_by="jane.doe",
    location=Location(".govcheck.yaml", 14, 5),
)
INLINE = Waiver(
    rule="GC-EXP-001",
    target="train.py",
    reason="Legacy name kept for the finance dashboards",
    kind="inSource",
    location=Location("train.py", 7, 1, snippet="# govcheck: ignore[GC-EXP-001]"),
)
EXPIRED = Waiver(
    rule="GC-DATA-001",
    target="configs/*",
    reason="Temporary until the bucket migration",
    kind="external",
    expires="2024-06-30",
    approved_by="sam.lee",
    location=Location(".govcheck.yaml", 20, 5),
)

FINDINGS = (
    Finding(
        "GC-CARD-002",
        "model-card-sections",
        "error",
        "models/fraud/MODEL_CARD.md is missing required sections:\n- limitations\n- ethical considerations",
        Location("models/fraud/MODEL_CARD.md", 3, 1, snippet="# Fraud detector"),
        "file",
        "models/fraud/MODEL_CARD.md",
    ),
    Finding(
        "GC-CARD-001",
        "model-card-present",
        "error",
        "models/churn has no model card (MODEL_CARD.md or README.md)",
        Location("models/churn"),
        "directory",
        "models/churn",
    ),
    Finding(
        "GC-DATA-001",
        "data-reference-pinned",
        "warning",
        "s3://ml-data/fraud/train.parquet is not pinned: 100% mutable | no versionId, use ?versionId=",
        Location("configs/européen data.yaml", 12, 14, snippet="s3://ml-data/fraud/train.parquet"),
        "data_reference",
        "configs/européen data.yaml:12:14",
    ),
    Finding(
        "GC-DATA-001",
        "data-reference-pinned",
        "warning",
        "gs://ml-data/eval.csv is not pinned: branch 'main'",
        Location("configs/eval.yaml", 4, 11, snippet="gs://ml-data/eval.csv"),
        "data_reference",
        "configs/eval.yaml:4:11",
        expired_waiver=EXPIRED,
    ),
    Finding(
        "GC-EXP-001",
        "experiment-name-convention",
        "warning",
        "experiment name 'Fraud Model' does not match ^[a-z0-9]+(-[a-z0-9]+)*$",
        Location("train.py", 8, 5, snippet='mlflow.set_experiment("Fraud Model")'),
        "experiment_reference",
        "train.py:8:5",
        waiver=INLINE,
    ),
    Finding(
        "GC-RUN-001",
        "run-has-owner",
        "note",
        "run 4f2a9c in experiment fraud-detector has no owner tag",
        Location(".govcheck.yaml", 9, 3, snippet="tracking_uri"),
        "mlflow_run",
        "mlflow:run/4f2a9c",
        entity="mlflow:run/4f2a9c",
    ),
    Finding(
        "GC-MON-001",
        "monitoring-config-present",
        "error",
        "models/legacy-churn has no monitoring.yaml",
        Location("models/legacy-churn/README.md"),
        "directory",
        "models/legacy-churn",
        waiver=EXTERNAL,
    ),
)

CHECKED = (
    Checked("GC-CARD-001", "models/churn", Location("models/churn"), "failed"),
    Checked("GC-CARD-001", "models/fraud", Location("models/fraud"), "passed"),
    Checked("GC-CARD-001", "models/legacy-churn", Location("models/legacy-churn"), "passed"),
    Checked(
        "GC-CARD-002",
        "models/fraud/MODEL_CARD.md",
        Location("models/fraud/MODEL_CARD.md"),
        "failed",
    ),
    Checked(
        "GC-CARD-002",
        "models/legacy-churn/README.md",
        Location("models/legacy-churn/README.md"),
        "passed",
    ),
    Checked(
        "GC-DATA-001",
        "configs/européen data.yaml:12:14",
        Location("configs/européen data.yaml", 12, 14),
        "failed",
    ),
    Checked(
        "GC-DATA-001", "configs/eval.yaml:4:11", Location("configs/eval.yaml", 4, 11), "failed"
    ),
    Checked(
        "GC-DATA-001", "configs/eval.yaml:9:11", Location("configs/eval.yaml", 9, 11), "passed"
    ),
    Checked("GC-EXP-001", "train.py:8:5", Location("train.py", 8, 5), "waived"),
    Checked("GC-RUN-001", "mlflow:run/4f2a9c", None, "failed"),
    Checked("GC-RUN-001", "mlflow:run/77aa01", None, "passed"),
    Checked("GC-MON-001", "models/churn", Location("models/churn"), "passed"),
    Checked("GC-MON-001", "models/fraud", Location("models/fraud"), "passed"),
    Checked("GC-MON-001", "models/legacy-churn", Location("models/legacy-churn"), "waived"),
)

NO_DATASET_CARDS = "no dataset cards found (dataset_card_files: DATASET_CARD*.md, README.md)"

REPORT = Report(
    tool_version="0.1.0",
    repo=RepoInfo(
        root="/srv/checkouts/ml platform",
        head="0123456789abcdef0123456789abcdef01234567",
        branch="main",
        remote_url="https://github.com/acme/ml-platform.git",
    ),
    rules=RULES,
    findings=FINDINGS,
    checked=CHECKED,
    skipped=(
        Skipped("GC-REG-001", "no registered models in the MLflow snapshot"),
        Skipped("GC-REG-002", "no registered models in the MLflow snapshot"),
        Skipped("GC-EXP-003", "--no-mlflow given"),
    ),
    notices=(
        "MLflow metadata read from snapshot .govcheck/mlflow.json (recorded 2026-01-01T00:00:00Z)",
        NO_DATASET_CARDS,
    ),
    started_at="2026-01-02T03:04:05Z",
    ended_at="2026-01-02T03:04:06Z",
    fail_on="error",
    provenance=Provenance(
        commit="0123456789abcdef0123456789abcdef01234567",
        dirty=True,
        changed_paths=("models/fraud/MODEL_CARD.md", "train.py"),
        policy_hash="5d41402abc4b2a76b9719d911017c592" * 2,
        mlflow_snapshot=".govcheck/mlflow.json",
        snapshot_digest="9e107d9d372bb6826bd81d3542a419d6" * 2,
    ),
    scope=(
        ScopeCount("directory", "directory", 3),
        ScopeCount("file", "file", 2),
        ScopeCount("data_reference", "data reference", 3),
        ScopeCount("experiment_reference", "experiment name", 1),
        ScopeCount("mlflow_run", "MLflow run", 2),
        ScopeCount("dataset_card", "dataset card", 0),
    ),
    empty_scope=(NO_DATASET_CARDS,),
    # Rows for the HTML page (other formats ignore them): a model the registry knows too,
    # one with a waiver, one only registered; the data references and the run belong to none.
    models=(
        ModelRow(
            "fraud",
            "models/fraud",
            "fraud-detector",
            ("models/fraud", "models/fraud/MODEL_CARD.md"),
        ),
        ModelRow("churn", "models/churn", None, ("models/churn",)),
        ModelRow(
            "legacy-churn",
            "models/legacy-churn",
            None,
            ("models/legacy-churn", "models/legacy-churn/README.md"),
        ),
        ModelRow("ranker", None, "ranker", ()),
    ),
)


def _baselined() -> Report:
    """REPORT checked against a baseline: the card and MLflow findings were known, the rest
    are new, and one recorded finding (a data reference) has been fixed since."""
    from govcheck.fingerprints import fingerprints

    known = {"GC-CARD-002", "GC-CARD-001", "GC-RUN-001", "GC-EXP-001"}
    findings = tuple(
        replace(f, fingerprint=fp, baseline_state="unchanged" if f.rule_id in known else "new")
        for f, fp in zip(FINDINGS, fingerprints(FINDINGS))
    )
    fixed = Finding(
        "GC-DATA-001",
        "data-reference-pinned",
        "warning",
        "s3://ml-data/old.csv is not pinned: no versionId",
        Location("configs/old.yaml", 3, 9),
        "data_reference",
        "configs/old.yaml:3:9",
        baseline_state="absent",
        fingerprint="5" * 64 + ":1",
    )
    return replace(REPORT, findings=findings, baseline="commit 89abcdef0123", absent=(fixed,))


BASELINED = _baselined()

EMPTY = Report(
    tool_version="0.1.0",
    repo=RepoInfo(root="/srv/empty", head=None, branch=None, remote_url=None),
    rules=RULES[:1],
    findings=(),
    checked=(Checked("GC-CARD-001", "models/fraud", Location("models/fraud"), "passed"),),
    started_at="2026-01-02T03:04:05Z",
    ended_at="2026-01-02T03:04:05Z",
    scope=(ScopeCount("directory", "directory", 1),),
)

# A check whose rules had nothing to check: never "No findings".
NOTHING = Report(
    tool_version="0.1.0",
    repo=RepoInfo(root="/srv/nothing", head=None, branch=None, remote_url=None),
    rules=RULES[:1],
    findings=(),
    notices=("no model cards found (card_files: model[-_]card.md; models_glob: models/*)",),
    started_at="2026-01-02T03:04:05Z",
    ended_at="2026-01-02T03:04:05Z",
    scope=(ScopeCount("model", "model", 0),),
    empty_scope=("no model cards found (card_files: model[-_]card.md; models_glob: models/*)",),
    fail_on_empty=True,
)


@pytest.fixture
def report() -> Report:
    return REPORT


@pytest.fixture
def empty_report() -> Report:
    return EMPTY


@pytest.fixture
def baselined_report() -> Report:
    return BASELINED


@pytest.fixture
def nothing_report() -> Report:
    return NOTHING


@pytest.fixture(scope="session")
def vendor() -> Path:
    """The vendored third-party schemas (SARIF, JUnit XSDs) in tests/schemas/."""
    return VENDOR


@pytest.fixture
def report_schema() -> Path:
    return ROOT / "schemas" / "report.schema.json"


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    return check_golden


def check_golden(name: str, text: str) -> None:
    """Compare text with golden/<name>; GOVCHECK_UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("GOVCHECK_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.exists(), f"{path} missing: run with GOVCHECK_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_bytes().decode("utf-8"), (
        f"{name} differs from its golden file; if intended, rerun with GOVCHECK_UPDATE_GOLDEN=1"
    )
