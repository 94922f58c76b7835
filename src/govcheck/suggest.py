"""Did-you-mean: the closest known name to a misspelt one, for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(word: str, choices: Iterable[object]) -> str:
    """` (did you mean 'X'?)` for the closest choice, or "" when none is close."""
    if len(word) > 100:  # no name is that long; difflib's cost grows with it
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
