"""Test helpers: the real `govcheck` command in a subprocess, as a user or pre-commit would
run it, and Facts over real repositories with the context a check builds."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govcheck.facts.base import Facts

SRC = Path(__file__).resolve().parents[1] / "src"


def _installed() -> bool:
    try:
        importlib.metadata.distribution("govcheck")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


# CI installs the package (not editable), so tests then exercise the installed wheel,
# built-in packs and schemas included.
INSTALLED = _installed()


def govcheck(
    *args: str,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    if not INSTALLED:  # running from the checkout: let the subprocess find src/
        full_env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [full_env.get("PYTHONPATH"), str(SRC)])
        )
    if "MLFLOW_TRACKING_URI" not in (env or {}):
        full_env.pop("MLFLOW_TRACKING_URI", None)  # a developer's own store must not leak in
    return subprocess.run(
        [sys.executable, "-m", "govcheck", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# A model directory every built-in repo rule accepts; tests plant one violation beside it.
CARD = """---
license: mit
---
# M
## Intended Use
a
## Training Data
b
## Evaluation
c
## Limitations
d
## Ethical Considerations
e
"""
MONITORING = """model: m
owner: team@example.com
schedule: daily
baseline: {dataset: "s3://b/train.csv?versionId=abc"}
metrics: [{name: auc, threshold: {min: 0.8}}, {name: feature_drift, threshold: {max: 0.2}}]
alerts: [{channel: email, target: team@example.com}]
"""
GOOD_MODEL = {"models/m/MODEL_CARD.md": CARD, "models/m/monitoring.yaml": MONITORING}

# A team policy over MLflow entities, so tests do not depend on which MLflow rules ship.
TEAM_POLICY = """version: 1
rules:
  - id: TEAM-001
    name: team-model-described
    title: Registered models have a description
    severity: error
    resource: mlflow_registered_model
    require: {field: description, matches: '\\S'}
    message: "Registered model '{name}' has no description"
"""


def registry_snapshot(models: dict[str, str]) -> str:
    """An MLflow snapshot holding only registered models (name -> description)."""
    return json.dumps(
        {
            "format": "govcheck-mlflow-snapshot",
            "version": 1,
            "recorded_at": "2026-01-01T00:00:00Z",
            "tracking_uri": "sqlite:///mlflow.db",
            "scope": {"experiments": [], "runs_since_days": None},
            "experiments": [],
            "runs": [],
            "model_versions": [],
            "registered_models": [
                {"name": n, "description": d, "tags": {}, "aliases": []} for n, d in models.items()
            ],
        }
    )


def make_facts(
    root: Path,
    params: dict[str, object] | None = None,
    *,
    rev: str | None = None,
    exclude: tuple[str, ...] = (),
    paths: frozenset[str] | None = None,
    mlflow_uri: str | None = None,
    mlflow_snapshot: str | None = None,
    mlflow: dict[str, object] | None = None,
) -> Facts:
    """Facts over a real repository, with the context a check would build for these
    options (the `mlflow:` config block as a dict)."""
    from govcheck.check import CheckOptions, mlflow_settings
    from govcheck.config import Config, MlflowConfig
    from govcheck.context import CheckContext
    from govcheck.facts.base import Facts
    from govcheck.facts.gitrepo import RevSource, WorkingSource, open_repo
    from govcheck.facts.registry import PROVIDERS

    repo = open_repo(str(root))
    source = RevSource(repo, rev) if rev else WorkingSource(repo)
    config = Config(path=None, mlflow=MlflowConfig.from_data(mlflow or {}, None))
    options = CheckOptions(mlflow_uri=mlflow_uri, mlflow_snapshot=mlflow_snapshot)
    context = CheckContext(
        root=Path(root),
        params=params or {},
        paths=paths,
        rev=rev,
        exclude=exclude,
        mlflow=mlflow_settings(options, config, Path(root)),
    )
    return Facts(source, context, PROVIDERS)


Files = Mapping[str, str | bytes]


def write_files(root: Path, files: Files) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


# Rule cases: tests/cases/<RULE-ID>/{pass,fail}/ trees (tests/cases/README.md).
CASES = Path(__file__).parent / "cases"


def builtin_kinds() -> dict[str, str]:
    """Built-in rule id -> resource kind."""
    from govcheck.check import load_rules
    from govcheck.config import Config

    rules, _ = load_rules(Config(path=None), Path.cwd())
    return {r.id: r.info.resource for r in rules}


def repo_case_dirs() -> list[Path]:
    """Case folders of rules over repository resources (MLflow ones run in tests/mlflow/)."""
    kinds = builtin_kinds()
    folders = sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []
    return [p for p in folders if not kinds.get(p.name, "").startswith("mlflow_")]


def git_copy(tree: Path, dest: Path, git: Callable[..., str]) -> Path:
    """tree as the single commit of a new repository at dest.

    A case's `gitattributes` becomes `.gitattributes` only in the copy: under its real name
    it would apply to this project's own files (LFS filters on the case's data files).
    """
    shutil.copytree(tree, dest)
    for attributes in dest.rglob("gitattributes"):
        attributes.rename(attributes.with_name(".gitattributes"))
    git(dest, "init", "-q", "-b", "main")
    git(dest, "config", "user.name", "Test User")
    git(dest, "config", "user.email", "test@example.com")
    git(dest, "config", "commit.gpgsign", "false")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "--allow-empty", "-m", "case")
    return dest
