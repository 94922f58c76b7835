"""Links from a finding's file:line to that file at the checked commit, on the forge that
hosts the repository (GitHub or GitLab, by the remote's host name).

Remotes come in https (`https://github.com/org/repo.git`, with or without credentials)
and ssh forms (`git@gitlab.com:group/sub/repo.git`, `ssh://git@host:22/org/repo`); the link
is built from the remote without credentials (redact.bare_remote_uri), always as https.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from govcheck import urls
from govcheck.redact import bare_remote_uri

_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


def forge_base(remote: str | None) -> tuple[str, str] | None:
    """("github" | "gitlab", "https://host/org/repo") for a remote on a known forge."""
    if not remote:
        return None
    parts = urls.split(bare_remote_uri(remote))
    host = (parts.hostname or "").lower()
    if not _HOST.match(host) or parts.scheme not in ("https", "http", "ssh", "git"):
        return None
    forge = "github" if "github" in host else "gitlab" if "gitlab" in host else None
    path = parts.path.strip("/").removesuffix(".git").strip("/")
    if forge is None or path.count("/") < 1 or ".." in path.split("/"):
        return None
    return forge, f"https://{host}/{quote(path, safe='/')}"


def file_link(
    remote: str | None, commit: str | None, changed: tuple[str, ...] = ()
) -> Callable[[str, int | None], str | None]:
    """A function from (path, line) to the file's URL at commit, or None when there is no
    forge, no commit, or the working tree's file differed from the commit's (`changed`)."""
    base = forge_base(remote)
    if base is None or commit is None or not _COMMIT.match(commit):
        return lambda path, line: None
    forge, root = base
    blob = f"{root}/-/blob/{commit}/" if forge == "gitlab" else f"{root}/blob/{commit}/"
    differs = frozenset(changed)

    def link(path: str, line: int | None) -> str | None:
        if path in differs or path.startswith(("/", "../")) or not path:
            return None
        anchor = f"#L{line}" if line else ""
        return blob + quote(path, safe="/") + anchor

    return link
