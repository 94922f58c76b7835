"""Hydra/OmegaConf `${a.b}` interpolation, resolved inside the config tree a file belongs to
(no Hydra, no OmegaConf, nothing run).

A Hydra config folder holds primary configs (a `defaults:` list) and config groups, one
folder each: `configs/train.yaml` with `defaults: [data: mnist, paths: default, _self_]`
puts `configs/paths/default.yaml` under the `paths` package, so `${paths.data_dir}` in
`configs/data/mnist.yaml` means that file's `data_dir`. A `# @package` header moves a file
(`_global_` to the root); an option's own defaults are followed one group deep. Relative
references (`${.x}`, `${..y}`) are read from the node's own mapping. Kedro's
`${globals:key}` reads the `globals.yml` beside the file or in `conf/base`.

Resolvers that depend on the run (`${oc.env:X}`, `${hydra:runtime.cwd}`, `${now:...}`) and
keys no composition defines are unknown, never guessed: the reference is then "cannot be
verified", not a finding. When two primary configs compose a file differently, the value is
unknown too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcheck.facts.base import Facts
from govcheck.yamlsrc import plain

_EXPR = re.compile(r"(?<!\\)\$\{([^${}]*)\}")
_PACKAGE = re.compile(r"^#\s*@package\s+(\S+)", re.MULTILINE)
_MAX_DEPTH = 12
Path = tuple[str, ...]


class Unknown(Exception):
    """The value depends on the run, or on keys nothing defines here."""


@dataclass
class _Tree:
    data: dict[str, Any]
    placed: dict[str, list[Path]]  # file -> where its content sits in `data`


def has_interpolation(value: str) -> bool:
    return "${" in value and "${{" not in value and _EXPR.search(value) is not None


def _merge(into: dict[str, Any], data: Any) -> None:
    if not isinstance(data, Mapping):
        return
    for key, value in data.items():
        if key == "defaults":
            continue
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[str(key)] = plain(value)


def _at(tree: dict[str, Any], path: Path) -> dict[str, Any]:
    node = tree
    for part in path:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    return node


class Resolver:
    """Interpolation for every YAML file of one check; trees composed on first need."""

    def __init__(self, facts: Facts) -> None:
        self._facts = facts
        self._yaml = {
            r.id for r in facts.resources("file") if r.fields["suffix"] in (".yaml", ".yml")
        }
        self._trees: dict[str, list[_Tree]] = {}
        self._by_folder: dict[str, list[_Tree]] = {}
        self._primaries: dict[str, list[str]] = {}
        for path in sorted(self._yaml):
            if self._has_defaults(path):
                self._primaries.setdefault(posixpath.dirname(path), []).append(path)

    def _has_defaults(self, path: str) -> bool:
        data = self._data(path)
        return isinstance(data, Mapping) and isinstance(data.get("defaults"), list)

    def _data(self, path: str) -> Any:
        res = self._facts.file(path)
        return res.fields["data"] if res is not None else None

    def _package(self, path: str, group: Path) -> Path:
        res = self._facts.file(path)
        header = _PACKAGE.search((res.fields["text"] or "")[:2000]) if res else None
        if header is None or header.group(1) == "_group_":
            return group
        if header.group(1) == "_global_":
            return ()
        return tuple(p for p in header.group(1).replace("_group_", ".".join(group)).split(".") if p)

    def _option(self, root: str, group: Path, option: str) -> str | None:
        for suffix in (".yaml", ".yml"):
            path = posixpath.join(root, *group, option + suffix)
            if path in self._yaml:
                return path
        return None

    def _compose(self, tree: _Tree, root: str, path: str, group: Path, depth: int) -> None:
        """Place one config file and what its defaults list pulls in."""
        package = self._package(path, group)
        data = self._data(path)
        defaults = data.get("defaults") if isinstance(data, Mapping) else None
        entries = list(defaults) if isinstance(defaults, list) else []
        if "_self_" not in entries:
            entries.append("_self_")
        for entry in entries:
            if entry == "_self_":
                _merge(_at(tree.data, package), data)
                tree.placed.setdefault(path, []).append(package)
            elif depth < 3:
                for sub_group, option in _choices(entry, group):
                    found = self._option(root, sub_group, option)
                    if found:
                        self._compose(tree, root, found, sub_group, depth + 1)

    def _trees_for(self, path: str) -> list[_Tree]:
        """The compositions that place this file, from the outermost config folder that has
        any (a group option with its own defaults list is no primary config)."""
        if path in self._trees:
            return self._trees[path]
        trees: list[_Tree] = []
        folder = posixpath.dirname(path)
        while True:
            placing = [t for t in self._composed(folder) if path in t.placed]
            trees = placing or trees
            if not folder:
                break
            folder = posixpath.dirname(folder)
        if not trees:  # plain OmegaConf: the file on its own
            tree = _Tree({}, {path: [()]})
            _merge(tree.data, self._data(path))
            trees = [tree]
        self._trees[path] = trees
        return trees

    def _composed(self, folder: str) -> list[_Tree]:
        if folder not in self._by_folder:
            trees = []
            for primary in self._primaries.get(folder, []):
                tree = _Tree({}, {})
                self._compose(tree, folder, primary, (), 0)
                trees.append(tree)
            self._by_folder[folder] = trees
        return self._by_folder[folder]

    def resolve(self, path: str, where: Path, value: str) -> str:
        """The value of a string found at key path `where` of file `path`; raises Unknown."""
        results = set()
        for tree in self._trees_for(path):
            for package in tree.placed.get(path, []):
                results.add(self._text(tree, path, (*package, *where), value, 0))
        if len(results) != 1:
            raise Unknown("composed differently by different primary configs")
        return results.pop()

    def _text(self, tree: _Tree, path: str, where: Path, value: str, depth: int) -> str:
        if depth > _MAX_DEPTH:
            raise Unknown("interpolation nested too deeply (a cycle?)")

        def one(match: re.Match[str]) -> str:
            found = self._select(tree, path, where, match.group(1).strip(), depth)
            return "" if found is None else str(found)

        return _EXPR.sub(one, value).replace("\\${", "${")

    def _select(self, tree: _Tree, path: str, where: Path, expr: str, depth: int) -> Any:
        if ":" in expr:
            name, _, arg = expr.partition(":")
            if name.strip() == "globals":
                return self._globals(path, arg.strip())
            raise Unknown(f"${{{expr}}} depends on the run")
        if expr.startswith("."):
            dots = len(expr) - len(expr.lstrip("."))
            key_path: Path = (*where[: len(where) - dots], *_keys(expr[dots:]))
        else:
            key_path = _keys(expr)
        node: Any = tree.data
        for part in key_path:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise Unknown(f"${{{expr}}} is not defined here")
        if isinstance(node, str):
            if node == "???":
                raise Unknown(f"${{{expr}}} is a mandatory value left unset")
            return self._text(tree, path, key_path, node, depth + 1)
        if isinstance(node, (Mapping, list)):
            raise Unknown(f"${{{expr}}} is not a scalar")
        return node

    def _globals(self, path: str, key: str) -> Any:
        folder = posixpath.dirname(path)
        candidates = [posixpath.join(folder, "globals.yml"), posixpath.join(folder, "globals.yaml")]
        candidates += ["conf/base/globals.yml", "conf/base/globals.yaml"]
        for candidate in candidates:
            data = self._data(candidate)
            if isinstance(data, Mapping):
                tree = _Tree(plain(data), {candidate: [()]})
                return self._select(tree, candidate, (), key, 0)
        raise Unknown(f"${{globals:{key}}}: no globals.yml")


def _keys(expr: str) -> Path:
    return tuple(p for p in re.sub(r"\[(\d+)\]", r".\1", expr).split(".") if p)


def _choices(entry: Any, group: Path) -> list[tuple[Path, str]]:
    """(group folder, option) pairs a defaults entry selects."""
    if isinstance(entry, str):
        # `- default` in a group's own file: another option of the same group
        return [(group, entry)] if entry != "_self_" else []
    if not isinstance(entry, Mapping) or len(entry) != 1:
        return []
    key, value = next(iter(entry.items()))
    words = str(key).split()
    name = words[-1].split("@", 1)[0] if words else ""
    if not name:
        return []
    sub = (
        tuple(p for p in name.split("/") if p)
        if name.startswith("/")
        else (*group, *name.split("/"))
    )
    options = value if isinstance(value, list) else [value]
    return [(sub, str(o)) for o in options if isinstance(o, (str, int)) and str(o) != "null"]


def resolver(facts: Facts) -> Resolver:
    return facts.shared("hydra", lambda: Resolver(facts))
