"""tests/schemas/ holds third-party schemas unchanged: each is listed in its README with the
SHA-256 it was copied with, and loads as the schema it claims to be."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest
import xmlschema

SCHEMAS = Path(__file__).resolve().parent / "schemas"
VENDORED = sorted(p.name for p in SCHEMAS.iterdir() if p.suffix in (".json", ".xsd"))


def listed() -> dict[str, str]:
    """file name -> SHA-256, from the README's table rows."""
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", readme, re.MULTILINE)
    return dict(rows)


def test_every_vendored_file_is_listed_and_nothing_else() -> None:
    assert VENDORED and sorted(listed()) == VENDORED


@pytest.mark.parametrize("name", VENDORED)
def test_file_is_unchanged_since_it_was_copied(name: str) -> None:
    assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == listed()[name]


@pytest.mark.parametrize("name", VENDORED)
def test_file_loads_as_a_schema(name: str) -> None:
    path = SCHEMAS / name
    if path.suffix == ".xsd":
        xmlschema.XMLSchema(str(path))
        return
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)
