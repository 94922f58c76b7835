"""Parse checked YAML, JSON and TOML files without ever failing a check.

A broken file in the checked repository is a fact about that repository, not a crash:
parsers return the documents they could read and an error string "line:col: message".
YAML (and JSON, which is nearly always valid YAML) come back located: mappings are LDict
and sequences LList carrying the line and column of every key and item.
"""

from __future__ import annotations

import json
import re
import sys
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govcheck.model import Resource
from govcheck.yamlsrc import MAX_DEPTH, LDict, LList, YAMLLimitError, YAMLSourceError, load_all

if TYPE_CHECKING:
    from govcheck.facts.base import Facts

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

YAML_SUFFIXES = (".yaml", ".yml", ".dvc")  # DVC's `.dvc` files are YAML
YAML_NAMES = ("mlproject", "dvc.lock")  # YAML files without a YAML suffix (any case)
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
# Python builds and prints integers of at most 4,300 digits (quadratic time beyond).
_LONG_INT = re.compile(r"[0-9_]{4301,}")
_MAX_INT_BITS = 14_000
_REFUSED = "refused: "


@dataclass(frozen=True)
class Problem:
    """Why a file could not be parsed, where, and where the structure it broke began."""

    line: int
    column: int
    message: str
    context_line: int | None = None  # the line of the unclosed bracket or block

    def as_fields(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "context_line": self.context_line,
        }


@dataclass(frozen=True)
class Parsed:
    documents: list[Any]
    problem: Problem | None = None  # set when the file could not be parsed
    # Valid, but beyond what govcheck reads (aliases, nesting): reported as not read.
    refused: bool = False

    @property
    def data(self) -> Any:
        return self.documents[0] if self.documents else None

    @property
    def error(self) -> str | None:
        """ "line:col: message" when the file could not be parsed."""
        p = self.problem
        return f"{p.line}:{p.column}: {p.message}" if p else None


def refused(error: str | None) -> bool:
    """Whether a parse error says the file was refused (valid, but beyond govcheck's bounds)
    rather than broken; markdown front matter keeps only the error text."""
    return error is not None and f": {_REFUSED}" in error


def _failed(exc: YAMLSourceError) -> Parsed:
    line, column = (exc.mark.line, exc.mark.column) if exc.mark else (1, 1)
    message, context_line = exc.message, None
    if exc.context is not None and exc.context[1].line != line:
        what, mark = exc.context
        context_line = mark.line
        message = f"{message} ({what} that starts at line {mark.line})"
    return Parsed([], Problem(line, column, message, context_line), isinstance(exc, YAMLLimitError))


def _too_deep() -> Parsed:
    return Parsed([], Problem(1, 1, f"{_REFUSED}nested deeper than {MAX_DEPTH} levels"), True)


def parse_yaml_all(text: str, path: str) -> Parsed:
    try:
        return Parsed(load_all(text, path, local_tags=True))
    except YAMLSourceError as exc:
        return _failed(exc)


def parse_json(text: str, path: str) -> Parsed:
    try:
        plain = json.loads(text)
    except json.JSONDecodeError as exc:
        relaxed = _jsonc(text)
        if relaxed is not None:  # JSON with comments (tsconfig, devcontainer, .vscode)
            return _located_json(relaxed, json.loads(relaxed), path)
        return Parsed([], _json_problem(text, exc))
    except RecursionError:
        return _too_deep()
    except ValueError:  # an integer of more than 4,300 digits
        return Parsed([], _position(text, _LONG_INT, "invalid JSON: integer too long"))
    return _located_json(text, plain, path)


def _located_json(text: str, plain: Any, path: str) -> Parsed:
    # The YAML loader gives line marks; keep its result only when it reads the same data
    # (YAML 1.1 and JSON disagree on a few corners: NaN, duplicate keys, tabs).
    try:
        located = load_all(text, path)
    except YAMLLimitError as exc:  # nesting: the plain data is just as deep
        return _failed(exc)
    except YAMLSourceError:
        return _bounded(Parsed([plain]))
    if len(located) == 1 and located[0] == plain:
        return Parsed(located)
    return _bounded(Parsed([plain]))


def parse_toml(text: str, path: str) -> Parsed:
    try:
        return _bounded(Parsed([tomllib.loads(text)]))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        if not found and "(at end of document)" in message:
            line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
        shown = _TOML_POSITION.sub("", message).replace("(at end of document)", "").strip()
        return Parsed([], Problem(line, column, f"invalid TOML: {shown}"))
    except RecursionError:
        return _too_deep()
    except ValueError:  # an integer of more than 4,300 digits
        return Parsed([], _position(text, _LONG_INT, "invalid TOML: integer too long"))


def _position(text: str, pattern: re.Pattern[str], message: str) -> Problem:
    found = pattern.search(text)
    if found is None:
        return Problem(1, 1, message)
    at = found.start()
    return Problem(text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at), message)


def _bounded(parsed: Parsed) -> Parsed:
    """Data from a parser without the YAML loader's bounds (plain JSON, TOML), held to the
    same ones: nesting (validators recurse) and integers Python can print."""
    stack = [(doc, 1) for doc in parsed.documents]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return _too_deep()
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            return Parsed([], Problem(1, 1, "integer too long (over 4,300 digits)"))
    return parsed


_OPENERS = {"{": "}", "[": "]"}


def _json_problem(text: str, exc: json.JSONDecodeError) -> Problem:
    """The decoder's position, and the innermost bracket still open there."""
    stack: list[int] = []
    in_string = escaped = False
    for i, c in enumerate(text[: exc.pos]):
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in _OPENERS:
            stack.append(i)
        elif c in "}]" and stack:
            stack.pop()
    message = f"invalid JSON: {exc.msg}"
    if not stack:
        return Problem(exc.lineno, exc.colno, message)
    at = stack[-1]
    line = text.count("\n", 0, at) + 1
    return Problem(
        exc.lineno, exc.colno, f"{message} (in the '{text[at]}' opened at line {line})", line
    )


def _strip_jsonc(text: str) -> str:
    """Comments and trailing commas blanked out (lines and columns kept), in one pass."""
    out = list(text)
    i, n = 0, len(text)
    last_comma = -1  # a comma seen since the last value, maybe trailing
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"' and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
            last_comma = -1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
            continue
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            stop = n if close < 0 else close + 2
            for j in range(i, stop):
                if out[j] != "\n":
                    out[j] = " "
            i = stop
            continue
        elif c == ",":
            last_comma = i
        elif c in "}]" and last_comma >= 0:
            out[last_comma] = " "
            last_comma = -1
        elif not c.isspace():
            last_comma = -1
        i += 1
    return "".join(out)


def _jsonc(text: str) -> str | None:
    """JSON with comments and trailing commas made plain (same lines and columns), or None
    when that is not what the file is."""
    if "//" not in text and "/*" not in text and "," not in text:
        return None
    plain = _strip_jsonc(text)
    if plain == text:
        return None
    try:
        json.loads(plain)
    except (ValueError, RecursionError):
        return None
    return plain


def name_and_suffix(path: str) -> tuple[str, str]:
    """("a.tar.gz", ".gz") for "x/a.tar.gz"; like pathlib, but cheap over 20,000 paths."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name, (name[dot:].lower() if 0 < dot < len(name) - 1 else "")


def data_format(path: str) -> str | None:
    """'yaml', 'json' or 'toml' for files govcheck parses, else None."""
    name, suffix = name_and_suffix(path)
    if suffix in YAML_SUFFIXES or name.lower() in YAML_NAMES:
        return "yaml"
    if suffix == ".json":
        return "json"
    if suffix == ".toml":
        return "toml"
    return None


def parse_file(path: str, text: str) -> Parsed | None:
    """Parse by file type; None when the file is not YAML, JSON or TOML."""
    kind = data_format(path)
    if kind == "yaml":
        return parse_yaml_all(text, path)
    if kind == "json":
        return parse_json(text, path)
    if kind == "toml":
        return parse_toml(text, path)
    return None


@dataclass(frozen=True)
class Scalar:
    """A string value found in parsed data, with where it sits."""

    value: str
    parent: Any  # the mapping or list holding it
    key: Any  # the nearest mapping key above it (its own key, or the list's key); None at top
    line: int | None
    column: int | None
    path: tuple[str, ...] = ()  # keys and list indexes from the document's root


# One container being walked: (container, its remaining (key or index, value) pairs, the
# nearest key above its items, its path, its items' marks (None when it has none), whether
# it is a mapping).
_Frame = tuple[Any, Iterator[tuple[Any, Any]], Any, tuple[str, ...], Any, bool]


def _frame(node: Any, key: Any, path: tuple[str, ...]) -> _Frame:
    marks: Any
    if isinstance(node, dict):
        marks = node.value_marks if isinstance(node, LDict) else None
        return node, iter(node.items()), key, path, marks, True
    marks = node.item_marks if isinstance(node, LList) else None
    return node, enumerate(node), key, path, marks, False


def walk_strings(document: Any) -> Iterator[Scalar]:
    """Every string value (not keys) in a parsed document, depth first, in document order.

    Marks and paths are made only for strings and containers: most values of a large
    config are numbers and flags, and the walk runs over every parsed file."""
    if not isinstance(document, (dict, list)):
        return  # a document that is one string has no key, and is no reference's place
    seen = {id(document)}  # aliases may share (or even nest) containers: visit each once
    stack = [_frame(document, None, ())]
    while stack:
        node, items, key, path, marks, is_dict = stack[-1]
        for k, value in items:
            if isinstance(value, str):
                if marks is None:
                    mark = None
                elif is_dict:
                    mark = marks.get(k)
                else:
                    mark = marks[k] if k < len(marks) else None
                line, column = (mark.line, mark.column) if mark else (None, None)
                yield Scalar(value, node, k if is_dict else key, line, column, (*path, str(k)))
            elif isinstance(value, (dict, list)) and id(value) not in seen:
                seen.add(id(value))
                stack.append(_frame(value, k if is_dict else key, (*path, str(k))))
                break  # walk the child first; this container's items resume after it
        else:
            stack.pop()


# String tokens of JSON and TOML text, in order (TOML comments are skipped, so a quote in
# one opens nothing). Each alternative consumes its characters once: linear time.
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_TOML_TOKEN = re.compile(
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\']|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'',
    re.DOTALL,
)


def _decode_json(token: str) -> Any:
    return json.loads(token)


def _decode_toml(token: str) -> Any:
    if token.startswith("#"):
        return None
    # tomllib reads the token exactly as the file's own parse did (escapes, line-ending
    # backslashes, the newline after an opening triple quote).
    return tomllib.loads("v = " + token)["v"]


class TextLocator:
    """Line and column of string values in raw text, for parsers that keep no marks (TOML,
    and JSON the YAML loader reads differently).

    The quoted value itself is looked for first; a value written with escapes (`\\u0073`,
    `\\/`) or in a multi-line TOML string is found through an index of the text's string
    tokens, decoded as the parser decoded them.
    """

    def __init__(self, text: str, kind: str = "toml") -> None:
        self.text = text
        self.kind = kind
        self._starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self._after: dict[str, int] = {}  # repeated values are found in successive places
        self._tokens: dict[str, list[int]] | None = None
        self._used: dict[str, int] = {}

    def find(self, value: str) -> tuple[int, int] | None:
        start = self._after.get(value, 0)
        hits = [i for i in (self.text.find(q + value + q, start) for q in ('"', "'")) if i >= 0]
        if hits:
            at = min(hits)
            self._after[value] = at + len(value) + 2
            return self._line_column(at)
        offsets = self._token_index().get(value, [])
        used = self._used.get(value, 0)
        if used >= len(offsets):
            return None
        self._used[value] = used + 1
        return self._line_column(offsets[used])

    def _line_column(self, at: int) -> tuple[int, int]:
        line = bisect_right(self._starts, at)
        return line, at - self._starts[line - 1] + 1

    def _token_index(self) -> dict[str, list[int]]:
        if self._tokens is None:
            pattern, decode = (
                (_JSON_STRING, _decode_json) if self.kind == "json" else (_TOML_TOKEN, _decode_toml)
            )
            self._tokens = {}
            for token in pattern.finditer(self.text):
                try:
                    value = decode(token.group(0))
                except (ValueError, tomllib.TOMLDecodeError):
                    continue
                if isinstance(value, str) and value != token.group(0)[1:-1]:
                    self._tokens.setdefault(value, []).append(token.start())
        return self._tokens


def data_files(facts: Facts, formats: tuple[str, ...]) -> Iterator[tuple[Resource, str]]:
    """File resources whose content may hold references, with their format: those the
    check reaches (all of them unless it is limited to PATHs)."""
    for res, kind in _every_data_file(facts):
        if kind in formats and facts.reaches(res.id):
            yield res, kind


def every_data_file(facts: Facts, formats: tuple[str, ...]) -> Iterator[tuple[Resource, str]]:
    """Every parsed-format file, whatever PATHs the check is limited to: for facts joined
    across files (a model's monitors may be declared anywhere in the tree), which a check
    of one file must see as a full check does."""
    for res, kind in _every_data_file(facts):
        if kind in formats:
            yield res, kind


def _every_data_file(facts: Facts) -> list[tuple[Resource, str]]:
    """Found once: eight readers go through them, and each used to classify every tracked
    file by name again."""

    def find() -> list[tuple[Resource, str]]:
        out = []
        for res in facts.resources("file"):
            kind = data_format(res.id)
            if kind is not None:
                out.append((res, kind))
        return out

    return facts.shared("parsing.data_files", find)


def located_strings(res: Resource) -> Iterator[Scalar]:
    """Every string value in a parsed file, with a line even when the parser kept none."""
    locator: TextLocator | None = None
    for document in res.fields["documents"]:
        for scalar in walk_strings(document):
            if scalar.line is None:
                kind = data_format(res.id) or "toml"
                locator = locator or TextLocator(res.fields["text"] or "", kind)
                where = locator.find(scalar.value)
                if where:
                    scalar = Scalar(scalar.value, scalar.parent, scalar.key, *where, scalar.path)
            yield scalar
