"""Waivers: documented, expiring exceptions from the config, or inline in a file.

A waived finding stays in every report, marked suppressed, and stops counting toward the
exit code. An expired waiver no longer waives, and the finding says since when.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace

from govcheck.engine import Evaluation
from govcheck.errors import Mark, UsageError
from govcheck.facts.base import Facts
from govcheck.globs import glob_match
from govcheck.model import Checked, Finding, Location, Waiver

InlineWaivers = list[tuple[Waiver, tuple[int, ...]]]

# The rule list stops at the next '[' too: on a line repeating `govcheck: ignore[` each
# attempt then ends at the next one instead of scanning to the end (quadratic time).
_INLINE = re.compile(r"govcheck:[ \t]*ignore\[([^\]\[\n]*)\]([^\n]*)")


def _targets(waiver: Waiver, f: Finding) -> bool:
    if waiver.rule not in (f.rule_id, f.rule_name):
        return False
    t = waiver.target.strip("/")
    candidates = [f.resource_id, f.entity or ""]
    if f.location:
        candidates.append(f.location.path)
    return any(c and (c == t or glob_match(t, c) or glob_match(t + "/**", c)) for c in candidates)


_COMMENT_OPENERS = frozenset({"", "#", "<!--", "//", "/*"})


def inline_waivers(path: str, text: str) -> InlineWaivers:
    """Each inline waiver with the lines it covers: a comment alone on its line covers
    itself and the next line; one trailing code covers that line only, so
    `a: s3://x  # govcheck: ignore[...]` does not also waive the line below."""
    out: InlineWaivers = []
    if "govcheck:" not in text:
        return out
    for lineno, line in enumerate(text.splitlines(), 1):
        for m in _INLINE.finditer(line):
            reason = _comment_end(m.group(2)).strip(" :-")
            if not reason:
                raise UsageError(
                    "inline waiver without a reason: write `govcheck: ignore[RULE] why`",
                    Mark(path, lineno, m.start() + 1),
                )
            alone = line[: m.start()].strip() in _COMMENT_OPENERS
            lines = (lineno, lineno + 1) if alone else (lineno,)
            for rule in filter(None, (r.strip() for r in m.group(1).split(","))):
                waiver = Waiver(
                    rule, path, reason, "inSource", location=Location(path, lineno, m.start() + 1)
                )
                out.append((waiver, lines))
    return out


def _comment_end(text: str) -> str:
    """text without a closing `-->` or `*/` and the blanks around it (string operations: a
    regex anchored at the end retries from every blank of a long run)."""
    text = text.rstrip()
    for closer in ("-->", "*/"):
        if text.endswith(closer):
            return text[: -len(closer)].rstrip()
    return text


def _inline_for(f: Finding, facts: Facts, cache: dict[str, InlineWaivers]) -> Waiver | None:
    if not f.location or not f.location.path:
        return None
    path = f.location.path
    if path not in cache:
        resource = facts.file(path)
        text = resource.fields.get("text") if resource is not None else None
        cache[path] = inline_waivers(path, text) if isinstance(text, str) else []
    for w, lines in cache[path]:
        if w.rule not in (f.rule_id, f.rule_name):
            continue
        if f.location.line is None or f.location.line in lines:
            return w
    return None


def apply(
    result: Evaluation,
    configured: Sequence[Waiver],
    facts: Facts,
    today: dt.date | None = None,
    complete: frozenset[str] | None = None,
) -> tuple[tuple[Finding, ...], tuple[Checked, ...], list[str]]:
    """Waive findings; notices name config waivers that matched nothing.

    complete: codes and names of the rules that ran over the whole repository; a waiver
    for another rule may match in a wider check, so only these can be called stale
    (None: every rule did).
    """
    today = today or dt.date.today()
    used: set[int] = set()
    cache: dict[str, InlineWaivers] = {}
    findings: list[Finding] = []
    waived_keys: set[tuple[str, str]] = set()
    for f in result.findings:
        waiver = _inline_for(f, facts, cache)
        expired = None
        if waiver is None:
            for i, w in enumerate(configured):
                if _targets(w, f):
                    used.add(i)
                    if w.expires and dt.date.fromisoformat(w.expires) < today:
                        expired = w
                        continue
                    waiver = w
                    break
        if waiver is not None:
            f = replace(f, waiver=waiver)
            waived_keys.add((f.rule_id, f.resource_id))
        elif expired is not None:
            # Reporters say it expired (and when) from this field, once, in their own form.
            f = replace(f, expired_waiver=expired)
        findings.append(f)
    checked = tuple(
        replace(c, status="waived") if (c.rule_id, c.resource_id) in waived_keys else c
        for c in result.checked
    )
    notices = [
        f"unused waiver: {w.rule} on {w.target} ({w.location.path}:{w.location.line}) "
        "matches no finding; remove it if the problem is fixed"
        for i, w in enumerate(configured)
        if i not in used and w.location and (complete is None or w.rule in complete)
    ]
    return tuple(findings), checked, notices


def unknown_rules(configured: Sequence[Waiver], known: frozenset[str]) -> list[str]:
    """Notices for config waivers naming no loaded rule: a typo would otherwise waive nothing
    without a word."""
    return [
        f"unused waiver: {w.rule} ({w.location.path}:{w.location.line}) names no rule "
        "code or name (see govcheck list-rules)"
        for w in configured
        if w.location and w.rule not in known
    ]
