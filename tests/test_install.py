"""Honest install: the README installs from what exists, pins by commit, and the project
states its licence, its URLs and schemas with resolvable ids; init points editors at them."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from govcheck import builtin
from govcheck.commands.init import modeline

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RAW = "https://raw.githubusercontent.com/govcheck/govcheck/main/schemas/"


def test_the_readme_installs_only_what_exists() -> None:
    # A bare `pip install govcheck` (or govcheck[mlflow]) would look on PyPI, where it is not.
    assert not re.search(r"pip install ['\"]?govcheck(\[mlflow\])?(['\"]|\s|$)(?! ?@)", README)
    assert 'pip install "govcheck @ git+https://github.com/govcheck/govcheck"' in README
    assert 'pip install "govcheck[mlflow] @ git+https://github.com/govcheck/govcheck"' in README
    assert "v0.1.0" not in README  # no tag exists to pin
    assert "pre-commit autoupdate --freeze" in README
    assert "uses: govcheck/govcheck@main    # pin a commit SHA" in README


def test_license_file_states_the_declared_licence_with_the_full_text_linked() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["license"] == "Apache-2.0"
    assert "Apache License, Version 2.0" in text and "Apache-2.0" in text
    assert "https://www.apache.org/licenses/LICENSE-2.0" in text


def test_pyproject_has_urls_and_classifiers() -> None:
    urls = PYPROJECT["urls"]
    assert {"Homepage", "Source", "Issues", "Documentation"} <= set(urls)
    assert all(u.startswith("https://github.com/govcheck/govcheck") for u in urls.values())
    classifiers = PYPROJECT["classifiers"]
    floor = PYPROJECT["requires-python"].removeprefix(">=")
    assert f"Programming Language :: Python :: {floor}" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)


def test_every_schema_has_an_id_where_it_can_be_fetched() -> None:
    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$id"] == RAW + path.name, path.name


def test_init_points_editors_at_the_installed_schemas(
    make_repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from govcheck.cli import main

    root = make_repo({"README.md": "# r\n"})
    assert main(["init", "--repo", str(root)]) == 0
    for name, schema in (
        (".govcheck.yaml", "config"),
        (".govcheck/policies/example.yaml", "policy"),
    ):
        first = (root / name).read_text(encoding="utf-8").splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix), first
        target = first.removeprefix(prefix)
        assert " " not in target  # the language server reads the value up to a space
        assert target == builtin.schema_file(schema).resolve().as_uri()
    assert "govcheck baseline" in capsys.readouterr().out
    assert main(["validate", "--repo", str(root)]) == 0  # the modeline is only a comment


def test_the_modeline_is_relative_when_the_schema_is_inside_the_repository(
    tmp_path: Path,
) -> None:
    schemas = builtin.data_dir("schemas").resolve()
    # As for a virtualenv inside the repository: the file sits above the schemas folder.
    line = modeline("config", schemas.parent / ".govcheck.yaml")
    assert line == "# yaml-language-server: $schema=schemas/config.schema.json\n"
    outside = modeline("config", tmp_path / "a b" / ".govcheck.yaml")
    assert outside.split("=", 1)[1].startswith("file:///")
