"""YAML loading that keeps where every key and value came from, and rejects duplicate keys.

Policies, the config and checked YAML files all go through here, so an error or a finding
can name `file:line:col` instead of a guess. Containers are dict/list subclasses carrying
the marks of their keys and items; scalars stay plain Python values so comparisons and
JSON Schema validation behave as usual.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from govcheck.errors import Mark, UsageError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalars = yaml.SafeLoader("")  # only its constructors for scalar tags are used
_STR = "tag:yaml.org,2002:str"
# An untagged date-like scalar resolves to a timestamp: if it is impossible, it stays text.
_IMPLICIT_DATE = re.compile(r"\d{4}-\d\d?-\d\d?").match
_SCALAR_CONSTRUCTORS = {
    f"tag:yaml.org,2002:{name}": yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{name}"]
    for name in ("null", "bool", "int", "float", "binary", "timestamp")
}


class LDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the marks of its own start, its keys and its values."""

    mark: Mark | None
    key_marks: dict[Any, Mark]
    value_marks: dict[Any, Mark]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mark = None
        self.key_marks = {}
        self.value_marks = {}


class LList(list):  # type: ignore[type-arg]
    """A sequence that remembers the marks of its own start and of each item."""

    mark: Mark | None
    item_marks: list[Mark]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.mark = None
        self.item_marks = []


class YAMLSourceError(UsageError):
    """Malformed YAML or a duplicate key; carries the mark of the offending place, and for
    an unclosed structure where it was opened (`context`: "while parsing a flow mapping")."""

    def __init__(
        self, message: str, mark: Mark | None = None, context: tuple[str, Mark] | None = None
    ) -> None:
        super().__init__(message, mark)
        self.context = context


def mark_of(node: yaml.Node, path: str) -> Mark:
    return Mark(path, node.start_mark.line + 1, node.start_mark.column + 1)


def value_mark(container: Any, key: Any) -> Mark | None:
    """The mark of container[key] when the container is located, else None."""
    if isinstance(container, LDict):
        return container.value_marks.get(key)
    if isinstance(container, LList) and isinstance(key, int) and 0 <= key < len(container):
        return container.item_marks[key] if key < len(container.item_marks) else None
    return None


class _Builder:
    def __init__(self, path: str, local_tags: bool) -> None:
        self.path = path
        # Repository files carry tools' own tags (CloudFormation `!Ref`, `!GetAtt`, Ansible
        # `!vault`): their value is kept as written. What govcheck reads as its own input
        # (policies, config) has no such tags, so there an unknown tag is an error.
        self.local_tags = local_tags
        self.memo: dict[int, Any] = {}  # aliases share one object: no "billion laughs"

    def build(self, node: yaml.Node) -> Any:
        done = self.memo.get(id(node))
        if done is not None:
            return done
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            out = LList()
            out.mark = mark_of(node, self.path)
            self.memo[id(node)] = out
            for item in node.value:
                out.append(self.build(item))
                out.item_marks.append(mark_of(item, self.path))
            return out
        if node.tag == _STR:
            return node.value  # most scalars: what SafeConstructor would return, without it
        if self.local_tags and node.tag.startswith("!"):
            return node.value
        try:
            # The scalar constructors are called directly: construct_object would also keep
            # every node in the shared loader's memo for as long as the process lives.
            construct = _SCALAR_CONSTRUCTORS.get(node.tag)
            value = construct(_scalars, node) if construct else _scalars.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            raise YAMLSourceError(str(exc.problem), mark_of(node, self.path)) from None
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            # A date-shaped but impossible timestamp (2027-13-45): keep the text, so the
            # schema names it at its line instead of the loader crashing.
            if node.tag == "tag:yaml.org,2002:timestamp" and _IMPLICIT_DATE(node.value):
                value = node.value
            else:  # `!!int abc`, `!!bool maybe`, an integer of 5,000 digits...
                tag = node.tag.replace("tag:yaml.org,2002:", "!!")
                shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
                raise YAMLSourceError(
                    f"{tag} cannot hold {shown!r}", mark_of(node, self.path)
                ) from None
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()  # keep data JSON-shaped for schemas and reports
        elif isinstance(value, bytes):
            value = value.decode("latin-1")
        return value

    def _mapping(self, node: yaml.MappingNode) -> LDict:
        out = LDict()
        out.mark = mark_of(node, self.path)
        self.memo[id(node)] = out
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._merge(out, value_node)
                continue
            key = self.build(key_node)
            if isinstance(key, (dict, list)):
                raise YAMLSourceError("mapping keys must be scalars", mark_of(key_node, self.path))
            km = mark_of(key_node, self.path)
            if key in out.key_marks and key in out:
                first = out.key_marks[key]
                raise YAMLSourceError(
                    f"duplicate key '{key}' (first defined at line {first.line})", km
                )
            out[key] = self.build(value_node)
            out.key_marks[key] = km
            out.value_marks[key] = mark_of(value_node, self.path)
        return out

    def _merge(self, out: LDict, value_node: yaml.Node) -> None:
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for src_node in sources:
            src = self.build(src_node)
            if not isinstance(src, LDict):
                raise YAMLSourceError("'<<' merges only mappings", mark_of(src_node, self.path))
            for key, value in src.items():
                if key not in out:
                    out[key] = value
                    out.key_marks[key] = src.key_marks[key]
                    out.value_marks[key] = src.value_marks[key]


def load_all(text: str, path: str, local_tags: bool = False) -> list[Any]:
    """Every document of a YAML stream, located. Raises YAMLSourceError with a mark.

    local_tags: accept `!Tag` values (kept as the plain scalar, list or mapping), as
    repository files written for other tools use them."""
    builder = _Builder(path, local_tags)
    docs: list[Any] = []
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            docs.append(builder.build(node) if node is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(path, mark.line + 1, mark.column + 1) if mark else Mark(path, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        context = None
        if exc.context and exc.context_mark and exc.problem_mark:
            cm = exc.context_mark
            context = (exc.context, Mark(path, cm.line + 1, cm.column + 1))
        raise YAMLSourceError(f"invalid YAML: {problem}", where, context) from None
    except yaml.YAMLError as exc:
        raise YAMLSourceError(f"invalid YAML: {exc}", Mark(path, 1, 1)) from None
    except RecursionError:
        raise YAMLSourceError("YAML nested too deeply", Mark(path, 1, 1)) from None
    return docs


def plain(value: Any) -> Any:
    """Located containers (LDict/LList, keys of any type) as plain dicts with string keys
    and lists, for comparing values whatever loader read them."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def load_one(text: str, path: str) -> Any:
    """A single-document YAML file (policies, config). An empty file is None."""
    docs = load_all(text, path)
    if len(docs) > 1:
        raise YAMLSourceError("expected one YAML document, found several", Mark(path, 1, 1))
    return docs[0] if docs else None


def read_one(path: Path, display: str, what: str) -> tuple[str, Any]:
    """Read and parse a single-document YAML file the user wrote (config, policy)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {display}") from None
    except IsADirectoryError:
        raise UsageError(f"{what} is a directory: {display}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {display}: {exc}") from None
    return text, load_one(text, display)
