"""A seeded mutation fuzzer for every input govcheck reads (tests/test_fuzz.py runs it).

Each input starts from a valid seed (a config, a policy, a model card, a monitoring config,
DVC files, an MLproject, JSON and TOML configs, an MLflow snapshot); a case applies a few
mutations drawn from one `random.Random(f"{seed}:{index}")`, so any case replays alone:
structural ones on the parsed seed (type swaps, deep nesting, huge strings, hostile values)
and textual ones on its bytes (byte flips, truncation, YAML tags, anchors and alias bombs,
duplicate keys and lines, odd encodings).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

SHA = "0123456789abcdef0123456789abcdef01234567"

CONFIG = {
    "version": 1,
    "policies": ["builtin:all", "policies/team.yaml"],
    "exclude": ["vendor", "docs/*.md"],
    "params": {
        "models_glob": "models/*",
        "experiment_name_pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
        "serving_aliases": ["champion", "production"],
        "max_data_file_mb": 10,
    },
    "mlflow": {
        "snapshot": ".govcheck/mlflow.json",
        "experiments": ["fraud-*"],
        "runs_since_days": 90,
        "timeout_seconds": 5,
    },
    "fail_on": "warning",
    "max_file_mb": 5,
    "waivers": [
        {
            "rule": "GC-DATA-001",
            "target": "configs/*",
            "reason": "public data",
            "expires": "2099-01-01",
            "approved_by": "jane",
        }
    ],
}
POLICY = {
    "version": 1,
    "params": {"owner_domain": "example.com", "stages": ["train", "eval"]},
    "rules": [
        {
            "id": "TEAM-001",
            "name": "config-owner",
            "title": "Configs name an owner",
            "severity": "warning",
            "resource": "file",
            "where": {
                "all": [
                    {"field": "path", "glob": "configs/**"},
                    {"field": "suffix", "in": [".json", ".yaml"]},
                ]
            },
            "require": {
                "any": [
                    {"field": "data.owner", "matches": "@{owner_domain}$"},
                    {"not": {"field": "data", "exists": True}},
                ]
            },
            "message": "{path} has no owner ({data.owner}) {size_mb:.2f} MB",
            "tags": ["eu-ai-act/art-17"],
        },
        {
            "id": "TEAM-002",
            "name": "stages-have-data",
            "resource": "file",
            "where": {"field": "name", "equals": "dvc.yaml"},
            "require": {"every": "data.stages", "require": {"field": "deps", "empty": False}},
            "message": "{path}: a stage has no inputs",
        },
        {
            "id": "TEAM-003",
            "name": "card-and-monitoring",
            "resource": "directory",
            "where": {"field": "path", "glob": "{models_glob}"},
            "require": {
                "all": [
                    {
                        "file": ["MODEL_CARD.md", "README.md"],
                        "require": {
                            "sections": [
                                "Intended Use",
                                {"name": "eval", "contains": ["evaluation"]},
                            ]
                        },
                    },
                    {"file_exists": "monitoring.y*ml"},
                    {"some": "files", "require": {"field": ".", "glob": "*.md"}},
                ]
            },
            "message": "{path} misses parts",
        },
        {
            "id": "TEAM-004",
            "name": "runs-have-commits",
            "severity": "note",
            "resource": "mlflow_run",
            "require": {
                "all": [
                    {"git_commit_exists": "tags['mlflow.source.git.commit']"},
                    {"field": "start_time", "newer_than_days": 3650},
                    {"field": "metrics.auc", "gte": 0.5},
                ]
            },
            "message": "run {run_id} of {experiment_name}",
        },
        {
            "id": "TEAM-005",
            "name": "monitoring-schema",
            "resource": "file",
            "where": {"field": "name", "equals": "monitoring.yaml"},
            "require": {"schema": "builtin:monitoring"},
            "message": "{path} invalid",
        },
    ],
}
CARD_FRONT = {
    "license": "mit",
    "language": ["en"],
    "tags": ["fraud"],
    "datasets": ["s3://b/train.csv?versionId=abc"],
}
CARD_BODY = """# fraud-detector

<!-- govcheck: ignore[GC-CARD-004] filled in by the release job -->
## Intended Use
Scoring card transactions.

## Training Data
`s3://ml-data/fraud/train.parquet`

## Evaluation
| metric | value |
| --- | --- |
| auc | 0.91 |

```python
# Not a heading
```

## Limitations
Only EU transactions.

Ethical Considerations
----------------------
Bias reviewed.
"""
MONITORING = {
    "model": "fraud-detector",
    "alias": "champion",
    "owner": "fraud@example.com",
    "schedule": "0 * * * *",
    "baseline": {"dataset": "s3://ml-data/fraud/train.parquet?versionId=3HL4kqtJ"},
    "metrics": [
        {"name": "auc", "threshold": {"min": 0.85}},
        {"name": "psi", "method": "psi", "threshold": {"max": 0.2}},
    ],
    "alerts": [{"channel": "slack", "target": "#fraud"}],
}
DVC_FILE = {"outs": [{"md5": "a" * 32, "size": 12, "path": "train.csv", "hash": "md5"}]}
DVC_LOCK = {
    "schema": "2.0",
    "stages": {
        "prepare": {
            "cmd": "python prep.py",
            "deps": [{"path": "data/raw.csv", "md5": "b" * 32}],
            "outs": [{"path": "data/clean.csv", "md5": "c" * 32}],
        }
    },
}
DVC_YAML = {
    "stages": {
        "train": {
            "cmd": "python train.py",
            "deps": ["data/clean.csv"],
            "outs": ["models/m/model.pkl"],
        }
    }
}
MLPROJECT = {
    "name": "fraud",
    "entry_points": {
        "main": {
            "parameters": {"data": {"type": "string", "default": "s3://b/mlproject.csv"}},
            "command": "python train.py --data {data}",
        }
    },
}
TRAIN_JSON = {
    "owner": "ml@example.com",
    "experiment_name": "fraud-detector",
    "inputs": ["s3://b/x.csv", "gs://b/y.csv#7", "hf://datasets/a/b@main", "data/raw.csv"],
    "$schema": "https://example.com/s.json",
}
TOML_TEXT = """[data]
train = "s3://b/t.csv"
eval = 'gs://b/e.csv#12'
notes = \"\"\"
s3://b/multi.csv\"\"\"

[model]
experiment_name = "fraud-detector"
"""
SNAPSHOT = {
    "format": "govcheck-mlflow-snapshot",
    "version": 1,
    "recorded_at": "2026-01-01T00:00:00+00:00",
    "tracking_uri": "https://mlflow.example.com",
    "scope": {"experiments": [], "runs_since_days": None, "runs_since": None},
    "experiments": [
        {
            "experiment_id": "1",
            "name": "fraud-detector",
            "tags": {},
            "lifecycle_stage": "active",
            "creation_time": "2025-01-01T00:00:00.000+00:00",
            "run_count": 1,
        },
        {
            "experiment_id": "0",
            "name": "Default",
            "tags": {},
            "lifecycle_stage": "active",
            "creation_time": None,
            "run_count": 0,
        },
    ],
    "runs": [
        {
            "run_id": "r1",
            "run_name": "good",
            "experiment_id": "1",
            "experiment_name": "fraud-detector",
            "status": "FINISHED",
            "user": "ana",
            "tags": {"mlflow.source.git.commit": SHA, "owner": "ana"},
            "params": {"lr": "0.1"},
            "metrics": {"auc": 0.9},
            "start_time": "2026-01-01T00:00:00.000+00:00",
            "end_time": None,
            "datasets": [
                {
                    "name": "train",
                    "digest": "abc",
                    "source": "s3://b/t.csv",
                    "source_type": "s3",
                    "context": "training",
                }
            ],
        }
    ],
    "registered_models": [
        {
            "name": "fraud-detector",
            "description": "",
            "tags": {},
            "aliases": ["champion"],
            "creation_time": None,
        }
    ],
    "model_versions": [
        {
            "name": "fraud-detector",
            "version": "1",
            "run_id": "r1",
            "model_id": None,
            "source": "models:/m-abc",
            "status": "READY",
            "tags": {},
            "aliases": ["champion"],
            "description": "",
            "creation_time": None,
            "run": None,
        }
    ],
}


@dataclass(frozen=True)
class Seed:
    path: str
    kind: str  # yaml | json | toml | card | text
    data: Any


SEEDS = (
    Seed(".govcheck.yaml", "yaml", CONFIG),
    Seed("policies/team.yaml", "yaml", POLICY),
    Seed("models/m/MODEL_CARD.md", "card", (CARD_FRONT, CARD_BODY)),
    Seed("models/m/monitoring.yaml", "yaml", MONITORING),
    Seed("data/train.csv.dvc", "yaml", DVC_FILE),
    Seed("dvc.lock", "yaml", DVC_LOCK),
    Seed("dvc.yaml", "yaml", DVC_YAML),
    Seed("MLproject", "yaml", MLPROJECT),
    Seed("configs/train.json", "json", TRAIN_JSON),
    Seed("configs/data.toml", "toml", TOML_TEXT),
    Seed(".govcheck/mlflow.json", "json", SNAPSHOT),
)
# Files the seeds refer to, so the unmutated repository is clean and rules have work.
FIXED = {
    "data/train.csv": "a,b\n1,2\n",
    "models/m/train.py": 'import mlflow\nmlflow.set_experiment("fraud-detector")\n',
    "models/m/.env": "MLFLOW_EXPERIMENT_NAME=fraud-detector\n",
    "models/other/README.md": "# other\n",
    "docs/guide.md": "# Guide\n",
}

HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**64,
    int("9" * 4200),
    float("inf"),
    float("-inf"),
    float("nan"),
    1e308,
    "",
    " ",
    "\ud800",
    "a\udcff",
    "[z-a]",
    "models/[b-a]",
    "((",
    "(a+)+$",
    "{path:>300000000}",
    "{text}{text}{text}",
    "{data}",
    "{nope",
    "builtin:" + "a" * 5000,
    "builtin:nope",
    "../../etc/passwd",
    ".git/config",
    "/etc/passwd",
    "s3://b/x.csv",
    "s3://b/\ud800.csv",
    "fraud-\ud800",
    "models/\udcff",
    "Default",
    "hf://datasets/a/b@\ud800",
    "http://alice:p@ss-SECRET@h/x",
    "hf://datasets/a/b@main",
    "2027-13-45",
    "**/*",
    "*" * 50,
    "?" * 50,
    "x" * 10_000,
    "\x1b[31mred",
    "line\nbreak",
    "tags['a.b'].c[0]",
    "..",
    [],
    ["file"],
    {},
    {"x": 1},
    [[[[[]]]]],
    {"a": {"b": {"c": {}}}},
    ["x"] * 500,
)
TAGS = (
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!timestamp",
    "!!binary",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!seq",
    "!!map",
    "!!merge",
    "!!python/object:os.system",
    "!!python/tuple",
    "!Ref",
    "!GetAtt",
    "!vault",
    "!<tag:example.com,2000:x>",
)
SNIPPETS = (
    "\n# " + "govcheck: ignore[" * 20_000 + "\n",
    "\n# govcheck: ignore[GC-DATA-001]\n",
    "\n<!--" * 2000,
    "\n# a" + " " * 20_000 + "b\n",
    '\nx: "\\ud800"\n',
    "\n\t\x00\x01\x7f\n",
    "\n" + "[" * 600 + "]" * 600 + "\n",
    "\n" + "{a: " * 300 + "1" + "}" * 300 + "\n",
    "\n" + "1" * 5000 + "\n",
    "\nn: 0x" + "f" * 4000 + "\n",
    "\nn: " + "1:" * 20_000 + "1\n",
    "\n---\n",
    "\n...\n",
    "\n%YAML 1.1\n---\n",
    "\n<<: *nope\n",
    "\n? [a, b]\n: c\n",
    "\nkey: &a [*a]\n",
    "\n\ufeff\n",
    "\n```\n",
    "\n~~~\n# inside\n",
    "\n===\n---\n",
    "\n" + "#" * 7 + " x\n",
)


def billion_laughs(levels: int) -> str:
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [
        f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]" for i in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


# --- structural mutations ------------------------------------------------------------------


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _nest(rng: random.Random, value: Any) -> Any:
    for _ in range(rng.choice((20, 90, 150, 400))):
        value = [value] if rng.random() < 0.5 else {"k": value}
    return value


def _hostile(rng: random.Random, old: Any) -> Any:
    """A hostile value: half the time of the old value's own type (a name stays a string,
    so it reaches the reports), else of any type."""
    same = [v for v in HOSTILE_VALUES if type(v) is type(old)]
    return rng.choice(same if same and rng.random() < 0.5 else HOSTILE_VALUES)


def _walk(rng: random.Random, data: Any) -> tuple[Any, ...]:
    """A random node, reached by walking down from the root: mid-depth keys (a rule's
    `resource`, a config's `mlflow.timeout_seconds`) come up far more often than if every
    node of a long list were equally likely."""
    path: tuple[Any, ...] = ()
    node = data
    while isinstance(node, (dict, list)) and node and rng.random() < 0.85:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        path, node = (*path, key), node[key]
    return path


ALIAS = "__alias_bomb__"


def mutate_data(rng: random.Random, data: Any, ops: list[str]) -> Any:
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = _walk(rng, data)
        op = rng.choice(("swap", "swap", "swap", "nest", "huge", "drop", "dup", "add", "bomb"))
        ops.append(f"{op}@{'.'.join(map(str, path))[:60]}")
        if op == "swap":
            data = _set(data, path, copy.deepcopy(_hostile(rng, _get(data, path))))
        elif op == "nest":
            data = _set(data, path, _nest(rng, copy.deepcopy(_get(data, path))))
        elif op == "huge":
            size = rng.choice((1_000, 100_000, 2_000_000))
            data = _set(data, path, rng.choice("xé{[*") * size)
        elif op == "drop" and path:
            parent = _get(data, path[:-1])
            del parent[path[-1]]
        elif op == "dup" and path:
            parent = _get(data, path[:-1])
            if isinstance(parent, list):
                times = rng.choice((2, 300))
                item = parent[path[-1]]
                if isinstance(item, str) and len(item) > 100_000:
                    # 300 copies of a 2 MB string are a 600 MB file the fuzzer itself takes
                    # minutes and a gigabyte to write (case 930 measured the fuzzer, not us)
                    times = 2
                parent.extend([copy.deepcopy(item)] * times)
        elif op == "bomb":  # replaced by an alias of a billion laughs when dumped as YAML
            data = _set(data, path, ALIAS)
        elif op == "add":
            node = _get(data, path)
            if isinstance(node, dict):
                node[rng.choice(("x", "id", "rules", "require", "field", "<<", "$ref", ""))] = (
                    copy.deepcopy(rng.choice(HOSTILE_VALUES))
                )
            elif isinstance(node, list):
                node.append(copy.deepcopy(rng.choice(HOSTILE_VALUES)))
    return data


def dump(kind: str, data: Any, rng: random.Random) -> str:
    if kind == "json":
        return json.dumps(data, indent=rng.choice((None, 1)), ensure_ascii=rng.random() < 0.5)
    text = yaml.safe_dump(
        data,
        sort_keys=False,
        allow_unicode=rng.random() < 0.5,
        default_flow_style=rng.choice((None, True, False)),
        width=rng.choice((80, 100000)),
    )
    if ALIAS in text:  # anchors defined in a flow list beside the document, then aliased
        levels = rng.choice((6, 9))
        anchors = ["&lol0 [" + ", ".join(["lol"] * 9) + "]"]
        anchors += [f"&lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]" for i in range(1, levels)]
        text = text.replace(ALIAS, f"*lol{levels - 1}", 1).replace(ALIAS, "*lol2")
        if text.startswith("{"):
            text = "{_laughs: [" + ", ".join(anchors) + "], " + text[1:]
        else:
            text = "_laughs: [" + ", ".join(anchors) + "]\n" + text
    return text


# --- textual mutations ---------------------------------------------------------------------


def _insert(rng: random.Random, raw: bytes, piece: bytes) -> bytes:
    at = rng.randint(0, len(raw))
    return raw[:at] + piece + raw[at:]


def _tag(rng: random.Random, raw: bytes) -> bytes:
    spots = [i + 2 for i in range(len(raw) - 1) if raw[i : i + 2] in (b": ", b"- ")]
    spots += [i + 1 for i in range(len(raw) - 1) if raw[i : i + 2] == b":\n"]  # a block
    at = rng.choice(spots) if spots else 0
    tag = rng.choice(TAGS).encode()
    return raw[:at] + (b" " + tag if raw[at : at + 1] == b"\n" else tag + b" ") + raw[at:]


def _bignum(rng: random.Random, raw: bytes) -> bytes:
    """A number too long for Python to build or print: inside a number of the text, or as
    a new key (after a JSON object's `{`, else a YAML or TOML line)."""
    number = rng.choice((b"9" * 5000, b"0x" + b"f" * 4000, b"1e999", b"-1e400"))
    spots = [i for i in range(len(raw)) if raw[i : i + 1].isdigit()]
    if spots and rng.random() < 0.5:
        at = rng.choice(spots)
        return raw[:at] + number + raw[at:]
    brace = raw.find(b"{")
    if raw.lstrip().startswith(b"{"):
        return raw[: brace + 1] + b'"big": ' + number + b", " + raw[brace + 1 :]
    separator = b" = " if b" = " in raw else b": "
    return raw + b"\nbig" + separator + number + b"\n"


def _anchor(rng: random.Random, raw: bytes) -> bytes:
    choice = rng.random()
    if choice < 0.4:  # an alias bomb, used by a key the readers look at
        bomb = billion_laughs(rng.choice((5, 7, 9))).encode()
        key = rng.choice((b"metrics", b"rules", b"stages", b"outs", b"license", b"x", b"inputs"))
        return bomb + raw + b"\n" + key + b": *lol" + str(rng.randint(3, 8)).encode() + b"\n"
    spots = [i + 2 for i in range(len(raw) - 1) if raw[i : i + 2] == b": "]
    if len(spots) < 2:
        return raw
    first, second = sorted(rng.sample(spots, 2))
    alias = b"*a " if rng.random() < 0.8 else b"*missing "
    return raw[:first] + b"&a " + raw[first:second] + alias + raw[second:]


def _lines(rng: random.Random, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    if len(lines) < 2:
        return raw
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines.insert(j, lines[i])  # a duplicate key, a repeated item
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def _encoding(rng: random.Random, raw: bytes) -> bytes:
    text = raw.decode("utf-8", "surrogateescape")
    pick = rng.random()
    try:
        if pick < 0.3:
            return text.encode("utf-16")
        if pick < 0.45:
            return text.encode("utf-16-be")  # no BOM
        if pick < 0.6:
            return text.encode("latin-1", "replace")
    except UnicodeEncodeError:
        return raw
    if pick < 0.8:
        return b"\xef\xbb\xbf" + raw
    return raw.replace(b"\n", b"\r\n")


def _flip(rng: random.Random, raw: bytes) -> bytes:
    if not raw:
        return raw
    out = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _truncate(rng: random.Random, raw: bytes) -> bytes:
    return raw[: rng.randint(0, len(raw))]


TEXT_OPS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "flip": _flip,
    "truncate": _truncate,
    "tag": _tag,
    "anchor": _anchor,
    "lines": _lines,
    "snippet": lambda rng, raw: _insert(
        rng, raw, rng.choice(SNIPPETS).encode("utf-8", "surrogatepass")
    ),
    "encoding": _encoding,
    "bignum": _bignum,
}


def mutate_text(rng: random.Random, raw: bytes, ops: list[str]) -> bytes:
    for _ in range(rng.randint(1, 2)):
        name = rng.choice(list(TEXT_OPS))
        ops.append(name)
        raw = TEXT_OPS[name](rng, raw)
    return raw


# --- one case ------------------------------------------------------------------------------


def seed_bytes(seed: Seed, rng: random.Random | None = None) -> bytes:
    rng = rng or random.Random(0)
    if seed.kind == "card":
        front, body = seed.data
        return ("---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n" + body).encode()
    if seed.kind == "toml" or seed.kind == "text":
        return str(seed.data).encode()
    return dump(seed.kind, seed.data, rng).encode()


def mutated(seed: Seed, rng: random.Random, ops: list[str]) -> bytes:
    """The seed's bytes after a structural and/or textual mutation."""
    structural = seed.kind in ("yaml", "json", "card") and rng.random() < 0.6
    if structural:
        if seed.kind == "card":
            front, body = seed.data
            front = mutate_data(rng, front, ops)
            try:
                raw = ("---\n" + dump("yaml", front, rng) + "---\n" + body).encode(
                    "utf-8", "surrogatepass"
                )
            except (yaml.YAMLError, ValueError, UnicodeEncodeError, RecursionError):
                raw = seed_bytes(seed)
        else:
            data = mutate_data(rng, seed.data, ops)
            try:
                raw = dump(seed.kind, data, rng).encode("utf-8", "surrogatepass")
            except (yaml.YAMLError, ValueError, UnicodeEncodeError, RecursionError):
                raw = seed_bytes(seed)
        if rng.random() < 0.5:
            return raw
    else:
        raw = seed_bytes(seed, rng)
    return mutate_text(rng, raw, ops)


@dataclass
class Case:
    index: int
    files: dict[str, bytes] = field(default_factory=dict)
    ops: list[str] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"case {self.index}: {', '.join(self.files)} <- {'; '.join(self.ops)} | {' '.join(self.argv)}"


FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


def make_case(seed: int, index: int, root: str, out: str) -> Case:
    rng = random.Random(f"{seed}:{index}")
    case = Case(index)
    for target in rng.sample(SEEDS, k=rng.choice((1, 1, 1, 2))):
        case.ops.append(f"[{target.path}]")
        case.files[target.path] = mutated(target, rng, case.ops)
    fmt = rng.choice(FORMATS)
    command = rng.random()
    if command < 0.85:
        case.argv = ["check", "--repo", root, "--format", fmt, "--output", f"{out}/report.{fmt}"]
        for extra in ("sarif", "junit", "json", "markdown"):
            case.argv += [f"--{extra}-output", f"{out}/all.{extra}"]
        if rng.random() < 0.15:
            case.argv += [f"{root}/{rng.choice(list(case.files))}"]  # PATH-limited, as pre-commit
        if rng.random() < 0.1:
            case.argv.append("--no-mlflow")
    elif command < 0.95:
        case.argv = ["validate", f"{root}/policies/team.yaml", f"{root}/.govcheck.yaml"]
    else:
        case.argv = ["list-rules", "--repo", root, "--format", rng.choice(("text", "json"))]
    return case
