"""Whether a `dvc.lock` entry still describes its `dvc.yaml` stage: what `dvc status` would
call changed, decided from the repository alone (no DVC, no data, no cache).

A stage agrees with its lock entry when the entry exists, records the same `cmd` (a string
is not a list), the same dependency and output paths (outs, metrics and plots all land in
the lock's `outs`), the same params keys with the values the params files hold today, a
hash for every dependency and output, and, for the files git holds, the same content (DVC
3 hashes the bytes, `hash: md5`; DVC 2 entries without `hash` are md5 of the text with
CRLF made LF). Directory hashes (`.dir`) and data outside git are not recomputed: they are
trusted, never reported. A `frozen` stage's dependencies are not compared, as DVC does not.
Each disagreement is one item with its fix: `dvc repro STAGE` or `dvc commit STAGE`, never
`dvc add`, which would cut a stage output loose from its pipeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from govcheck.facts.dvc_files import hash_of, repo_path
from govcheck.yamlsrc import plain

_TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"
_MISSING = object()


@dataclass(frozen=True)
class Stage:
    """A dvc.yaml stage with every `${}` resolved, as DVC would write it to the lock."""

    name: str
    cmd: Any
    deps: list[str]
    outs: list[str]  # outs, metrics and plots
    params: dict[str, list[str] | None]  # params file -> keys (None: the whole file)
    base: str  # the stage's working directory, repo-relative ("" = root)
    frozen: bool = False
    file: str = "dvc.yaml"
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Workspace:
    """What the comparison may read: file bytes git holds, and params files' data."""

    read: Callable[[str], bytes | None]  # None when git does not hold the file
    params: Callable[[str], Any]  # parsed params file, _MISSING-like None when unreadable


def md5_of(data: bytes, legacy: bool) -> str:
    """DVC's md5: of the bytes (DVC 3), or with CRLF as LF for text files (DVC 2)."""
    if legacy and _is_text(data[:512]):
        data = data.replace(b"\r\n", b"\n")
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def same_content(data: bytes, md5: str, legacy: bool) -> bool:
    """Whether the bytes git holds are what DVC hashed, line endings aside: a lock written
    on Windows (CRLF in the working tree, LF in git) describes the same text."""
    if md5_of(data, legacy) == md5:
        return True
    if not _is_text(data[:512]):
        return False
    lf = data.replace(b"\r\n", b"\n")
    return md5 in (md5_of(lf, False), md5_of(lf.replace(b"\n", b"\r\n"), False))


def _is_text(block: bytes) -> bool:
    if not block:
        return True
    if b"\0" in block:
        return False
    return len(block.translate(None, _TEXT_CHARS)) / len(block) <= 0.30


def _difference(stage: Stage, kind: str, detail: str, fix: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": stage.name,
        "detail": detail,
        "fix": fix,
        "file": stage.file,
        "line": stage.line,
        "column": stage.column,
    }


def _shown(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _paths(entries: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(entries, list):
        return {}
    return {
        str(e["path"]): e
        for e in entries
        if isinstance(e, Mapping) and isinstance(e.get("path"), str)
    }


def _set_difference(
    stage: Stage, kind: str, yaml: list[str], lock: list[str]
) -> dict[str, Any] | None:
    new = [p for p in yaml if p not in lock]
    gone = [p for p in lock if p not in yaml]
    if not new and not gone:
        return None
    parts = []
    if new:
        parts.append(f"not in dvc.lock: {', '.join(new)}")
    if gone:
        parts.append(f"in dvc.lock but no longer in dvc.yaml: {', '.join(gone)}")
    detail = f"{kind} differ from dvc.lock ({'; '.join(parts)})"
    return _difference(stage, kind, detail, f"run `dvc repro {stage.name}`")


def _lookup(data: Any, dotted: str) -> Any:
    if isinstance(data, Mapping) and dotted in data:
        return data[dotted]
    node = data
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _params(stage: Stage, lock: Any, workspace: Workspace) -> dict[str, Any] | None:
    locked = lock if isinstance(lock, Mapping) else {}
    problems: list[str] = []
    for name in sorted(set(stage.params) | set(locked)):
        if name not in stage.params:
            problems.append(f"{name} is in dvc.lock but no longer in dvc.yaml")
            continue
        keys = stage.params[name]
        recorded = locked.get(name)
        if not isinstance(recorded, Mapping):
            problems.append(f"{name} is not in dvc.lock")
            continue
        current = workspace.params(repo_path(stage.base, name) or name)
        if keys is None:  # the whole file is a dependency
            if current is not None and plain(current) != plain(recorded):
                problems.append(f"{name} changed since dvc.lock was written")
            continue
        for key in keys:
            if key not in recorded:
                problems.append(f"{name}:{key} is not in dvc.lock")
                continue
            if current is None:
                continue  # the params file cannot be read: cannot verify, not stale
            now = _lookup(current, key)
            if now is _MISSING:
                problems.append(f"{name}:{key} is in dvc.lock but not in {name}")
            elif plain(now) != plain(recorded[key]):
                problems.append(
                    f"{key} is {_shown(plain(now))} in {name} but "
                    f"{_shown(plain(recorded[key]))} in dvc.lock"
                )
        extra = [k for k in recorded if k not in keys]
        if extra:
            problems.append(f"{name}:{', '.join(map(str, extra))} in dvc.lock but not in dvc.yaml")
    if not problems:
        return None
    detail = f"params differ from dvc.lock ({'; '.join(problems)})"
    return _difference(stage, "params", detail, f"run `dvc repro {stage.name}`")


def _changed(
    stage: Stage, entries: Mapping[str, Mapping[str, Any]], workspace: Workspace
) -> list[str]:
    changed = []
    for written, entry in entries.items():
        md5 = entry.get("md5")
        if not isinstance(md5, str) or md5.endswith(".dir"):
            continue
        path = repo_path(stage.base, written)
        data = workspace.read(path) if path else None
        if data is not None and not same_content(data, md5.lower(), legacy="hash" not in entry):
            changed.append(written)
    return changed


def differences(
    stage: Stage, lock: Any, workspace: Workspace, has_lock: bool
) -> list[dict[str, Any]]:
    """Every way the stage and its lock entry disagree, one item per kind."""
    name = stage.name
    if not isinstance(lock, Mapping):
        detail = "has no entry in dvc.lock" if has_lock else "has no dvc.lock beside its dvc.yaml"
        return [_difference(stage, "not-locked", detail, f"run `dvc repro {name}`")]
    out: list[dict[str, Any] | None] = []
    if lock.get("cmd") != stage.cmd:
        detail = (
            f"cmd differs from dvc.lock (dvc.yaml: {_shown(stage.cmd)}; "
            f"dvc.lock: {_shown(lock.get('cmd'))})"
        )
        fix = f"run `dvc repro {name}` (or `dvc commit {name}` if its outputs would not change)"
        out.append(_difference(stage, "cmd", detail, fix))
    deps, outs = _paths(lock.get("deps")), _paths(lock.get("outs"))
    if not stage.frozen:
        out.append(_set_difference(stage, "deps", stage.deps, list(deps)))
        out.append(_params(stage, lock.get("params"), workspace))
    out.append(_set_difference(stage, "outs", stage.outs, list(outs)))
    checked = {**({} if stage.frozen else deps), **outs}
    unhashed = [p for p, e in checked.items() if hash_of(e) is None]
    if unhashed:
        detail = f"dvc.lock records no hash for {', '.join(unhashed)}"
        out.append(_difference(stage, "unhashed", detail, f"run `dvc commit {name}`"))
    if not stage.frozen:
        changed = _changed(stage, deps, workspace)
        if changed:
            detail = f"{', '.join(changed)} changed since dvc.lock was written"
            out.append(_difference(stage, "changed-deps", detail, f"run `dvc repro {name}`"))
    changed = _changed(stage, outs, workspace)
    if changed:
        detail = f"output {', '.join(changed)} changed since dvc.lock was written"
        fix = f"run `dvc repro {name}` (or `dvc commit {name}` to keep the edited output)"
        out.append(_difference(stage, "changed-outs", detail, fix))
    return [d for d in out if d is not None]


def extra(name: str, file: str, line: int, column: int) -> dict[str, Any]:
    """A lock entry no stage of dvc.yaml generates: its hashes pin nothing."""
    return {
        "kind": "extra",
        "name": name,
        "detail": "is in dvc.lock but dvc.yaml has no such stage",
        "fix": f"delete `{name}` from dvc.lock (or restore the stage in dvc.yaml)",
        "file": file,
        "line": line,
        "column": column,
    }
