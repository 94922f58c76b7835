"""Which tracked files discovery reads, and the path globs it matches them with.

Cards, models and deployment manifests are found by scanning the tree, so what is never
scanned matters as much: vendored, generated and run-output trees (the `skip_dirs` param:
node_modules, .venv, site-packages, build, mlruns, wandb, outputs, ...), the MLflow
snapshot the check reads, and `govcheck test` case trees (DIR/<RULE-ID>/pass|fail beside
an expected.yaml), whose files break rules on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from govcheck.facts.base import Facts
from govcheck.globs import GlobError, compile_glob, translate
from govcheck.regex import RegexError, compile_regex


def strings(value: Any) -> list[str]:
    """A param that is a string or a list of them, as a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def scanned(facts: Facts) -> list[str]:
    """Tracked paths discovery may read, sorted; computed once per check."""
    return facts.shared("discovery.scanned", lambda: _scanned(facts))


def _scanned(facts: Facts) -> list[str]:
    skip_name = name_matcher(strings(facts.params.get("skip_dirs")))
    tracked = facts.tracked()
    skipped_dirs = set(case_trees(tracked, facts.dir_set()))
    snapshot = _snapshot(facts)
    verdict: dict[str, bool] = {"": False}

    def hidden(folder: str) -> bool:
        if folder not in verdict:
            parent, _, name = folder.rpartition("/")
            verdict[folder] = folder in skipped_dirs or hidden(parent) or skip_name(name)
        return verdict[folder]

    return [p for p in tracked if p != snapshot and not hidden(p.rpartition("/")[0])]


def case_trees(tracked: Iterable[str], dirs: set[str]) -> list[str]:
    """Folders of `govcheck test` cases: DIR/<RULE-ID> holding expected.yaml and a pass/ or
    fail/ tree."""
    out = []
    for path in tracked:
        folder, _, name = path.rpartition("/")
        if name == "expected.yaml" and (
            _join(folder, "pass") in dirs or _join(folder, "fail") in dirs
        ):
            out.append(folder)
    return out


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _snapshot(facts: Facts) -> str | None:
    """The MLflow snapshot file this check reads, repo-relative, if it is in the tree."""
    snapshot = facts.context.mlflow.store.snapshot
    if not snapshot:
        return None
    try:
        return Path(snapshot).resolve().relative_to(facts.context.root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def name_matcher(globs: list[str]) -> Callable[[str], bool]:
    """A test for folder or file names against name globs, case-insensitive, as one RE2."""
    regex = _union([translate(g.lower(), path=True) for g in globs if g])
    if regex is None:
        return lambda name: False
    return lambda name: regex.match(name.lower()) is not None


def path_matcher(globs: list[str]) -> Callable[[str], bool]:
    """A test for repo paths against `card_files`-style globs, case-insensitive: a glob
    without a `/` matches a file name at any depth (as in .gitignore), one with a `/` the
    whole path (`**/model_cards/**/*.md`)."""
    by_name = name_matcher([g for g in globs if "/" not in g.strip("/")])
    regex = _union([translate(g.strip("/").lower()) for g in globs if "/" in g.strip("/")])
    tails = tuple(_literal_tail(g.lower()) for g in globs)
    # When every glob ends in literal text (".md"), a path ending otherwise matches none:
    # most of a repository is rejected without a regex.
    quick = tails if all(tails) else None

    def match(path: str) -> bool:
        if quick is not None and not path.lower().endswith(quick):
            return False
        if by_name(path.rpartition("/")[2]):
            return True
        return regex is not None and regex.match(path.lower()) is not None

    return match


def _literal_tail(glob: str) -> str:
    """The literal text a glob ends with ("*.md" -> ".md"; "" when it ends in a wildcard)."""
    cut = max(glob.rfind(c) for c in "*?]")
    return glob[cut + 1 :]


def _union(regexes: list[str]) -> Any:
    if not regexes:
        return None
    try:
        return compile_regex("|".join(f"(?:{r})" for r in regexes))
    except RegexError:
        return None  # a malformed glob matches nothing; glob_errors reports it at load


def glob_errors(globs: list[str]) -> list[str]:
    """Why each malformed glob is malformed (for params that hold globs)."""
    out = []
    for g in globs:
        try:
            compile_glob(g)
        except GlobError as exc:
            out.append(str(exc))
    return out
