"""Recorded MLflow metadata: `govcheck snapshot` writes it, `--mlflow-snapshot` reads it.

A snapshot holds the fields the enabled rules read (facts/mlflow_fieldset.py), for the
configured scope, so a check against it gives the findings a live check would have given
at recording time, with no network (pre-commit.ci). Made to live in git: entities in a
stable order, one per line; `snapshot_digest`, the sha256 of the canonical content, which
leaves out when it was recorded, so re-recording unchanged metadata leaves the file as it
was; optionally gzip (`.json.gz`). Runs keep their start time, and `runs_since_days` is
applied when the snapshot is read, exactly as a live check applies it. Its format is
schemas/mlflow-snapshot.schema.json (version 1, every field, is still read).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from govcheck.errors import DataSourceError
from govcheck.facts.mlflow_fieldset import Path as FieldPath
from govcheck.facts.mlflow_fieldset import RuleReads, parse_path, prune, uncovered
from govcheck.facts.mlflow_store import Scope, in_scope
from govcheck.progress import Progress, Tick, silent
from govcheck.redact import redact_url

FORMAT = "govcheck-mlflow-snapshot"
FORMAT_VERSION = 2
KINDS = ("experiments", "runs", "registered_models", "model_versions")
# About the recording, not the metadata: left out of the digest.
UNHASHED = ("snapshot_digest", "recorded_at", "runs_since")
MAX_BYTES = 1 << 30  # a snapshot larger than this, once unzipped, is refused
Fields = dict[str, Any]


@dataclass(frozen=True)
class SnapshotStore:
    """The four field lists of a snapshot file, narrowed to the check's scope."""

    path: str
    lists: dict[str, list[Fields]] = field(default_factory=dict)
    recorded_at: str = ""
    notices: list[str] = field(default_factory=list)
    digest: str = ""

    def age_days(self, now: datetime | None = None) -> float | None:
        """Days since recording; None when recorded_at is not a readable time."""
        try:
            recorded = datetime.fromisoformat(self.recorded_at.replace("Z", "+00:00"))
        except ValueError:
            return None
        if recorded.tzinfo is None:
            recorded = recorded.replace(tzinfo=timezone.utc)
        return ((now or datetime.now(timezone.utc)) - recorded).total_seconds() / 86400

    @classmethod
    def load(cls, path: str, scope: Scope, reads: Iterable[RuleReads] = ()) -> SnapshotStore:
        document = read_snapshot(path)
        try:
            missing = uncovered(document.get("fields"), reads)
        except ValueError as exc:  # a field path no snapshot writer wrote
            raise DataSourceError(
                f"{path}: not a govcheck MLflow snapshot: $['fields']: {exc}"
            ) from None
        if missing:
            rule, what = missing
            raise DataSourceError(
                f"{path}: the MLflow snapshot does not record {what}, which rule "
                f"{rule.rule_id} reads: record it again with these policies (govcheck snapshot)"
            )
        # Format 2 counts an experiment's runs when read, from the runs in the check's scope;
        # format 1 stored the count of recording time, which stands.
        lists = {kind: list(document[kind]) for kind in KINDS}
        notices = _narrow(lists, document, scope, path)
        return cls(path, lists, str(document["recorded_at"]), notices, content_digest(document))

    def experiments(self) -> list[Fields]:
        return self.lists["experiments"]

    def runs(self) -> list[Fields]:
        return self.lists["runs"]

    def iter_runs(self) -> Iterator[Fields]:
        return iter(self.lists["runs"])

    def run_count(self, experiment_id: str) -> int:
        # Counted from the runs in the check's scope (format 1 stored the count instead).
        return sum(1 for r in self.lists["runs"] if r.get("experiment_id") == experiment_id)

    def registered_models(self) -> list[Fields]:
        return self.lists["registered_models"]

    def model_versions(self) -> list[Fields]:
        return self.lists["model_versions"]

    def artifacts(self, run_id: str) -> list[str] | None:
        """What the snapshot recorded of the run's artifacts (runs of versions behind an
        alias), else None: unknown."""
        for version in self.lists["model_versions"]:
            run = version.get("run")
            if isinstance(run, Mapping) and run.get("run_id") == run_id:
                found = run.get("artifacts")
                if isinstance(found, list):
                    return [str(p) for p in found]
        return None


def _narrow(
    lists: dict[str, list[Fields]], document: Mapping[str, Any], scope: Scope, path: str
) -> list[str]:
    """Apply the check's experiment globs and runs_since_days, as a live read would; say
    where the snapshot holds less than the check asks for."""
    notices = []
    recorded = document["scope"]
    if scope.experiments:
        lists["experiments"] = [
            e for e in lists["experiments"] if in_scope(e["name"], scope.experiments)
        ]
        kept = {e["experiment_id"] for e in lists["experiments"]}
        lists["runs"] = [r for r in lists["runs"] if r.get("experiment_id") in kept]
    if recorded.get("experiments") and set(scope.experiments) != set(recorded["experiments"]):
        notices.append(
            f"MLflow snapshot {path} holds experiments {', '.join(recorded['experiments'])} "
            "only; the check's mlflow.experiments differ"
        )
    since_ms = None
    if scope.runs_since_days is not None:
        since_ms = int((time.time() - scope.runs_since_days * 86400) * 1000)
        lists["runs"] = [
            r for r in lists["runs"] if (_millis(r.get("start_time")) or -1) >= since_ms
        ]
    held = document.get("runs_since") or recorded.get("runs_since")
    held_ms = _millis(held)
    if held_ms is not None and (since_ms is None or since_ms < held_ms):
        notices.append(f"MLflow snapshot {path} holds runs started since {held} only")
    return notices


def _millis(iso: Any) -> int | None:
    if not isinstance(iso, str) or not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def read_snapshot(path: str) -> dict[str, Any]:
    """The parsed snapshot (plain or gzip), checked against its schema and its digest;
    errors name the file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if raw[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as unzipped:
                raw = unzipped.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise DataSourceError(f"MLflow snapshot {path} is larger than {MAX_BYTES >> 20} MB")
        document = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise DataSourceError(f"MLflow snapshot not found: {path}") from None
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise DataSourceError(f"cannot read MLflow snapshot {path}: {exc}") from None
    problem = snapshot_problem(document)
    if problem:
        raise DataSourceError(f"{path}: not a govcheck MLflow snapshot: {problem}")
    if document["version"] >= 2 and document["snapshot_digest"] != content_digest(document):
        raise DataSourceError(
            f"{path}: the MLflow snapshot was changed after it was recorded (its "
            "snapshot_digest does not match its content): record it again"
        )
    return dict(document)


def snapshot_problem(document: Any) -> str | None:
    """The first schema violation of a snapshot document, with its JSON path, or None.

    The header goes through the JSON Schema; the entity lists (100,000 runs take jsonschema
    minutes) through a checker compiled once from the same schema's definitions, which
    checks every field's JSON type, required keys and nested entities.
    """
    import jsonschema

    from govcheck.quickschema import plainly_valid

    schema = _schema()
    if not isinstance(document, dict):
        return f"$: {document!r:.80} is not of type 'object'"
    header = {k: ([] if k in KINDS and isinstance(v, list) else v) for k, v in document.items()}
    if not plainly_valid(header, schema):
        errors = sorted(
            jsonschema.Draft202012Validator(schema).iter_errors(header),
            key=lambda e: list(map(str, e.absolute_path)),
        )
        if errors:
            return f"${_where(errors[0].absolute_path)}: {errors[0].message}"
    for kind in KINDS:
        spec = _entity_specs()[kind]
        for i, item in enumerate(document[kind]):
            if not _ok(item, spec):  # the fast walk; the slow one says where
                return f"${_check(item, spec, f'[{kind!r}][{i}]')}"
    return None


def _where(path: Iterable[Any]) -> str:
    return "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in path)


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    from govcheck import builtin

    schema: dict[str, Any] = json.loads(
        builtin.schema_file("mlflow-snapshot").read_text(encoding="utf-8")
    )
    return schema


@dataclass(frozen=True)
class _Spec:
    """What a value must be: JSON types, and for objects and arrays what is inside."""

    types: tuple[str, ...]
    required: tuple[str, ...] = ()
    properties: dict[str, _Spec] | None = None
    values: _Spec | None = None  # additionalProperties
    items: _Spec | None = None
    # The Python types that may stand for these JSON types (bool is told apart by _ok).
    python: tuple[type, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "python", tuple(t for n in self.types for t in _PYTHON[n]))


_PYTHON: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "null": (type(None),),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "null": lambda x: x is None,
    "boolean": lambda x: isinstance(x, bool),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
}


@lru_cache(maxsize=1)
def _entity_specs() -> dict[str, _Spec]:
    schema = _schema()

    def spec(node: dict[str, Any]) -> _Spec:
        if "$ref" in node:
            return spec(schema["$defs"][node["$ref"].removeprefix("#/$defs/")])
        if "anyOf" in node:
            branches = [spec(b) for b in node["anyOf"]]
            merged = next((b for b in branches if b.properties is not None), branches[0])
            types = tuple(t for b in branches for t in b.types)
            return _Spec(types, merged.required, merged.properties, merged.values, merged.items)
        kind = node.get("type", list(_JSON_TYPES))
        types = tuple(kind) if isinstance(kind, list) else (kind,)
        properties = node.get("properties")
        extra = node.get("additionalProperties")
        return _Spec(
            types,
            tuple(node.get("required", ())),
            {k: spec(v) for k, v in properties.items()} if properties is not None else None,
            spec(extra) if isinstance(extra, dict) else None,
            spec(node["items"]) if isinstance(node.get("items"), dict) else None,
        )

    return {kind: spec(schema["properties"][kind]["items"]) for kind in KINDS}


def _ok(value: Any, spec: _Spec) -> bool:
    if isinstance(value, bool):
        if "boolean" not in spec.types:
            return False
    elif not isinstance(value, spec.python):
        return False
    if isinstance(value, dict):
        if spec.required and not all(k in value for k in spec.required):
            return False
        props, values = spec.properties or {}, spec.values
        for key, item in value.items():
            sub = props.get(key) or values
            if sub is not None and not _ok(item, sub):
                return False
    elif isinstance(value, list) and spec.items is not None:
        return all(_ok(item, spec.items) for item in value)
    return True


def _check(value: Any, spec: _Spec, where: str) -> str | None:
    if not any(_JSON_TYPES[t](value) for t in spec.types):
        return f"{where}: {value!r:.80} is not of type {' or '.join(spec.types)}"
    if isinstance(value, dict):
        for key in spec.required:
            if key not in value:
                return f"{where}: {key!r} is a required property"
        for key, item in value.items():
            sub = (spec.properties or {}).get(key) or spec.values
            problem = _check(item, sub, f"{where}[{key!r}]") if sub else None
            if problem:
                return problem
    elif isinstance(value, list) and spec.items is not None:
        for i, item in enumerate(value):
            problem = _check(item, spec.items, f"{where}[{i}]")
            if problem:
                return problem
    return None


def canonical(document: Mapping[str, Any]) -> bytes:
    """The recorded metadata as canonical JSON: sorted keys, no spaces, ASCII, without the
    fields about the recording itself."""
    content = {k: v for k, v in document.items() if k not in UNHASHED}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def content_digest(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def record(
    data: Any,
    shown_uri: str,
    scope: Scope,
    fields: Mapping[str, list[str]] | None,
    runs_since: str | None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The snapshot of a reader (a live store), as its header and, per list, each entity
    as canonical JSON text in the snapshot's order: the lists `fields` names (None: every
    list, whole), each entity pruned to its recorded fields and checked against the schema
    as it comes. Runs are read one page at a time and kept only as text (100,000 runs:
    ~40 MB of text instead of a gigabyte of dicts)."""
    content: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "tracking_uri": shown_uri,
        "scope": {
            "experiments": list(scope.experiments),
            "runs_since_days": scope.runs_since_days,
        },
    }
    if fields is not None:
        content["fields"] = {name: list(fields[name]) for name in KINDS if name in fields}
    texts: dict[str, list[str]] = {}
    for name in KINDS:
        if fields is not None and name not in fields:
            texts[name] = []
            continue
        paths = [parse_path(p) for p in fields[name]] if fields is not None else None
        spec = _entity_specs()[name]
        if name == "runs":
            from govcheck.facts.mlflow_live import run_order

            keyed = [
                (run_order(run), _entity_text(run, name, paths, spec, i))
                for i, run in enumerate(data.iter_runs())
            ]
            keyed.sort(key=lambda pair: pair[0])
            texts[name] = [text for _, text in keyed]
        else:
            items = getattr(data, name)()
            if name == "model_versions" and _records_artifacts(fields):
                items = [_with_artifacts(data, v) for v in items]
            texts[name] = [_entity_text(item, name, paths, spec, i) for i, item in enumerate(items)]
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "snapshot_digest": _streamed_digest(content, texts),
        "recorded_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "runs_since": runs_since,
        **content,
    }
    problem = snapshot_problem({**header, **{name: [] for name in KINDS}})
    if problem:  # a bug, not a user error: never write a file readers refuse
        raise DataSourceError(f"the recorded MLflow metadata does not fit its schema: {problem}")
    return header, texts


def _records_artifacts(fields: Mapping[str, list[str]] | None) -> bool:
    if fields is None:
        return True
    return any(
        p == "run" or p.startswith("run.artifacts") for p in fields.get("model_versions", [])
    )


def _with_artifacts(data: Any, version: Fields) -> Fields:
    """A version whose run carries its artifact paths: listed only for versions behind an
    alias (those that can serve), a request per folder on a live store."""
    run = version.get("run")
    if not version.get("aliases") or not isinstance(run, Mapping) or "artifacts" in run:
        return version
    return {**version, "run": {**run, "artifacts": data.artifacts(str(run["run_id"]))}}


def _entity_text(
    item: Mapping[str, Any], name: str, paths: list[FieldPath] | None, spec: _Spec, index: int
) -> str:
    value: Any = {k: item[k] for k in item if not (name == "experiments" and k == "run_count")}
    if isinstance(value.get("run"), Mapping):  # a version's run, made on first read
        value["run"] = dict(value["run"])
    if paths is not None:
        value = prune(value, paths)
    if not _ok(value, spec):  # a bug, not a user error: never write a file readers refuse
        problem = _check(value, spec, f"[{name!r}][{index}]")
        raise DataSourceError(f"the recorded MLflow metadata does not fit its schema: {problem}")
    return _compact(value)


def _streamed_digest(content: Mapping[str, Any], texts: Mapping[str, list[str]]) -> str:
    """content_digest of the document these make, from the entity texts as they are: the
    canonical form is sorted keys, no spaces, ASCII, so a list is its items' texts joined."""
    digest = hashlib.sha256()
    keys = sorted([*content, *KINDS])
    digest.update(b"{")
    for n, key in enumerate(keys):
        digest.update((("," if n else "") + json.dumps(key) + ":").encode())
        if key in KINDS:
            digest.update(b"[")
            for m, text in enumerate(texts[key]):
                digest.update(((",") if m else "").encode() + text.encode())
            digest.update(b"]")
        else:
            digest.update(_compact(content[key]).encode())
    digest.update(b"}")
    return digest.hexdigest()


def render(document: Mapping[str, Any], texts: Mapping[str, list[str]] | None = None) -> str:
    """The document as text for git: the header pretty, then one entity per line, each
    with sorted keys, so a changed run is a one-line diff. `texts` gives the lists'
    entities as text already (record()); else they are taken from the document."""
    lines = ["{"]
    keys = list(document)
    if texts is not None:
        keys += [k for k in KINDS if k not in document]
    for i, key in enumerate(keys):
        end = "," if i < len(keys) - 1 else ""
        if key in KINDS:
            items = texts[key] if texts is not None else [_compact(x) for x in document[key]]
            body = ",\n".join(f"  {item}" for item in items)
            lines.append(
                f" {json.dumps(key)}: [\n{body}\n ]{end}" if items else f' "{key}": []{end}'
            )
        else:
            text = json.dumps(document[key], sort_keys=True, indent=1, ensure_ascii=True)
            lines.append(f" {json.dumps(key)}: {text.replace(chr(10), chr(10) + ' ')}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def write_snapshot(
    uri: str,
    output: str,
    scope: Scope,
    fields: Mapping[str, list[str]] | None = None,
    shown_uri: str | None = None,
    progress: Progress = silent,
) -> tuple[dict[str, int], str, bool]:
    """Record the store at uri, within scope, into output (gzip when it ends in .gz).

    Returns the entity counts, the digest, and whether the file was left as it was because
    it already recorded the same content (so `recorded_at` moves only when content does).
    """
    from govcheck.atomic import write_atomic
    from govcheck.facts.mlflow_fields import iso_time
    from govcheck.facts.mlflow_live import open_live

    store = open_live(uri, scope, progress)
    header, texts = record(
        store, shown_uri or redact_url(uri), scope, fields, iso_time(store.runs_since_ms)
    )
    counts = {kind: len(texts[kind]) for kind in KINDS}
    digest = str(header["snapshot_digest"])
    text = render(header, texts)
    del texts
    if _same_recording(output, text):
        return counts, digest, True
    progress(Tick("writing snapshot", sum(counts.values()), "entities", output))
    if output.endswith(".gz"):
        # No name and no time in the gzip header: the same content gives the same bytes.
        write_atomic(output, gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    else:
        write_atomic(output, text)
    progress(Tick("writing snapshot", sum(counts.values()), "entities", output, done=True))
    return counts, digest, False


# Header lines about the recording itself, which a new recording of the same content changes.
_RECORDING_LINES = re.compile(r'^ "(recorded_at|runs_since)": .*$', re.MULTILINE)


def _same_recording(path: str, text: str) -> bool:
    """Whether the file at path is this recording but for when it was made: the same text,
    digest line included, except `recorded_at` and `runs_since`. Rendering is
    deterministic, so an unchanged store gives the same text; a file edited by hand (or
    written otherwise) does not match and is replaced."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        old = raw.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError, ValueError):
        return False
    return _RECORDING_LINES.sub("", old) == _RECORDING_LINES.sub("", text)
