"""URLs split without exceptions: what a repository writes is not always a URL.

`urllib.parse.urlsplit` raises ValueError for text such as `s3://[*a]/x` (a bracketed
host that is no IP address, Python 3.11.4+) or `http://[::1/x` (an unclosed bracket). A
reference, a remote or a tracking URI written that way is a finding or a notice, never a
crash: its brackets are read as plain characters instead.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit


def split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit(url.replace("[", "%5B").replace("]", "%5D"))
