"""`govcheck init`: a starter .govcheck.yaml and an example team policy in the repository,
each with a modeline that points editors at the schema installed with govcheck."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from govcheck.commands.options import repo_root
from govcheck.errors import EXIT_OK, UsageError

HELP = "write a starter .govcheck.yaml and an example policy"

STARTER_CONFIG = """\
# govcheck configuration: https://github.com/govcheck/govcheck#configuration
version: 1
policies:
  - builtin:all                  # or pick packs: builtin:model-cards, builtin:data, ...
  - .govcheck/policies/          # this repository's own rules
params:
  models_glob: "models/*"        # where model directories live
  # deployed_models: [fraud-detector]   # served from outside the repository
  # experiment_name_pattern: "^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*$"
# mlflow:
#   tracking_uri: sqlite:///mlflow.db
#   snapshot: .govcheck/mlflow.json
fail_on: error
# fail_on_empty: true            # a pack with nothing to check fails the check
# rules:                         # rules off, or another severity, by code or name
#   GC-DCARD-002: off
#   model-card-no-placeholders: {severity: note}
waivers: []
#  - rule: model-card-present
#    target: models/legacy-churn
#    reason: "Retired model, removed in Q1"
#    expires: 2027-01-31
#    approved_by: jane.doe
"""

STARTER_POLICY = """\
# An example team policy. `govcheck validate` checks it; `govcheck explain ACME-001` shows it.
version: 1
rules:
  - id: ACME-001
    name: training-config-names-owner
    title: Training configs name an owner
    severity: warning
    resource: file
    where: {field: path, glob: "{models_glob}/train*.yaml"}
    require: {field: data.owner, empty: false}
    message: "{path} does not say who owns this training run"
    description: An owner is who answers for a model in review and in an incident.
    help: |
      Add an `owner:` key to the training config:

      ```yaml
      owner: fraud-team@example.com
      ```
    tags: [eu-ai-act/art-17]
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repo",
        metavar="DIR",
        help="the repository (default: the one containing the current directory)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing files")


def modeline(schema: str, target: Path) -> str:
    """`# yaml-language-server: $schema=...` naming the schema installed with govcheck, so
    editors with the YAML language server (VS Code's YAML extension) complete and check the
    file. Relative to the file when that is a plain path (a virtualenv inside the repository),
    else the schema's file URI; the modeline ends at the first space, so no spaces either way.
    """
    from govcheck import builtin

    installed = builtin.schema_file(schema).resolve()
    relative = os.path.relpath(installed, target.parent.resolve())
    inside = not relative.startswith("..") and not re.search(r"\s", relative)
    where = Path(relative).as_posix() if inside else installed.as_uri()
    return f"# yaml-language-server: $schema={where}\n"


def run(args: argparse.Namespace) -> int:
    root = repo_root(args.repo, required=True)
    assert root is not None
    config, policy = root / ".govcheck.yaml", root / ".govcheck" / "policies" / "example.yaml"
    targets = {
        config: modeline("config", config) + STARTER_CONFIG,
        policy: modeline("policy", policy) + STARTER_POLICY,
    }
    existing = [p for p in targets if p.exists()]
    if existing and not args.force:
        raise UsageError(
            f"{existing[0].relative_to(root)} already exists (use --force to overwrite)"
        )
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(root)}")
    print("next: govcheck check   (a repository with history: govcheck baseline, then")
    print("      govcheck check --baseline .govcheck/baseline.json fails only on new findings)")
    return EXIT_OK
