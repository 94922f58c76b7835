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
    """The whole command line, built from the COMMANDS registry."""
    import argparse

    from govcheck.commands import COMMANDS

    parser_class = _parser_class()
    parser = parser_class(prog="govcheck", description="Policy-as-code checks for ML governance.")
    parser.add_argument("--version", action="version", version=f"govcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)
    for name, command in COMMANDS.items():
        doc = (command.__doc__ or "").strip()
        command.add_arguments(
            sub.add_parser(
                name,
                help=command.HELP,
                description=doc.split("\n\n")[0].replace("\n", " ") if doc else command.HELP,
                epilog=getattr(command, "EPILOG", None),
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
        )
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
        from govcheck.commands import COMMANDS

        return COMMANDS[args.command].run(args)
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
