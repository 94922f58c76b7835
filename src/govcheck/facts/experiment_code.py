"""Experiment names in Python and notebooks, read with `ast` (never run).

- `mlflow.set_experiment("x")` / `(experiment_name=...)`, `mlflow.create_experiment`,
  `MlflowClient().create_experiment`; `mlflow.run`/`mlflow.projects.run(experiment_name=)`;
  Ray's `MLflowLoggerCallback`/`setup_mlflow(experiment_name=)`.
- Lightning's `MLFlowLogger(experiment_name=...)`; without one it logs to the library's
  default experiment, `lightning_logs`, which is reported as such.
- `MLFLOW_EXPERIMENT_NAME` set in code (`os.environ[...] = "x"`, `setdefault`) or read
  with a default (`os.getenv("MLFLOW_EXPERIMENT_NAME", "x")`): the default is the name
  whenever the variable is unset.

A name is a string the code certainly holds (a literal, a module constant, an f-string of
those); an f-string part known only at run time is a variable, so a literal last segment
of `f"/Users/{user}/fraud"` is still checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from govcheck.facts.base import Facts
from govcheck.facts.experiment_names import Found
from govcheck.facts.files import code_of
from govcheck.facts.pycode import (
    CodeUnit,
    argument,
    code_text,
    constants,
    dotted_name,
    string_value,
)

# Only files that say one of these are parsed for names.
_MARKERS = (
    "set_experiment",
    "create_experiment",
    "experiment_name",
    "MLFlowLogger",
    "MLFLOW_EXPERIMENT_NAME",
)
ENV = "MLFLOW_EXPERIMENT_NAME"
LIGHTNING_DEFAULT = "lightning_logs"
# call (last part of its dotted name) -> (position, keyword) of the experiment name
_CALLS = {
    "set_experiment": (0, "experiment_name"),
    "create_experiment": (0, "name"),
    "MLflowLoggerCallback": (None, "experiment_name"),
    "setup_mlflow": (None, "experiment_name"),
}
_PROJECT_RUNS = ("mlflow.run", "mlflow.projects.run")
_LIGHTNING = ("lightning", "pytorch_lightning")


def template_value(node: ast.AST | None, names: dict[str, str]) -> str | None:
    """The string an expression holds, run-time parts as `${expr}` variables; None when
    nothing of it is known."""
    known = string_value(node, names)
    if known is not None:
        return known
    if isinstance(node, ast.JoinedStr):
        out = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                text = string_value(value.value, names)
                out.append(text if text is not None else "${" + ast.unparse(value.value) + "}")
            else:
                out.append(str(string_value(value, names) or ""))
        joined = "".join(out)
        return joined if any(isinstance(v, ast.Constant) for v in node.values) else None
    return None


def _env_default(node: ast.AST | None, names: dict[str, str]) -> str | None:
    """`os.getenv("MLFLOW_EXPERIMENT_NAME", "x")` / `os.environ.get(...)` -> "x"."""
    if not isinstance(node, ast.Call) or dotted_name(node.func) not in (
        "os.getenv",
        "os.environ.get",
        "getenv",
        "environ.get",
    ):
        return None
    if len(node.args) == 2 and string_value(node.args[0], names) == ENV:
        return string_value(node.args[1], names)
    return None


def _sets_env(dotted: str, call: ast.Call, names: dict[str, str]) -> bool:
    """`os.environ.setdefault("MLFLOW_EXPERIMENT_NAME", ...)`."""
    return (
        dotted.endswith("environ.setdefault")
        and len(call.args) == 2
        and string_value(call.args[0], names) == ENV
    )


def _found(unit: CodeUnit, node: ast.AST, name: str, set_by: str, default: bool = False) -> Found:
    line, column = unit.position(node)
    return Found(name, line, column, set_by, default)


def unit_names(unit: CodeUnit) -> Iterator[Found]:
    names = constants(unit)
    found_calls: list[ast.Call] = []
    assigns: list[ast.Assign] = []
    lightning: set[str] = set()
    for node in unit.nodes:  # one walk for everything this reader looks at
        if isinstance(node, ast.Call):
            found_calls.append(node)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            assigns.append(node)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(_LIGHTNING):
            lightning |= {a.asname or a.name for a in node.names if a.name == "MLFlowLogger"}
    for call in found_calls:
        yield from _call(unit, call, names, lightning)
    for node in assigns:
        target = node.targets[0]
        if (
            isinstance(target, ast.Subscript)
            and dotted_name(target.value).endswith("environ")
            and string_value(target.slice, names) == ENV
        ):
            value = string_value(node.value, names)
            if value is not None:
                yield _found(unit, node.value, value, ENV)


def _call(
    unit: CodeUnit, call: ast.Call, names: dict[str, str], lightning: set[str]
) -> Iterator[Found]:
    dotted = dotted_name(call.func)
    last = dotted.rsplit(".", 1)[-1]
    if last in _CALLS or dotted in _PROJECT_RUNS:
        position, keyword = _CALLS.get(last, (None, "experiment_name"))
        arg = argument(call, position, keyword)
        value = template_value(arg, names) or _env_default(arg, names)
        if value is not None and arg is not None:
            yield _found(unit, arg, value, dotted.replace("()", ""))
    elif last == "MLFlowLogger" and (dotted in lightning or "loggers" in dotted):
        yield from _logger(unit, call, names)
    elif (value := _env_default(call, names)) is not None:
        yield _found(unit, call.args[1], value, f"{ENV} default")
    elif _sets_env(dotted, call, names):
        value = string_value(call.args[1], names)
        if value is not None:
            yield _found(unit, call.args[1], value, ENV)


def _logger(unit: CodeUnit, call: ast.Call, names: dict[str, str]) -> Iterator[Found]:
    if any(k.arg is None for k in call.keywords) or any(
        isinstance(a, ast.Starred) for a in call.args
    ):
        return  # **kwargs: whether a name is given is known at run time only
    arg = argument(call, 0, "experiment_name")
    if arg is None:
        yield _found(unit, call, LIGHTNING_DEFAULT, "MLFlowLogger's library default", True)
        return
    value = template_value(arg, names) or _env_default(arg, names)
    if value is not None:
        yield _found(unit, arg, value, "MLFlowLogger")


def read(facts: Facts) -> Iterator[tuple[str, str, Found]]:
    """(path, source, found) for every name set in Python code or a notebook."""
    for res in facts.resources("file"):
        suffix = res.fields["suffix"]
        if suffix not in (".py", ".ipynb") or not facts.reaches(res.id):
            continue
        code = code_text(res.id, res.fields["text"])
        if not any(marker in code for marker in _MARKERS):
            continue
        source = "python" if suffix == ".py" else "notebook"
        for unit in code_of(res):
            for found in unit_names(unit):
                yield res.id, source, found
