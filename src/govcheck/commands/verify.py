"""`govcheck verify REPORT.json`: re-run the check a JSON report records; is the verdict the same?

The check runs again at the report's commit (as `--rev` does), over exactly the rules the
report evaluated (their definitions must hash as the report's policy hash says), limited to
the same PATHs, against the same MLflow snapshot (the working tree's file when its digest
matches, else the file as committed in that commit) or the same live store. Findings are
compared by fingerprint: added, removed, or waived differently.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from govcheck.commands.options import add_repo_options, repo_root
from govcheck.errors import EXIT_FINDINGS, EXIT_OK, UsageError

HELP = "re-run the check a JSON report records and say whether the verdict is the same"
EPILOG = """\
exit codes:
  0  the verdict is the same: the same findings, waived the same way
  1  the verdict differs (the differences are listed)
  2  the report cannot be re-run: no provenance, the policies now hash differently, the
     MLflow snapshot it read is gone
  3  a data source failed (git unreadable, MLflow unreachable or refusing)

examples:
  govcheck check --format json --output report.json
  govcheck verify report.json                      # later, on any machine with the repository"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "report",
        metavar="REPORT.json",
        help="a report written by govcheck check --format json (or --json-output)",
    )
    add_repo_options(parser)
    parser.add_argument(
        "--mlflow-uri",
        metavar="URI",
        help="the live MLflow store to read instead of the one the report names (its "
        "credentials, if any, come from the environment)",
    )


def run(args: argparse.Namespace) -> int:
    from govcheck.check import CheckOptions
    from govcheck.check import run as run_check

    recorded = _load(args.report)
    prov = recorded["provenance"]
    root = repo_root(args.repo, required=True)
    assert root is not None
    commit = prov["commit"]
    rule_ids = frozenset(str(r["id"]) for r in recorded["rules"])
    _check_policy_hash(args, root, rule_ids, prov["policy_hash"], recorded)
    notes = []
    if prov["dirty"]:
        notes.append(
            f"the report was made from a working tree that differed from {commit[:12]} in "
            f"{len(prov['changed_paths'])} path(s) ({', '.join(prov['changed_paths'][:5])}"
            f"{', ...' if len(prov['changed_paths']) > 5 else ''}); this re-run reads the commit"
        )
    with tempfile.TemporaryDirectory() as scratch:
        mlflow: dict[str, Any] = {"no_mlflow": True}
        if args.mlflow_uri or prov["mlflow_uri"]:
            from govcheck.facts.mlflow_store import repo_sqlite

            uri = args.mlflow_uri or repo_sqlite(prov["mlflow_uri"], root)
            mlflow = {"mlflow_uri": uri}
            notes.append(f"live MLflow metadata ({prov['mlflow_uri']}) may have changed since")
        elif prov["mlflow_snapshot"]:
            mlflow = {"mlflow_snapshot": _snapshot(prov, root, commit, Path(scratch))}
        paths = prov["paths"]
        report = run_check(
            CheckOptions(
                repo=str(root),
                config=args.config,
                policies=tuple(args.policy),
                paths=tuple(str(root / p) for p in paths or ()),
                changed_only=paths is not None,
                rev=commit,
                only=rule_ids,
                fail_on=recorded["fail_on"],
                model=prov.get("model"),
                as_alias=prov.get("as_alias"),
                **mlflow,
            )
        )
    for note in notes:
        print(f"note: {note}")
    return _compare(recorded, report, commit)


def _load(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"cannot read report {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("tool"), dict) or "rules" not in data:
        raise UsageError(f"{path} is not a govcheck JSON report (govcheck check --format json)")
    prov = data.get("provenance")
    if not isinstance(prov, dict):
        raise UsageError(
            f"{path} records no provenance (made by an older govcheck): nothing to re-run"
        )
    if not prov.get("commit"):
        raise UsageError(f"{path} was made before the repository's first commit: nothing to re-run")
    return data


def _check_policy_hash(
    args: argparse.Namespace, root: Path, rule_ids: frozenset[str], wanted: str, recorded: Any
) -> None:
    """Fail before running anything when the policies are not those of the report."""
    from govcheck import __version__
    from govcheck.check import load_rules
    from govcheck.config import find_config
    from govcheck.provenance import policy_hash

    rules, params = load_rules(find_config(root, args.config), root, tuple(args.policy))
    chosen = [r for r in rules if r.id in rule_ids]
    now = policy_hash(chosen, params, __version__)
    if now == wanted:
        return
    version = recorded["tool"].get("version")
    missing = sorted(rule_ids - {r.id for r in chosen})
    if version != __version__:
        why = f"the report was made by govcheck {version}, this is govcheck {__version__}"
    elif missing:
        why = f"rule(s) {', '.join(missing[:5])} are no longer defined"
    else:
        why = "a rule's definition or a parameter it uses has changed"
    raise UsageError(
        f"the policies now hash to {now[:12]}, the report's to {wanted[:12]} ({why}): "
        "re-run with the config and policies the report was made with"
    )


def _snapshot(prov: dict[str, Any], root: Path, commit: str, scratch: Path) -> str:
    """The snapshot file the report read: the working tree's when its digest matches, else
    the one committed in the report's commit."""
    from govcheck.errors import DataSourceError
    from govcheck.facts.snapshot_store import content_digest, read_snapshot

    name, wanted = prov["mlflow_snapshot"], prov["snapshot_digest"]
    local = Path(name) if Path(name).is_absolute() else root / name

    def digest(path: Path) -> str | None:
        try:
            return content_digest(read_snapshot(str(path)))
        except DataSourceError:
            return None

    if wanted is None or digest(local) == wanted:
        return str(local)
    if not Path(name).is_absolute():
        from govcheck.facts import gitrepo

        try:
            blob = gitrepo.RevSource(gitrepo.open_repo(root), commit).read_bytes(name)
        except (KeyError, OSError, ValueError, UsageError):
            blob = None
        if blob is not None:
            committed = scratch / Path(name).name
            committed.write_bytes(blob)
            if digest(committed) == wanted:
                return str(committed)
    raise UsageError(
        f"the report read MLflow snapshot {name} with digest {wanted[:12]}; neither the "
        f"working tree's file nor the one in {commit[:12]} has that content"
    )


def _compare(recorded: dict[str, Any], report: Any, commit: str) -> int:
    from govcheck.commands.check import exit_code
    from govcheck.fingerprints import fingerprints
    from govcheck.model import SEVERITY_RANK
    from govcheck.reporters.common import where

    old = [_finding(d) for d in recorded["findings"]]
    old_waived = [bool(d.get("suppressed")) for d in recorded["findings"]]
    new = list(report.findings)
    before = {fp: i for i, fp in enumerate(fingerprints(old))}
    after = {fp: i for i, fp in enumerate(fingerprints(new))}
    lines = []
    for fp, i in after.items():
        if fp not in before:
            lines.append(f"+ {new[i].rule_id} {where(new[i])}: {new[i].message} [{fp[:12]}]")
        elif new[i].suppressed != old_waived[before[fp]]:
            state = "now waived" if new[i].suppressed else "no longer waived"
            lines.append(f"~ {new[i].rule_id} {where(new[i])}: {state} [{fp[:12]}]")
    for fp, i in before.items():
        if fp not in after:
            lines.append(f"- {old[i].rule_id} {where(old[i])}: {old[i].message} [{fp[:12]}]")
    floor = SEVERITY_RANK.get(recorded["fail_on"], 0)
    was = int(
        recorded["fail_on"] != "never"
        and any(
            not w and SEVERITY_RANK.get(f.severity, 0) >= floor for f, w in zip(old, old_waived)
        )
    )
    now = 0 if exit_code(report) == EXIT_OK else 1
    active = sum(1 for _ in report.active())
    if not lines and was == now:
        print(
            f"verified: the verdict on {commit[:12]} is the same: {len(new)} finding(s), "
            f"{active} active, exit {now}"
        )
        return EXIT_OK
    print(
        f"the verdict on {commit[:12]} differs from the report's "
        "(+ found now only, - in the report only, ~ waived differently):"
    )
    for line in lines:
        print(line)
    if was != now:
        print(f"exit {was} -> {now}")
    return EXIT_FINDINGS


def _finding(data: dict[str, Any]) -> Any:
    from govcheck.model import Finding, Location

    loc = data.get("location")
    return Finding(
        rule_id=str(data.get("rule_id", "")),
        rule_name=str(data.get("rule_name", "")),
        severity=data.get("severity", "error"),
        message=str(data.get("message", "")),
        location=(
            Location(loc["path"], loc.get("line"), loc.get("column"), loc.get("snippet"))
            if isinstance(loc, dict)
            else None
        ),
        resource_kind=str(data.get("resource_kind", "")),
        resource_id=str(data.get("resource_id", "")),
        entity=data.get("entity"),
    )
