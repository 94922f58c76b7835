"""`govcheck validate [FILE ...]`: check policy and config files, every error at file:line.

Without FILEs it validates the repository's config and the policy files that config loads,
and nothing else (a `policies/` folder of some other tool's YAML is none of its business):
what the `govcheck-validate` pre-commit hook runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govcheck.commands.options import add_repo_options, repo_root
from govcheck.errors import EXIT_OK, EXIT_USAGE, UsageError

HELP = "check policy (and config) files, errors with file:line"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="POLICY_FILE",
        help="policy files, a .govcheck.yaml, or builtin:NAME (default: the repository's "
        "config and the policy files it loads)",
    )
    add_repo_options(parser, policies=False)


def _same_file(pack: Path, path: Path) -> bool:
    """Whether `path` is a built-in pack itself: the installed copy, or its source in a
    checkout of govcheck (same bytes), so validating it is no clash with itself."""
    try:
        return pack.resolve() == path.resolve() or pack.read_bytes() == path.read_bytes()
    except OSError:
        return False


def _is_config(path: Path) -> bool:
    return path.name in (".govcheck.yaml", ".govcheck.yml")


def _configured(args: argparse.Namespace) -> list[tuple[Path, str, bool]]:
    """The config and the repository's own policy files it loads, as (file, display name)."""
    from govcheck.config import find_config, policy_paths

    root = repo_root(args.repo, required=True)
    assert root is not None
    config = find_config(root, args.config)
    if config.path is None:
        print("no .govcheck.yaml: nothing to validate (give policy files to validate them)")
        return []
    config_file = Path(args.config) if args.config else root / config.path
    own = [(p, d, False) for p, d in policy_paths(config, [], root) if not d.startswith("builtin:")]
    return [(config_file, config.path, True), *own]


def run(args: argparse.Namespace) -> int:
    from govcheck import builtin
    from govcheck.config import load_config
    from govcheck.facts.registry import PROVIDERS
    from govcheck.policy import load

    # Loaded beside the built-in packs so their parameters (models_glob, ...) are known
    # and a clash with a built-in rule id is caught here rather than at check time.
    packs = [(p, f"builtin:{n}") for n, p in builtin.pack_files().items()]

    errors: list[str] = []
    try:
        targets = [(Path(n), n, _is_config(Path(n))) for n in args.files] or _configured(args)
    except UsageError as exc:  # the config itself is broken: that is the finding
        targets, errors = [], exc.lines()
    for path, name, is_config in targets:
        try:
            if is_config:
                load_config(path, name)
                print(f"{name}: ok (config)")
                continue
            own = [] if name.startswith("builtin:") else [(path, name)]
            others = [p for p in packs if not _same_file(p[0], path)]
            rules, _ = load(others + own, {}, {}, PROVIDERS)
            count = sum(1 for r in rules if r.info.source.path == name)
            print(f"{name}: ok ({count} rules)")
        except UsageError as exc:  # PolicyErrors too: every line of it
            errors += exc.lines()
    for line in errors:
        print(line, file=sys.stderr)
    return EXIT_USAGE if errors else EXIT_OK
