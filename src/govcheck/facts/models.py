"""The `model` resource: one per model the repository documents or declares.

A model is either a `models_glob` directory (even without a card, so a missing card can be
reported; a Python package there is code, not a model, unless it holds a card) or the
home of model cards found anywhere (cards.py):

- a card belongs to the `models_glob` directory that holds it, at any depth;
- a card under `docs/` (or `doc/`) belongs to the folder above it (the repository root
  for `docs/model_card.md`);
- each card in a card folder (`model_cards/English/toxicity.md`) is its own model, named
  from the file;
- several cards named as cards in one folder (`MODEL_CARD.md`, `MODEL_CARD_VISION.md`) are
  one model each; the plain one keeps the folder's name, the others add their suffix.

Its fields say what belongs to it: the cards, its monitoring configs (`monitoring`, one
small function to extend), a training config, and whether it is deployed (deployments.py);
when they last changed in git (changes.py); and, with an MLflow store, its `serving`
version (the newest behind a serving alias). Registered models and model versions in
MLflow gain a `model` field: the repository model of their name.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from govcheck import templates
from govcheck.errors import DataSourceError
from govcheck.facts import changes, deployments, mlflow_source
from govcheck.facts import registered_models as declared
from govcheck.facts.base import Facts
from govcheck.facts.cards import MODEL, Card, discovered
from govcheck.facts.discovery import scanned, strings
from govcheck.facts.monitors.provider import monitors_for
from govcheck.globs import glob_match
from govcheck.model import LazyFields, Location, Resource
from govcheck.operators import timestamp

MONITORING_NAMES = ("monitoring.yaml", "monitoring.yml")
_TRAINING = re.compile(r"(?:train|training)(?:[-_.\w]*)\.(?:ya?ml|json|toml)$|params\.yaml$")
_DOCS = ("docs", "doc")
_CARD_WORDS = re.compile(r"model|card|[-_\s]+")


@dataclass
class Group:
    """One model while models are being put together."""

    home: str  # the model's folder ("" = the repository root)
    cards: list[Card] = field(default_factory=list)
    suffix: str = ""  # MODEL_CARD_VISION.md -> "vision"
    own_file: str | None = None  # a card that is a model by itself (card folders, suffixes)
    declared: bool = False  # a models_glob directory


def model_resources(facts: Facts) -> list[Resource]:
    groups = _groups(facts)
    below = _below(facts, [g.home for g in groups if g.declared])
    models = [_resource(facts, g, below.get(g.home, [])) for g in groups]
    if facts.context.paths is None:
        # A whole-repository check says which manifests serve no model even when no model
        # is ever asked whether it is deployed (a repository of examples, say).
        deployments.note_unattributed(facts, models)
    return models


def _groups(facts: Facts) -> list[Group]:
    globs = strings(facts.params.get("models_glob"))
    files = scanned(facts)
    folders = _folders(files)
    declared = sorted(d for d in folders if d and any(glob_match(g, d) for g in globs))
    declared_set = set(declared)
    cards = [c for c in discovered(facts) if c.kind == MODEL]
    homes: dict[str, list[Card]] = {}
    singles: list[Group] = []
    for card in cards:
        owner = _declared_owner(card.dir, declared_set)
        if owner is None and card.folder_card:
            singles.append(Group(card.dir, [card], own_file=card.path))
            continue
        homes.setdefault(owner if owner is not None else _home(card.dir), []).append(card)
    packages = {p.rpartition("/")[0] for p in files if p.endswith("/__init__.py")}
    media = _media_only(files, set(declared))
    out: list[Group] = []
    for home in sorted(set(homes) | set(declared)):
        found = homes.get(home, [])
        if not found and (home in packages or home in media):
            continue  # a Python package or a folder of images under models/: not a model
        out += _split(home, found, home in declared)
    return sorted(out + singles, key=lambda g: (g.home, g.own_file or ""))


_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".ico", ".mp4", ".mp3", ".wav")


def _media_only(files: list[str], folders: set[str]) -> set[str]:
    """The folders (of those given) holding nothing but images, audio or video
    (llama-models' models/resources: example pictures, not a model)."""
    other: set[str] = set()
    seen: set[str] = set()
    for path in files:
        folder = path.rpartition("/")[0]
        while folder:
            if folder in folders:
                seen.add(folder)
                if not path.lower().endswith(_MEDIA):
                    other.add(folder)
            folder = folder.rpartition("/")[0]
    return seen - other


def _folders(files: list[str]) -> set[str]:
    out = set()
    for path in files:
        folder = path.rpartition("/")[0]
        while folder and folder not in out:
            out.add(folder)
            folder = folder.rpartition("/")[0]
    return out


def _declared_owner(folder: str, declared: set[str]) -> str | None:
    """The deepest models_glob directory holding this folder (its nearest such ancestor)."""
    while folder:
        if folder in declared:
            return folder
        folder = folder.rpartition("/")[0]
    return None


def _home(folder: str) -> str:
    parts = folder.split("/") if folder else []
    for i, part in enumerate(parts):
        if part.lower() in _DOCS:
            return "/".join(parts[:i])
    return folder


def _split(home: str, cards: list[Card], declared: bool) -> list[Group]:
    named = [c for c in cards if c.by_name]
    if len(named) <= 1:
        return [Group(home, cards, declared=declared)]
    suffixes = {c.path: _suffix(c.path) for c in named}
    base = [c for c in cards if not c.by_name or not suffixes[c.path]]
    if not base:  # every card has a suffix (model_card_en.md, model_card_fr.md)
        base, named = [named[0]], named[1:]
    out = [Group(home, base, declared=declared)]
    for card in named:
        if card not in base:
            out.append(Group(home, [card], suffixes[card.path], card.path, declared))
    return out


def _suffix(path: str) -> str:
    stem = path.rpartition("/")[2].rsplit(".", 1)[0].lower()
    return "-".join(_CARD_WORDS.sub(" ", stem).split())


def _primary(facts: Facts, group: Group) -> str:
    """The model's own name: a declared directory's, a card file's (card folders) or its
    folder and suffix (MODEL_CARD_VISION.md), else the one its card gives (`model_name`,
    `model-index`), else its folder's (the repository's, at the root)."""
    folder = group.home.rpartition("/")[2] or facts.context.root.name
    if group.own_file and not group.suffix:
        return group.own_file.rpartition("/")[2].rsplit(".", 1)[0]
    if group.suffix:
        return f"{folder}-{group.suffix}"
    if not group.declared:
        given = [n for c in group.cards for n in _card_names(facts, c.path)]
        if given:
            return given[0]
    return folder


def _names(facts: Facts, group: Group) -> list[str]:
    """Every name the model is known by, its own first: its cards' names and its folder's."""
    folder = group.home.rpartition("/")[2] or facts.context.root.name
    from_cards = [n for c in group.cards for n in _card_names(facts, c.path)]
    names = [_primary(facts, group), *from_cards] + ([] if group.own_file else [folder])
    return list(dict.fromkeys(n for n in names if n))


def _card_names(facts: Facts, path: str) -> list[str]:
    res = facts.file(path)
    front = res.fields.get("front_matter") if res is not None else None
    if not isinstance(front, Mapping):
        return []
    out = []
    if isinstance(front.get("model_name"), str):
        out.append(front["model_name"])
    index = front.get("model-index")
    if isinstance(index, list):
        out += [
            i["name"] for i in index if isinstance(i, Mapping) and isinstance(i.get("name"), str)
        ]
    return out


def monitoring(facts: Facts, folder: str) -> list[str]:
    """The monitoring configs of a model in `folder`: govcheck's monitoring.yaml (or .yml)
    beside it. Platform monitors join here."""
    tracked = facts.tracked_set()
    return [p for p in (_join(folder, n) for n in MONITORING_NAMES) if p in tracked]


def platform_monitors(facts: Facts, folder: str, names: list[str | None]) -> list[str]:
    """Where the platform monitors of a model are declared (AzureML, SageMaker, Vertex,
    Databricks, Prometheus...): in its folder, or naming it. A root model claims only
    monitors that name it: a monitor elsewhere in the tree may watch another model."""
    found = [
        res
        for name in names or [None]  # no name: the folder's monitors only
        for res in monitors_for(facts, folder or None, name)
        if res.fields["platform"] != "govcheck"  # monitoring.yaml: the `monitoring` field
    ]
    return list(dict.fromkeys(f"{r.fields['file']}:{r.fields['line']}" for r in found))


def training_config(facts: Facts, folder: str) -> str | None:
    """The first training config beside the model: train*.yaml/json/toml, params.yaml or
    an MLproject, directly in its folder."""
    for name in _children(facts).get(folder, []):
        if _TRAINING.search(name.lower()) or name == "MLproject":
            return _join(folder, name)
    return None


def _children(facts: Facts) -> dict[str, list[str]]:
    """folder -> names of the tracked files directly in it, built once per check."""

    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for path in facts.tracked():
            folder, _, name = path.rpartition("/")
            out.setdefault(folder, []).append(name)
        return out

    return facts.shared("models.children", build)


def _below(facts: Facts, folders: list[str]) -> dict[str, list[str]]:
    """folder -> tracked files at any depth below it, for the given folders, in one pass."""
    wanted = set(folders)
    out: dict[str, list[str]] = {f: [] for f in folders}
    for path in facts.tracked():
        folder = path.rpartition("/")[0]
        while folder:
            if folder in wanted:
                out[folder].append(path)
            folder = folder.rpartition("/")[0]
    return out


def _join(folder: str, name: str) -> str:
    return posixpath.join(folder, name) if folder else name


def _resource(facts: Facts, group: Group, below: list[str]) -> Resource:
    """below: the tracked files of a models_glob folder (empty for other models). Names
    beyond the model's own are read from its cards only when asked for (matching a
    deployment or a registered model), so a narrowed check reads few cards."""
    cards = [c.path for c in group.cards]
    folder = group.home
    monitors = monitoring(facts, folder)
    training = training_config(facts, folder)
    eager: dict[str, Any] = {
        "name": _primary(facts, group),
        "dir": folder,
        "folder": folder or ".",
        "cards": cards,
        "card": cards[0] if cards else None,
        "monitoring": monitors,
        "training_config": training,
    }
    fields: LazyFields  # the lazy fields below read the others through it
    lazy: dict[str, Callable[[], Any]] = {
        "names": partial(_names, facts, group),
        "deployments": lambda: deployments.signals_for(facts, fields["names"], folder),
        "deployed": lambda: bool(fields["deployments"]),
        # A monitor may name the endpoint that serves the model rather than the model.
        "monitors": lambda: platform_monitors(
            facts,
            folder,
            [*fields["names"], *(d["endpoint"] for d in fields["deployments"] if d["endpoint"])],
        ),
        "deployed_by": lambda: [deployments.describe(s) for s in fields["deployments"]],
        # Git time: when the model's own files last changed (facts/changes.py).
        "card_changed": lambda: changes.newest(facts, cards),
        # monitoring.yaml and the files of its platform monitors: what watches the model
        "monitoring_files": lambda: list(
            dict.fromkeys([*monitors, *(m.rpartition(":")[0] for m in fields["monitors"])])
        ),
        "monitoring_changed": lambda: changes.newest(facts, fields["monitoring_files"]),
        "last_changed": lambda: changes.newest(
            facts, [*cards, *monitors, *([training] if training else [])]
        ),
        "serving": lambda: serving_version(facts, fields),
    }
    fields = LazyFields(eager, lazy)
    shown = cards[0] if cards else (below[0] if below else None)
    touches = tuple(dict.fromkeys([*cards, *monitors, *below, *([training] if training else [])]))
    touches += tuple(deployments.manifests_touching(facts, partial(_names, facts, group), folder))
    own = group.own_file
    return Resource(
        "model",
        own or (folder if folder else (cards[0] if cards else ".")),
        fields,
        Location(shown) if shown else None,
        touches=touches,
        covers=(folder,) if group.declared and not own else (),
        base_dir=folder,
        file=cards[0] if cards else None,
    )


def mlflow_registered_models(facts: Facts) -> list[Resource]:
    """MLflow registered models, each with `model`: the repository model of its name (its
    folder is `registered_model_dir`, or one of its names is the registered name)."""
    out = []
    for res in mlflow_source.registered_models(facts):
        lazy: dict[str, Callable[[], Any]] = {
            "model": partial(_repo_model, facts, str(res.fields.get("name", "")))
        }
        fields = LazyFields(dict(res.fields), lazy)
        out.append(
            Resource(res.kind, res.id, fields, res.location, entity=res.entity, touches=res.touches)
        )
    return out


def mlflow_model_versions(facts: Facts) -> list[Resource]:
    """MLflow model versions, each with `model`: the repository model of its name, and
    `run.artifacts` listed only when a rule reads it (a request per folder, live)."""
    out = []
    versions = mlflow_source.model_versions(facts)
    data = mlflow_source.opened(facts)
    for res in versions:
        base = res.fields
        # Every field as the source gives it, read only when asked: a version's `run` is
        # traced in batches, and only for the versions a rule reads it of.
        lazy: dict[str, Callable[[], Any]] = {k: partial(base.__getitem__, k) for k in base}
        # Listed for versions behind an alias, as a snapshot records them (unknown, None,
        # for the others): a live store and its snapshot give the same fields.
        if data is not None and base.get("aliases") and "run" in lazy:
            lazy["run"] = partial(_listed_run, facts, data, base)
        lazy["model"] = partial(_repo_model, facts, str(base.get("name", "")))
        fields = LazyFields({}, lazy)
        out.append(
            Resource(res.kind, res.id, fields, res.location, entity=res.entity, touches=res.touches)
        )
    return out


def _listed_run(facts: Facts, data: mlflow_source.MlflowData, version: Mapping[str, Any]) -> Any:
    """A version's `run` with `artifacts` listed on first read."""
    run = version.get("run")
    if not isinstance(run, Mapping) or "artifacts" in run:
        return run
    listed: dict[str, Callable[[], Any]] = {
        "artifacts": partial(_artifacts, facts, data, str(run.get("run_id")))
    }
    return LazyFields(dict(run), listed)


def _artifacts(facts: Facts, data: mlflow_source.MlflowData, run_id: str) -> list[str] | None:
    """A run's artifact files; a store that cannot list them (a sqlite store whose runs
    keep artifacts behind a server's `mlflow-artifacts:` proxy) is a notice, and the run's
    artifacts are unknown (None)."""
    try:
        return data.artifacts(run_id)
    except DataSourceError as exc:
        facts.notice(f"{exc}; rules reading run.artifacts see none for this run")
        return None


def serving_version(facts: Facts, model: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The model's `serving` field: the newest registered version (by creation time) behind
    one of `serving_aliases` of the registered model of its name (see _repo_model), with the
    version's fields; None without an MLflow store or such a version."""
    table = facts.shared("models.serving", partial(_serving_table, facts))
    return table.get((model["dir"], model["name"]))


def _serving_table(facts: Facts) -> dict[tuple[str, str], Mapping[str, Any]]:
    if facts.context.mlflow.skip_reason is not None:
        return {}
    serving = set(strings(facts.params.get("serving_aliases")))
    newest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for res in facts.resources("mlflow_model_version"):
        version = res.fields
        if not serving & set(version.get("aliases") or []):
            continue
        owner = _repo_model(facts, str(version.get("name", "")))
        if owner is None:
            continue
        key = (owner["dir"], owner["name"])
        if key not in newest or _created(version) > _created(newest[key]):
            # the version's MLflow fields, not its `model`: the model's own fields again
            newest[key] = {k: version[k] for k in version if k != "model"}
    return newest


def _created(version: Mapping[str, Any]) -> float:
    when = timestamp(version.get("creation_time"))
    return when.timestamp() if when is not None else float("-inf")


def declared_registered_models(facts: Facts) -> list[Resource]:
    """Models the repository registers (registered_models.py), each with `model`: the
    repository model of its name, else the nearest model with a card around the file that
    registers it (its folder's, up to the repository root's)."""
    out = []
    for res in declared.registered_model_references(facts):
        name, near = str(res.fields.get("name", "")), str(res.fields.get("dir", ""))
        lazy: dict[str, Callable[[], Any]] = {"model": partial(_repo_model, facts, name, near)}
        fields = LazyFields(dict(res.fields), lazy)
        out.append(
            Resource(
                res.kind,
                res.id,
                fields,
                res.location,
                entity=res.entity,
                touches=res.touches,
                file=res.file,
            )
        )
    return out


def _repo_model(facts: Facts, name: str, near: str | None = None) -> Mapping[str, Any] | None:
    template = facts.params.get("registered_model_dir")
    folder = templates.render(str(template), {"name": name}).strip("/") if template else None
    want = deployments.normalize(name)
    models = facts.resources("model")
    # Each model's normalized names, made when a lookup first reaches it (in model order,
    # as before), kept for the next registered model: not normalized again per lookup.
    normalized: dict[int, set[str]] = facts.shared("models.normalized_names", dict)
    for index, model in enumerate(models):
        fields = model.fields
        if folder is not None and fields["dir"] == folder:
            return fields
        names = normalized.get(index)
        if names is None:
            names = normalized[index] = {deployments.normalize(n) for n in fields["names"]}
        if want in names:
            return fields
    if near is None:
        return None
    around = [m.fields for m in models if m.fields["cards"] and _holds(m.fields["dir"], near)]
    return max(around, key=lambda f: len(f["dir"]), default=None)


def _holds(folder: str, path: str) -> bool:
    return not folder or path == folder or path.startswith(folder + "/")
