"""`govcheck validate [FILE ...]`: check the config and policy files, every error at file:line.

Without FILEs it validates the repository's config and the policy files that config loads
(what the `govcheck-validate` pre-commit hook runs), through the same loading `govcheck
check` does, so it reports exactly the errors a check would: an unknown parameter, pack or
rule, a malformed glob. A policies/ folder of some other tool's YAML is none of its
business. A config given as a FILE is validated the same way, with the policies it names.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govcheck.commands.options import add_repo_options, repo_root
from govcheck.errors import EXIT_OK, EXIT_USAGE, UsageError

HELP = "check policy (and config) files, errors with file:line"
CONFIG_FILES = (".govcheck.yaml", ".govcheck.yml")


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


def _config(config_path: Path | None, name: str, root: Path) -> list[str]:
    """The config and every policy it loads, as `govcheck check` loads them; one line per
    file of the repository's own (the config, its policy files)."""
    from govcheck.check import load_rules
    from govcheck.config import find_config, load_config

    config = load_config(config_path, name) if config_path else find_config(root)
    rules, _ = load_rules(config, root)
    off = sum(1 for r in rules if not r.enabled)
    said = f"; {off} rule{'' if off == 1 else 's'} turned off" if off else ""
    lines = [f"{config.path}: ok (config{said})"]
    counts: dict[str, int] = {}
    for rule in rules:
        counts[rule.info.source.path] = counts.get(rule.info.source.path, 0) + 1
    lines += [f"{f}: ok ({n} rules)" for f, n in counts.items() if not f.startswith("builtin:")]
    return lines


def _repository(args: argparse.Namespace) -> list[str]:
    from govcheck.config import find_config

    root = repo_root(args.repo, required=True)
    assert root is not None
    config = find_config(root, args.config)
    if config.path is None:
        return ["no .govcheck.yaml: nothing to validate (give policy files to validate them)"]
    path = Path(args.config) if args.config else root / config.path
    return _config(path, config.path, root)


def _policy(path: Path, name: str) -> list[str]:
    from govcheck import builtin
    from govcheck.facts.registry import PROVIDERS
    from govcheck.policy import load

    # Loaded beside the built-in packs so their parameters (models_glob, ...) are known
    # and a clash with a built-in rule id is caught here rather than at check time.
    packs = [(p, f"builtin:{n}") for n, p in builtin.pack_files().items()]
    own = [] if name.startswith("builtin:") else [(path, name)]
    others = [p for p in packs if not _same_file(p[0], path)]
    rules, _ = load(others + own, {}, {}, PROVIDERS)
    count = sum(1 for r in rules if r.info.source.path == name)
    return [f"{name}: ok ({count} rules)"]


def run(args: argparse.Namespace) -> int:
    errors: list[str] = []
    if not args.files:
        try:
            print("\n".join(_repository(args)))
        except UsageError as exc:  # PolicyErrors too: every line of it
            errors += exc.lines()
    for name in args.files:
        path = Path(name)
        try:
            if path.name in CONFIG_FILES:
                root = repo_root(str(path.resolve().parent), required=False)
                print("\n".join(_config(path, name, root or path.resolve().parent)))
            else:
                print("\n".join(_policy(path, name)))
        except UsageError as exc:
            errors += exc.lines()
    for line in errors:
        print(line, file=sys.stderr)
    return EXIT_USAGE if errors else EXIT_OK
