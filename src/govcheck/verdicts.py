"""Whole-check verdicts kept between runs in `<git dir>/govcheck/`, reused while nothing
they were computed from has changed.

Most checks of a repository run on a tree that has not changed since the previous check
(a pre-push hook after a pre-commit one, CI re-runs, an editor's save without a change).
Their verdict - the findings, the checked pairs, the skips and the notices - is kept
under a key made of everything a check reads up front: govcheck itself (version and
source files), the rules and their parameters as configured, the config, the options
that narrow the check, the date (waivers expire by it), why MLflow rules were skipped,
and the digest of the tree (facts/treestate.py). What a check asks along the way is kept
with it and asked again before reuse: git's answers (facts/recording.py) and whether
untracked paths exist in the working tree. A check that read the clock, git history
dates or MLflow is not kept: its answer changes by itself.

An entry is a JSON file named by its key, with a checksum line: a file that does not
check out, or whose contents are not the shapes written here, is a miss and is
rewritten. JSON of plain values is decoded into this module's own types only; a file
planted in `.git/` can make a check recompute, never run code (though, like anything
else in `.git/`, it is trusted to have been written by govcheck).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcheck.facts import recording
from govcheck.facts.base import RepoSource
from govcheck.model import Checked, Finding, Location, Skipped, Waiver

PREFIX = "verdict-"
_MAGIC = "govcheck-verdict"
_KEPT = 8  # verdicts of this many recent keys (branches, PATH-limited checks) are kept


@dataclass(frozen=True)
class Verdict:
    """What a check concluded before reports: its evaluation, after waivers."""

    findings: tuple[Finding, ...]
    checked: tuple[Checked, ...]
    skipped: tuple[Skipped, ...]
    evaluation_notices: tuple[str, ...]  # the engine's (findings over the caps)
    waiver_notices: tuple[str, ...]
    fact_notices: tuple[str, ...]  # files not read, symlinks skipped...
    raw_checked: tuple[Checked, ...]  # before waivers: what scope counts count


@dataclass(frozen=True)
class Inputs:
    """What a check asked along the way, with the answers it got."""

    asked: tuple[tuple[Any, Any], ...]
    worktree: tuple[tuple[str, bool], ...]


def key(parts: Sequence[Any]) -> str:
    """The key of a check from plain parts (str, numbers, None, lists, dicts)."""
    text = json.dumps(list(parts), sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def today() -> str:
    """The local date waivers expire by."""
    return dt.date.today().isoformat()


class VerdictCache:
    """The verdict files of one repository."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, check_key: str) -> Path:
        return self.directory / f"{PREFIX}{check_key[:32]}.json"

    def load(self, check_key: str, source: RepoSource, root: Path) -> Verdict | None:
        """The verdict kept under this key when every recorded question still gets the
        same answer from `source` (and the working tree under `root`); else None."""
        try:
            text = self._path(check_key).read_text(encoding="utf-8")
            header, body = text.split("\n", 1)
            magic, stored_key, digest = header.split(" ")
            if (magic, stored_key) != (_MAGIC, check_key):
                return None
            if hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest() != digest:
                raise ValueError("checksum")
            data = json.loads(body)
            inputs = _inputs(data["inputs"])
            verdict = _verdict(data["verdict"])
        except (OSError, ValueError, KeyError, TypeError, UnicodeError):
            return None  # missing, or not ours: the check runs, and writes it again
        for path, found in inputs.worktree:
            try:
                there = (root / path).exists()
            except (OSError, ValueError):
                there = False
            if there != found:
                return None
        for question, answer in inputs.asked:
            try:
                if _plain(recording.ask(source, question)) != answer:
                    return None
            except (ValueError, TypeError):
                return None
        return verdict

    def store(self, check_key: str, verdict: Verdict, inputs: Inputs) -> None:
        """Keep a verdict (written whole or not at all; errors only cost the reuse)."""
        from govcheck.atomic import write_atomic

        body = json.dumps(
            {"inputs": _plain(dataclasses.asdict(inputs)), "verdict": _encode_verdict(verdict)},
            separators=(",", ":"),
            ensure_ascii=False,
        )
        digest = hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()
        try:
            self.directory.mkdir(exist_ok=True)
            write_atomic(self._path(check_key), f"{_MAGIC} {check_key} {digest}\n{body}")
            self._prune()
        except (OSError, UnicodeError):
            pass

    def _prune(self) -> None:
        entries = []
        for entry in self.directory.glob(f"{PREFIX}*.json"):
            try:
                entries.append((entry.stat().st_mtime_ns, entry))
            except OSError:
                continue
        for _, old in sorted(entries, reverse=True)[_KEPT:]:
            try:
                old.unlink()
            except OSError:
                pass


def _plain(value: Any) -> Any:
    """A value as it comes back from JSON (tuples as lists)."""
    return json.loads(json.dumps(value))


# Dataclasses as tagged positional lists: compact (a 5,000-file check holds tens of
# thousands of checked pairs) and decoded into these types only.
_TAGS: dict[str, type[Any]] = {
    "L": Location,
    "F": Finding,
    "W": Waiver,
    "C": Checked,
    "S": Skipped,
}
_NAMES = {cls: tag for tag, cls in _TAGS.items()}
_ARITY = {tag: len(dataclasses.fields(cls)) for tag, cls in _TAGS.items()}


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    tag = _NAMES.get(type(value))
    if tag is None:
        raise TypeError(f"cannot keep a {type(value).__name__} in a verdict")
    return [tag, *(_encode(getattr(value, f.name)) for f in dataclasses.fields(value))]


def _decode(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if not isinstance(value, list) or not value or value[0] not in _TAGS:
        raise TypeError("not a kept value")
    tag = value[0]
    if len(value) != _ARITY[tag] + 1:
        raise TypeError(f"{tag}: {len(value) - 1} fields")
    return _TAGS[tag](*(_decode(v) for v in value[1:]))


def _location(value: Any) -> Location | None:
    # The checked pairs (tens of thousands) skip the generic decoder: a third of the time.
    if value is None:
        return None
    if type(value) is not list or len(value) != 5 or value[0] != "L":
        raise TypeError("not a location")
    return Location(value[1], value[2], value[3], value[4])


def _checked(value: Any) -> Checked:
    if type(value) is not list or len(value) != 5 or value[0] != "C":
        raise TypeError("not a checked pair")
    return Checked(value[1], value[2], _location(value[3]), value[4])


def _encode_checked(c: Checked) -> list[Any]:
    # The checked pairs skip the generic encoder as they skip the generic decoder: it was
    # nine tenths of writing a 5,000-file check's verdict.
    loc = c.location
    where = None if loc is None else ["L", loc.path, loc.line, loc.column, loc.snippet]
    return ["C", c.rule_id, c.resource_id, where, c.status]


def _encode_verdict(verdict: Verdict) -> dict[str, Any]:
    return {
        f.name: [
            (_encode_checked if f.name in ("checked", "raw_checked") else _encode)(item)
            for item in getattr(verdict, f.name)
        ]
        for f in dataclasses.fields(verdict)
    }


def _verdict(data: Any) -> Verdict:
    if not isinstance(data, dict):
        raise TypeError("verdict")
    parts: dict[str, tuple[Any, ...]] = {}
    for f in dataclasses.fields(Verdict):
        items = data[f.name]
        if not isinstance(items, list):
            raise TypeError(f.name)
        decode = _checked if f.name in ("checked", "raw_checked") else _decode
        parts[f.name] = tuple(decode(item) for item in items)
    verdict = Verdict(**parts)
    for kind, items in (
        (Finding, verdict.findings),
        (Checked, verdict.checked),
        (Checked, verdict.raw_checked),
        (Skipped, verdict.skipped),
    ):
        if not all(isinstance(item, kind) for item in items):
            raise TypeError(kind.__name__)
    notices = verdict.evaluation_notices + verdict.waiver_notices + verdict.fact_notices
    if not all(isinstance(n, str) for n in notices):
        raise TypeError("notices")
    return verdict


def _inputs(data: Any) -> Inputs:
    if not isinstance(data, dict):
        raise TypeError("inputs")
    asked, worktree = data["asked"], data["worktree"]
    if not isinstance(asked, list) or not isinstance(worktree, list):
        raise TypeError("inputs")
    pairs = []
    for pair in asked:
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], list):
            raise TypeError("asked")
        pairs.append((pair[0], pair[1]))
    probes = []
    for probe in worktree:
        if (
            not isinstance(probe, list)
            or len(probe) != 2
            or not isinstance(probe[0], str)
            or not isinstance(probe[1], bool)
        ):
            raise TypeError("worktree")
        probes.append((probe[0], probe[1]))
    return Inputs(tuple(pairs), tuple(probes))
