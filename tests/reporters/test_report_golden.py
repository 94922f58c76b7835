"""Every format, rendered from the shared report, matches its golden file byte for byte."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from govcheck.model import Report
from govcheck.reporters import REPORTERS

SUFFIX = {
    "text": "txt",
    "concise": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "xml",
    "github": "txt",
    "markdown": "md",
    "html": "html",
}


def test_registry_names_every_format() -> None:
    assert set(REPORTERS) == {
        "text",
        "concise",
        "json",
        "sarif",
        "junit",
        "github",
        "markdown",
        "html",
    }


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_golden(fmt: str, report: Report, golden: Callable[[str, str], None]) -> None:
    golden(f"report.{fmt}.{SUFFIX[fmt]}", REPORTERS[fmt](report))


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_golden_empty(fmt: str, empty_report: Report, golden: Callable[[str, str], None]) -> None:
    golden(f"empty.{fmt}.{SUFFIX[fmt]}", REPORTERS[fmt](empty_report))


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_golden_baselined(
    fmt: str, baselined_report: Report, golden: Callable[[str, str], None]
) -> None:
    golden(f"baselined.{fmt}.{SUFFIX[fmt]}", REPORTERS[fmt](baselined_report))


def test_golden_text_color(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.text-color.txt", REPORTERS["text"](report, color=True))


def test_golden_concise_color(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.concise-color.txt", REPORTERS["concise"](report, color=True))


def test_golden_text_quiet(report: Report, golden: Callable[[str, str], None]) -> None:
    from govcheck.reporters import text

    golden("report.text-quiet.txt", text.render(report, quiet=True))
    assert text.render(replace(report, findings=()), quiet=True) == ""


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_pure_and_deterministic(fmt: str, report: Report) -> None:
    assert REPORTERS[fmt](report) == REPORTERS[fmt](report)


@pytest.mark.parametrize("fmt", sorted(set(REPORTERS) - {"text", "concise"}))
def test_only_terminal_formats_use_color(fmt: str, report: Report) -> None:
    assert REPORTERS[fmt](report, color=True) == REPORTERS[fmt](report)
    assert "\x1b[" not in REPORTERS[fmt](report, color=True)


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_every_active_finding_is_rendered(fmt: str, report: Report) -> None:
    out = REPORTERS[fmt](report)
    for finding in report.active():
        first_line = finding.message.splitlines()[0]
        # JSON/SARIF escape non-ASCII-safe characters differently; compare an ASCII prefix.
        assert first_line[:20] in out, (fmt, finding.rule_id)


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_golden_nothing_checked(
    fmt: str, nothing_report: Report, golden: Callable[[str, str], None]
) -> None:
    golden(f"nothing.{fmt}.{SUFFIX[fmt]}", REPORTERS[fmt](nothing_report))


def test_a_check_of_nothing_is_never_called_clean(nothing_report: Report) -> None:
    for fmt in ("text", "markdown"):
        out = REPORTERS[fmt](nothing_report)
        assert "Nothing checked." in out and "No findings" not in out, fmt
        assert "Checked: 0 models." in out and "no model cards found" in out, fmt
