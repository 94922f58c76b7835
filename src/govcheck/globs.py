"""Globs as users expect them, matched in linear time.

Path globs: `*` and `?` stay within a folder, `**` crosses folders, `[abc]`/`[!abc]` are
classes (a negated class never matches `/` either). Name globs (MLflow experiment names)
are fnmatch-like: `*` crosses `/`, since names such as `/Users/ana/churn` are not paths.

A glob is translated once to a regular expression and compiled with RE2, so a pattern
with many stars against a long name cannot backtrack; a malformed class (`[z-a]`) is a
GlobError, which loaders turn into an error at the glob's line.
"""

from __future__ import annotations

from functools import lru_cache

from govcheck.errors import clip
from govcheck.regex import Regex, RegexError, compile_regex


class GlobError(ValueError):
    pass


_SPECIAL = frozenset(".^$*+?()[]{}|\\")


def _escape(c: str) -> str:
    return "\\" + c if c in _SPECIAL else c


def _class(pattern: str, start: int, path: bool) -> tuple[str, int] | None:
    """The class starting at pattern[start] == '[' as a regex, and the index after it; None
    when the bracket is not closed (it is then a literal '[')."""
    i = start + 1
    negate = i < len(pattern) and pattern[i] in "!^"
    if negate:
        i += 1
    body_start = i
    if i < len(pattern) and pattern[i] == "]":
        i += 1  # a ']' first in the class is literal
    end = pattern.find("]", i)
    if end == -1:
        return None
    body = pattern[body_start:end]
    parts: list[str] = []
    for c in body:
        parts.append("\\" + c if c in "\\]^[" else c)
    inner = "".join(parts)
    if negate:
        return ("[^" + inner + ("/" if path else "") + "]"), end + 1
    return "[" + inner + "]", end + 1


def translate(pattern: str, path: bool = True) -> str:
    """The regular expression (RE2 syntax, anchored) for a glob."""
    out: list[str] = []
    one = "[^/]" if path else "."
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if path and pattern.startswith("**", i):
                i += 2
                while i < n and pattern[i] == "*":
                    i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                    out.append("(?:.*/)?")  # `a/**/b` also matches `a/b`
                else:
                    out.append(".*")
                continue
            while i < n and pattern[i] == "*" and not (path and pattern.startswith("**", i)):
                i += 1  # `***` is one star
            out.append(one + "*")
            continue
        if c == "?":
            out.append(one)
        elif c == "[":
            found = _class(pattern, i, path)
            if found is not None:
                regex, i = found
                out.append(regex)
                continue
            out.append("\\[")
        else:
            out.append(_escape(c))
        i += 1
    return "^(?s:" + "".join(out) + ")$"


@lru_cache(maxsize=2048)
def compile_glob(pattern: str, path: bool = True) -> Regex:
    """The compiled matcher for a glob; GlobError naming the problem when it is malformed."""
    try:
        return compile_regex(translate(pattern, path))
    except RegexError as exc:
        raise GlobError(f"invalid glob {clip(pattern)!r}: {exc.detail}") from None


def glob_match(pattern: str, path: str) -> bool:
    """Whether a repo path matches a path glob (leading and trailing slashes ignored). A
    malformed glob matches nothing: loaders report it where it was written."""
    try:
        return compile_glob(pattern.strip("/")).match(path.strip("/")) is not None
    except GlobError:
        return False


def glob_filter(pattern: str, paths: list[str]) -> list[str]:
    """The paths of a sorted list that match a path glob. Only the slice that starts with
    the glob's literal beginning (`bundle/resources/` of `bundle/resources/*.yml`) is
    matched: one include pattern over 20,000 tracked files looks at a handful."""
    from bisect import bisect_left

    pattern = pattern.strip("/")
    magic = [i for i in (pattern.find(c) for c in "*?[") if i >= 0]
    prefix = pattern[: min(magic)] if magic else pattern
    out = []
    for i in range(bisect_left(paths, prefix), len(paths)):
        path = paths[i]
        if not path.startswith(prefix):
            break  # sorted: no later path starts with it either
        if glob_match(pattern, path):
            out.append(path)
    return out


def name_match(pattern: str, name: str) -> bool:
    """Whether a name (an MLflow experiment, a model) matches an fnmatch-style glob."""
    try:
        return compile_glob(pattern, path=False).match(name) is not None
    except GlobError:
        return False


def has_magic(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")
