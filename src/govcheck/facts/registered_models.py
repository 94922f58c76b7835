"""`registered_model_reference` resources: the models a repository registers, as it
declares them, so rules about registered models hold with no MLflow server at hand.

- Databricks bundles: `resources.registered_models.<key>` (Unity Catalog: `name`,
  `catalog_name`, `schema_name`) and the workspace registry's `resources.models.<key>.name`,
  in the files the bundle deploys; variables filled in from the bundle.
- Python and notebooks: `mlflow.register_model(uri, "name")`, `registered_model_name=` in
  any call (`mlflow.<flavor>.log_model`), `MlflowClient().create_registered_model("name")`.
- Configs: a `registered_model_name` key; a Recipes profile's `model_registry.model_name`.

`name` is the model's own name (the last part of a Unity Catalog `catalog.schema.model`),
filled in where the repository says its variables' values; `resolved` is false when it
still holds an unknown variable. A model registered in several places is one model:
`first` marks the place rules report it at, `places` lists them all.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from govcheck.facts import bundles, variables
from govcheck.facts.base import Facts
from govcheck.facts.experiment_code import template_value
from govcheck.facts.experiment_configs import normal, walk
from govcheck.facts.files import FileFields, code_of
from govcheck.facts.parsing import every_data_file
from govcheck.facts.pycode import CodeUnit, argument, calls, code_text, constants, dotted_name
from govcheck.model import Location, Resource
from govcheck.yamlsrc import LDict, value_mark

_MARKERS = ("register_model", "registered_model_name", "create_registered_model")
_CALLS = {"register_model": (1, "name"), "create_registered_model": (0, "name")}

Place = tuple[str, int, int, str, str]  # path, line, column, declared text, set by
# What a `registered_model_name` key _config() reports must spell after "registered"
# (normal() drops case and punctuation).
_MODEL_NAME_AFTER = re.compile(r"[^a-z0-9]*model[^a-z0-9]*name")


def _names_registered_model(lowered: str) -> bool:
    """Whether lowered text can hold a registered_model_name key, looked for only where
    "registered" occurs (a regex over every byte of a 3 MB manifest took seconds)."""
    at = lowered.find("registered")
    while at >= 0:
        if _MODEL_NAME_AFTER.match(lowered, at + len("registered")):
            return True
        at = lowered.find("registered", at + 1)
    return False


def _code(unit: CodeUnit) -> Iterator[tuple[int, int, str, str]]:
    names = constants(unit)
    for call in calls(unit):
        dotted = dotted_name(call.func)
        last = dotted.rsplit(".", 1)[-1]
        found: list[tuple[ast.expr, str]] = []
        if last in _CALLS:
            position, keyword = _CALLS[last]
            arg = argument(call, position, keyword)
            if arg is not None:
                found.append((arg, dotted.replace("()", "")))
        found += [
            (k.value, "registered_model_name=")
            for k in call.keywords
            if k.arg == "registered_model_name"
        ]
        for node, set_by in found:
            value = template_value(node, names)
            if value is not None and value.strip():
                line, column = unit.position(node)
                yield line, column, value, set_by


def _code_places(res: Resource) -> list[tuple[int, int, str, str]]:
    """The registrations in a code file, kept in the content cache by its blob: a check of
    one file still reads every file's (see _places), and parsing them all is most of it."""
    fields = res.fields
    text = fields["text"]
    # The markers are plain names: absent from a notebook's JSON, absent from its cells.
    if not isinstance(fields, FileFields) or not text or not any(m in text for m in _MARKERS):
        return []

    def find() -> list[tuple[int, int, str, str]]:
        code = code_text(res.id, text)
        if not any(m in code for m in _MARKERS):
            return []
        return [place for unit in code_of(res) for place in _code(unit)]

    found: list[tuple[int, int, str, str]] = fields.cached("registrations", find, list, _places_of)
    return found


def _places_of(stored: Any) -> list[tuple[int, int, str, str]]:
    out = []
    for line, column, value, set_by in stored:
        if not (type(line) is int and type(column) is int):
            raise TypeError("position")
        if not (isinstance(value, str) and isinstance(set_by, str)):
            raise TypeError("text")
        out.append((line, column, value, set_by))
    return out


def _config(doc: Any) -> Iterator[tuple[Any, Any, str, str]]:
    """(parent, key, declared text, set by) of config keys naming a registered model."""
    for keys, parent, key, value in walk(doc):
        if not isinstance(value, str) or not value.strip() or not isinstance(key, str):
            continue
        if normal(key) == "registeredmodelname":
            yield parent, key, value, f"{key} key"
        elif key == "model_name" and len(keys) >= 2 and keys[-2] == "model_registry":
            yield parent, key, value, "model_registry.model_name"


def _bundle_models(doc: Any) -> Iterator[tuple[LDict, Any, str, str]]:
    resources = doc.get("resources") if isinstance(doc, LDict) else None
    for kind, label in (
        ("registered_models", "bundle registered_models"),
        ("models", "bundle models"),
    ):
        block = resources.get(kind) if isinstance(resources, LDict) else None
        for body in block.values() if isinstance(block, LDict) else ():
            if isinstance(body, LDict) and isinstance(body.get("name"), str):
                parts = [body.get("catalog_name"), body.get("schema_name"), body["name"]]
                full = ".".join(str(p) for p in parts if isinstance(p, str))
                yield body, "name", full, label


def _places(facts: Facts) -> Iterator[Place]:
    # Every file, whatever PATHs the check is limited to: a model is judged where it is
    # first registered, and a check of a later registration's file must know it is later.
    for res in facts.resources("file"):
        if res.fields["suffix"] in (".py", ".ipynb"):
            for line, column, value, set_by in _code_places(res):
                yield res.id, line, column, value, set_by
    for res, _ in every_data_file(facts, ("yaml", "json")):
        text = res.fields["text"] or ""
        # Parsed only when the text can hold what _config or _bundle_models look for: a
        # repository's 3 MB Kubernetes manifests say "model" and "registered" everywhere.
        configs = "model_registry" in text or _names_registered_model(text.lower())
        bundled = ("registered_models" in text or "models:" in text) and (
            bundles.bundle_of(facts, res.id) is not None
        )
        if not (configs or bundled):
            continue
        for doc in res.fields["documents"]:
            found = list(_config(doc)) if configs else []
            if bundled:
                found += list(_bundle_models(doc))
            for parent, key, value, set_by in found:
                mark = value_mark(parent, key)
                if mark is not None:
                    yield res.id, mark.line, mark.column, value, set_by


def _touches(facts: Facts, path: str) -> tuple[str, ...]:
    bundle = bundles.bundle_of(facts, path)
    return tuple(dict.fromkeys((path, bundle.root))) if bundle else (path,)


def own_name(text: str) -> str:
    """`model` of a Unity Catalog `catalog.schema.model` (dots inside variables aside)."""
    masked = variables.masked(text)
    return text[masked.rfind(".") + 1 :] if masked.count(".") == 2 else text


def _name(facts: Facts, path: str, declared: str) -> tuple[str, bool]:
    """The model's own name, resolved where the repository says how, and whether it is."""
    bundle = bundles.bundle_of(facts, path)
    if bundle is not None:
        values = bundle.expand(declared)
    else:
        values = [] if variables.has_variables(declared) else [declared]
    short = {own_name(v) for v in values}
    if len(short) == 1:
        return short.pop(), True
    return own_name(declared), False


def registered_model_references(facts: Facts) -> list[Resource]:
    seen: dict[tuple[str, int], Place] = {}
    for place in _places(facts):
        seen.setdefault((place[0], place[1]), place)
    places = sorted(seen.values())
    named = [(place, *_name(facts, place[0], place[3])) for place in places]
    first_of: dict[str, str] = {}
    everywhere: dict[str, list[str]] = {}
    for (path, line, _, _, _), name, resolved in named:
        key = name if resolved else f"{path}:{line}"
        first_of.setdefault(key, f"{path}:{line}")
        everywhere.setdefault(key, []).append(f"{path}:{line}")
    out = []
    for (path, line, column, declared, set_by), name, resolved in named:
        key = name if resolved else f"{path}:{line}"
        fields = {
            "name": name,
            "declared": declared,
            "full_name": declared if own_name(declared) != declared else name,
            "resolved": resolved,
            "has_variables": variables.has_variables(declared),
            "set_by": set_by,
            "file": path,
            "line": line,
            "column": column,
            "dir": path.rsplit("/", 1)[0] if "/" in path else "",
            "first": first_of[key] == f"{path}:{line}",
            "places": everywhere[key],
        }
        out.append(
            Resource(
                "registered_model_reference",
                f"{path}:{line}:{column}",
                fields,
                Location(path, line, column, snippet=declared),
                touches=_touches(facts, path),
            )
        )
    return out
