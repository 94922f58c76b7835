"""Finding fingerprints: what identifies a finding across commits, without its line number.

SARIF carries them as `partialFingerprints` (code scanning tracks alerts by them) and
baselines record them, so a finding matches its earlier self however the file moved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from govcheck.model import Finding

# The partialFingerprints key; bumped whenever the hash's inputs change. v2: an MLflow
# entity or a whole directory is identified by itself, not by the place it is shown at.
KEY = "govcheck/v2"


def fingerprint_base(finding: Finding) -> str:
    """A hash of what identifies a finding, deliberately without its line number.

    Lines move when unrelated text is inserted above; the rule, the offending text in its
    file (or the MLflow entity, or the file or directory itself) and the message do not.
    Where a finding is merely shown - the config's `mlflow:` line for an entity, a card or
    first file for a directory - is left out too: adding a README must not make a known
    finding about its directory new.
    """
    loc = finding.location
    if finding.entity:
        place, what = "", finding.entity
    elif loc is not None and loc.snippet:
        place, what = loc.path, loc.snippet
    else:
        place, what = finding.resource_id, ""
    parts = (finding.rule_id, place, what, finding.message)
    # A lone surrogate (a JSON `\ud800`) is hashed as the escape reports show for it, so a
    # baseline (raw findings) and SARIF (escaped ones) give the same fingerprint.
    return hashlib.sha256("\0".join(parts).encode("utf-8", "backslashreplace")).hexdigest()


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
