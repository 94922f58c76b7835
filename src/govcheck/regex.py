"""Policy regular expressions, compiled with RE2 so matching time is linear in the input.

Python's `re` backtracks: a pattern like `(a+)+$` from a policy could hang a check on one
long line. RE2 has no backreferences or lookaround, which is the price of that guarantee.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2


class RegexError(ValueError):
    pass


@lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> Any:
    try:
        opts = re2.Options()
        opts.max_mem = 8 << 20  # bound memory for huge alternations
        opts.log_errors = False
        return re2.compile(pattern, options=opts)
    except re2.error as exc:  # its message is bytes
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RegexError(f"invalid regular expression {pattern!r}: {detail}") from None
