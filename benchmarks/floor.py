"""The floor for a full repo-only check: only the work no implementation can skip.

List the tracked files with one git call; read and parse the files the built-in rules look
into (YAML with PyYAML's C loader, JSON, TOML, model-card front matter and headings, Python
files that name an experiment); stat data files; validate monitoring configs against the
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


def main(repo: str) -> int:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True
    ).stdout.decode()
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    loader = yaml.CSafeLoader
    problems = 0
    for path in listing.split("\0"):
        if not path:
            continue
        full = os.path.join(repo, path)
        name = path.rsplit("/", 1)[-1]
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix in DATA_SUFFIXES:
            os.stat(full)
        if suffix in (".yaml", ".yml"):
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
        elif suffix == ".md" and path.startswith("models/"):
            with open(full, encoding="utf-8") as f:
                text = f.read()
            if text.startswith("---\n"):
                end = text.find("\n---", 4)
                yaml.load(text[4:end], Loader=loader)
            problems += sum(1 for line in text.splitlines() if line.startswith("#"))
        elif suffix == ".py" or name.endswith(".env"):
            with open(full, encoding="utf-8") as f:
                text = f.read()
            if suffix == ".py" and "set_experiment" in text:
                ast.parse(text)
    print(f"floor: {problems}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
