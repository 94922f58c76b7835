"""GitHub Actions workflow commands: one annotation per active finding.

`::error file=models/a/MODEL_CARD.md,line=3,col=1,title=GC-CARD-002 model-card-sections::…`
Waived and baselined findings are not annotated (they are not new problems); skipped rule groups and notices
become plain notices without a file.
"""

from __future__ import annotations

from govcheck.model import Finding, Report
from govcheck.reporters.common import baseline_note, encodable, expired_note, skipped_groups

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """The message part: GitHub decodes %25, %0D and %0A."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as data, plus ':' and ',' which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: str | int | None) -> str:
    given = [
        f"{key}={escape_property(str(value))}" for key, value in props.items() if value is not None
    ]
    head = f"::{name} {','.join(given)}" if given else f"::{name}"
    return f"{head}::{escape_data(message)}"


def render(report: Report, color: bool = False) -> str:
    report = encodable(report)
    lines = [_annotation(f) for f in report.active()]  # new ones only, with a baseline
    if report.baseline is not None:
        lines.append(command("notice", baseline_note(report), title="govcheck baseline"))
    for reason, ids in skipped_groups(report):
        lines.append(command("notice", f"Skipped {', '.join(ids)}: {reason}", title="govcheck"))
    lines += [command("notice", notice, title="govcheck") for notice in report.notices]
    return "".join(line + "\n" for line in lines)


def _annotation(f: Finding) -> str:
    message = f.message
    if f.entity and f.entity not in message:
        message = f"{f.entity}: {message}"
    note = expired_note(f)
    if note:
        message = f"{message}\n{note}"
    loc = f.location
    return command(
        _COMMAND.get(f.severity, "warning"),
        message,
        file=loc.path if loc else None,
        line=loc.line if loc else None,
        col=loc.column if loc and loc.line is not None else None,
        title=f"{f.rule_id} {f.rule_name}".strip(),
    )
