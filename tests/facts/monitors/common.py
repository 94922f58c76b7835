"""What the monitor reader tests share: monitors of a repository as plain values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support import make_facts


def monitors(root: Path, params: dict[str, object] | None = None) -> list[Any]:
    return make_facts(root, params).resources("monitor")


def plain(value: Any) -> Any:
    """A located record as plain dicts and lists, for equality with a literal."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def summary(res: Any) -> dict[str, Any]:
    """The parts of a monitor most tests assert on."""
    f = res.fields
    return {
        "platform": f["platform"],
        "name": f["name"],
        "at": f"{f['file']}:{f['line']}",
        "target": f["target"].get("name"),
        "signals": [
            (s["type"], s.get("metric"), plain(s.get("threshold")), s.mark.line if s.mark else None)
            for s in f["signals"]
        ],
        "alerts": [(a["channel"], a["target"], a["when"]) for a in f["alerts"]],
    }


def build_repo(root: Path, files: dict[str, str]) -> Path:
    """A committed repository of these files, for a module whose tests only read it."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git("add", "-A")
    git(
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@example.com",
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "-m",
        "initial",
    )
    return root
