"""Errors a user can cause, each mapped to one exit code by the CLI's single error boundary."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_DATA_SOURCE = 3


# An error is one line (SPEC section 2): values echoed from files, configs or servers are
# cut to these many characters, and a whole line to MAX_LINE, however long the value.
CLIP = 80
MAX_LINE = 1000


def clip(text: str, limit: int = CLIP) -> str:
    """Text from a file, a config or a server, cut to a length an error line can show."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Mark:
    """A position in a source file, 1-based, as editors and SARIF count."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class GovcheckError(Exception):
    """Base of every error shown to a user as one line (never a traceback)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark

    def lines(self) -> list[str]:
        prefix = f"{self.mark}: " if self.mark else ""
        return [clip(f"{prefix}{self.message}", MAX_LINE)]


class UsageError(GovcheckError):
    """Bad command line, configuration or policy: exit 2."""


class PolicyErrors(UsageError):
    """Every error found while loading policies or config, reported together."""

    def __init__(self, errors: list[tuple[Mark | None, str]]) -> None:
        super().__init__(f"{len(errors)} error(s) in policies or configuration")
        self.errors = sorted(
            errors, key=lambda e: (e[0].path, e[0].line, e[0].column) if e[0] else ("", 0, 0)
        )

    def lines(self) -> list[str]:
        return [clip(f"{m}: {msg}" if m else msg, MAX_LINE) for m, msg in self.errors]


class DataSourceError(GovcheckError):
    """A fact source failed (git unreadable, MLflow unreachable or refusing): exit 3."""

    exit_code = EXIT_DATA_SOURCE
