"""What a commit is about to remove from governance: the config itself, or a policy file the
config loads. A pre-commit hook that re-checks models cannot see such a removal as a
finding (the rules are simply gone), so `check --staged` refuses it by name instead.

Renaming a policy file within a folder the config loads is no removal: the same content is
added beside it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from govcheck.config import CONFIG_NAME, Config
from govcheck.facts.gitrepo import Change

_CONFIG_NAMES = (CONFIG_NAME, ".govcheck.yml")
_POLICY_SUFFIXES = (".yaml", ".yml")


def removed_governance(changes: list[Change], config: Config, root: Path) -> list[str]:
    """One sentence per governance file the staged changes delete, or [] when none."""
    added = {c.new_blob for c in changes if c.status == "A"}
    folders = _policy_folders(config, root)
    out = []
    for change in changes:
        if change.status != "D":
            continue
        path = PurePosixPath(change.path)
        if change.path in _CONFIG_NAMES and config.path is None:
            out.append(f"this commit deletes {change.path}, the repository's govcheck config")
        elif (
            path.suffix in _POLICY_SUFFIXES
            and path.parent.as_posix() in folders
            and change.old_blob not in added
        ):
            out.append(
                f"this commit deletes policy file {change.path}, which {config.path} loads "
                f"through {folders[path.parent.as_posix()]}"
            )
    return out


def _policy_folders(config: Config, root: Path) -> dict[str, str]:
    """Repo-relative folders the config loads every policy file of -> as the config says."""
    folders = {}
    for ref, _ in config.policies:
        if ref.startswith("builtin:"):
            continue
        full = (root / ref).resolve()
        try:
            rel = full.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue  # outside the repository: no commit of this one removes from it
        if full.is_dir() or ref.endswith("/"):
            folders[rel] = ref
    return folders
