"""`dvc_stage` resources: every stage of every `dvc.yaml` as `dvc.lock` names it
(`foreach`/`matrix` expanded, `${}` resolved from `params.yaml` and `vars`, paths under the
stage's `wdir`), each with how its lock entry disagrees with it (`lock_differences`) and
the scripts its `cmd` runs (`scripts`). A lock entry no stage generates is a stage too,
located in `dvc.lock`. A stage whose templating cannot be resolved here is `resolved:
false` and has no differences: it cannot be verified, which is not the same as stale.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from govcheck.facts import dvc_lock, dvc_scripts
from govcheck.facts.base import Facts
from govcheck.facts.dvc_files import repo_path
from govcheck.facts.dvc_templates import Generated, Unresolved, generate, resolve
from govcheck.model import Location, Resource
from govcheck.yamlsrc import LDict

PARAMS_FILE = "params.yaml"


def _data(facts: Facts, path: str) -> Any:
    res = facts.file(path)
    return res.fields["data"] if res is not None else None


def _merge(into: dict[str, Any], data: Any, keys: list[str] | None = None) -> None:
    if not isinstance(data, Mapping):
        return
    for key, value in data.items():
        if keys is None or key in keys:
            into[str(key)] = value


def _context(facts: Facts, folder: str, vars_: Any) -> dict[str, Any]:
    """params.yaml beside dvc.yaml, then each `vars` entry (a file[:keys] or a mapping)."""
    context: dict[str, Any] = {}
    _merge(context, _data(facts, posixpath.join(folder, PARAMS_FILE)))
    for item in vars_ if isinstance(vars_, list) else []:
        if isinstance(item, Mapping):
            _merge(context, item)
        elif isinstance(item, str):
            name, _, keys = item.partition(":")
            path = repo_path(folder, name)
            wanted = [k.strip() for k in keys.split(",")] if keys else None
            _merge(context, _data(facts, path) if path else None, wanted)
    return context


def _paths(items: Any) -> list[str]:
    """deps as written; outs, metrics and plots as `path` or `{path: options}`."""
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping) and len(item) == 1:
            out.append(str(next(iter(item))))
    return out


def _params(items: Any) -> dict[str, list[str] | None]:
    out: dict[str, list[str] | None] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            keys = out.setdefault(PARAMS_FILE, [])
            if keys is not None:
                keys.append(item)
        elif isinstance(item, Mapping):
            for name, keys in item.items():
                out[str(name)] = [str(k) for k in keys] if isinstance(keys, list) else None
    return out


def _resolved(gen: Generated, context: dict[str, Any], facts: Facts, folder: str) -> dict[str, Any]:
    scope = {**context, **gen.values}
    stage_vars = gen.template.get("vars")
    if stage_vars:
        scope.update(_context(facts, folder, stage_vars))
        scope.update(gen.values)
    return {k: resolve(v, scope, str(k)) for k, v in gen.template.items() if k != "vars"}


class _Workspace(dvc_lock.Workspace):
    def __init__(self, facts: Facts) -> None:
        super().__init__(read=self._read, params=lambda path: _data(facts, path))
        self._facts = facts

    def _read(self, path: str) -> bytes | None:
        if path not in self._facts.tracked_set():
            return None
        try:
            return self._facts.source.read_bytes(path, 10 * 1024 * 1024)
        except (OSError, ValueError):
            return None


def dvc_stages(facts: Facts) -> list[Resource]:
    return [r for r in all_dvc_stages(facts) if any(facts.reaches(t) for t in r.touches)]


def all_dvc_stages(facts: Facts) -> list[Resource]:
    """Every stage, whatever PATHs limit the check: its outputs' pins count anywhere."""
    return facts.shared("dvc_stages", lambda: _read_all(facts))


def _read_all(facts: Facts) -> list[Resource]:
    out: list[Resource] = []
    workspace = _Workspace(facts)
    for res in facts.resources("file"):
        name = res.fields["name"]
        if name not in ("dvc.yaml", "dvc.lock"):
            continue  # the paths below are joined for DVC's two files only
        folder = res.fields["dir"]
        yaml_path = posixpath.join(folder, "dvc.yaml") if folder else "dvc.yaml"
        lock_path = posixpath.join(folder, "dvc.lock") if folder else "dvc.lock"
        if name == "dvc.yaml":
            data = res.fields["data"]
        elif name == "dvc.lock" and facts.file(yaml_path) is None:
            data = {"stages": {}}  # a lock whose dvc.yaml is gone: every entry is extra
        else:
            continue
        if isinstance(data, Mapping):
            out += _stages(facts, yaml_path, folder, data, lock_path, workspace)
    return out


def _stages(
    facts: Facts, path: str, folder: str, data: Mapping[str, Any], lock_path: str, ws: _Workspace
) -> list[Resource]:
    stages = data.get("stages")
    if not isinstance(stages, Mapping):
        return []
    lock_data = _data(facts, lock_path)
    has_lock = facts.file(lock_path) is not None
    locked = lock_data.get("stages") if isinstance(lock_data, Mapping) else None
    locked = locked if isinstance(locked, Mapping) else {}
    context = _context(facts, folder, data.get("vars"))
    out: list[Resource] = []
    known: set[str] = set()
    unresolved_groups: set[str] = set()
    for group, definition in stages.items():
        mark = stages.key_marks.get(group) if isinstance(stages, LDict) else None
        line, column = (mark.line, mark.column) if mark else (1, 1)
        try:
            generated = generate(str(group), definition, context)
        except Unresolved as exc:
            unresolved_groups.add(str(group))
            out.append(_unresolved(path, str(group), line, str(exc), lock_path))
            continue
        for gen in generated:
            known.add(gen.name)
            out.append(
                _stage(
                    facts,
                    path,
                    folder,
                    gen,
                    (line, column),
                    context,
                    locked,
                    has_lock,
                    ws,
                    lock_path,
                )
            )
    for name in locked:
        group = str(name).split("@", 1)[0]
        if name in known or group in unresolved_groups:
            continue
        lock_mark = locked.key_marks.get(name) if isinstance(locked, LDict) else None
        lock_line, lock_column = (lock_mark.line, lock_mark.column) if lock_mark else (1, 1)
        fields = _fields(str(name), path, lock_line, lock_path)
        fields.update(in_yaml=False, locked=True, lock_line=lock_line)
        fields["lock_differences"] = [dvc_lock.extra(str(name), lock_path, lock_line, lock_column)]
        out.append(_resource(fields, lock_path, lock_line))
    return out


def _fields(name: str, path: str, line: int, lock_path: str) -> dict[str, Any]:
    return {
        "name": name,
        "group": name.split("@", 1)[0],
        "file": path,
        "line": line,
        "lock_file": lock_path,
        "lock_line": None,
        "in_yaml": True,
        "locked": False,
        "resolved": True,
        "resolve_error": None,
        "cmd": None,
        "wdir": "",
        "deps": [],
        "outs": [],
        "params": {},
        "frozen": False,
        "always_changed": False,
        "lock_differences": [],
        "scripts": [],
    }


def _resource(fields: dict[str, Any], path: str, line: int) -> Resource:
    # A stage is re-checked when its pipeline files, a dependency or a params file change
    # (a pre-commit hook given src/train.py re-checks the stages that run it).
    base = fields["wdir"]
    named = [*fields["deps"], *fields["params"]] if fields["resolved"] else []
    inputs = [p for p in (repo_path(base, n) for n in named) if p is not None]
    touches = tuple(dict.fromkeys((fields["file"], fields["lock_file"], *inputs)))
    rid = f"{fields['file']}#{fields['name']}"
    location = Location(path, line, 1, fields["name"])
    return Resource("dvc_stage", rid, fields, location, touches=touches)


def _unresolved(path: str, group: str, line: int, why: str, lock_path: str) -> Resource:
    fields = _fields(group, path, line, lock_path)
    fields.update(resolved=False, resolve_error=why)
    return _resource(fields, path, line)


def _stage(
    facts: Facts,
    path: str,
    folder: str,
    gen: Generated,
    position: tuple[int, int],
    context: dict[str, Any],
    locked: Mapping[str, Any],
    has_lock: bool,
    ws: _Workspace,
    lock_path: str,
) -> Resource:
    line, column = position
    fields = _fields(gen.name, path, line, lock_path)
    entry = locked.get(gen.name)
    if entry is not None and isinstance(locked, LDict):
        fields.update(locked=True, lock_line=locked.key_marks[gen.name].line)
    try:
        stage = _resolved(gen, context, facts, folder)
    except Unresolved as exc:
        fields.update(resolved=False, resolve_error=str(exc))
        return _resource(fields, path, line)
    wdir = stage["wdir"] if isinstance(stage.get("wdir"), str) else "."
    base = repo_path(folder, wdir)
    if base is None:
        fields.update(resolved=False, resolve_error=f"wdir {wdir!r} leaves the repository")
        return _resource(fields, path, line)
    resolved = dvc_lock.Stage(
        name=gen.name,
        cmd=stage.get("cmd"),
        deps=_paths(stage.get("deps")),
        outs=_paths(stage.get("outs")) + _paths(stage.get("metrics")) + _paths(stage.get("plots")),
        params=_params(stage.get("params")),
        base="" if base == "." else base,
        frozen=bool(stage.get("frozen")),
        file=path,
        line=line,
        column=column,
    )
    fields.update(
        cmd=resolved.cmd,
        wdir=resolved.base,
        deps=resolved.deps,
        outs=resolved.outs,
        params=resolved.params,
        frozen=resolved.frozen,
        always_changed=bool(stage.get("always_changed")),
        lock_differences=dvc_lock.differences(resolved, entry, ws, has_lock),
    )
    marks = gen.template.value_marks if isinstance(gen.template, LDict) else {}
    cmd_line = marks["cmd"].line if "cmd" in marks else line
    fields["scripts"] = dvc_scripts.scripts(resolved, cmd_line, facts.tracked_set())
    return _resource(fields, path, line)
