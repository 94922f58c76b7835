"""Loading policy files: parse with marks, check structure, then build every condition.

Pass 1 validates each file's structure against schemas/policy.schema.json; pass 2 builds
each rule's conditions, which validate their own options. Every error from every file is
collected with its `file:line:col` before anything is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from govcheck import builtin, fieldpath, structure
from govcheck.conditions.base import Build, Evaluator, FieldRead, Scope, build_condition
from govcheck.conditions.registry import CONDITIONS
from govcheck.errors import Mark, PolicyErrors, UsageError, clip
from govcheck.model import Outcome, RuleInfo, Severity
from govcheck.suggest import suggest
from govcheck.yamlsrc import LDict, LList, YAMLSourceError, read_one

Errors = list[tuple[Mark | None, str]]


@dataclass(frozen=True)
class Rule:
    info: RuleInfo
    where: Evaluator | None
    require: Evaluator
    message: str
    mark: Mark  # the rule's `id:` line, where findings about entities can anchor
    params: tuple[str, ...]  # names of the parameters the rule refers to
    reads: tuple[str, ...] = ()  # other resource kinds its conditions read (refers_to)
    needs_history: bool = False  # looks commits up: a shallow clone cannot check it
    # `for_each: PATH`: require is checked on each item of this list field, one finding each
    for_each: fieldpath.FieldPath | None = None
    field_reads: frozenset[FieldRead] = frozenset()  # the fields its conditions read
    definition: Any = None  # the rule as written (its YAML mapping): what the policy hash hashes
    each: bool = False  # `report: each`: every located part of a failure is its own finding
    # The policy file's `empty_scope` notice, rendered: said when none of the file's rules
    # checked anything in a whole-repository check.
    empty_scope: str | None = None
    enabled: bool = True  # false when the config's `rules:` turns it off

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every resource kind the rule needs: its own, then those its conditions read."""
        return (self.info.resource, *self.reads)

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True)
class PolicyFile:
    path: str  # as shown to users: repo-relative, or builtin:NAME
    data: LDict


def read_policy(path: Path, display: str) -> PolicyFile:
    """Parse one policy file; raises a YAMLSourceError/UsageError naming the place."""
    _, data = read_one(path, display, "policy file")
    if not isinstance(data, LDict):
        raise UsageError(
            "a policy file is a mapping with `version: 1` and `rules:`", Mark(display, 1, 1)
        )
    return PolicyFile(display, data)


def structure_errors(pf: PolicyFile) -> Errors:
    """Pass 1: the file's shape, against the policy schema. Conditions are left to pass 2,
    which validates their options with better messages."""

    def in_condition(path: list[Any]) -> bool:
        return len(path) >= 3 and path[0] == "rules" and path[2] in ("where", "require")

    return structure.check(pf.data, "policy", lambda path: _rule_label(pf, path), in_condition)


def _rule_label(pf: PolicyFile, path: list[Any]) -> str:
    if len(path) >= 2 and path[0] == "rules":
        rules = pf.data.get("rules")
        if isinstance(rules, list) and isinstance(path[1], int) and path[1] < len(rules):
            rule = rules[path[1]]
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                return f" in rule {rule['id']}"
            return f" in rule #{path[1] + 1}"
    return ""


def declared_params(files: Iterable[PolicyFile]) -> tuple[dict[str, Any], dict[str, Mark | None]]:
    """Parameter defaults from every policy file, first declaration wins."""
    params: dict[str, Any] = {}
    marks: dict[str, Mark | None] = {}
    for pf in files:
        block = pf.data.get("params")
        if isinstance(block, LDict):
            for name, value in block.items():
                if name not in params:
                    params[name] = value
                    marks[name] = block.key_marks.get(name)
    return params, marks


def build_rules(
    files: list[PolicyFile],
    params: Mapping[str, Any],
    kinds: Iterable[str],
    errors: Errors,
    config_marks: Mapping[str, Mark | None] | None = None,
) -> list[Rule]:
    """Pass 2: build each rule's conditions, collecting every error into `errors`.

    config_marks: where the config sets parameters; errors about values they made are
    reported there once, naming the rules that use them."""
    known_kinds = set(kinds)
    rules: list[Rule] = []
    seen: dict[str, Mark] = {}
    seen_names: dict[str, str] = {}
    by_param: dict[tuple[Mark | None, str], list[str]] = {}
    for pf in files:
        empty_scope = _empty_scope(pf, params, errors)
        nodes = pf.data.get("rules")
        for node in nodes if isinstance(nodes, LList) else ():
            if not _buildable(node):
                continue  # pass 1 already reported it
            if "require" not in node and "for_each" not in node:
                continue
            rid, name = str(node["id"]), str(node["name"])
            mark = node.key_marks["id"]
            b = Build(
                rid,
                params,
                CONDITIONS,
                kinds=frozenset(known_kinds),
                config_marks=config_marks or {},
            )
            if rid in seen:
                b.error(mark, f"duplicate rule id (first defined at {seen[rid]})")
            elif name in seen_names and seen_names[name] != rid:
                b.error(
                    node.key_marks["name"],
                    f"rule name '{clip(name)}' is already used by {seen_names[name]}",
                )
            seen.setdefault(rid, mark)
            seen_names.setdefault(name, rid)
            kind = node["resource"]
            if kind not in known_kinds:
                b.error(
                    node.value_marks["resource"],
                    f"unknown resource kind '{clip(str(kind))}'",
                    suggest(str(kind), known_kinds),
                )
            where = (
                build_condition(node["where"], node.value_marks["where"], b)
                if "where" in node
                else None
            )
            for_each = _for_each(node, b)
            # Inside for_each, require reads each item's fields: recorded as such (a
            # snapshot keeps `run.metrics[*].value`, not a `value` of the version).
            if for_each is not None:
                b.read(for_each.keys, presence=True)
            with b.inside((*for_each.keys, None) if for_each is not None else ()):
                require = (
                    build_condition(node["require"], node.value_marks["require"], b)
                    if "require" in node
                    else _each_item_fails
                )
            message = b.subst(
                str(node.get("message") or node.get("title") or name),
                node.value_marks.get("message"),
                allow_fields=True,
                sep=", ",
            )
            b.read_template(message)
            errors.extend(b.errors)
            for place, problem in b.param_errors:
                by_param.setdefault((place, problem), []).append(rid)
            rules.append(
                Rule(
                    _info(node, pf),
                    where,
                    require,
                    message,
                    mark,
                    tuple(sorted(b.used)),
                    tuple(sorted(b.reads)),
                    b.needs_history,
                    for_each,
                    frozenset(b.field_reads),
                    node,
                    each=node.get("report") == "each",
                    empty_scope=empty_scope,
                )
            )
    for (place, problem), ids in by_param.items():
        used_by = ", ".join(dict.fromkeys(ids))
        errors.append((place, f"{problem} (used by rule {used_by})"))
    return rules


def _each_item_fails(scope: Scope) -> Outcome:
    """`for_each` without `require`: the list is one of problems, each item a finding."""
    return Outcome(False)


def _for_each(node: LDict, b: Build) -> fieldpath.FieldPath | None:
    if "for_each" not in node:
        return None
    try:
        return fieldpath.parse(node["for_each"])
    except fieldpath.FieldPathError as exc:
        b.error(node.value_marks.get("for_each"), f"for_each: {exc}")
        return None


def _empty_scope(pf: PolicyFile, params: Mapping[str, Any], errors: Errors) -> str | None:
    """The file's `empty_scope` text with {param} replaced (lists joined by ", ")."""
    text = pf.data.get("empty_scope")
    if not isinstance(text, str):
        return None

    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in params:
            errors.append(
                (
                    pf.data.value_marks.get("empty_scope"),
                    f"unknown parameter '{{{name}}}' in empty_scope{suggest(name, params)}",
                )
            )
            return m.group(0)
        p = params[name]
        return ", ".join(map(str, p)) if isinstance(p, list) else str(p)

    return _PARAM.sub(value, text.strip())


_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _buildable(node: Any) -> bool:
    """Whether a rule node has the shape pass 2 reads; pass 1 reports any other."""
    return (
        isinstance(node, LDict)
        and {"id", "name", "resource"} <= set(node)
        and all(isinstance(node[key], (str, int)) for key in ("id", "name", "resource"))
    )


def _info(node: LDict, pf: PolicyFile) -> RuleInfo:
    tags = node.get("tags") or []
    return RuleInfo(
        id=str(node["id"]),
        name=str(node["name"]),
        title=str(node.get("title") or node["name"]),
        severity=_severity(node.get("severity")),
        resource=str(node["resource"]),
        description=str(node.get("description") or "").strip(),
        help=str(node.get("help") or "").strip(),
        help_uri=node.get("help_uri"),
        tags=tuple(str(t) for t in tags) if isinstance(tags, LList) else (),
        source=node.key_marks["id"],
    )


def _severity(value: Any) -> Severity:
    # The schema (pass 1) allows only these; anything else never reaches a built rule.
    if value == "warning":
        return "warning"
    if value == "note":
        return "note"
    return "error"


def check_config_params(
    config_params: Mapping[str, Any],
    declared: Mapping[str, Any],
    marks: Mapping[str, Mark | None],
    errors: Errors,
) -> None:
    for name in config_params:
        if name not in declared:
            errors.append(
                (
                    marks.get(name),
                    f"unknown parameter '{clip(str(name))}' in params{suggest(str(name), declared)}",
                )
            )


@lru_cache(maxsize=8)
def builtin_params(loaded: frozenset[Path]) -> dict[str, Any]:
    """Parameter defaults of the built-in packs not among `loaded` (resolved paths)."""
    out: dict[str, Any] = {}
    for name, path in builtin.pack_files().items():
        if path.resolve() in loaded:
            continue
        try:
            pf = read_policy(path, f"builtin:{name}")
        except (YAMLSourceError, UsageError):
            continue  # a broken pack is reported when it is loaded
        block = pf.data.get("params")
        for key, value in block.items() if isinstance(block, LDict) else ():
            out.setdefault(key, value)
    return out


def load(
    paths: list[tuple[Path, str]],
    config_params: Mapping[str, Any],
    config_param_marks: Mapping[str, Mark | None],
    kinds: Iterable[str],
) -> tuple[list[Rule], dict[str, Any]]:
    """Load policy files (path, display name) into rules and the merged parameters, or
    raise PolicyErrors with every error."""
    errors: Errors = []
    files: list[PolicyFile] = []
    for path, display in paths:
        try:
            pf = read_policy(path, display)
        except (YAMLSourceError, UsageError) as exc:
            errors.append((exc.mark, exc.message))
            continue
        file_errors = structure_errors(pf)
        errors.extend(file_errors)
        files.append(pf)
    declared, _ = declared_params(files)
    # Resource discovery reads params of packs the check may not load (models need
    # card_files, which model-cards declares, even in a monitoring-only check): their
    # built-in defaults are a lowest layer, and overriding them is no typo.
    declared = {**builtin_params(frozenset(p.resolve() for p, _ in paths)), **declared}
    check_config_params(config_params, declared, config_param_marks, errors)
    params = {**declared, **config_params}
    rules = build_rules(files, params, kinds, errors, config_param_marks)
    if errors:
        raise PolicyErrors(errors)
    return rules, params
