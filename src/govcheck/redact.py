"""Credential redaction: every URL or message govcheck prints, writes or records passes here.

Tracking URIs and git remotes may carry `user:password@`, tokens in query strings (SAS
signatures, signed URLs) or both. Nothing after a URL's scheme that could be a secret may
reach stderr, a report or a snapshot, so there is one place that removes it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that carry secrets in some store URIs (SAS tokens, signed URLs...).
_SECRET_QUERY = re.compile(
    r"token|secret|password|passwd|pwd|sig|signature|key|credential|auth", re.IGNORECASE
)
_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")
# scp-like git remotes: git@github.com:org/repo.git
_SCP = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/).+)$")


def redact_url(url: str) -> str:
    """The URL without user, password or secret query values: safe for messages and reports."""
    # String surgery rather than urlunsplit, which rewrites `sqlite:////abs` paths.
    base, sep, query = _USERINFO.sub("", url, count=1).partition("?")
    if not sep:
        return base
    pairs = parse_qsl(query, keep_blank_values=True)
    return (
        base
        + "?"
        + urlencode([(k, "***" if _SECRET_QUERY.search(k) else v) for k, v in pairs], safe="*")
    )


def scrub(text: str) -> str:
    """Remove `user:password@` from every URL inside a free-form message (e.g. MLflow's)."""
    return _USERINFO.sub("", text)


def redact_remote(url: str) -> str:
    """A git remote without user:password@ (or a bare token on an http URL); an ssh user
    name alone is kept, since it is no secret."""
    if "://" not in url:
        return url  # scp-like git@host:org/repo: the user is not a secret
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    if ":" not in userinfo and parts.scheme not in ("http", "https"):
        return url  # ssh://git@host/...: a user name only
    return urlunsplit(parts._replace(netloc=host))


def bare_remote_uri(url: str) -> str:
    """A remote as SARIF's repositoryUri wants it: no user, password, query or fragment,
    and scp-like remotes as ssh:// URIs."""
    scp = _SCP.match(url)
    if scp is not None and "://" not in url:
        url = f"ssh://{scp['host']}/{scp['path']}"
    parts = urlsplit(url)
    if parts.hostname is None:
        return url
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
