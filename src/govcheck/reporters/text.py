"""The terminal report: findings grouped by file (or MLflow entity), aligned, with a summary.

Colour only when asked (the CLI passes color=True for a terminal that wants it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from govcheck.model import Finding, Location, Report
from govcheck.reporters.common import (
    baseline_note,
    checked_line,
    encodable,
    expired_note,
    headline,
    position,
    skipped_groups,
    where,
)

_SEVERITY_COLOR = {"error": "31", "warning": "33", "note": "36"}
_GAP = "  "
# C0 controls except tab and newline, DEL and C1 controls: an ESC in a file name or heading
# must not be able to repaint the user's terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Paint = Callable[[str, str], str]


def render(report: Report, color: bool = False, quiet: bool = False) -> str:
    """The report; quiet=True (`--quiet`) keeps only the active findings, grouped by file."""
    report = encodable(report)
    paint = _painter(color)
    shown = report.active() if quiet else (f for f in report.findings if not f.baselined)
    groups = _groups(tuple(shown))
    rows = [_columns(f) for _, fs in groups for f in fs]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    lines: list[str] = []
    for key, findings in groups:
        lines.append(paint(_visible(key), "1"))
        for f in findings:
            lines.extend(_finding_lines(f, widths, paint))
        lines.append("")
    if quiet:
        return "\n".join(lines[:-1]) + "\n" if lines else ""
    verdict = headline(report)
    lines.append(paint(verdict, "1") if any(True for _ in report.active()) else verdict)
    if report.baseline is not None:
        lines.append(_visible(baseline_note(report)))
    if report.scope:
        lines.append(checked_line(report))
    skipped = skipped_groups(report)
    if skipped:
        lines += ["", "Skipped rules:"]
        lines += [_visible(f"{_GAP}{', '.join(ids)}: {reason}") for reason, ids in skipped]
    if report.notices:
        lines += ["", "Notices:"]
        lines += [_visible(f"{_GAP}{notice}") for notice in report.notices]
    return "\n".join(lines) + "\n"


def _groups(findings: tuple[Finding, ...]) -> list[tuple[str, list[Finding]]]:
    """Files first (sorted), then MLflow entities; findings in line order within each."""
    by_key: dict[tuple[int, str], list[Finding]] = {}
    for f in findings:
        if f.entity or f.location is None:
            key = (1, f.entity or f.resource_id)
        else:
            key = (0, f.location.path)
        by_key.setdefault(key, []).append(f)
    return [(key[1], sorted(fs, key=_line_order)) for key, fs in sorted(by_key.items())]


def _columns(f: Finding) -> tuple[str, str, str]:
    """The aligned columns: position ("-" when unknown), severity, rule id."""
    return _visible(position(_file_location(f)) or "-"), _visible(f.severity), _visible(f.rule_id)


def _line_order(f: Finding) -> tuple[int, int]:
    loc = _file_location(f)
    return (loc.line or 0, loc.column or 0) if loc else (0, 0)


def _file_location(f: Finding) -> Location | None:
    """The location shown in the position column: none for entities, which head their group."""
    return None if f.entity else f.location


def _finding_lines(f: Finding, widths: list[int], paint: Paint) -> list[str]:
    pos, sev, rule = _columns(f)
    style = "2" if f.suppressed else _SEVERITY_COLOR.get(sev, "0")
    head = (
        f"{_GAP}{pos.ljust(widths[0])}{_GAP}{paint(sev.ljust(widths[1]), style)}"
        f"{_GAP}{paint(rule.ljust(widths[2]), '2')}{_GAP}"
    )
    indent = " " * (len(_GAP) * 4 + sum(widths))
    message = _visible(f.message).splitlines() or [""]
    extra: list[str] = []
    if f.entity and f.location is not None:
        extra.append(paint(_visible(f"from {where(f)}"), "2"))
    if f.waiver is not None:
        w = f.waiver
        details = ["inline waiver" if w.kind == "inSource" else "config waiver"]
        details += [f"expires {w.expires}"] if w.expires else []
        details += [f"approved by {w.approved_by}"] if w.approved_by else []
        text = f"suppressed: {w.reason} ({', '.join(details)})"
        extra.append(paint(_visible(text), "2"))
    note = expired_note(f)
    if note:
        extra.append(paint(_visible(note), "33"))
    body = [paint(line, "2") if f.suppressed else line for line in message]
    return [head + body[0]] + [indent + line for line in body[1:] + extra]


def _painter(enabled: bool) -> Paint:
    def paint(text: str, code: str) -> str:
        # Padding is applied before painting, so escape codes never disturb alignment.
        return f"\x1b[{code}m{text}\x1b[0m" if enabled and code != "0" else text

    return paint


def _visible(text: str) -> str:
    """Control characters from repository content shown, never sent to the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)
