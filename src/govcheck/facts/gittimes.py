"""When each path last changed: one `git log` pass for every path, renames followed.

`git log --follow` follows one path per process; a repository of thousands of files needs
one pass instead. History is walked newest first (`--date-order`: a commit before its
parents, otherwise by commit time), and each wanted path is settled by the first commit
that changed it. A pure rename (`R100`: same content, new name) changes no content, so the
path is followed to its old name and settled by an older commit; a rename with edits, an
add or a modification settles it. Once every path is settled the walk stops, so files that
changed recently cost only the recent history.

Times are commit times (`%ct`: when the change landed on the branch, not when it was first
written) as epoch seconds.
"""

from __future__ import annotations

import subprocess
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO

from govcheck.errors import DataSourceError

_CHUNK = 1 << 16


def last_changes(root: Path, rev: str, paths: Collection[str]) -> dict[str, int]:
    """path -> commit time (epoch seconds) of the last commit at or before `rev` that
    changed it; paths no commit changed (not in history) are absent."""
    pending: dict[str, list[str]] = {}  # name in the commit being read -> wanted paths
    for path in paths:
        pending.setdefault(path, []).append(path)
    found: dict[str, int] = {}
    if not pending:
        return found
    args = [
        "git",
        "-c",
        "core.quotePath=false",
        "log",
        "--date-order",
        "-z",
        "--format=%x01%ct",
        "--name-status",
        "-M",
        "--no-color",
        "--end-of-options",
        rev,
        "--",
    ]
    with subprocess.Popen(
        args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    ) as proc:
        assert proc.stdout is not None
        try:
            _settle(_tokens(proc.stdout), pending, found)
        finally:
            if pending:
                proc.wait()
            else:
                proc.kill()  # every path settled: the older history is not needed
                proc.wait()
        if pending and proc.returncode not in (0, None):
            err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
            raise DataSourceError(f"git log failed in {root}: {err}")
    return found


def _tokens(stream: IO[bytes]) -> Iterator[str]:
    """The NUL-separated fields of the log, decoded as git writes paths (UTF-8, bytes that
    are not kept through surrogateescape)."""
    rest = b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        for part in parts:
            yield part.decode("utf-8", errors="surrogateescape")
    if rest:
        yield rest.decode("utf-8", errors="surrogateescape")


def _settle(tokens: Iterator[str], pending: dict[str, list[str]], found: dict[str, int]) -> None:
    when = 0
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            when = int(token[1:])
            continue
        if not token:
            continue
        status = token
        if status[0] in "RC":
            old, new = next(tokens, ""), next(tokens, "")
            if new in pending and status[0] == "R":
                wanted = pending.pop(new)
                if status == "R100":  # moved, not changed: its content is older
                    pending.setdefault(old, []).extend(wanted)
                else:
                    for path in wanted:
                        found[path] = when
            elif new in pending:  # a copy with edits (C): the new path's content is new here
                for path in pending.pop(new):
                    found[path] = when
        else:
            name = next(tokens, "")
            # A deletion settles nothing: walking back, the path's last content is older.
            if name in pending and status[0] != "D":
                for path in pending.pop(name):
                    found[path] = when
        if not pending:
            return
