"""`experiment_reference` resources: every place the repository sets an MLflow experiment
name, from three readers:

- experiment_code.py: Python and notebooks (`mlflow.set_experiment`, `MLFlowLogger`, ...);
- experiment_configs.py: YAML/JSON/TOML keys, bundle experiments, argument lists, logger
  configs left on the library default;
- experiment_text.py: `.env` files, `--experiment-name` and `MLFLOW_EXPERIMENT_NAME=` on
  command lines of scripts, Dockerfiles and CI workflows.

Each name carries the parts a rule checks (experiment_names.py): `names.full` and
`names.basename` (the last segment of a workspace path) and `paths` (its folder), each a
list of the values the name takes, filled in from its bundle's variables and targets and
empty when a variable is unknown here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from govcheck.facts import bundles, experiment_code, experiment_configs, experiment_text, variables
from govcheck.facts.base import Facts
from govcheck.facts.experiment_names import Found, Parts, parts, plain
from govcheck.facts.parsing import data_format
from govcheck.model import Location, Resource

# Kept importable from here: the readers' entry points for .env files and Python text.
is_env_file = experiment_text.is_env_file
env_names = experiment_text.env_names


def python_names(text: str) -> Iterator[Found]:
    """Names set in one Python source text (for tests and callers without a repository)."""
    from govcheck.facts.pycode import python_units

    for unit in python_units(text):
        yield from experiment_code.unit_names(unit)


def _parts(facts: Facts, path: str, name: str) -> tuple[Parts, tuple[str, ...]]:
    """The name's parts, and the files they depend on."""
    bundle = bundles.bundle_of(facts, path) if data_format(path) == "yaml" else None
    if bundle is None:
        return parts(name, plain), (path,)
    fill = bundle.values
    split = parts(name, bundle.expand, lambda t: variables.substitute(t, fill)[0])
    return split, tuple(dict.fromkeys((path, bundle.root)))


_BUNDLE_VARIABLE = re.compile(r"\$\{var\.([A-Za-z0-9_-]+)\}")


def _set_elsewhere(item: Found, source: str, overridden: bool) -> bool:
    """Names whose value is set, and reported, at another line."""
    variable = _BUNDLE_VARIABLE.fullmatch(item.name.strip())
    if variable and experiment_configs.normal(variable.group(1)) in experiment_configs.NAME_KEYS:
        return True  # `name: ${var.experiment_name}`: reported where the variable is defined
    # a logger config left on its default, when a command line overrides the name
    return item.default and source in ("yaml", "json") and overridden


def experiment_references(facts: Facts) -> list[Resource]:
    found = [
        *experiment_configs.read(facts),
        *experiment_code.read(facts),
        *experiment_text.read(facts),
    ]
    overridden = any(item.set_by == experiment_text.OVERRIDE for _, _, item in found)
    out: dict[tuple[str, int, str], Resource] = {}
    for path, source, item in found:
        if _set_elsewhere(item, source, overridden):
            continue
        # one name per line: a YAML alias repeats its anchor, an argument list on one line
        # is seen both as data and as text
        out.setdefault((path, item.line, item.name), _resource(facts, path, source, item))
    refs = sorted(
        out.values(), key=lambda r: (r.fields["file"], r.fields["line"], r.fields["column"])
    )
    unknown = [r for r in refs if r.fields["has_variables"] and not r.fields["names"]["basename"]]
    if unknown:
        first = unknown[0].fields
        facts.notice(
            f"{len(unknown)} experiment name(s) hold variables whose values are not in the "
            f"repository and were not checked (e.g. {first['file']}:{first['line']} "
            f"{first['name']!r})"
        )
    return refs


def _resource(facts: Facts, path: str, source: str, found: Found) -> Resource:
    split, touches = _parts(facts, path, found.name)
    fields = {
        "name": found.name,
        "file": path,
        "line": found.line,
        "column": found.column,
        "source": source,
        "set_by": found.set_by,
        "default": found.default,
        "has_variables": variables.has_variables(found.name),
        "names": {"full": split.full, "basename": split.basename},
        "paths": split.paths,
    }
    return Resource(
        "experiment_reference",
        f"{path}:{found.line}:{found.column}",
        fields,
        Location(path, found.line, found.column, snippet=found.name),
        touches=touches,
    )
