"""Policy regular expressions, compiled with RE2 so matching time is linear in the input.

Python's `re` backtracks: a pattern like `(a+)+$` from a policy could hang a check on one
long line. RE2 has no backreferences or lookaround, which is the price of that guarantee.
RE2 reads UTF-8, which a lone surrogate (from a broken file or a server) cannot be
encoded to, so such characters are matched as U+FFFD, keeping every offset in place.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

from govcheck.errors import clip


class RegexError(ValueError):
    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail  # RE2's own words, e.g. "missing ): (a"


def _encodable(text: str) -> str:
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


class Regex:
    """A compiled RE2 pattern whose search and match accept any str."""

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled

    def search(self, text: str) -> Any:
        try:
            return self._compiled.search(text)
        except UnicodeEncodeError:
            return self._compiled.search(_encodable(text))

    def match(self, text: str) -> Any:
        try:
            return self._compiled.match(text)
        except UnicodeEncodeError:
            return self._compiled.match(_encodable(text))


@lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> Regex:
    try:
        opts = re2.Options()
        opts.max_mem = 8 << 20  # bound memory for huge alternations
        opts.log_errors = False
        return Regex(re2.compile(_encodable(pattern), options=opts))
    except re2.error as exc:  # its message is bytes
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        detail = str(detail)
        detail = clip(detail, 120)
        raise RegexError(
            f"invalid regular expression {clip(pattern)!r}: {detail}", detail
        ) from None
