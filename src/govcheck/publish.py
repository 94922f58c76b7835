"""What `govcheck publish` writes to the MLflow registry: verdicts as tags, and only the
tags whose value differs from what the registry already holds. Pure: no MLflow here.

A version's verdict is the result of `check --model NAME/VERSION` (focus.py): the findings
about the version, its registered model, its run, and its repository model's files.

Tags come in two groups. The verdict (`status`, `errors`, `warnings`, `commit`,
`policy_hash`, and on registered models `serving`) is written whenever it differs from the
registry's. The record (`checked_at`, `report_url`) says when and where that verdict was
first reached: it is rewritten only together with a verdict change, so publishing the same
verdict again writes nothing, while a new commit, policy set or result writes a new record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from govcheck.model import SEVERITY_RANK, Report

PREFIX = "govcheck."
STATUS, ERRORS, WARNINGS = "govcheck.status", "govcheck.errors", "govcheck.warnings"
COMMIT, POLICY_HASH, SERVING = "govcheck.commit", "govcheck.policy_hash", "govcheck.serving"
CHECKED_AT, REPORT_URL = "govcheck.checked_at", "govcheck.report_url"

VerdictStatus = Literal["pass", "fail", "waived"]
# Worst first: a registered model is as good as its worst serving version.
_ORDER: dict[str, int] = {"fail": 0, "waived": 1, "pass": 2}


@dataclass(frozen=True)
class Verdict:
    status: VerdictStatus
    errors: int  # active (not waived) errors
    warnings: int  # active warnings


def verdict(report: Report) -> Verdict:
    """fail: an active finding at or above the check's --fail-on (what makes `check` exit
    1); waived: none, but some finding is waived; pass: neither."""
    active = list(report.active())
    floor = SEVERITY_RANK.get(report.fail_on)  # None: --fail-on never
    failing = floor is not None and any(SEVERITY_RANK[f.severity] >= floor for f in active)
    waived = any(f.suppressed for f in report.findings)
    status: VerdictStatus = "fail" if failing else "waived" if waived else "pass"
    return Verdict(
        status,
        sum(1 for f in active if f.severity == "error"),
        sum(1 for f in active if f.severity == "warning"),
    )


def version_tags(found: Verdict, report: Report) -> dict[str, str]:
    """The verdict tags of one version, from its --model check."""
    prov = report.provenance
    return {
        STATUS: found.status,
        ERRORS: str(found.errors),
        WARNINGS: str(found.warnings),
        COMMIT: (prov.commit if prov else None) or "",
        POLICY_HASH: prov.policy_hash if prov else "",
    }


def model_tags(
    serving: Mapping[str, tuple[str, VerdictStatus]], base: Mapping[str, str]
) -> dict[str, str]:
    """A registered model's verdict tags: the worst status of the versions its aliases
    point at, and each alias with its version and status (`champion=3:pass,...`).
    base: the commit and policy hash the versions were judged on."""
    statuses = [status for _, status in serving.values()]
    worst = min(statuses, key=_ORDER.__getitem__) if statuses else "pass"
    listed = ",".join(f"{a}={v}:{s}" for a, (v, s) in sorted(serving.items()))
    return {STATUS: worst, SERVING: listed, COMMIT: base[COMMIT], POLICY_HASH: base[POLICY_HASH]}


def changes(
    current: Mapping[str, str], wanted: Mapping[str, str], checked_at: str, report_url: str | None
) -> dict[str, str]:
    """The tags to set so the registry holds `wanted`; {} when it already does.

    The record tags follow a verdict change (or a missing record): a second publish of the
    same verdict sets nothing, whatever its time or report URL. Nothing is ever deleted
    (in MLflow's basic-auth, deleting a version tag needs MANAGE, setting one EDIT): a new
    verdict without --report-url sets an old report URL to "", so it cannot point at a
    report of another verdict.
    """
    out = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not out and CHECKED_AT in current:
        return {}
    out[CHECKED_AT] = checked_at
    if report_url is not None:
        out[REPORT_URL] = report_url
    elif current.get(REPORT_URL):
        out[REPORT_URL] = ""
    return {k: v for k, v in out.items() if current.get(k) != v}


@dataclass(frozen=True)
class Registry:
    """What the registry holds now, as the check read it in this run: the tags of each
    version and registered model, and each model's aliases."""

    version_tags: Mapping[tuple[str, str], Mapping[str, str]]
    model_tags: Mapping[str, Mapping[str, str]]
    aliases: Mapping[str, Mapping[str, str]]  # model -> alias -> version

    @classmethod
    def of(
        cls, versions: Iterable[Mapping[str, Any]], models: Iterable[Mapping[str, Any]]
    ) -> Registry:
        """From the mlflow_model_version and mlflow_registered_model fields."""
        version_tags: dict[tuple[str, str], Mapping[str, str]] = {}
        aliases: dict[str, dict[str, str]] = {}
        for v in versions:
            key = (str(v["name"]), str(v["version"]))
            version_tags[key] = v.get("tags") or {}
            for alias in v.get("aliases") or []:
                aliases.setdefault(key[0], {})[str(alias)] = key[1]
        model_tags = {str(m["name"]): m.get("tags") or {} for m in models}
        return cls(version_tags, model_tags, aliases)


def version_key(entity: str) -> tuple[str, str] | None:
    """(name, version) of a `mlflow:model_version/NAME/VERSION` entity, else None."""
    head = "mlflow:model_version/"
    if not entity.startswith(head):
        return None
    name, _, number = entity[len(head) :].rpartition("/")
    return (name, number) if name and number else None


def judged_versions(report: Report) -> list[tuple[str, str]]:
    """The versions some rule judged in this check (checked or reported), in name order."""
    entities: Iterable[str] = (
        *(c.resource_id for c in report.checked),
        *(f.entity or "" for f in report.findings),
    )
    keys = {k for k in map(version_key, entities) if k is not None}
    return sorted(keys, key=lambda k: (k[0], int(k[1]) if k[1].isdigit() else 0, k[1]))
