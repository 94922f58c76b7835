"""Credential redaction: every URL or message govcheck prints, writes or records passes here.

Tracking URIs and git remotes may carry `user:password@`, tokens in query strings (SAS
signatures, signed URLs) or both. Nothing after a URL's scheme that could be a secret may
reach stderr, a report or a snapshot, whatever the password holds, so there is one place
that removes it: `split_userinfo`, which every function below is built on.

A password is not always percent-encoded as RFC 3986 wants: `p@ss`, `pa/ss`, `p ss` and
`p:ss` all occur in hand-written URIs. So the user information runs from `//` to the LAST
`@` of the URL, not to the first `@` or the first `/`. A URL whose path or query holds an
`@` loses a little more than its user information; losing a secret would be worse.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlunsplit

from govcheck import urls

# Query parameters that carry secrets in some store URIs (SAS tokens, signed URLs...).
_SECRET_QUERY = re.compile(
    r"token|secret|password|passwd|pwd|sig|signature|key|credential|auth", re.IGNORECASE
)
_PARAM_SEPARATORS = re.compile(r"([?&;#])")
_TOKEN = re.compile(r"\S+")
# scp-like git remotes: git@github.com:org/repo.git
_SCP = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/).+)$")
MASK = "***"


def split_userinfo(url: str) -> tuple[str, str | None, str]:
    """(`scheme://`, user information or None, the rest) of a URL; ("", None, url) when it
    has no `scheme://`. `sqlite:////abs` and `file:///p` have an empty authority: no user."""
    at_scheme = url.find("://")
    if at_scheme <= 0:
        return "", None, url
    head, rest = url[: at_scheme + 3], url[at_scheme + 3 :]
    at = rest.rfind("@")
    if at < 0 or rest.startswith("/"):
        return head, None, rest
    return head, rest[:at], rest[at + 1 :]


def _params(rest: str) -> str:
    """`key=value` pairs whose key names a secret, with the value masked (text kept as
    written otherwise: urlencode would rewrite sqlite paths and escapes)."""
    if "=" not in rest:
        return rest
    out = []
    for part in _PARAM_SEPARATORS.split(rest):
        key, eq, _ = part.partition("=")
        out.append(f"{key}={MASK}" if eq and _SECRET_QUERY.search(key) else part)
    return "".join(out)


def redact_url(url: str) -> str:
    """The URL without user, password or secret query values: safe for messages and reports."""
    head, _, rest = split_userinfo(url)
    # String surgery rather than urlunsplit, which rewrites `sqlite:////abs` paths.
    return head + _params(rest)


def scrub(text: str, *urls: str) -> str:
    """A free-form message (e.g. MLflow's, which quotes the URL it called) with the user
    information of `urls` and of every URL inside it removed, and secret parameters masked.

    The known URLs' user names and passwords are also masked wherever they appear alone,
    raw or percent-decoded (an HTTP library may quote them), when long enough to be sure
    they are not ordinary words."""
    for url in urls:
        _, userinfo, _ = split_userinfo(url)
        if not userinfo:
            continue
        text = text.replace(userinfo + "@", "")
        parts = {userinfo, *userinfo.split(":", 1)}
        for part in sorted(parts | {unquote(p) for p in parts}, key=len, reverse=True):
            if len(part) >= 4:
                text = text.replace(part, MASK)
    return _TOKEN.sub(lambda m: _scrub_token(m.group(0)), text)


def _scrub_token(token: str) -> str:
    at_scheme = token.find("//")
    at = token.rfind("@")
    if 0 <= at_scheme < at:
        token = token[: at_scheme + 2] + token[at + 1 :]
    return _params(token)


def redact_remote(url: str) -> str:
    """A git remote without user:password@ (or a bare token on an http URL); an ssh user
    name alone is kept, since it is no secret."""
    head, userinfo, rest = split_userinfo(url)
    if userinfo is None:
        return url if not head else head + _params(rest)  # scp-like git@host:org/repo
    if ":" not in userinfo and not head.lower().startswith(("http://", "https://")):
        return head + userinfo + "@" + _params(rest)  # ssh://git@host/...: a user name only
    return head + _params(rest)


def bare_remote_uri(url: str) -> str:
    """A remote as SARIF's repositoryUri wants it: no user, password, query or fragment,
    and scp-like remotes as ssh:// URIs."""
    scp = _SCP.match(url)
    if scp is not None and "://" not in url:
        url = f"ssh://{scp['host']}/{scp['path']}"
    head, _, rest = split_userinfo(url)
    if not head:
        return url
    parts = urls.split(head + rest)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number: keep the host text as written
        host, port = parts.netloc.rsplit(":", 1)[0] or None, None
    if host is None:
        return head + rest.split("?", 1)[0].split("#", 1)[0]
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
