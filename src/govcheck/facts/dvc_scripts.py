"""The scripts a DVC stage's `cmd` runs (`python src/train.py`, `python -m pkg.train`,
`Rscript x.R`, `./run.sh`, `torchrun ... train.py`), and whether each is among the stage's
`deps`: a script that is not is edited without DVC noticing the stage is stale.

Only scripts the repository holds count (`python -m pip` names no file of ours), and a
dependency on a folder covers every script inside it. The command is split as a shell
would, never run.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from typing import Any

from govcheck.facts.dvc_files import repo_path
from govcheck.facts.dvc_lock import Stage

_PYTHON = re.compile(r"python(\d+(\.\d+)?)?$")
_SHELLS = frozenset({"bash", "sh", "zsh", "Rscript", "julia", "node", "perl", "ruby"})
_LAUNCHERS = frozenset({"torchrun", "deepspeed", "accelerate", "horovodrun", "mpirun"})
_WRAPPERS = frozenset({"time", "nohup", "env", "exec", "xvfb-run"})
_RUNNERS = frozenset({"uv", "poetry", "pipenv", "pdm", "hatch", "conda", "mamba", "micromamba"})
_PY_VALUE_OPTIONS = frozenset({"-W", "-X", "--check-hash-based-pycs"})
_SCRIPT_SUFFIXES = (".py", ".sh", ".R", ".r", ".jl", ".js", ".pl", ".rb", ".bash")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;", "|&"})


# A stage command longer than this is not split into words (shlex reads it a character at
# a time in Python: 2,000,000 characters took a minute); real commands are a line or two.
MAX_COMMAND_CHARS = 20_000


def _segments(command: str) -> Iterator[list[str]]:
    if len(command) > MAX_COMMAND_CHARS:
        return
    lexer = shlex.shlex(command.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    current: list[str] = []
    try:
        for token in lexer:
            if token in _SEPARATORS or "\n" in token:
                if current:
                    yield current
                current = []
            else:
                current.append(token)
    except ValueError:  # an unbalanced quote: the shell would refuse it too
        return
    if current:
        yield current


def _strip_prefix(tokens: list[str]) -> list[str]:
    """Drop `VAR=x`, `time`, `uv run`, `conda run -n env` and the like before the program."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (
            "=" in token
            and not token.startswith("-")
            and "/" not in token.split("=", 1)[0]
            or token in _WRAPPERS
        ):
            i += 1
        elif token in _RUNNERS and i + 1 < len(tokens) and tokens[i + 1] == "run":
            i += 2
            while i < len(tokens) and tokens[i].startswith("-"):
                i += 2 if tokens[i] in ("-n", "--name", "-p", "--prefix", "--with") else 1
        else:
            break
    return tokens[i:]


def _targets(tokens: list[str]) -> Iterator[tuple[str, str]]:
    """("script", path) or ("module", dotted name) run by one simple command."""
    tokens = _strip_prefix(tokens)
    if not tokens:
        return
    program = posixpath.basename(tokens[0])
    rest = tokens[1:]
    if _PYTHON.fullmatch(program):
        i = 0
        while i < len(rest):
            token = rest[i]
            if token == "-m" and i + 1 < len(rest):
                yield "module", rest[i + 1]
                return
            if token == "-c":
                return  # inline code
            if token.startswith("-"):
                i += 2 if token in _PY_VALUE_OPTIONS else 1
                continue
            yield "script", token
            return
    elif program in _SHELLS or program in _LAUNCHERS:
        for token in rest:
            if not token.startswith("-") and token.endswith(_SCRIPT_SUFFIXES):
                yield "script", token
                return
    elif tokens[0].endswith(_SCRIPT_SUFFIXES):
        yield "script", tokens[0]


def _candidates(kind: str, target: str, base: str) -> list[str]:
    if kind == "script":
        path = repo_path(base, target)
        return [path] if path else []
    module = target.replace(".", "/")
    out = []
    for root in (base, posixpath.join(base, "src") if base else "src"):
        for name in (f"{module}.py", f"{module}/__main__.py"):
            path = repo_path(root, name)
            if path:
                out.append(path)
    return out


def _declared(path: str, deps: list[str]) -> bool:
    return any(d in (".", "") or path == d or path.startswith(d.rstrip("/") + "/") for d in deps)


def scripts(stage: Stage, line: int, tracked: set[str]) -> list[dict[str, Any]]:
    commands = stage.cmd if isinstance(stage.cmd, list) else [stage.cmd]
    deps = [p for p in (repo_path(stage.base, d) for d in stage.deps) if p is not None]
    out: dict[str, dict[str, Any]] = {}
    for command in commands:
        if not isinstance(command, str):
            continue
        for tokens in _segments(command):
            for kind, target in _targets(tokens):
                path = next(
                    (p for p in _candidates(kind, target, stage.base) if p in tracked), None
                )
                if path is None or path in out:
                    continue
                out[path] = {
                    "path": path,
                    "written": target,
                    "kind": kind,
                    "name": stage.name,
                    "line": line,
                    "file": stage.file,
                    "declared": _declared(path, deps),
                }
    return list(out.values())
