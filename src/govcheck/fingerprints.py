"""Finding fingerprints: what identifies a finding across commits, without its line number.

SARIF carries them as `partialFingerprints` (code scanning tracks alerts by them) and
baselines record them, so a finding matches its earlier self however the file moved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from govcheck.model import Finding

KEY = "govcheck/v1"  # the partialFingerprints key; bump it if the hash's inputs ever change


def fingerprint_base(finding: Finding) -> str:
    """A hash of what identifies a finding, deliberately without its line number.

    Lines move when unrelated text is inserted above; the rule, the file, the offending text
    (or the MLflow entity) and the message do not.
    """
    loc = finding.location
    parts = (
        finding.rule_id,
        loc.path if loc else "",
        (loc.snippet if loc and loc.snippet else None) or finding.entity or finding.resource_id,
        finding.message,
    )
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding, in order; equal bases get occurrence counters (`:1`, `:2`)
    so two identical findings in one file stay two."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        base = fingerprint_base(f)
        seen[base] = seen.get(base, 0) + 1
        out.append(f"{base}:{seen[base]}")
    return out
