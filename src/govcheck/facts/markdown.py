"""Markdown facts for cards: front matter, headings, sections, and the lines a reader sees.

Read the way a renderer would: headings inside ``` / ~~~ code fences and inside
<!-- HTML comments --> are not headings, and text there is not what a reader sees. A fence
that never closes is text (a card with one stray ``` must not vanish). A line that is only
bold text (`**Training Data**`) is a heading too, as people write them. Every line number
is the 1-based line in the file (front matter included), so findings land on their line.

One pass over the lines builds everything (`_scan`), each line handled in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from govcheck.facts import mdinline
from govcheck.facts.parsing import parse_yaml_all
from govcheck.yamlsrc import LDict

_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
# Lines that cannot continue a paragraph (so cannot be a setext heading's text): list items,
# quotes, tables, fences, blank and indented lines.
_NOT_PARAGRAPH = re.compile(
    r" {0,3}(?:[-+*](?:[ \t]|$)|>|\d+[.)](?:[ \t]|$)|\||`{3}|~{3})|\s*$| {4}"
)
_FRONT_MATTER_END = ("---", "...")
PSEUDO_LEVEL = 7  # a bold line standing as a heading ranks below every `#` heading
_PSEUDO_MAX = 80  # a longer bold line is emphasis, not a title


def split_lines(text: str) -> list[str]:
    """The file's lines as git and editors count them (\\n, \\r\\n or \\r)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]  # {} when there is none or it is not a mapping
    body_start: int  # 0-based index of the first line after the front matter
    error: str | None = None  # "line:col: message" for broken YAML
    start: int = 0  # 0-based index of the opening `---`


def front_matter(text: str, path: str = "") -> FrontMatter:
    """The `---` delimited YAML block at the top of the file (blank lines may precede it,
    as the Hugging Face Hub allows), located in the file."""
    lines = split_lines(text)
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines) or lines[first].rstrip() != "---":
        return FrontMatter({}, 0)
    for end in range(first + 1, len(lines)):
        if lines[end].rstrip() in _FRONT_MATTER_END:
            break
    else:
        return FrontMatter({}, 0)  # no closing line: a thematic break, not front matter
    # Leading blank lines keep YAML marks equal to the file's own line numbers.
    parsed = parse_yaml_all("\n" * (first + 1) + "\n".join(lines[first + 1 : end]), path)
    data = parsed.data if isinstance(parsed.data, dict) else LDict()
    return FrontMatter(data, end + 1, parsed.error, first)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1-6, or PSEUDO_LEVEL for a bold line
    first: int  # 0-based first line (a setext heading's text line)
    end: int  # 0-based last line (a setext heading's underline)

    @property
    def line(self) -> int:
        return self.first + 1


@dataclass(frozen=True)
class Scan:
    lines: list[str]
    shown: list[str]  # HTML comments blanked: what structure is read from
    visible: list[str]  # comments, fenced and inline code, YAML comments blanked
    content: list[int]  # content[i]: lines before i with content (text or code, not headings)
    headings: list[Heading]
    body_start: int  # 0-based index of the first line after the front matter


@lru_cache(maxsize=8)  # tests and one-off callers; file resources keep their own Scan
def scan(text: str) -> Scan:
    return scan_with(text, front_matter(text))


def scan_with(text: str, fm: FrontMatter) -> Scan:
    """The whole structure of one markdown file, given its front matter (parsed once by
    whoever holds the file)."""
    lines = split_lines(text)
    shown = [""] * len(lines)
    visible = [""] * len(lines)
    for i in range(fm.start + 1, max(fm.body_start - 1, fm.start + 1)):
        visible[i] = _yaml_visible(lines[i])
    has_content = [False] * len(lines)
    code = [False] * len(lines)
    _mask_body(lines, fm.body_start, shown, visible, has_content, code)
    found = _headings(shown, fm.body_start, has_content, code)
    content = [0]
    for flag in has_content:
        content.append(content[-1] + flag)
    return Scan(lines, shown, visible, content, found, fm.body_start)


def _mask_body(
    lines: list[str],
    start: int,
    shown: list[str],
    visible: list[str],
    has_content: list[bool],
    code: list[bool],
) -> None:
    """Fill shown, visible, has_content and code (fenced lines) for the body's lines."""
    closers = _fence_closers(lines, start)
    next_close, next_blank = _lookahead(lines, start)
    fence: tuple[str, int] | None = None
    in_comment = False
    for i in range(start, len(lines)):
        line = lines[i]
        if fence is not None:
            if _is_closing(line, fence):
                fence = None
            shown[i], has_content[i], code[i] = line, True, True
            continue
        begin = 0
        if in_comment:
            close = line.find(mdinline.COMMENT_CLOSE)
            if close == -1:
                continue
            in_comment, begin = False, close + 3
        else:
            opening = _fence_open(line)
            if opening is not None and closers[i + 1][opening[0] == "~"] >= opening[1]:
                fence = opening
                shown[i], has_content[i], code[i] = line, True, True
                continue
        block = begin == 0 and _starts_comment(line)
        continues = block or next_close[i + 1] < next_blank[i + 1]
        shown[i], visible[i], in_comment = _mask_line(line, begin, continues)
        has_content[i] = bool(shown[i].strip())


def _mask_line(line: str, begin: int, continues: bool) -> tuple[str, str, bool]:
    """The line with HTML comments blanked (shown), and with inline code blanked too
    (visible), and whether a comment stays open at its end. `continues`: an unclosed
    `<!--` here opens a comment that a later line closes (else it is literal text)."""
    if not begin and "`" not in line and mdinline.COMMENT_OPEN not in line:
        return line, line, False  # most lines: no code span, no comment
    spans = [(s + begin, e + begin) for s, e in mdinline.code_spans(line[begin:])]
    comments: list[tuple[int, int]] = [(0, begin)] if begin else []
    last_close = line.rfind(mdinline.COMMENT_CLOSE)
    pos, si, still_open = begin, 0, False
    while True:
        c = line.find(mdinline.COMMENT_OPEN, pos)
        if c == -1:
            break
        while si < len(spans) and spans[si][1] <= c:
            si += 1
        if si < len(spans) and spans[si][0] <= c:
            pos = spans[si][1]  # `<!--` inside inline code is code
            continue
        if c + 4 <= last_close:
            close = line.find(mdinline.COMMENT_CLOSE, c + 4)
            comments.append((c, close + 3))
            pos = close + 3
            continue
        if continues:
            comments.append((c, len(line)))
            still_open = True
        break  # any later `<!--` on this line has no closing either
    shown = _blank(line, comments)
    return shown, _blank(shown, _outside(spans, comments)), still_open


def _outside(
    spans: list[tuple[int, int]], comments: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The code spans that do not start inside a comment (both lists sorted): one merge."""
    out, ci = [], 0
    for span in spans:
        while ci < len(comments) and comments[ci][1] <= span[0]:
            ci += 1
        if not (ci < len(comments) and comments[ci][0] <= span[0]):
            out.append(span)
    return out


def _blank(line: str, regions: list[tuple[int, int]]) -> str:
    if not regions:
        return line
    out, pos = [], 0
    for a, b in sorted(regions):
        if b <= pos:
            continue
        a = max(a, pos)
        out += [line[pos:a], " " * (b - a)]
        pos = b
    out.append(line[pos:])
    return "".join(out)


def _starts_comment(line: str) -> bool:
    body = line.lstrip(" ")
    return len(line) - len(body) <= 3 and body.startswith(mdinline.COMMENT_OPEN)


def _fence_open(line: str) -> tuple[str, int] | None:
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or body[:3] not in ("```", "~~~"):
        return None
    char = body[0]
    length = len(body) - len(body.lstrip(char))
    if char == "`" and "`" in body[length:]:
        return None  # an inline code span, not a fence
    return char, length


def _closing_length(line: str) -> tuple[str, int] | None:
    opening = _fence_open(line)
    if opening is None or line.strip(" \t").strip(opening[0]):
        return None  # a closing fence carries no info string
    return opening


def _is_closing(line: str, fence: tuple[str, int]) -> bool:
    closing = _closing_length(line)
    return closing is not None and closing[0] == fence[0] and closing[1] >= fence[1]


def _fence_closers(lines: list[str], start: int) -> list[tuple[int, int]]:
    """closers[i]: the longest closing fence (backtick, tilde) at line i or after, so an
    opening fence knows in O(1) whether anything will close it."""
    out = [(0, 0)] * (len(lines) + 1)
    best = [0, 0]
    for i in range(len(lines) - 1, start - 1, -1):
        closing = _closing_length(lines[i])
        if closing is not None:
            k = closing[0] == "~"
            best[k] = max(best[k], closing[1])
        out[i] = (best[0], best[1])
    return out


def _lookahead(lines: list[str], start: int) -> tuple[list[int], list[int]]:
    """For each line, the index of the next line (itself included) holding `-->`, and of the
    next blank line: an inline comment may span lines, never a paragraph break."""
    n = len(lines)
    next_close, next_blank = [n] * (n + 1), [n] * (n + 1)
    for i in range(n - 1, start - 1, -1):
        line = lines[i]
        next_close[i] = i if mdinline.COMMENT_CLOSE in line else next_close[i + 1]
        next_blank[i] = i if not line.strip() else next_blank[i + 1]
    return next_close, next_blank


def _yaml_visible(line: str) -> str:
    """A front matter line without its YAML comment (`# ...` outside quotes)."""
    quote = ""
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i] + " " * (len(line) - i)
    return line


def _headings(
    shown: list[str], start: int, has_content: list[bool], code: list[bool]
) -> list[Heading]:
    found: list[Heading] = []
    previous: int | None = None  # the last paragraph line
    for i in range(start, len(shown)):
        line = shown[i]
        if code[i]:
            previous = None
            continue
        atx = _atx(line)
        if atx is not None:
            found.append(Heading(mdinline.heading_text(atx[1]), atx[0], i, i))
            has_content[i], previous = False, None
            continue
        if previous == i - 1 and _SETEXT.match(line):
            if found and found[-1].first == i - 1:
                found.pop()  # `**Title**` underlined: a setext heading, not a bold one
            level = 1 if line.strip()[0] == "=" else 2
            found.append(Heading(mdinline.heading_text(shown[i - 1]), level, i - 1, i))
            has_content[i - 1] = has_content[i] = False
            previous = None
            continue
        if previous is None or previous != i - 1:
            title = _bold_title(line)
            if title is not None:
                found.append(Heading(title, PSEUDO_LEVEL, i, i))
                has_content[i] = False
        previous = None if _NOT_PARAGRAPH.match(line) else i
    return found


def _atx(line: str) -> tuple[int, str] | None:
    """(level, raw text) of an ATX heading (`## Title ##`), by slicing: a heading padded
    with thousands of spaces costs no more than its length."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or not body.startswith("#"):
        return None
    rest = body.lstrip("#")
    level = len(body) - len(rest)
    if level > 6 or (rest and rest[0] not in " \t"):
        return None
    text = rest.strip(" \t")
    bare = text.rstrip("#")
    if not bare:
        return level, ""
    if len(bare) < len(text) and bare[-1] in " \t":
        text = bare.rstrip(" \t")  # the optional closing sequence
    return level, text


def _bold_title(line: str) -> str | None:
    """`**Training Data**` or `__Uses:__` alone on a line, as a heading's text."""
    text = line.strip()
    for mark in ("**", "__"):
        if not text.startswith(mark) or len(text) > _PSEUDO_MAX:
            continue
        inner = text[2:]
        if inner.endswith(mark + ":"):
            inner = inner[:-3]
        elif inner.endswith(mark):
            inner = inner[:-2]
        else:
            continue
        if inner.strip() and mark not in inner:
            return mdinline.heading_text(inner)
    return None


def headings(text: str) -> list[dict[str, Any]]:
    """Headings as {text, level, line}: ATX (`## Title`), setext (`Title` + `===`/`---`)
    and bold lines standing alone (level 7)."""
    return headings_of(scan(text))


def headings_of(s: Scan) -> list[dict[str, Any]]:
    return [{"text": h.text, "level": h.level, "line": h.line} for h in s.headings]


def sections(text: str) -> list[dict[str, Any]]:
    return sections_of(scan(text))


def sections_of(s: Scan) -> list[dict[str, Any]]:
    """Sections as {heading, key, level, line, body, empty}.

    body is the text after the heading up to the next heading of any level (so a parent
    section's body does not include its subsections), without HTML comments and stripped
    of surrounding blank lines. empty: nothing but comments and blank lines up to the next
    heading of the same or a higher level (a section whose subsections have text is not
    empty). key is the heading in comparable form (see mdinline.heading_key).
    """
    found = s.headings
    stops = _stops(found, len(s.lines))
    out: list[dict[str, Any]] = []
    for n, h in enumerate(found):
        nxt = found[n + 1].first if n + 1 < len(found) else len(s.lines)
        body = "\n".join(line.rstrip() for line in s.shown[h.end + 1 : nxt]).strip()
        empty = s.content[stops[n]] - s.content[h.end + 1] == 0
        out.append(
            {
                "heading": h.text,
                "key": mdinline.heading_key(h.text),
                "level": h.level,
                "line": h.line,
                "body": body,
                "empty": empty,
            }
        )
    return out


def _stops(found: list[Heading], total: int) -> list[int]:
    """For each heading, the first line of the next heading of the same or a higher level
    (a lower number), else the end of the file: one pass with a stack."""
    stops = [total] * len(found)
    stack: list[int] = []
    for n, h in enumerate(found):
        while stack and found[stack[-1]].level >= h.level:
            stops[stack.pop()] = h.first
        stack.append(n)
    return stops


def lines(text: str) -> list[dict[str, Any]]:
    return lines_of(scan(text))


def lines_of(s: Scan) -> list[dict[str, Any]]:
    """The lines a reader sees, as {text, line, front_matter}: HTML comments, fenced and
    inline code and front-matter comments blanked (columns kept), blank lines left out;
    front_matter is true for the lines of the YAML block."""
    return [
        {"text": line, "line": i + 1, "front_matter": i < s.body_start}
        for i, line in enumerate(s.visible)
        if line.strip()
    ]
