"""`git_commit_exists: PATH`: the field holds a commit SHA present in this repository."""

from __future__ import annotations

import re
from typing import Any

from govcheck import fieldpath
from govcheck.conditions.base import Build, Evaluator, Scope
from govcheck.errors import Mark
from govcheck.model import Outcome

_SHA = re.compile(r"[0-9a-fA-F]{7,40}")


def build_git_commit_exists(node: Any, key: str, mark: Mark | None, b: Build) -> Evaluator:
    try:
        path = fieldpath.parse(b.subst(node[key], node.value_marks.get(key)))
    except fieldpath.FieldPathError as exc:
        b.error(node.value_marks.get(key), str(exc))
        return lambda scope: Outcome(False, "invalid condition")
    b.read(path.keys)

    def evaluate(scope: Scope) -> Outcome:
        look = fieldpath.get(scope.item, path)
        value = look.value if look.found else None
        if value is None or (isinstance(value, str) and not value.strip()):
            return Outcome(False, f"{path} is missing")
        sha = str(value).strip()
        if not _SHA.fullmatch(sha):
            return Outcome(False, f"{path} is {sha!r}, not a commit SHA")
        if not scope.facts.source.commit_exists(sha):
            return Outcome(False, f"commit {sha[:12]} is not in this repository's history")
        return Outcome(True, f"commit {sha[:12]} exists")

    return evaluate
