"""The floor for a full repo-only check: only the work no implementation can skip.

List the tracked files with one git call; read and parse the files the built-in rules look
into with the same libraries govcheck uses: YAML with PyYAML's C loader (`.yaml`, `.yml`,
DVC's `.dvc` and `dvc.lock`, `MLproject`), JSON, TOML, the front matter and headings of
every markdown file (cards live in models/, model_cards/, docs/ and READMEs), Python
files and notebook code cells (`json` + `ast.parse` of the joined cells) whose text names
what the code readers look for; stat data files; validate monitoring configs against the
monitoring schema with jsonschema. No marks, no findings, no report: a lower bound.

usage: python floor.py REPO [PATH]   (with PATH: only that file, as a PATH-limited check)
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import tomllib
import yaml

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "monitoring.schema.json"
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".json", ".jsonl", ".npy", ".pkl", ".zip", ".gz")
YAML_SUFFIXES = (".yaml", ".yml", ".dvc")
YAML_NAMES = ("mlproject", "dvc.lock")
# What makes govcheck's code readers parse a file (data reads, experiment names, models).
CODE_MARKERS = (
    "read_",
    "scan_",
    ".load(",
    "load_dataset",
    "from_pretrained",
    "set_experiment",
    "create_experiment",
    "experiment_name",
    "MLFLOW_EXPERIMENT_NAME",
    "register_model",
    "registered_model_name",
)


class Loader(yaml.CSafeLoader):
    """PyYAML's C loader, keeping tools' own tags (`!GetAtt`, `!Ref`) as govcheck does."""


def _local_tag(loader: Loader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


Loader.add_multi_constructor("!", _local_tag)


def notebook_code(text: str) -> str:
    cells = json.loads(text).get("cells", [])
    parts = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source")
            lines = "".join(source) if isinstance(source, list) else str(source)
            # IPython magics are not Python: blanked, as govcheck does
            parts.append(
                "\n".join("" if ln.lstrip()[:1] in "%!" else ln for ln in lines.split("\n"))
            )
    return "\n".join(parts)


def main(repo: str) -> int:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True
    ).stdout.decode()
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    loader = Loader
    problems = 0
    for path in listing.split("\0"):
        if not path:
            continue
        full = os.path.join(repo, path)
        name = path.rsplit("/", 1)[-1]
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix in DATA_SUFFIXES:
            os.stat(full)
        if suffix in YAML_SUFFIXES or name.lower() in YAML_NAMES:
            with open(full, encoding="utf-8") as f:
                docs = list(yaml.load_all(f.read(), Loader=loader))
            if name.startswith("monitoring.") and path.startswith("models/"):
                problems += sum(1 for _ in validator.iter_errors(docs[0]))
        elif suffix == ".json":
            with open(full, encoding="utf-8") as f:
                json.loads(f.read())
        elif suffix == ".toml":
            with open(full, encoding="utf-8") as f:
                tomllib.loads(f.read())
        elif suffix == ".md":
            with open(full, encoding="utf-8") as f:
                text = f.read()
            if text.startswith("---\n"):
                end = text.find("\n---", 4)
                yaml.load(text[4:end], Loader=loader)
            problems += sum(1 for line in text.splitlines() if line.startswith("#"))
        elif suffix == ".ipynb":
            with open(full, encoding="utf-8") as f:
                code = notebook_code(f.read())
            if any(m in code for m in CODE_MARKERS):
                ast.parse(code)
        elif suffix == ".py" or name.endswith(".env"):
            with open(full, encoding="utf-8") as f:
                text = f.read()
            if suffix == ".py" and any(m in text for m in CODE_MARKERS):
                ast.parse(text)
    print(f"floor: {problems}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
