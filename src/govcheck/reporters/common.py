"""Small helpers every reporter shares: where a finding points, counts, grouped skips."""

from __future__ import annotations

import dataclasses
from typing import Any

from govcheck.model import SEVERITIES, Finding, Location, Report


def position(location: Location | None) -> str:
    """ "12:3", "12", or "" when the line is unknown."""
    if location is None or location.line is None:
        return ""
    if location.column is None:
        return str(location.line)
    return f"{location.line}:{location.column}"


def where(finding: Finding) -> str:
    """The most precise human pointer: "path:line:col", "path", else the entity."""
    loc = finding.location
    if loc is not None:
        pos = position(loc)
        return f"{loc.path}:{pos}" if pos else loc.path
    return finding.entity or finding.resource_id


def expired_note(finding: Finding) -> str:
    """A sentence saying a matching waiver expired, or "" when none did."""
    waiver = finding.expired_waiver
    if waiver is None:
        return ""
    expires = waiver.expires or "an unknown date"
    return f"Waiver expired on {expires} ({waiver.reason}); not suppressed."


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(report: Report) -> str:
    """ "2 errors, 1 warning, 0 notes; 1 suppressed" — every severity named, even at zero."""
    counts = report.counts()
    parts = ", ".join(plural(counts[sev], sev) for sev in SEVERITIES)
    return f"{parts}; {counts['suppressed']} suppressed"


def baseline_note(report: Report) -> str:
    """ "Baseline .govcheck/baseline.json: 12 findings unchanged, 2 fixed; only new ones
    count." - or "" when the check used no baseline."""
    if report.baseline is None:
        return ""
    counts = report.counts()
    unchanged = plural(counts["baselined"], "finding")
    return (
        f"Baseline {report.baseline}: {unchanged} unchanged, {counts['absent']} fixed; "
        "only new findings count."
    )


def headline(report: Report) -> str:
    """The verdict: the counts when findings count; "No findings." only when something was
    checked, else "Nothing checked." (a run that checked nothing is not a clean one)."""
    if any(True for _ in report.active()):
        return summary(report) + "."
    none = "No new findings" if report.baseline is not None else "No findings"
    suppressed = report.counts()["suppressed"]
    if suppressed:
        return f"{none} ({suppressed} suppressed)."
    return "Nothing checked." if report.nothing_checked() else f"{none}."


def scope_text(report: Report) -> str:
    """ "3 model cards, 14 data references, 0 experiment names" or ""."""
    return ", ".join(s.text() for s in report.scope)


def checked_line(report: Report) -> str:
    """ "Checked: 3 model cards, 14 data references, 0 experiment names." or ""."""
    return f"Checked: {scope_text(report)}." if report.scope else ""


def skipped_groups(report: Report) -> list[tuple[str, list[str]]]:
    """Skipped rules grouped by reason, in first-seen order: one line per reason, not per rule."""
    groups: dict[str, list[str]] = {}
    for skip in report.skipped:
        ids = groups.setdefault(skip.reason, [])
        if skip.rule_id not in ids:
            ids.append(skip.rule_id)
    return list(groups.items())


def encodable(report: Report) -> Report:
    """The report with every lone surrogate shown escaped (`\\ud800`).

    A JSON file, a non-UTF-8 file name or an MLflow server can put lone surrogates into
    paths, messages and names; no output (a terminal, a UTF-8 file, an XML or JSON
    document) can hold one. Each reporter renders `encodable(report)`, so none of them,
    nor the hashes and URIs they compute, ever meets one. Unchanged values are shared.
    """
    escaped: Report = _escaped(report)
    return escaped


_PLAIN = (int, float, bool, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a report holds a handful of record types


def _escaped(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if kind in _PLAIN:
        return value
    if kind is tuple or kind is list:
        items = [_escaped(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return kind(items)
    if kind is dict:
        pairs = {_escaped(k): _escaped(v) for k, v in value.items()}
        same = len(pairs) == len(value) and all(pairs.get(k) is v for k, v in value.items())
        return value if same else pairs
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if not dataclasses.is_dataclass(value):
            return value
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
    changes: dict[str, Any] = {}
    for name in names:
        old = getattr(value, name)
        new = _escaped(old)
        if new is not old:
            changes[name] = new
    return dataclasses.replace(value, **changes) if changes else value
