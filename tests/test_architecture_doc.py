"""docs/ARCHITECTURE.md names every module of the package, so the map stays true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "govcheck"
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def named_modules() -> set[str]:
    return set(re.findall(r"`([\w/]+\.py)`", DOC.read_text(encoding="utf-8")))


def test_every_module_is_named_in_the_architecture_doc() -> None:
    modules = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    missing = sorted(modules - named_modules())
    assert not missing, f"docs/ARCHITECTURE.md does not name: {', '.join(missing)}"


def test_the_doc_names_no_module_that_is_gone() -> None:
    modules = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    # Paths from the project root (tests/...) are fine; anything else must be a module.
    stale = sorted(m for m in named_modules() if m not in modules and not (ROOT / m).exists())
    assert not stale, f"docs/ARCHITECTURE.md names modules that no longer exist: {stale}"
