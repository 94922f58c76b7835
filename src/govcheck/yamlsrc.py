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

from govcheck.boundary import resolves_into_git_dir
from govcheck.errors import Mark, UsageError, clip

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalars = yaml.SafeLoader("")  # only its constructors for scalar tags are used
_STR = "tag:yaml.org,2002:str"
# An untagged date-like scalar resolves to a timestamp: if it is impossible, it stays text.
_IMPLICIT_DATE = re.compile(r"\d{4}-\d\d?-\d\d?").match
_SCALAR_CONSTRUCTORS = {
    f"tag:yaml.org,2002:{name}": yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{name}"]
    for name in ("null", "bool", "int", "float", "binary", "timestamp")
}
_INT = "tag:yaml.org,2002:int"
# Standard tags a mapping or a sequence may carry, read as the plain container they are
# written as (`!!set {a, b}` is a mapping of nulls, `!!omap [{a: 1}]` a list of mappings).
_MAPPING_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:set"}
_SEQUENCE_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"}

# Bounds on what a document may make govcheck build, whatever its size on disk: aliases
# ("billion laughs": 8 levels of 9 aliases in 500 bytes stand for 43 million nodes, which
# every later reader - schema validation, reason texts, reports - would walk) and nesting
# (recursive readers and validators need a stack per level). Real files stay far below.
MAX_ALIAS_NODES = 100_000  # nodes aliases may add to one document beyond those written
MAX_DEPTH = 100
# An integer whose decimal form Python refuses to build or print (4,300 digits): the
# characters of the scalar are checked first, since `1:2:3:...` (base 60) or `0x...` values
# cost quadratic time to construct.
_MAX_INT_CHARS = 4300
_MAX_INT_BITS = 14_000


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


class YAMLLimitError(YAMLSourceError):
    """A document govcheck refuses to read in full (aliases expanding past MAX_ALIAS_NODES,
    nesting past MAX_DEPTH): valid YAML, but not read, and reported as such."""


_new = object.__new__
_ScalarNode = yaml.ScalarNode


def new_mark(path: str, line: int, column: int) -> Mark:
    """Mark(path, line, column) without the frozen dataclass's __init__ (three
    object.__setattr__ calls): a large file's parse or cache read makes one per key and
    value, and this halves their cost. The result is an ordinary, equal Mark."""
    mark: Mark = _new(Mark)
    fields = mark.__dict__  # three stores: cheaper still than one update(**kwargs)
    fields["path"] = path
    fields["line"] = line
    fields["column"] = column
    return mark


def mark_of(node: yaml.Node, path: str) -> Mark:
    start = node.start_mark
    return new_mark(path, start.line + 1, start.column + 1)


def value_mark(container: Any, key: Any) -> Mark | None:
    """The mark of container[key] when the container is located, else None."""
    if isinstance(container, LDict):
        return container.value_marks.get(key)
    if isinstance(container, LList) and isinstance(key, int) and 0 <= key < len(container):
        return container.item_marks[key] if key < len(container.item_marks) else None
    return None


class _Builder:
    """Builds one document's nodes into located values, within the bounds above."""

    def __init__(self, path: str, local_tags: bool) -> None:
        self.path = path
        # Repository files carry tools' own tags (CloudFormation `!Ref`, `!GetAtt`, Ansible
        # `!vault`): their value is kept as written. What govcheck reads as its own input
        # (policies, config) has no such tags, so there an unknown tag is an error.
        self.local_tags = local_tags
        # An alias is the same node as its anchor: it is built once and shared, and the
        # nodes it stands for are counted, so a document's expanded size is known without
        # ever expanding it. Node ids are only valid while the document's nodes are alive,
        # so a builder serves one document.
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}  # container node id -> nodes it stands for
        self.count = 0  # nodes built so far, aliases expanded
        self.aliased = 0  # of which added by aliases
        self.depth = 0

    def build(self, node: yaml.Node) -> Any:
        if node.__class__ is _ScalarNode:  # most nodes; an alias of a scalar is built again
            self.count += 1
            return self._scalar(node)
        if id(node) in self.memo:
            return self._alias(node)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            return self._container(node)
        self.count += 1
        return self._scalar(node)

    def _alias(self, node: yaml.Node) -> Any:
        size = self.sizes.get(id(node))
        if size is None:  # still being built: the anchor is used inside itself
            raise YAMLLimitError(
                "refused: an alias refers to the node it is inside (a recursive anchor)",
                mark_of(node, self.path),
            )
        self.count += size
        self.aliased += size
        if self.aliased > MAX_ALIAS_NODES:
            raise YAMLLimitError(
                f"refused: aliases expand this document by more than {MAX_ALIAS_NODES:,} "
                "nodes (a 'billion laughs'); it is not read",
                mark_of(node, self.path),
            )
        return self.memo[id(node)]

    def _container(self, node: yaml.Node) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise YAMLLimitError(
                f"refused: nested deeper than {MAX_DEPTH} levels", mark_of(node, self.path)
            )
        before = self.count
        self.count += 1
        if isinstance(node, yaml.MappingNode):
            self._collection_tag(node, _MAPPING_TAGS, "a mapping")
            value: Any = self._mapping(node)
        else:
            self._collection_tag(node, _SEQUENCE_TAGS, "a list")
            value = self._sequence(node)
        self.sizes[id(node)] = self.count - before
        self.depth -= 1
        return value

    def _collection_tag(self, node: yaml.Node, standard: set[str], kind: str) -> None:
        """Tags on a mapping or list are judged like tags on scalars: a tool's own `!Tag`
        is kept in repository files, a standard tag that cannot hold it is an error."""
        tag = node.tag
        if tag in standard or (self.local_tags and tag.startswith("!")):
            return
        if tag.startswith("tag:yaml.org,2002:"):
            shown = clip(tag.replace("tag:yaml.org,2002:", "!!"))
            known = tag == _STR or tag in _SCALAR_CONSTRUCTORS
            problem = f"{shown} cannot hold {kind}" if known else f"unknown tag {shown}"
            raise YAMLSourceError(problem, mark_of(node, self.path))
        raise YAMLSourceError(
            f"could not determine a constructor for the tag {clip(tag)!r}",
            mark_of(node, self.path),
        )

    def _sequence(self, node: yaml.Node) -> LList:
        path, build = self.path, self.build
        out = LList()
        out.mark = mark_of(node, path)
        self.memo[id(node)] = out
        append, append_mark = out.append, out.item_marks.append
        for item in node.value:
            append(build(item))
            start = item.start_mark
            append_mark(new_mark(path, start.line + 1, start.column + 1))
        return out

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == _STR:
            return node.value  # most scalars: what SafeConstructor would return, without it
        if self.local_tags and node.tag.startswith("!"):
            return node.value
        if node.tag == _INT and len(node.value) > _MAX_INT_CHARS:
            raise self._rejected(node)
        try:
            # The scalar constructors are called directly: construct_object would also keep
            # every node in the shared loader's memo for as long as the process lives.
            construct = _SCALAR_CONSTRUCTORS.get(node.tag)
            value = construct(_scalars, node) if construct else _scalars.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            raise YAMLSourceError(clip(str(exc.problem), 200), mark_of(node, self.path)) from None
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            # A date-shaped but impossible timestamp (2027-13-45): keep the text, so the
            # schema names it at its line instead of the loader crashing.
            if node.tag == "tag:yaml.org,2002:timestamp" and _IMPLICIT_DATE(node.value):
                value = node.value
            else:  # `!!int abc`, `!!int ''`, `!!bool maybe`, an integer of 5,000 digits...
                raise self._rejected(node) from None
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise self._rejected(node)  # `0xfff...`: fine to build, too long to print
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()  # keep data JSON-shaped for schemas and reports
        elif isinstance(value, bytes):
            value = value.decode("latin-1")
        return value

    def _rejected(self, node: yaml.Node) -> YAMLSourceError:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        return YAMLSourceError(
            f"{clip(tag)} cannot hold {clip(node.value, 40)!r}", mark_of(node, self.path)
        )

    def _mapping(self, node: yaml.MappingNode) -> LDict:
        # Attribute lookups hoisted out of the loop: it runs once per key of every parsed file.
        path, build = self.path, self.build
        out = LDict()
        out.mark = mark_of(node, path)
        self.memo[id(node)] = out
        key_marks, value_marks = out.key_marks, out.value_marks
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._merge(out, value_node)
                continue
            key = build(key_node)
            if isinstance(key, (dict, list)):
                raise YAMLSourceError("mapping keys must be scalars", mark_of(key_node, path))
            start = key_node.start_mark
            km = new_mark(path, start.line + 1, start.column + 1)
            if key in key_marks and key in out:
                first = key_marks[key]
                raise YAMLSourceError(
                    f"duplicate key {clip(str(key))!r} (first defined at line {first.line})", km
                )
            out[key] = build(value_node)
            key_marks[key] = km
            start = value_node.start_mark
            value_marks[key] = new_mark(path, start.line + 1, start.column + 1)
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
    docs: list[Any] = []
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            docs.append(_Builder(path, local_tags).build(node) if node is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(path, mark.line + 1, mark.column + 1) if mark else Mark(path, 1, 1)
        problem = " ".join((exc.problem or exc.context or "invalid YAML").split())
        context = None
        if exc.context and exc.context_mark and exc.problem_mark:
            cm = exc.context_mark
            context = (exc.context, Mark(path, cm.line + 1, cm.column + 1))
        raise YAMLSourceError(f"invalid YAML: {clip(problem, 200)}", where, context) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: says where in the text
        at = exc.position
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        raise YAMLSourceError(f"invalid YAML: {exc.reason}", Mark(path, line, column)) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise YAMLSourceError(f"invalid YAML: {clip(first, 200)}", Mark(path, 1, 1)) from None
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
    if resolves_into_git_dir(path):
        raise UsageError(f"{what} {display} is inside a .git directory: not read")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {display}") from None
    except IsADirectoryError:
        raise UsageError(f"{what} is a directory: {display}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {display}: {exc}") from None
    return text, load_one(text, display)
