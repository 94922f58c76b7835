"""What several commands share: the options that find the repository, config and policies,
declared once, and the helpers that turn them into rules."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcheck.errors import DataSourceError
from govcheck.terminal import COLOR_CHOICES

if TYPE_CHECKING:
    from govcheck.check import CheckOptions
    from govcheck.config import Config
    from govcheck.policy import Rule
    from govcheck.terminal import Terminal

EXIT_CODES = """\
exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on (or, with --fail-on-empty, nothing to check)
  2  usage, configuration or policy error
  3  a data source failed (git unreadable, MLflow unreachable or refusing)"""


def add_repo_options(parser: argparse.ArgumentParser, policies: bool = True) -> None:
    """--repo and --config, and --policy unless the command takes no policies."""
    parser.add_argument(
        "--repo",
        metavar="DIR",
        help="the repository (default: the one containing the current directory)",
    )
    parser.add_argument(
        "--config", metavar="FILE", help="config file (default: .govcheck.yaml at the repo root)"
    )
    if policies:
        parser.add_argument(
            "--policy",
            action="append",
            default=[],
            metavar="FILE_OR_DIR",
            help="an extra policy file, or a folder of them (repeatable)",
        )


class _CommaList(argparse.Action):
    """One value per use, split on commas, collected over repeats: `--select GC-CARD,GC-MON-001
    --select GC-DATA`. A single value never swallows the PATHs after it (pre-commit appends
    file names to the hook's `args:`)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        items = [v.strip() for v in str(values).split(",")]
        if not all(items):
            parser.error(f"{option_string} takes rule codes or names separated by commas")
        setattr(namespace, self.dest, [*getattr(namespace, self.dest), *items])


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """What a check reads besides the repository: MLflow, which rules, which commit."""
    parser.add_argument(
        "--mlflow-uri",
        metavar="URI",
        help="MLflow tracking URI (overrides the config and MLFLOW_TRACKING_URI)",
    )
    parser.add_argument(
        "--mlflow-snapshot",
        metavar="FILE",
        help="check recorded MLflow metadata (govcheck snapshot) instead of a live store",
    )
    parser.add_argument(
        "--no-mlflow", action="store_true", help="skip MLflow rules (reported as skipped)"
    )
    add_rule_filters(parser)
    parser.add_argument(
        "--rev", metavar="REV", help="check the tree of a commit without checking it out"
    )


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """--model and --as-alias: one registered model version and what belongs to it."""
    parser.add_argument(
        "--model",
        metavar="NAME@ALIAS|NAME/VERSION",
        help="only this registered model version, its registered model and run, and the "
        "repository model of its name with its files (a deployment gate)",
    )
    parser.add_argument(
        "--as-alias",
        metavar="ALIAS",
        help="with --model NAME/VERSION: judge the version as if ALIAS already pointed at it "
        "(a candidate, before the alias moves)",
    )


def check_options(args: argparse.Namespace, **more: Any) -> CheckOptions:
    """The CheckOptions the shared options ask for, plus a command's own."""
    from govcheck.check import CheckOptions

    return CheckOptions(
        repo=args.repo,
        config=args.config,
        policies=tuple(args.policy),
        select=tuple(args.select),
        ignore=tuple(args.ignore),
        no_mlflow=args.no_mlflow,
        mlflow_uri=args.mlflow_uri,
        mlflow_snapshot=args.mlflow_snapshot,
        rev=args.rev,
        model=getattr(args, "model", None),
        as_alias=getattr(args, "as_alias", None),
        **more,
    )


def add_rule_filters(parser: argparse.ArgumentParser) -> None:
    """--select and --ignore: one value each (a comma list), repeatable."""
    for flag, what in (("--select", "only these rules"), ("--ignore", "not these rules")):
        parser.add_argument(
            flag,
            action=_CommaList,
            default=[],
            metavar="ID[,ID...]",
            help=f"{what}: codes, names or code prefixes, comma-separated (repeatable)",
        )


def add_feedback_options(parser: argparse.ArgumentParser, color: bool = True) -> None:
    """--quiet and --verbose (and --color for commands that print a report)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only findings and errors: no summary, notices or progress",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also say which config, policies, rules, files and MLflow store are used (stderr)",
    )
    if color:
        parser.add_argument(
            "--color",
            choices=COLOR_CHOICES,
            default="auto",
            help="colour the text report: auto (a terminal, unless NO_COLOR is set or "
            "FORCE_COLOR asks for it), always or never",
        )


def terminal_for(args: argparse.Namespace) -> Terminal:
    """Progress on stderr when it is a terminal (never with --quiet); details with --verbose."""
    import sys

    from govcheck.terminal import Terminal

    return Terminal(sys.stderr, quiet=args.quiet, verbose=args.verbose)


def live_store(args: argparse.Namespace, missing: str) -> tuple[Path, Config, str, str]:
    """The repository, its config, and the URI of the live MLflow store (never a
    snapshot) that `snapshot` and `publish` read with where it came from; `missing` is
    the usage error when none is given."""
    from dataclasses import replace

    from govcheck.config import find_config
    from govcheck.errors import UsageError
    from govcheck.facts.mlflow_store import resolve_store

    root = repo_root(args.repo, required=True)
    assert root is not None
    config = find_config(root, args.config)
    live = replace(config.mlflow, snapshot=None)
    choice = resolve_store(live, root, os.environ, uri=args.mlflow_uri)
    if choice.uri is None:
        raise UsageError(missing)
    return root, replace(config, mlflow=live), choice.uri, choice.origin


def repo_root(repo_arg: str | None, required: bool) -> Path | None:
    """The repository's root; None outside one when it is not required (e.g. `explain`
    of a built-in rule works anywhere)."""
    from govcheck.facts import gitrepo

    try:
        repo = gitrepo.open_repo(repo_arg or os.getcwd())
    except DataSourceError:
        if required or repo_arg:
            raise
        return None
    return Path(str(repo.working_tree_dir))


def rules_for(args: argparse.Namespace) -> list[Rule]:
    """Every rule the repository's config and --policy files define (list-rules, explain)."""
    from govcheck.check import load_rules
    from govcheck.config import Config, find_config

    root = repo_root(args.repo, required=False)
    config = find_config(root, args.config) if root else Config(path=None)
    rules, _ = load_rules(config, root or Path.cwd(), tuple(args.policy))
    return rules
