"""REPORTERS: every output format, each a pure function render(report, color=False) -> str.

The CLI derives its --format choices from this dict, so a format's name is written once.
"""

from __future__ import annotations

from collections.abc import Callable

from govcheck.reporters import concise, github, html, json_report, junit, markdown, sarif, text

Reporter = Callable[..., str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "concise": concise.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
    "html": html.render,
}
