"""Inline markdown as a reader sees it: what a heading says, and what a line shows.

Every function here is one left-to-right pass over its input (str.find and slicing, no
backtracking regular expressions), so a hostile line (80 kB of `<!--`, a heading padded
with 40,000 spaces, a run of 50,000 underscores) costs linear time.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

COMMENT_OPEN = "<!--"
COMMENT_CLOSE = "-->"

# Numbering in front of a heading: "1.", "3a)", "2.1", "IV.", "B)". Anchored, and each part
# is a plain character class, so matching is linear.
_NUMBERING = re.compile(
    r"\s*(?:(?:\d+[a-z]?(?:\.\d+[a-z]?)*|[ivxlc]+|[a-z])[.):]|\d+(?:\.\d+)*)(?=\s)", re.IGNORECASE
)
_OPTIONAL = ("[optional]", "(optional)")
# What heading_text removes or rewrites: a heading with none of these is its words.
_INLINE_MARKUP = frozenset("\\*`~_[<")


def code_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of the inline code spans of one line, backticks included.

    A run of n backticks opens a span closed by the next run of exactly n; a run with no
    partner is literal text. Runs are listed once and each is consumed once: linear.
    """
    runs: list[tuple[int, int]] = []
    i, n = 0, len(line)
    while True:
        i = line.find("`", i)
        if i == -1:
            break
        j = i
        while j < n and line[j] == "`":
            j += 1
        runs.append((i, j - i))
        i = j
    by_length: dict[int, deque[int]] = {}
    for index, (_, length) in enumerate(runs):
        by_length.setdefault(length, deque()).append(index)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, length = runs[index]
        later = by_length[length]
        while later and later[0] <= index:
            later.popleft()
        if not later:
            index += 1
            continue
        close = later.popleft()
        spans.append((start, runs[close][0] + length))
        index = close + 1
    return spans


def heading_text(raw: str) -> str:
    """A heading as displayed: links and images reduced to their text, inline HTML tags,
    emphasis markers and backslash escapes removed, whitespace collapsed."""
    if _INLINE_MARKUP.isdisjoint(raw):  # most headings: nothing to unlink, strip or unescape
        return " ".join(raw.split())
    text = _strip_tags(_unlink(raw))
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and not text[i + 1].isalnum():
            out.append(text[i + 1])  # an escaped character stands for itself
            i += 2
        elif c in "*`~":
            i += 1
        elif c == "_":
            j = i
            while j < n and text[j] == "_":
                j += 1
            # emphasis underscores sit at word edges; model_card keeps its own
            if 0 < i and text[i - 1].isalnum() and j < n and text[j].isalnum():
                out.append(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return " ".join("".join(out).split())


@lru_cache(maxsize=4096)  # cards of one repository repeat their template's headings
def heading_key(text: str) -> str:
    """The comparable form of a heading: casefolded, numbering, `[optional]`, emoji and
    punctuation dropped, words separated by single spaces ("3. **Training Data:**" and
    "training data" have the same key)."""
    folded = heading_text(text).casefold()
    for marker in _OPTIONAL:
        folded = folded.replace(marker, " ")
    numbered = _NUMBERING.match(folded)
    if numbered:
        folded = folded[numbered.end() :]
    return " ".join(_words(folded))


def _words(text: str) -> list[str]:
    chars = [c if c.isalnum() else " " for c in text]
    return "".join(chars).split()


def key_contains(key: str, term: str) -> bool:
    """Whether a heading key holds the words of `term` starting at a word boundary:
    "use" is in "model use" and "uses", not in "misuse"."""
    return f" {key} ".find(f" {term}") != -1 if term else False


def _unlink(text: str) -> str:
    """`[text](url)` and `![alt](url)` as their text; anything else unchanged."""
    out: list[str] = []
    i, n = 0, len(text)
    last_paren = text.rfind(")")  # no `(` past it can close: never search for one again
    while i < n:
        open_ = text.find("[", i)
        if open_ == -1:
            break
        close = text.find("]", open_ + 1)
        if close == -1:
            break
        if close + 1 < n and text[close + 1] == "(" and close + 2 <= last_paren:
            end = text.find(")", close + 2)
            if end != -1:
                start = open_ - 1 if open_ > 0 and text[open_ - 1] == "!" else open_
                out.append(text[i:start])
                out.append(text[open_ + 1 : close])
                i = end + 1
                continue
        out.append(text[i : close + 1])
        i = close + 1
    out.append(text[i:])
    return "".join(out)


def _strip_tags(text: str) -> str:
    """Inline HTML tags (`<span ...>`, `</strong>`, `<br/>`) removed, their text kept."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        open_ = text.find("<", i)
        if open_ == -1:
            break
        close = text.find(">", open_ + 1)
        if close == -1:
            break
        inner = text[open_ + 1 : close]
        if inner[:1].isalpha() or inner[:1] == "/":
            out.append(text[i:open_])
            out.append(" ")
        else:
            out.append(text[i : close + 1])
        i = close + 1
    out.append(text[i:])
    return "".join(out)


def section_test(spec: Any) -> Callable[[str], bool] | None:
    """A test of heading keys for one section spec: a heading string (equal keys), or
    {name, equals: [...], contains: [...]} (equal to one, or holding one at a word start).
    None for anything else (the policy loader reports it)."""
    if isinstance(spec, str):
        want = heading_key(spec)
        return lambda key: key == want
    if isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
        equals = {heading_key(s) for s in _texts(spec.get("equals", [spec["name"]]))}
        # key_contains for each term, with the padding of the terms done once
        starts = [" " + term for s in _texts(spec.get("contains", [])) if (term := heading_key(s))]
        return lambda key: key in equals or any(t in f" {key} " for t in starts)
    return None


def _texts(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]
