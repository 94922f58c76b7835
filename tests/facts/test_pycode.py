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


@pytest.mark.parametrize(
    "layout",
    [
        {"indent": 1},  # as Jupyter writes it: found in the text, without the YAML parse
        {"indent": 1, "sort_keys": True},  # outputs before source
        {"indent": None},  # all on one line: the located parse decides
        {"indent": 2, "ensure_ascii": False},
    ],
)
def test_notebook_lines_are_the_same_however_the_json_is_laid_out(
    layout: dict[str, object],
) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["import mlflow\n", "# é\n"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["import mlflow\n"]}],
            "source": ["import mlflow\n", "name = 'é'\n", "mlflow.set_experiment(name)"],
        },
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1\ny = 2"},
    ]
    text = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}, **layout)  # type: ignore[arg-type]
    [unit] = notebook_units(text, "nb.ipynb")
    lines = text.splitlines()
    found = {code: lines[at - 1] for code, at in zip(unit.lines, unit.line_map)}
    at = dict(zip(unit.lines, unit.line_map))
    assert "mlflow.set_experiment(name)" in found["mlflow.set_experiment(name)"]
    assert "name = " in found["name = 'é'"]
    assert '"source"' in found["x = 1"]  # a string source: the line of its key
    if layout["indent"] is not None:
        # the code cell's line: not the markdown cell's, nor the output's, of the same text
        code_cell = next(i for i, line in enumerate(lines, 1) if '"code"' in line)
        assert found["import mlflow"].strip() == '"import mlflow\\n",'
        assert at["import mlflow"] > code_cell
        assert at["import mlflow"] > next(i for i, line in enumerate(lines, 1) if '"text"' in line)
