"""Python and notebook code parsed once, with lines mapped back to the file."""

from __future__ import annotations

import ast
import json

import pytest

from govcheck.facts.pycode import (
    argument,
    calls,
    code_units,
    constants,
    dotted_name,
    notebook_units,
    string_value,
)


def notebook(*cells: tuple[str, list[str] | str]) -> str:
    """An nbformat 4 notebook, pretty-printed as Jupyter writes it (one source line per
    JSON line)."""
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source, "outputs": []}
                for kind, source in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def test_notebook_cells_join_and_lines_map_into_the_file() -> None:
    text = notebook(
        ("markdown", ["# Title\n", "mlflow.set_experiment('not code')\n"]),
        ("code", ["import mlflow\n", "%pip install x\n", "NAME = 'fraud'\n"]),
        ("code", ["!ls\n", "mlflow.set_experiment(NAME)\n"]),
        ("code", "%%bash\necho not python\n"),
    )
    [unit] = notebook_units(text, "nb.ipynb")
    [call] = [c for c in calls(unit) if dotted_name(c.func) == "mlflow.set_experiment"]
    assert string_value(argument(call, 0, "experiment_name"), constants(unit)) == "fraud"
    line, _ = unit.position(call)
    assert text.splitlines()[line - 1].strip() == '"mlflow.set_experiment(NAME)\\n"'


def test_a_cell_that_does_not_parse_leaves_the_others() -> None:
    text = notebook(("code", ["x = (\n"]), ("code", ["y = 'kept'\n"]))
    units = notebook_units(text, "nb.ipynb")
    assert [constants(u) for u in units] == [{"y": "kept"}]


def test_outputs_and_broken_notebooks_are_not_code() -> None:
    assert notebook_units("{not json", "nb.ipynb") == []
    assert notebook_units('{"cells": "nope"}', "nb.ipynb") == []
    assert code_units("a.txt", "x = 1") == []
    assert code_units("a.py", "def (:") == []


def test_python_columns_count_characters_not_bytes() -> None:
    [unit] = code_units("a.py", "é = f('s3://b/k')\n")
    [call] = list(calls(unit))
    assert unit.position(call.args[0]) == (1, 7)


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("mlflow.set_experiment(x)", "mlflow.set_experiment"),
        ("MlflowClient().create_experiment(x)", "MlflowClient().create_experiment"),
        ("spark.read.format('delta').load(p)", "spark.read.format().load"),
        ("f()(x)", "f()"),
        ("(a or b)(x)", "()"),
    ],
)
def test_dotted_name(source: str, name: str) -> None:
    call = ast.parse(source, mode="eval").body
    assert isinstance(call, ast.Call)
    assert dotted_name(call.func if name != "()" else call) == name


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("'a'", "a"),
        ("BASE + '/x.csv'", "s3://b/x.csv"),
        ("f'{BASE}/y'", "s3://b/y"),
        ("f'{BASE!r}'", None),
        ("f'{run_id}/z'", None),
        ("os.environ['X']", None),
        ("'a' * 2", None),
    ],
)
def test_string_value(expr: str, value: str | None) -> None:
    node = ast.parse(expr, mode="eval").body
    assert string_value(node, {"BASE": "s3://b"}) == value


def test_constants_bound_twice_are_unknown() -> None:
    [unit] = code_units("a.py", "A = 'x'\nB = 'y'\nB = 'z'\nC: str = 'c'\nD = f(1)\n")
    assert constants(unit) == {"A": "x", "C": "c"}
