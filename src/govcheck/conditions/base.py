"""What every condition shares: the evaluation scope, the load-time Build, and the one
function that builds a condition node by looking its name up in the registry.

A condition builds an evaluator from its options at load time (validating them, with
marks, into Build.errors) so evaluation is a pure function of the resource:
`evaluator(scope) -> Outcome`. The registry itself is conditions/registry.py; it reaches
this module through Build, so nested conditions (all, not, every...) need no import of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from govcheck import templates
from govcheck.errors import Mark, clip
from govcheck.facts.base import Facts
from govcheck.model import Outcome, Resource
from govcheck.suggest import suggest
from govcheck.yamlsrc import LDict, LList


@dataclass(frozen=True)
class Scope:
    """What one evaluation sees: the resource, the current item of it, and the facts."""

    facts: Facts
    resource: Resource
    item: Any  # the resource's fields, or a list item inside every/some
    base_dir: str  # relative paths in file_exists resolve against this ("" = repo root)


class Evaluator(Protocol):
    def __call__(self, scope: Scope) -> Outcome: ...


Builder = Callable[[LDict, str, "Mark | None", "Build"], Evaluator]
ReadKey = str | int | None  # None: every item of a list
# (kind, None for the rule's own; key path; only its presence matters)
FieldRead = tuple[str | None, tuple[ReadKey, ...], bool]


@dataclass(frozen=True)
class Condition:
    """A registry entry: how to build the condition, and whether it is written
    `{NAME: X, require: COND}` around a nested condition."""

    build: Builder
    nested: bool = False
    # Looks commits up in the repository's history (a shallow clone cannot answer).
    needs_history: bool = False


@dataclass
class Build:
    """Load-time context: where we are, the parameters, the condition registry, and the
    errors found so far."""

    rule_id: str
    params: Mapping[str, Any]
    conditions: Mapping[str, Condition]
    errors: list[tuple[Mark | None, str]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # parameters the rule refers to
    kinds: frozenset[str] = frozenset()  # resource kinds a condition may name
    reads: set[str] = field(default_factory=set)  # other kinds the rule's conditions read
    needs_history: bool = False  # the rule uses a condition that looks commits up
    # The fields the rule reads, of its own resource (kind None) or another kind
    # (refers_to), as key paths (None: every item of a list) and whether only their
    # presence matters; an MLflow snapshot records exactly these.
    field_reads: set[FieldRead] = field(default_factory=set)
    _prefix: tuple[ReadKey, ...] = ()
    _elsewhere: bool = False  # inside `file:`, conditions read another resource
    # Where the config sets parameters: an error about a value that a config parameter
    # made is the config's to fix, so it is reported there, not at the pack's line.
    config_marks: Mapping[str, Mark | None] = field(default_factory=dict)
    param_errors: list[tuple[Mark | None, str]] = field(default_factory=list)
    _made_by: dict[Mark, str] = field(default_factory=dict, init=False, repr=False)

    def read(self, keys: tuple[ReadKey, ...], presence: bool = False) -> None:
        """Note that the condition being built reads this field (relative to the item)."""
        if not self._elsewhere:
            self.field_reads.add((None, self._prefix + keys, presence))

    def read_kind(self, kind: str, keys: tuple[ReadKey, ...]) -> None:
        """Note that the condition reads this field of every resource of another kind."""
        self.field_reads.add((kind, keys, False))

    @contextmanager
    def inside(self, keys: tuple[ReadKey, ...]) -> Iterator[None]:
        """Build nested conditions whose fields are read relative to `keys` (every/some)."""
        saved = self._prefix
        self._prefix = saved + keys
        try:
            yield
        finally:
            self._prefix = saved

    @contextmanager
    def elsewhere(self) -> Iterator[None]:
        """Build nested conditions that read another resource (`file:`): not recorded."""
        saved = self._elsewhere
        self._elsewhere = True
        try:
            yield
        finally:
            self._elsewhere = saved

    def read_template(self, template: str) -> None:
        """Note the `{field}`s of a message or path template."""
        for path in templates.field_paths(template):
            self.read(path.keys)

    def error(self, mark: Mark | None, message: str, hint: str = "") -> None:
        """Record an error; `hint` (a did-you-mean) goes after the rule's name."""
        name = self._made_by.get(mark) if mark is not None else None
        if name is not None:
            self.param_errors.append((self.config_marks[name], f"params.{name}: {message}{hint}"))
            return
        self.errors.append((mark, f"{message} in rule {self.rule_id}{hint}"))

    def _used(self, name: str, mark: Mark | None) -> None:
        self.used.add(name)
        if mark is not None and name in self.config_marks:
            self._made_by[mark] = name

    def subst(
        self, value: Any, mark: Mark | None, allow_fields: bool = False, sep: str = ","
    ) -> Any:
        """Replace `{param}` with parameter values; a whole-string `{param}` keeps its type,
        and a list inside text is joined by `sep` (messages use ", ").

        Unknown names are errors, except where the text is also a template over the
        resource's fields (file_exists, messages), where they are left for evaluation.
        """
        if isinstance(value, LList):  # keep each item's mark for errors about that item
            out = LList(
                self.subst(v, m, allow_fields, sep) for v, m in zip(value, value.item_marks)
            )
            out.mark, out.item_marks = value.mark, list(value.item_marks)
            return out
        if isinstance(value, list):
            return [self.subst(v, mark, allow_fields, sep) for v in value]
        if not isinstance(value, str):
            return value
        whole = _PARAM.fullmatch(value)
        if whole and whole.group(1) in self.params:
            self._used(whole.group(1), mark)
            return self.params[whole.group(1)]

        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in self.params:
                self._used(name, mark)
                p = self.params[name]
                return sep.join(map(str, p)) if isinstance(p, list) else str(p)
            if not allow_fields:  # the policy's own text: its error stays at its line
                hint = suggest(name, self.params)
                problem = f"unknown parameter '{{{name}}}' in rule {self.rule_id}{hint}"
                self.errors.append((mark, problem))
            return m.group(0)

        return _PARAM.sub(repl, value)


_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _fail(scope: Scope) -> Outcome:
    return Outcome(False, "invalid condition")


def build_condition(node: Any, mark: Mark | None, b: Build) -> Evaluator:
    """Build one condition node, recording problems in b.errors (never raising)."""
    if not isinstance(node, LDict) or not node:
        b.error(
            mark,
            "a condition cannot be empty"
            if isinstance(node, dict)
            else f"a condition must be a mapping, got {_kind(node)}",
        )
        return _fail
    if "field" in node:
        return b.conditions["field"].build(node, "field", node.key_marks.get("field"), b)
    keys = [k for k in node if k != "require"]
    if len(keys) != 1:
        b.error(node.mark, f"a condition has one key, found {', '.join(map(str, keys)) or 'none'}")
        return _fail
    key = keys[0]
    kmark = node.key_marks.get(key)
    known = b.conditions.get(str(key))
    if known is None or key == "field":
        b.error(kmark, f"unknown condition '{clip(str(key))}'", suggest(str(key), b.conditions))
        return _fail
    if ("require" in node) != known.nested:
        if known.nested:
            b.error(kmark, f"'{key}' needs a 'require' condition")
        else:
            b.error(node.key_marks.get("require"), f"'{key}' takes no 'require'")
        return _fail
    b.needs_history = b.needs_history or known.needs_history
    return known.build(node, str(key), kmark, b)


def _kind(value: Any) -> str:
    if isinstance(value, (dict, LDict)):
        return "an empty mapping"
    if isinstance(value, (list, LList)):
        return "a list"
    return repr(value)
