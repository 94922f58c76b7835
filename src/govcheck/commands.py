"""One function per subcommand; each takes parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from govcheck.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, PolicyErrors, UsageError
from govcheck.model import SEVERITY_RANK, Report


def _repo_root(repo_arg: str | None, required: bool) -> Path | None:
    from govcheck.errors import DataSourceError
    from govcheck.facts import gitrepo

    try:
        repo = gitrepo.open_repo(repo_arg or os.getcwd())
    except DataSourceError:
        if required or repo_arg:
            raise
        return None
    return Path(repo.working_tree_dir or repo.git_dir)


def exit_code(report: Report) -> int:
    if report.fail_on == "never":
        return EXIT_OK
    floor = SEVERITY_RANK[report.fail_on]
    failing = any(SEVERITY_RANK[f.severity] >= floor for f in report.active())
    return EXIT_FINDINGS if failing else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from govcheck.atomic import write_atomic
    from govcheck.check import CheckOptions, run
    from govcheck.reporters import REPORTERS

    paths = tuple(args.paths)
    if args.changed_since:
        from govcheck.facts import gitrepo

        where = args.repo or os.getcwd()
        # git names changed files from the repository root, while PATHs are read from the
        # current directory: anchor them so --repo and subdirectories see the same changes.
        root = Path(str(gitrepo.open_repo(where).working_tree_dir))
        changed = gitrepo.changed_paths(where, args.changed_since)
        paths += tuple(str(root / p) for p in changed)
    options = CheckOptions(
        repo=args.repo,
        config=args.config,
        policies=tuple(args.policy),
        paths=paths,
        select=tuple(args.select),
        ignore=tuple(args.ignore),
        no_mlflow=args.no_mlflow,
        mlflow_uri=args.mlflow_uri,
        mlflow_snapshot=args.mlflow_snapshot,
        rev=args.rev,
        fail_on=args.fail_on,
        changed_only=bool(args.changed_since),
    )
    report = run(options)

    def write(target: str, text: str) -> None:
        try:
            write_atomic(target, text)
        except OSError as exc:  # a missing folder or no permission: the user's to fix
            raise UsageError(f"cannot write report {target}: {exc.strerror or exc}") from None

    for fmt in ("sarif", "junit", "json", "markdown"):
        target = getattr(args, f"{fmt}_output")
        if target:
            write(target, REPORTERS[fmt](report))
    if args.output:
        write(args.output, REPORTERS[args.format](report))
    else:
        color = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        sys.stdout.write(REPORTERS[args.format](report, color=color))
    return exit_code(report)


def _rules_for(args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    from govcheck.check import CheckOptions, find_config, load_rules
    from govcheck.config import Config

    root = _repo_root(getattr(args, "repo", None), required=False)
    options = CheckOptions(repo=args.repo, config=args.config, policies=tuple(args.policy))
    config = find_config(options, root) if root else Config(path=None)
    rules, _ = load_rules(config, options, root or Path.cwd())
    return rules


def cmd_list_rules(args: argparse.Namespace) -> int:
    rules = _rules_for(args)
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "name": r.info.name,
                        "title": r.info.title,
                        "severity": r.info.severity,
                        "resource": r.info.resource,
                        "tags": list(r.info.tags),
                        "source": r.info.source,
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return EXIT_OK
    width = max((len(r.id) for r in rules), default=8)
    nwidth = max((len(r.info.name) for r in rules), default=8)
    for r in rules:
        print(f"{r.id:<{width}}  {r.info.severity:<7}  {r.info.name:<{nwidth}}  {r.info.title}")
    print(f"\n{len(rules)} rules. `govcheck explain RULE_ID` shows one in full.")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from govcheck.conditions import suggest

    rules = _rules_for(args)
    found = [r for r in rules if args.rule in (r.id, r.info.name)]
    if not found:
        raise UsageError(
            f"no rule '{args.rule}'{suggest(args.rule, [r.id for r in rules] + [r.info.name for r in rules])}"
            " (see govcheck list-rules)"
        )
    info = found[0].info
    out = [
        f"{info.id}  {info.name}",
        info.title,
        "",
        f"severity: {info.severity}    resource: {info.resource}    defined at: {info.source}",
    ]
    if found[0].params:
        out.append(f"parameters: {', '.join(found[0].params)}")
    if info.tags:
        out.append(f"tags: {', '.join(info.tags)}")
    out += ["", "Why it matters", "--------------", info.description or "(no description)"]
    out += ["", "How to fix it", "-------------", info.help or "(no help)"]
    if info.help_uri:
        out += ["", f"More: {info.help_uri}"]
    print("\n".join(out))
    return EXIT_OK


def _same_file(pack: Path, path: Path) -> bool:
    """Whether `path` is a built-in pack itself: the installed copy, or its source in a
    checkout of govcheck (same bytes), so validating it is no clash with itself."""
    try:
        return pack.resolve() == path.resolve() or pack.read_bytes() == path.read_bytes()
    except OSError:
        return False


def cmd_validate(args: argparse.Namespace) -> int:
    from govcheck import builtin
    from govcheck.config import load_config
    from govcheck.facts import known_kinds
    from govcheck.policy import load

    # Loaded beside the built-in packs so their parameters (models_glob, ...) are known
    # and a clash with a built-in rule id is caught here rather than at check time.
    packs = [(p, f"builtin:{n}") for n, p in builtin.pack_files().items()]

    errors: list[str] = []
    for name in args.files:
        path = Path(name)
        try:
            if path.name in (".govcheck.yaml", ".govcheck.yml"):
                load_config(path, name)
                print(f"{name}: ok (config)")
                continue
            own = [] if name.startswith("builtin:") else [(path, name)]
            rules, _ = load(
                [p for p in packs if not _same_file(p[0], path)] + own, {}, {}, known_kinds()
            )
            count = sum(1 for r in rules if r.info.source.rsplit(":", 1)[0] == name)
            print(f"{name}: ok ({count} rules)")
        except PolicyErrors as exc:
            errors += exc.lines()
        except UsageError as exc:
            errors += exc.lines()
    for line in errors:
        print(line, file=sys.stderr)
    return EXIT_USAGE if errors else EXIT_OK


STARTER_CONFIG = """\
# govcheck configuration: https://github.com/govcheck/govcheck#configuration
version: 1
policies:
  - builtin:all                  # or pick packs: builtin:model-cards, builtin:data, ...
  - .govcheck/policies/          # this repository's own rules
params:
  models_glob: "models/*"        # where model directories live
  # experiment_name_pattern: "^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*$"
# mlflow:
#   tracking_uri: sqlite:///mlflow.db
#   snapshot: .govcheck/mlflow.json
fail_on: error
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


def cmd_init(args: argparse.Namespace) -> int:
    root = _repo_root(args.repo, required=True)
    assert root is not None
    targets = {
        root / ".govcheck.yaml": STARTER_CONFIG,
        root / ".govcheck" / "policies" / "example.yaml": STARTER_POLICY,
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
    print("next: govcheck check")
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    from govcheck.check import CheckOptions, find_config
    from govcheck.config import Config
    from govcheck.policytest import run_all

    # The cases run against this repository's own policies (config and --policy), by path.
    root = _repo_root(args.repo, required=False)
    config = find_config(CheckOptions(config=args.config), root) if root else Config(path=None)
    own = [ref for ref, _ in config.policies if not ref.startswith("builtin:")]
    base = root or Path.cwd()
    policies = tuple(str((base / p).resolve()) for p in own) + tuple(
        str(Path(p).resolve()) for p in args.policy
    )
    results = run_all(Path(args.directory), policies)
    for r in results:
        status = "skip" if r.skipped else ("ok  " if r.ok else "FAIL")
        print(f"{status} {r.rule_id} {r.outcome}" + (f": {r.detail}" if r.detail else ""))
    failed = sum(1 for r in results if not r.ok)
    skipped = sum(1 for r in results if r.skipped)
    print(f"\n{len(results) - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return EXIT_FINDINGS if failed else EXIT_OK


def cmd_snapshot(args: argparse.Namespace) -> int:
    from govcheck.facts import mlflow_source

    return mlflow_source.snapshot_command(args)  # type: ignore[attr-defined, no-any-return]


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check,
    "snapshot": cmd_snapshot,
    "list-rules": cmd_list_rules,
    "explain": cmd_explain,
    "validate": cmd_validate,
    "init": cmd_init,
    "test": cmd_test,
}
