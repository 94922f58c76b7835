"""The `govcheck` command: parse arguments, run one command, map errors to exit codes.

`main` is the one error boundary: a GovcheckError becomes its one-line message and exit
code; nothing a user can do shows a traceback.
"""

from __future__ import annotations

import gc
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

        with _fewer_collections():
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


# Young objects the cyclic collector lets pile up before it looks (Python's default: 700).
YOUNG_GENERATION = 100_000


class _fewer_collections:
    """The cyclic collector rarely, for one command.

    A check builds a heap that lives until the report (every file's text, parsed
    documents with their marks, resources): with the default thresholds the collector ran
    ~1,100 times over the 5,000-file benchmark repository, re-walking that heap, and cost
    a fifth of the cold check's CPU time (0.3 s of it left with this). Nearly nothing of
    it is cyclic garbage (peak memory is the same with the collector off), and reference
    counting still frees whatever is dropped. The old thresholds come back afterwards (a
    test runs many commands in one process); forked parse workers inherit the setting."""

    def __enter__(self) -> None:
        self._saved = gc.get_threshold()
        gc.set_threshold(max(self._saved[0], YOUNG_GENERATION), *self._saved[1:])

    def __exit__(self, *exc: object) -> None:
        gc.set_threshold(*self._saved)


def run() -> NoReturn:
    raise SystemExit(main())
