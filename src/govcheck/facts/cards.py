"""`model_card` and `dataset_card` resources: every card in the tree, wherever it lives.

A file is a candidate by its path (`card_files`, `dataset_card_files`: globs, matched
case-insensitively; a glob without `/` matches a file name at any depth). Whether it is a
card is decided by what its path and content say:

- a path that names a card (`MODEL_CARD_VISION.md`, `model-card.md`, a file in a
  `model_cards/` folder, `DATASET_CARD.md`, `datasheet.md`) is one;
- a generic candidate (a `README.md`) is a model card when its YAML front matter carries a
  model-card key (`card_front_matter_keys`: pipeline_tag, library_name, model-index, ...)
  or it sits at the top of a `models_glob` directory; a dataset card when its front matter
  carries a dataset key (`dataset_front_matter_keys`) or, without front matter keys, at
  least two of its headings are dataset-card sections; never when its front matter is a
  Hugging Face Space's (`space_front_matter_keys`: sdk, app_file, ...);
- an unfilled template (its path says `template` and its visible text holds `{{ }}` or
  bracketed blanks such as `[your name]`) is not a card: it is what cards are made from;
- a card whose text repeats another card of the same folder word for word is checked once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from govcheck.facts.base import Facts
from govcheck.facts.discovery import path_matcher, scanned, strings
from govcheck.facts.mdinline import section_test
from govcheck.globs import glob_match
from govcheck.model import Location, Resource

MODEL, DATASET = "model", "dataset"
_DATASET_WORDS = ("dataset", "datasheet", "data_card", "data-card", "datacard")
# `License: MIT`, `- **License:** Apache-2.0`, `**License** A custom license ...`,
# `| License | MIT |`: a licence stated in the card's body (bounded quantifiers: linear).
_LICENSE_LINE = (
    re.compile(r"^[\s>*+-]{0,8}licen[cs]e[ \w()]{0,24}:\s*(\S.*)$", re.IGNORECASE),
    re.compile(
        r"^[\s>*+-]{0,8}(?:\*\*|__)licen[cs]e[ \w()]{0,24}:?(?:\*\*|__):?\s*(\S.*)$", re.IGNORECASE
    ),
    re.compile(r"^\s*\|\s*(?:\*\*)?licen[cs]e(?:\*\*)?\s*\|\s*([^|\s][^|]*)\|", re.IGNORECASE),
)
# A sentence that mentions a licence and names a well-known one ("... public domain (CC0 1.0
# license)", an answer in a datasheet's Distribution section).
_LICENSE_NAME = re.compile(
    r"\b(?:CC0|CC[- ]BY(?:[- ](?:SA|NC|ND))*(?:[- ]\d\.\d)?|(?-i:MIT)|Apache[- ]?2(?:\.0)?|"
    r"[AL]?GPL(?:-?v?\d(?:\.\d)?)?|BSD(?:-\d-Clause)?|MPL(?:-2\.0)?|(?:Open)?RAIL(?:\+\+)?(?:-M)?|"
    r"ODbL|ODC-By|PDDL|Unlicense|public domain)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Card:
    path: str
    kind: str  # MODEL or DATASET
    by_name: bool  # its path says it is a card (else its content or place did)
    by_location: bool = False  # a README that is a card for sitting in a models_glob dir

    @property
    def dir(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def folder_card(self) -> bool:
        """A card by its folder alone (model_cards/English/toxicity.md): a model of its own."""
        return self.by_name and "card" not in self.path.rpartition("/")[2].lower()


def discovered(facts: Facts) -> list[Card]:
    """Every model and dataset card of the check, in path order, found once per check."""
    return facts.shared("cards.discovered", lambda: _without_readmes_beside_cards(facts))


def _without_readmes_beside_cards(facts: Facts) -> list[Card]:
    """A models_glob directory's README is its card only when no file there is named as
    one (`MODEL_CARD.md` beside a README: the README is usage notes)."""
    found = _without_twins(facts, list(_discover(facts)))
    named = {c.dir for c in found if c.kind == MODEL and c.by_name}
    return [c for c in found if not (c.kind == MODEL and c.by_location and c.dir in named)]


def _without_twins(facts: Facts, cards: list[Card]) -> list[Card]:
    """A card repeating another of its folder word for word (granite-geospatial-biomass
    ships README.md and model-card.md alike) is checked once. Only folders with several
    cards are read for it."""
    per_dir: dict[str, int] = {}
    for card in cards:
        per_dir[card.dir] = per_dir.get(card.dir, 0) + 1
    seen: dict[tuple[str, str], str] = {}
    out = []
    for card in cards:
        if per_dir[card.dir] > 1:
            key = (card.dir, _text(facts, card.path))
            twin = seen.get(key)
            if twin is not None:
                facts.notice(
                    f"{card.path} repeats {twin} word for word; it is checked once, as {twin}"
                )
                continue
            seen[key] = card.path
        out.append(card)
    return out


def _discover(facts: Facts) -> Iterator[Card]:
    params = facts.params
    model_file = path_matcher(strings(params.get("card_files")))
    dataset_file = path_matcher(strings(params.get("dataset_card_files")))
    model_keys = set(strings(params.get("card_front_matter_keys")))
    dataset_keys = set(strings(params.get("dataset_front_matter_keys")))
    space_keys = set(strings(params.get("space_front_matter_keys")))
    model_dir = _models_glob_test(strings(params.get("models_glob")))
    dataset_tests = [
        (str(s.get("name")) if isinstance(s, Mapping) else str(s), t)
        for s in params.get("dataset_card_sections") or []
        if (t := section_test(s))
    ]
    for path in scanned(facts):
        is_model, is_dataset = model_file(path), dataset_file(path)
        if not (is_model or is_dataset):
            continue
        card = _classify(
            facts, path, is_model, is_dataset, (model_keys, dataset_keys, space_keys), model_dir
        )
        if card is None and is_dataset and _has_sections(facts, path, dataset_tests):
            card = Card(path, DATASET, False)
        if card is None or _is_template(facts, path):
            continue
        yield card


def _classify(
    facts: Facts,
    path: str,
    is_model: bool,
    is_dataset: bool,
    keys: tuple[set[str], set[str], set[str]],
    model_dir: Callable[[str], bool],
) -> Card | None:
    lowered = path.lower()
    name = lowered.rpartition("/")[2]
    folders = lowered.split("/")[:-1]
    if is_dataset and any(w in name for w in _DATASET_WORDS):
        return Card(path, DATASET, True)
    if is_model and (
        ("card" in name and not any(w in name for w in _DATASET_WORDS))
        or (any("card" in f for f in folders) and not name.startswith("readme"))
    ):
        return Card(path, MODEL, True)
    model_keys, dataset_keys, space_keys = keys
    front = _front_keys(facts, path)
    if front & space_keys:
        return None  # a Hugging Face Space: it uses models, it does not describe one
    if is_model and front & model_keys:
        return Card(path, MODEL, False)
    if is_dataset and front & dataset_keys:
        return Card(path, DATASET, False)
    if is_model and name.startswith("readme") and model_dir(path.rpartition("/")[0]):
        return Card(path, MODEL, False, by_location=True)  # a declared model's README
    return None


def _models_glob_test(globs: list[str]) -> Callable[[str], bool]:
    return lambda folder: bool(folder) and any(glob_match(g, folder) for g in globs)


def _front_keys(facts: Facts, path: str) -> set[str]:
    res = facts.file(path)
    front = res.fields.get("front_matter") if res is not None else None
    return {str(k) for k in front} if isinstance(front, Mapping) else set()


def _text(facts: Facts, path: str) -> str:
    res = facts.file(path)
    text = res.fields.get("text") if res is not None else None
    return text if isinstance(text, str) else ""


def _has_sections(facts: Facts, path: str, tests: list[tuple[str, Callable[[str], bool]]]) -> bool:
    """Headings for at least two different dataset-card sections (a data/README.md that is
    only "put the raw files here" has none; a serving sample's README with three "Use
    case" headings is not a datasheet)."""
    res = facts.file(path)
    sections = res.fields.get("sections") if res is not None else None
    keys = [s["key"] for s in sections or [] if isinstance(s, Mapping)]
    return len({name for name, test in tests for k in keys if test(k)}) >= 2


def _is_template(facts: Facts, path: str) -> bool:
    """A file whose path says template and whose text still has fields to fill in: Jinja
    (`{{ card_data }}`, huggingface_hub) or bracketed blanks (`[your name]`,
    `[dataset_name]`, asteroid's model_card_template.md). A filled-in template (course
    repositories fill model_card_template.md in place) is a card."""
    if "template" not in path.lower():
        return False
    res = facts.file(path)
    lines = res.fields.get("lines") if res is not None else None
    texts = [d["text"] for d in lines or []]
    jinja = any("{{" in t or "{%" in t for t in texts)
    if jinja or sum(len(_BLANK.findall(t)) for t in texts) >= 2:
        facts.notice(f"{path}: an unfilled template, not checked as a card")
        return True
    return False


# `[your name]`, `[dataset_name]`: a bracketed blank, not a link (`[text](url)`, `[text][1]`).
_BLANK = re.compile(r"\[[a-z]+(?:[ _][a-z]+)+\](?![(\[:])", re.IGNORECASE)


class CardFields(Mapping[str, Any]):
    """A card's fields: the file's (text, front_matter, headings, sections, lines, ...) plus
    what it is a card of and the licence it declares, each computed on first read."""

    def __init__(self, facts: Facts, card: Card, file_fields: Mapping[str, Any]) -> None:
        self._file = file_fields
        self._extra: dict[str, Callable[[], Any]] = {
            "kind": lambda: card.kind,
            "by_name": lambda: card.by_name,
            "license": lambda: (
                declared_license(file_fields, loose=card.kind == DATASET)
                or license_file(facts, card.path)
            ),
            "title": lambda: _title(file_fields),
            card.kind: lambda: _owner(facts, card),
        }
        self._values: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        if key in self._extra:
            value = self._values[key] = self._extra[key]()
            return value
        return self._file[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._extra
        yield from (k for k in self._file if k not in self._extra)

    def __len__(self) -> int:
        return len(set(self._extra) | set(self._file))


def declared_license(fields: Mapping[str, Any], loose: bool = False) -> str | None:
    """The licence a card declares: front matter `license` (its `license_name` when that is
    `other`), else the first line of a License section, else a `License:` line; with loose
    (dataset cards), else a sentence about licensing that names a well-known licence (a
    datasheet answers "under which license?" in prose; in a model card such a sentence is
    mostly about its training data). A template's placeholder is none."""
    found = _license(fields, loose)
    return None if found is None or _NO_VALUE.match(found) else found


# A licence file beside a card licenses what the card describes (openai/whisper's root
# model-card.md beside its MIT LICENSE); one elsewhere in the tree may license only code.
# LICENSE, LICENCE.txt, COPYING, LICENSE-APACHE-2.0, LICENSE-MIT.md; not license_check.py.
_LICENSE_FILE = re.compile(
    r"(?:licen[cs]e|copying)(?:-[a-z0-9-]+(?:\.[0-9]+)*)?(?:\.(?:md|txt|rst))?", re.IGNORECASE
)


def license_file(facts: Facts, card_path: str) -> str | None:
    """A LICENSE (LICENCE, COPYING, LICENSE.md, LICENSE-MIT...) file in the card's folder."""

    def index() -> dict[str, str]:
        found: dict[str, str] = {}  # folder -> its first licence file, in tracked order
        for path in facts.tracked():
            folder, _, name = path.rpartition("/")
            if folder not in found and _LICENSE_FILE.fullmatch(name):
                found[folder] = path
        return found

    path = facts.shared("cards.license_files", index).get(card_path.rpartition("/")[0])
    return f"{path} (license file)" if path else None


_NO_VALUE = re.compile(
    r"\W*(?:more information needed|needs more information|tbd|todo|unknown|n/?a)\W*$",
    re.IGNORECASE,
)


def _license(fields: Mapping[str, Any], loose: bool) -> str | None:
    front = fields.get("front_matter") or {}
    value = front.get("license") if isinstance(front, Mapping) else None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v is not None)
    if value is not None and str(value).strip():
        named = front.get("license_name")
        return str(named) if str(value).strip() == "other" and named else str(value).strip()
    for section in fields.get("sections") or []:
        if str(section.get("key", "")).startswith(("licen", "licensing")) and section["body"]:
            return str(section["body"]).strip().splitlines()[0][:200]
    lines = [d for d in fields.get("lines") or [] if not d.get("front_matter")]
    for line in lines:
        for pattern in _LICENSE_LINE:
            found = pattern.match(line["text"])
            if found and found.group(1).strip("*_ :"):
                return found.group(1).strip("*_ :")[:200]
    for line in lines if loose else ():
        text = line["text"]
        if "licen" in text.lower():
            named = _LICENSE_NAME.search(text)
            if named:
                return named.group(0)
    return None


def _title(fields: Mapping[str, Any]) -> str | None:
    headings = fields.get("headings") or []
    top = [h for h in headings if h.get("level") == 1] or headings
    return str(top[0]["text"]) if top else None


def _owner(facts: Facts, card: Card) -> str | None:
    """The name of the model (or dataset) the card belongs to."""
    if card.kind == DATASET:
        return dataset_name(facts, card)
    for model in facts.resources("model"):
        if card.path in model.fields["cards"]:
            return str(model.fields["name"])
    return None


def dataset_name(facts: Facts, card: Card) -> str:
    res = facts.file(card.path)
    front = res.fields.get("front_matter") if res is not None else None
    if isinstance(front, Mapping) and isinstance(front.get("pretty_name"), str):
        return str(front["pretty_name"])
    if not card.by_name or card.path.lower().rpartition("/")[2].startswith(
        ("dataset_card", "dataset-card", "datasheet", "datacard", "data_card", "data-card")
    ):
        folder = card.dir.rpartition("/")[2]
        return folder or facts.context.root.name
    return card.path.rpartition("/")[2].rsplit(".", 1)[0]


def _resources(facts: Facts, kind: str, resource_kind: str) -> list[Resource]:
    out = []
    for card in discovered(facts):
        if card.kind != kind:
            continue
        res = facts.file(card.path)
        if res is None:
            continue
        out.append(
            Resource(
                resource_kind,
                card.path,
                CardFields(facts, card, res.fields),
                Location(card.path),
                touches=(card.path,),
                base_dir=card.dir,
                file=card.path,
            )
        )
    return out


def model_cards(facts: Facts) -> list[Resource]:
    return _resources(facts, MODEL, "model_card")


def dataset_cards(facts: Facts) -> list[Resource]:
    return _resources(facts, DATASET, "dataset_card")
