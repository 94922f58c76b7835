"""Markdown facts for model cards: YAML front matter, headings and sections.

Only what the rules need, read the way a renderer would: headings inside ``` / ~~~ code
fences and inside <!-- HTML comments --> are not headings, and every line number is the
1-based line in the file (front matter lines included), so findings land on the heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from govcheck.facts.parsing import parse_yaml_all
from govcheck.yamlsrc import LDict

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(r"^ {0,3}([-+*>]|\d+[.)]|#|\||`{3}|~{3})|^\s*$|^ {4}")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")
_COMMENT = re.compile(r"<!--.*?-->")
_BLOCK_COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
_FRONT_MATTER_END = ("---", "...")


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]  # {} when there is none or it is not a mapping
    body_start: int  # 0-based index of the first line after the front matter
    error: str | None = None  # "line:col: message" for broken YAML


def front_matter(text: str, path: str = "") -> FrontMatter:
    """The `---` delimited YAML block at the very top of the file, located in the file."""
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != "---":
        return FrontMatter({}, 0)
    for end in range(1, len(lines)):
        if lines[end].rstrip() in _FRONT_MATTER_END:
            break
    else:
        return FrontMatter({}, 0)  # no closing line: a thematic break, not front matter
    # A blank first line keeps YAML marks equal to the file's own line numbers.
    parsed = parse_yaml_all("\n" + "\n".join(lines[1:end]), path)
    data = parsed.data if isinstance(parsed.data, dict) else LDict()
    return FrontMatter(data, end + 1, parsed.error)


def _heading_text(raw: str) -> str:
    text = _LINK.sub(r"\1", raw)
    return " ".join(_EMPHASIS.sub("", text).split())


def _visible_lines(lines: list[str], start: int) -> list[tuple[int, str | None]]:
    """(index, line) with lines inside code fences or HTML comments as None."""
    out: list[tuple[int, str | None]] = []
    fence: str | None = None
    in_comment = False
    for i in range(start, len(lines)):
        line = lines[i]
        if fence is not None:
            closing = _FENCE.match(line)
            if (
                closing
                and closing.group(1)[0] == fence[0]
                and len(closing.group(1)) >= len(fence)
                and not closing.group(2).strip()
            ):
                fence = None
            out.append((i, None))
            continue
        if in_comment:
            in_comment = "-->" not in line
            out.append((i, None))
            continue
        if line.lstrip(" ").startswith("<!--"):
            # an HTML block: the whole line is raw HTML, up to the line that closes it
            in_comment = "-->" not in line
            out.append((i, None))
            continue
        line = _COMMENT.sub("", line)
        if "<!--" in line:
            line, in_comment = line.split("<!--", 1)[0], True
        opening = _FENCE.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            fence = opening.group(1)
            out.append((i, None))
            continue
        out.append((i, line))
    return out


def headings(text: str) -> list[dict[str, Any]]:
    """Headings as {text, level, line}: ATX (`## Title`) and setext (`Title` + `===`/`---`)."""
    return [{"text": h["text"], "level": h["level"], "line": h["line"]} for h in _scan(text)]


@lru_cache(maxsize=4)  # headings and sections of one card scan it once (callers only read)
def _scan(text: str) -> list[dict[str, Any]]:
    lines = text.splitlines()
    found: list[dict[str, Any]] = []
    previous: tuple[int, str] | None = None  # the last visible paragraph line
    for i, line in _visible_lines(lines, front_matter(text).body_start):
        if line is None:
            previous = None
            continue
        atx = _ATX.match(line)
        if atx:
            level, raw = len(atx.group(1)), atx.group(2) or ""
            found.append({"text": _heading_text(raw), "level": level, "line": i + 1, "end": i})
            previous = None
            continue
        setext = _SETEXT.match(line)
        if setext and previous is not None and previous[0] == i - 1:
            level = 1 if setext.group(1)[0] == "=" else 2
            found.append({"text": _heading_text(previous[1]), "level": level, "line": i, "end": i})
            previous = None
            continue
        previous = None if _NOT_PARAGRAPH.match(line) else (i, line)
    return found


def sections(text: str) -> list[dict[str, Any]]:
    """Sections as {heading, level, line, body}.

    body is the text after the heading up to the next heading of any level (so a parent
    section's body does not include its subsections), without HTML comments (a template's
    hidden instructions) and stripped of surrounding blank lines.
    """
    lines = text.splitlines()
    found = _scan(text)
    out: list[dict[str, Any]] = []
    for n, h in enumerate(found):
        stop = found[n + 1]["line"] - 1 if n + 1 < len(found) else len(lines)
        body = _BLOCK_COMMENT.sub("", "\n".join(lines[h["end"] + 1 : stop])).strip()
        out.append({"heading": h["text"], "level": h["level"], "line": h["line"], "body": body})
    return out
