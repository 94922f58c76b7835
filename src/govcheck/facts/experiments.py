"""`experiment_reference` resources: MLflow experiment names written in code and configs.

Python is parsed with `ast`, never imported or run, and only string constants count (a
name built at run time cannot be checked before it runs). YAML and JSON contribute every
`experiment_name` key at any depth; `.env` files their `MLFLOW_EXPERIMENT_NAME=` lines.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import NamedTuple

from govcheck.facts.base import Facts
from govcheck.facts.parsing import data_files, located_strings
from govcheck.model import Location, Resource

_PY_MARKERS = ("set_experiment", "create_experiment")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?MLFLOW_EXPERIMENT_NAME\s*=\s*(.*)$")
# call name -> the keyword that may hold the name (else the first positional argument)
_CALLS = {"set_experiment": "experiment_name", "create_experiment": "name"}


class Found(NamedTuple):
    name: str
    line: int
    column: int


def is_env_file(name: str) -> bool:
    return name == ".env" or name.endswith(".env") or name.startswith(".env.")


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _char_column(lines: list[str], node: ast.expr) -> int:
    # ast offsets count UTF-8 bytes; editors and SARIF count characters.
    line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
    return len(line.encode()[: node.col_offset].decode(errors="ignore")) + 1


def python_names(text: str) -> Iterator[Found]:
    if not any(marker in text for marker in _PY_MARKERS):
        return
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # not our business: the file's own tooling reports it
    lines = text.splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keyword = _CALLS.get(_call_name(node) or "")
        if keyword is None:
            continue
        candidates = [node.args[0]] if node.args else []
        candidates += [k.value for k in node.keywords if k.arg == keyword]
        for arg in candidates[:1]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield Found(arg.value, arg.lineno, _char_column(lines, arg))


def env_names(text: str) -> Iterator[Found]:
    for number, line in enumerate(text.splitlines(), start=1):
        found = _ENV_LINE.match(line)
        if not found:
            continue
        raw, column = found.group(1), found.start(1) + 1
        if raw[:1] in ("'", '"') and raw[0] in raw[1:]:
            name = raw[1 : raw.index(raw[0], 1)]
            column += 1
        else:
            name = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
        if name:
            yield Found(name, number, column)


def experiment_references(facts: Facts) -> list[Resource]:
    out: list[Resource] = []
    for res, kind in data_files(facts, ("yaml", "json")):
        text = res.fields["text"]
        # Walking every string of every config is the costly part; a key can only be
        # experiment_name if the text says so, or spells it with escapes (a backslash).
        if text is None or ("experiment_name" not in text and "\\" not in text):
            continue
        for scalar in located_strings(res):
            named = scalar.key == "experiment_name" and isinstance(scalar.parent, dict)
            if named and scalar.line is not None and scalar.column is not None:
                found = Found(scalar.value, scalar.line, scalar.column)
                out.append(_resource(res.id, found, kind))
    for res in facts.resources("file"):
        if not facts.reaches(res.id):
            continue
        if res.fields["suffix"] == ".py":
            text = res.fields["text"] or ""
            out += [_resource(res.id, f, "python") for f in python_names(text)]
        elif is_env_file(res.fields["name"]):
            text = res.fields["text"] or ""
            out += [_resource(res.id, f, "env") for f in env_names(text)]
    unique = {r.id: r for r in reversed(out)}  # a YAML alias repeats its anchor's position
    return sorted(
        unique.values(), key=lambda r: (r.fields["file"], r.fields["line"], r.fields["column"])
    )


def _resource(path: str, found: Found, source: str) -> Resource:
    fields = {
        "name": found.name,
        "file": path,
        "line": found.line,
        "column": found.column,
        "source": source,
    }
    return Resource(
        "experiment_reference",
        f"{path}:{found.line}:{found.column}",
        fields,
        Location(path, found.line, found.column, snippet=found.name),
        touches=(path,),
    )
