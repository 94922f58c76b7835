"""A markdown summary for $GITHUB_STEP_SUMMARY and pull-request comments.

GitHub refuses step summaries over 1 MiB, so finding rows stop before that and a note says
how many were left out.
"""

from __future__ import annotations

from govcheck.model import SEVERITIES, Finding, Report
from govcheck.reporters import provenance
from govcheck.reporters.common import (
    baseline_note,
    checked_line,
    encodable,
    expired_note,
    headline,
    plural,
    skipped_groups,
    where,
)

MAX_BYTES = 1024 * 1024
_NOTE_RESERVE = 512  # room for the truncation note itself


def cell(text: str) -> str:
    """Text safe inside a table cell: no raw HTML, pipes escaped, line breaks as <br>."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "<br>")


def code(text: str) -> str:
    """An inline code span for a cell (code spans show their content literally)."""
    text = text.replace("`", "'").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return f"`{text}`"


def render(report: Report, color: bool = False, max_bytes: int = MAX_BYTES) -> str:
    report = encodable(report)
    head = _head(report)
    tail = _tail(report)
    budget = max_bytes - _size(head) - _size(tail) - _NOTE_RESERVE
    body: list[str] = []
    shown = total = 0
    for title, header, rows in _sections(report):
        block = ["", f"### {title}", "", *header]
        cost = _size(block)
        kept = 0
        for row in rows:
            if cost + _size([row]) > budget:
                break
            block.append(row)
            cost += _size([row])
            kept += 1
        total += len(rows)
        shown += kept
        if kept:
            body += block
            budget -= cost
    if shown < total:
        note = (
            f"> **Note:** {total - shown} of {total} findings not shown: GitHub limits "
            "this summary to 1 MiB. See the SARIF or JSON report for all of them."
        )
        body += ["", note]
    return "\n".join(head + body + tail) + "\n"


def _head(report: Report) -> list[str]:
    lines = ["## govcheck", "", f"**{headline(report)}**"]
    if report.baseline is not None:
        lines += ["", cell(baseline_note(report))]
    if report.scope:
        lines += ["", cell(checked_line(report))]
    rows = _rule_rows(report)
    if rows:
        lines += [
            "",
            "| Rule | Name | Severity | Findings | Suppressed | Compliance |",
            "| --- | --- | --- | ---: | ---: | --- |",
            *rows,
        ]
    return lines


def _rule_rows(report: Report) -> list[str]:
    counts: dict[str, list[int]] = {}
    for f in report.findings:
        if f.baselined and not f.suppressed:
            continue  # counted in the baseline line, not as findings
        counts.setdefault(f.rule_id, [0, 0])[1 if f.suppressed else 0] += 1
    known = {r.id: r for r in report.rules}
    order = [r.id for r in report.rules if r.id in counts] + [i for i in counts if i not in known]
    rows = []
    for rule_id in order:
        active, waived = counts[rule_id]
        rule = known.get(rule_id)
        name = (
            rule.name
            if rule
            else next(f.rule_name for f in report.findings if f.rule_id == rule_id)
        )
        severity = rule.severity if rule else ""
        tags = ", ".join(code(t) for t in rule.tags) if rule else ""
        rows.append(
            f"| {code(rule_id)} | {cell(name)} | {severity} | {active} | {waived} | {tags} |"
        )
    return rows


def _sections(report: Report) -> list[tuple[str, list[str], list[str]]]:
    """(title, header rows, rows) of the finding tables, most severe findings first."""
    ordered = sorted(
        report.active(),
        key=lambda f: SEVERITIES.index(f.severity) if f.severity in SEVERITIES else len(SEVERITIES),
    )
    active = [
        f"| {f.severity} | {code(f.rule_id)} | {_where(f)} | {cell(_message(f))} |" for f in ordered
    ]
    waived = [
        f"| {code(f.rule_id)} | {_where(f)} | {cell(f.message)} | {cell(_waiver(f))} |"
        for f in report.findings
        if f.suppressed
    ]
    return [
        (
            "Findings",
            ["| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"],
            active,
        ),
        (
            "Suppressed",
            ["| Rule | Location | Message | Waiver |", "| --- | --- | --- | --- |"],
            waived,
        ),
    ]


def _where(f: Finding) -> str:
    pointer = code(where(f))
    return f"{code(f.entity)}<br>{pointer}" if f.entity and f.location else pointer


def _message(f: Finding) -> str:
    note = expired_note(f)
    return f"{f.message}\n{note}" if note else f.message


def _waiver(f: Finding) -> str:
    w = f.waiver
    if w is None:
        return ""
    kind = "inline" if w.kind == "inSource" else "config"
    extra = "".join(
        f", {label} {value}"
        for label, value in (("expires", w.expires), ("approved by", w.approved_by))
        if value
    )
    return f"{w.reason} ({kind}{extra})"


def _tail(report: Report) -> list[str]:
    lines: list[str] = []
    groups = skipped_groups(report)
    if groups:
        lines += ["", f"**Skipped:** {plural(sum(len(ids) for _, ids in groups), 'rule')}", ""]
        lines += [f"- {', '.join(code(i) for i in ids)}: {cell(reason)}" for reason, ids in groups]
    if report.notices:
        lines += ["", "**Notices:**", ""] + [f"- {cell(n)}" for n in report.notices]
    if report.provenance is not None:
        parts = [
            f"{label} {code(value)}" for label, value in provenance.labelled(report.provenance)
        ]
        version = f"govcheck {report.tool_version}"
        lines += ["", f"<sub>Verdict on {' · '.join(parts)} · {version}</sub>"]
    return lines


def _size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)
