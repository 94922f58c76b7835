"""The `govcheck` command: parse arguments, run one command, map errors to exit codes.

`main` is the one error boundary: a GovcheckError becomes its one-line message and exit
code; nothing a user can do shows a traceback.
"""

from __future__ import annotations

import os
import sys

from govcheck import __version__

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing alone costs ~5 ms
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import NoReturn

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
FAIL_ON = ("error", "warning", "note", "never")
EXTRA_OUTPUTS = ("sarif", "junit", "json", "markdown")


def _parser_class() -> type[argparse.ArgumentParser]:
    # argparse and the error classes (dataclasses, inspect, re) cost more than Python's own
    # start-up, so `govcheck --version` never imports them.
    import argparse

    from govcheck.errors import UsageError

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # argparse would print the whole usage block; one line naming the fix is kinder.
            raise UsageError(f"{message} (see '{self.prog} --help')")

    return _Parser


def build_parser() -> argparse.ArgumentParser:
    _Parser = _parser_class()
    parser = _Parser(prog="govcheck", description="Policy-as-code checks for ML governance.")
    parser.add_argument("--version", action="version", version=f"govcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check the repository (and MLflow) against the policies")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="limit the check to resources these files touch"
    )
    check.add_argument(
        "--repo", help="repository to check (default: the one containing the current directory)"
    )
    check.add_argument("--config", help="config file (default: .govcheck.yaml at the repo root)")
    check.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE_OR_DIR",
        help="extra policy file or folder (repeatable)",
    )
    check.add_argument(
        "--format", choices=FORMATS, default="text", help="report written to stdout (default text)"
    )
    check.add_argument(
        "--output", metavar="FILE", help="write the --format report to FILE instead of stdout"
    )
    for fmt in EXTRA_OUTPUTS:
        check.add_argument(
            f"--{fmt}-output", metavar="FILE", help=f"also write a {fmt} report to FILE"
        )
    check.add_argument(
        "--mlflow-uri",
        metavar="URI",
        help="MLflow tracking URI (overrides config and MLFLOW_TRACKING_URI)",
    )
    check.add_argument(
        "--mlflow-snapshot",
        metavar="FILE",
        help="check recorded MLflow metadata instead of a live store",
    )
    check.add_argument(
        "--no-mlflow", action="store_true", help="skip MLflow rules (reported as skipped)"
    )
    check.add_argument(
        "--select",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="only these rules (code, name or code prefix)",
    )
    check.add_argument(
        "--ignore",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="not these rules (code, name or code prefix)",
    )
    check.add_argument(
        "--rev", metavar="REV", help="check the tree of a commit without checking it out"
    )
    check.add_argument(
        "--changed-since", metavar="REF", help="only resources touched by changes since REF"
    )
    check.add_argument(
        "--fail-on", choices=FAIL_ON, help="lowest severity that fails the check (default error)"
    )

    snap = sub.add_parser("snapshot", help="record the MLflow metadata the rules need, as JSON")
    snap.add_argument("--repo")
    snap.add_argument("--config")
    snap.add_argument("--mlflow-uri", metavar="URI")
    snap.add_argument("--output", required=True, metavar="FILE")

    lst = sub.add_parser("list-rules", help="list the rules that would run")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    lst.add_argument("--repo")
    lst.add_argument("--config")
    lst.add_argument("--policy", action="append", default=[], metavar="FILE_OR_DIR")

    exp = sub.add_parser("explain", help="show a rule's documentation")
    exp.add_argument("rule", metavar="RULE_ID")
    exp.add_argument("--repo")
    exp.add_argument("--config")
    exp.add_argument("--policy", action="append", default=[], metavar="FILE_OR_DIR")

    val = sub.add_parser("validate", help="check policy (and config) files, errors with file:line")
    val.add_argument("files", nargs="+", metavar="POLICY_FILE")

    tst = sub.add_parser(
        "test", help="run policy unit tests: DIR/<RULE-ID>/pass|fail trees + expected.yaml"
    )
    tst.add_argument("directory", nargs="?", default="tests/policies", metavar="DIR")
    tst.add_argument("--repo")
    tst.add_argument("--config")
    tst.add_argument("--policy", action="append", default=[], metavar="FILE_OR_DIR")

    init = sub.add_parser("init", help="write a starter .govcheck.yaml and an example policy")
    init.add_argument("--repo")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # Version probes (pre-commit, CI logs) should cost no more than starting Python.
        print(f"govcheck {__version__}")
        return 0
    from govcheck.errors import EXIT_USAGE, GovcheckError

    try:
        args = build_parser().parse_args(argv)
        if not args.command:
            build_parser().print_help()
            return EXIT_USAGE
        from govcheck import commands

        return commands.COMMANDS[args.command](args)
    except GovcheckError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("govcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours: one line, the details only on request
        if os.environ.get("GOVCHECK_DEBUG"):
            raise
        print(
            f"govcheck: internal error: {type(exc).__name__}: {exc} "
            "(set GOVCHECK_DEBUG=1 for details, and please report it)",
            file=sys.stderr,
        )
        return EXIT_USAGE


def run() -> NoReturn:
    raise SystemExit(main())
