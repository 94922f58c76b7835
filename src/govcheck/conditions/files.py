"""`file_exists: PATH` (or a list of paths, any one) and `{file: [CANDIDATES], require: COND}`.

Paths are relative to a directory resource (else the repo root), may use `{field}`
templates, and `file:` evaluates its condition on the first candidate that exists, so a
rule can say "the model card, whichever name it has, has these sections".
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from typing import Any

from govcheck import templates
from govcheck.conditions.base import Build, Evaluator, Scope, build_condition
from govcheck.errors import Mark
from govcheck.globs import glob_match, has_magic
from govcheck.model import OK, Location, Outcome


def resolve(scope: Scope, template: str) -> str | None:
    """Repo-relative path for a template, or None when it would leave the repository."""
    text = templates.render(template, scope.item)
    joined = text.lstrip("/") if text.startswith("/") else posixpath.join(scope.base_dir, text)
    norm = posixpath.normpath(joined) if joined else "."
    if norm == ".":
        return ""
    if norm.startswith("../") or norm == "..":
        return None
    return norm


def _exists(scope: Scope, path: str) -> bool:
    if has_magic(path):
        return any(glob_match(path, p) for p in scope.facts.tracked_set())
    return scope.facts.exists(path)


def build_file_exists(node: Any, key: str, mark: Mark | None, b: Build) -> Evaluator:
    raw = b.subst(node[key], node.value_marks.get(key), allow_fields=True)
    # A list (often a parameter such as `{card_files}`) holds when any one of them exists.
    templates_ = list(raw) if isinstance(raw, list) else [raw]
    if not templates_ or not all(isinstance(t, str) and t.strip() for t in templates_):
        b.error(node.value_marks.get(key), f"'{key}' takes a path string or a list of them")
        templates_ = []
    for template in templates_:
        b.read_template(template)

    def evaluate(scope: Scope) -> Outcome:
        tried = []
        for template in templates_:
            path = resolve(scope, template)
            if path is not None and _exists(scope, path):
                return Outcome(True, f"{path} exists")
            tried.append(path if path is not None else template)
        return Outcome(False, f"no file {' or '.join(tried)}")

    return evaluate


def build_file(node: Any, key: str, mark: Mark | None, b: Build) -> Evaluator:
    raw = b.subst(node[key], node.value_marks.get(key), allow_fields=True)
    candidates = list(raw) if isinstance(raw, list) else [raw]
    if not candidates or not all(isinstance(c, str) and c.strip() for c in candidates):
        b.error(node.value_marks.get(key), "'file' takes a path or a list of paths")
    for candidate in candidates:
        if isinstance(candidate, str):
            b.read_template(candidate)
    with b.elsewhere():  # the condition reads the file, not this resource
        inner = build_condition(node["require"], node.value_marks.get("require"), b)

    def evaluate(scope: Scope) -> Outcome:
        for candidate in candidates:
            path = resolve(scope, str(candidate))
            resource = scope.facts.file(path) if path else None
            if path is None or resource is None:
                continue
            outcome = inner(Scope(scope.facts, resource, resource.fields, resource.fields["dir"]))
            if outcome.ok:
                return outcome
            here = Location(path)
            parts = tuple(replace(p, location=p.location or here) for p in outcome.parts)
            return Outcome(False, outcome.reason, outcome.location or here, parts)
        return OK  # no candidate: whether one must exist is file_exists' job

    return evaluate
