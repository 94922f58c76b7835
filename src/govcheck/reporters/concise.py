"""One line per active finding, `path:line:col: severity CODE message`, nothing else.

The shape compilers and linters print, so terminals, editors (VS Code's problem matchers,
vim's quickfix, Emacs' compilation mode) and `grep` link each line to its place. A line
part that is unknown is left out (`models/x: error GC-CARD-001 ...` for a directory): a
made-up line 1 would send the reader to the wrong place.
"""

from __future__ import annotations

import re

from govcheck.model import Finding, Report
from govcheck.reporters.common import encodable

_SEVERITY_COLOR = {"error": "31", "warning": "33", "note": "36"}
# Every control character, newline and tab included: one finding, one line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def render(report: Report, color: bool = False) -> str:
    report = encodable(report)
    return "".join(_line(f, color) + "\n" for f in report.active())


def _line(f: Finding, color: bool) -> str:
    loc = f.location
    if loc is not None:
        place = loc.path
        if loc.line is not None:
            place += f":{loc.line}"
            if loc.column is not None:
                place += f":{loc.column}"
    else:
        place = f.entity or f.resource_id
    message = f.message
    if f.entity and f.entity not in message and loc is not None:
        message = f"{f.entity}: {message}"
    severity = f"\x1b[{_SEVERITY_COLOR[f.severity]}m{f.severity}\x1b[0m" if color else f.severity
    return f"{_one_line(place)}: {severity} {_one_line(f.rule_id)} {_one_line(message)}"


def _one_line(text: str) -> str:
    """Lines joined by a space; other control characters shown escaped, never sent."""
    joined = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], joined)
