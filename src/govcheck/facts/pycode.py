"""Python code as readers see it: `.py` files and the code cells of `.ipynb` notebooks,
parsed with `ast` (never imported or run), with every line mapped back to the file.

A notebook's code cells are joined into one module, IPython magics (`%pip`, `!ls`, `%%bash`
cells) blanked out, so a constant set in one cell is known in the next; outputs are never
read. Readers (data references, experiment names, registered models) share one parse per
file and the helpers below: a call's dotted name, and the string an argument holds.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from govcheck.yamlsrc import LList, YAMLSourceError, load_all


@dataclass(frozen=True)
class CodeUnit:
    """One parsed piece of code: a whole `.py` file, or a notebook's code cells."""

    tree: ast.Module
    lines: list[str]  # the code's own lines, for character columns
    line_map: list[int] = field(default_factory=list)  # code line (1-based) - 1 -> file line

    def position(self, node: ast.AST) -> tuple[int, int]:
        """The file line and 1-based character column of a node."""
        lineno = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        # ast offsets count UTF-8 bytes; editors and SARIF count characters.
        column = len(line.encode()[:col].decode(errors="ignore")) + 1
        if self.line_map:
            return (self.line_map[lineno - 1] if lineno <= len(self.line_map) else 1), 1
        return lineno, column

    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every node, in `ast.walk` order: walked once for all the readers of the unit
        (data references, experiment names, registered models each walked it whole)."""
        return walk(self.tree)

    @cached_property
    def calls(self) -> list[ast.Call]:
        return [node for node in self.nodes if isinstance(node, ast.Call)]


def walk(tree: ast.AST) -> list[ast.AST]:
    """The nodes `ast.walk` yields, in its order (breadth first, fields in order), made as
    one list: ast.walk's nested generators (iter_child_nodes, iter_fields) cost twice as
    much."""
    nodes = [tree]
    append, node_type = nodes.append, ast.AST
    for node in nodes:  # grows while it is read: each node's children go to the end
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, node_type):
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
    return nodes


def _parse(source: str) -> ast.Module | None:
    if source.count("(") + source.count("[") + source.count("{") > 100_000:
        return None  # data pasted as code; nothing a reader looks for hides there
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # not ours to report: the file's own tooling does


def python_units(text: str) -> list[CodeUnit]:
    tree = _parse(text)
    return [CodeUnit(tree, text.splitlines())] if tree is not None else []


def _is_magic(line: str) -> bool:
    stripped = line.lstrip()
    return stripped[:1] in ("%", "!", "?") or stripped.endswith("?") and " " not in stripped


def _cell_lines(source: object, mark_lines: list[int] | None, base: int) -> list[tuple[str, int]]:
    """(code line, file line) of one cell: `source` is a string or a list of lines."""
    if isinstance(source, str):
        return [(line, base) for line in source.splitlines()]
    if not isinstance(source, list):
        return []
    out: list[tuple[str, int]] = []
    for i, part in enumerate(source):
        line_no = mark_lines[i] if mark_lines and i < len(mark_lines) else base
        for line in str(part).splitlines() or [""]:
            out.append((line, line_no))
    return out


def _json_lines(text: str, cells: list[Any]) -> list[list[int] | None] | None:
    """Where each cell's source lines are in the file, found in the text as notebook
    writers lay it out (each item of a `source` list on a line of its own, after the cell's
    `"cell_type"`), which is much faster than the located YAML parse; None when the text is
    laid out otherwise."""
    lines = text.splitlines()
    cursor = 0

    def find(needle: str, start: int) -> int | None:
        return next((i for i in range(start, len(lines)) if needle in lines[i]), None)

    out: list[list[int] | None] = []
    for cell in cells:
        kind = cell.get("cell_type") if isinstance(cell, Mapping) else None
        at = find(f'"cell_type": {json.dumps(kind)}', cursor)
        if at is None:
            return None
        cursor = at
        source = cell.get("source")
        if kind != "code":
            out.append(None)
            continue
        start = find('"source":', cursor)
        if start is None:
            return None
        if not isinstance(source, list):  # one string: its lines all map to the key's line
            out.append([start + 1])
            cursor = start
            continue
        first = start + 1 if lines[start].rstrip().endswith("[") else start
        marks: list[int] = []
        for i, item in enumerate(source):
            line = first + i
            encoded = (json.dumps(item, ensure_ascii=False), json.dumps(item))
            if line >= len(lines) or not any(e in lines[line] for e in encoded):
                return None
            marks.append(line + 1)
        out.append(marks)
        cursor = start
    return out


def notebook_units(text: str, path: str) -> list[CodeUnit]:
    """The code cells of an nbformat 4 notebook as one unit (or one per cell, when the
    cells do not parse together), lines mapped into the `.ipynb` file."""
    notebook: object = None
    located: list[list[int] | None] | None = None
    try:
        notebook = json.loads(text)
        cells = notebook.get("cells") if isinstance(notebook, Mapping) else None
        located = _json_lines(text, cells) if isinstance(cells, list) else None
    except ValueError:
        pass
    if located is None:
        try:
            docs = load_all(text, path)  # JSON is YAML: the loader keeps each line's position
            notebook = docs[0] if docs else None
        except YAMLSourceError:
            if notebook is None:
                return []
    cells = notebook.get("cells") if isinstance(notebook, Mapping) else None
    if not isinstance(cells, list):
        return []
    pieces: list[list[tuple[str, int]]] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        if located is not None:
            marks = located[index]
            base = marks[0] if marks else 1
            marks = marks if isinstance(source, list) else None
        else:
            marks = [m.line for m in source.item_marks] if isinstance(source, LList) else None
            value_marks = getattr(cell, "value_marks", {})
            base = value_marks["source"].line if "source" in value_marks else 1
        lines = _cell_lines(source, marks, base)
        if lines and lines[0][0].lstrip().startswith("%%"):
            continue  # a cell magic: bash, sql, writefile... not Python
        pieces.append([("" if _is_magic(code) else code, at) for code, at in lines])
    whole = [pair for piece in pieces for pair in piece]
    joined = _unit(whole)
    if joined is not None:
        return [joined]
    return [unit for unit in (_unit(piece) for piece in pieces) if unit is not None]


def _unit(pairs: list[tuple[str, int]]) -> CodeUnit | None:
    lines = [code for code, _ in pairs]
    tree = _parse("\n".join(lines))
    return CodeUnit(tree, lines, [at for _, at in pairs]) if tree is not None else None


def code_text(path: str, text: str | None) -> str:
    """The code of a `.py` file or of a notebook's code cells, as plain text: a cheap gate
    before parsing (a notebook's markdown and outputs often mention what its code does not)."""
    if text is None:
        return ""
    if not path.endswith(".ipynb"):
        return text
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    parts = []
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source")
            parts.append("".join(map(str, source)) if isinstance(source, list) else str(source))
    return "\n".join(parts)


def code_units(path: str, text: str | None) -> list[CodeUnit]:
    """The parsed code of a `.py` file or a notebook; [] for anything else."""
    if text is None:
        return []
    if path.endswith(".py"):
        return python_units(text)
    if path.endswith(".ipynb"):
        return notebook_units(text, path)
    return []


def dotted_name(node: ast.AST) -> str:
    """`mlflow.set_experiment`, `spark.read.format().load`, `MlflowClient().create_experiment`:
    the chain of names a call or attribute is reached through ("" when it has none)."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            break
    out = ""
    for part in reversed(parts):
        out += part if part == "()" or not out else "." + part
    return out


def calls(unit: CodeUnit) -> Iterator[ast.Call]:
    return iter(unit.calls)


def constants(unit: CodeUnit) -> dict[str, str]:
    """Names bound once, at module level, to a string: `DATA = "s3://..."`. A name bound
    twice is left out, since which value a call sees depends on the order of execution."""
    seen: dict[str, str | None] = {}
    for stmt in unit.tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = list(stmt.targets), stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for target in targets:
            if isinstance(target, ast.Name):
                text = string_value(value, {}) if value is not None else None
                seen[target.id] = text if target.id not in seen else None
    return {k: v for k, v in seen.items() if v is not None}


def string_value(node: ast.AST | None, names: Mapping[str, str]) -> str | None:
    """The string an expression certainly holds: a literal, a known constant, an f-string
    or `+` of those; None when it depends on run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.format_spec is not None or value.conversion != -1:
                    return None
                text = string_value(value.value, names)
            else:
                text = string_value(value, names)
            if text is None:
                return None
            parts.append(text)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = string_value(node.left, names), string_value(node.right, names)
        return left + right if left is not None and right is not None else None
    return None


def argument(call: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    """A call's argument by keyword, else by position."""
    for kw in call.keywords:
        if keyword is not None and kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args):
        arg = call.args[position]
        return None if isinstance(arg, ast.Starred) else arg
    return None
