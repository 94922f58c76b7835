"""Command lines as repositories write them: shell scripts, Makefiles, Dockerfiles, batch
files, and the `run:`/`script:` strings of CI workflows (scanned as text, which keeps
each line's number where a parsed YAML block scalar would lose it).

A command continued over several lines (`\\`, `^` in batch files, a backtick in
PowerShell) is joined into one logical line that keeps the number of its first line, so
a reader finds `gcloud ai model-monitoring-jobs create ... --endpoint=...` or
`mlflow run . --experiment-name x` whole. Nothing is ever run.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from govcheck.facts.base import Facts
from govcheck.model import Resource

SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh", ".bat", ".cmd", ".ps1", ".mk")
SCRIPT_NAMES = ("Makefile", "makefile", "GNUmakefile", "Procfile", "Justfile", "justfile")
WORKFLOW_SUFFIXES = (".yml", ".yaml")
# Batch files continue a line with ^, PowerShell with a backtick, everything else with \.
_CONTINUATIONS = {".bat": "^", ".cmd": "^", ".ps1": "`"}


@dataclass(frozen=True)
class Line:
    path: str
    number: int  # of the logical line's first physical line
    text: str  # continuations joined with a space


def is_script(name: str, suffix: str) -> bool:
    return (
        suffix in SCRIPT_SUFFIXES
        or name in SCRIPT_NAMES
        or name.startswith("Dockerfile")
        or name.endswith(".Dockerfile")
    )


def command_files(facts: Facts, needle: str) -> Iterator[Resource]:
    """Scripts and workflow YAML whose text holds `needle` (a cheap gate before parsing),
    whatever PATHs the check is limited to: what they declare joins facts of other files."""
    for res in facts.resources("file"):
        name, suffix = res.fields["name"], res.fields["suffix"]
        if not (is_script(name, suffix) or suffix in WORKFLOW_SUFFIXES):
            continue
        text = res.fields["text"]
        if text and needle in text:
            yield res


def logical_lines(path: str, text: str) -> Iterator[Line]:
    dot = path.rfind(".")
    continuation = _CONTINUATIONS.get(path[dot:].lower() if dot > 0 else "", "\\")
    start, parts = 0, list[str]()
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.rstrip()
        if not parts:
            start = number
        if stripped.endswith(continuation):
            parts.append(stripped[:-1])
            continue
        parts.append(stripped)
        yield Line(path, start, " ".join(p.strip() for p in parts))
        parts = []
    if parts:
        yield Line(path, start, " ".join(p.strip() for p in parts))


def words(text: str) -> list[str]:
    """A command line split as a POSIX shell would, best effort (an unbalanced quote
    falls back to whitespace)."""
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def flags(tokens: list[str]) -> dict[str, str]:
    """`--name=value` and `--name value` options (a bare `--flag` maps to "")."""
    out: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("--"):
            name, eq, value = token.partition("=")
            if eq:
                out[name] = value
            elif i + 1 < len(tokens) and not tokens[i + 1].startswith("-"):
                out[name] = tokens[i + 1]
                i += 1
            else:
                out[name] = ""
        i += 1
    return out
