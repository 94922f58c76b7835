"""`last_changed`: when a tracked file last changed, as ISO 8601 UTC, for the freshness rules.

Every tracked path is settled by one `git log` pass (gittimes.py), shared by the whole
check and made only when some rule reads a `last_changed` field. Under `--rev` times come
from that commit's history; in the working tree a file that differs from HEAD (staged,
modified, added) counts as changed now, since the commit being prepared will change it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from govcheck.facts.base import Facts

SHALLOW_NOTICE = (
    "this is a shallow clone: last_changed of files not changed in the commits fetched is "
    "the oldest fetched commit's time, later than the real change (check out with "
    "fetch-depth: 0 for the freshness rules)"
)


def _times(facts: Facts) -> dict[str, float]:
    def make() -> dict[str, float]:
        if facts.source.shallow():
            facts.notice(SHALLOW_NOTICE)
        return facts.source.last_changes(facts.tracked())

    return facts.shared("changes.last_changed", make)


def last_changed(facts: Facts, path: str) -> str | None:
    """When the path last changed, or None (not tracked, or no commit yet)."""
    when = _times(facts).get(path)
    return iso(when) if when is not None else None


def newest(facts: Facts, paths: Iterable[str]) -> str | None:
    """The latest last_changed of several paths (a model's cards, say), or None."""
    times = _times(facts)
    found = [times[p] for p in paths if p in times]
    return iso(max(found)) if found else None


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), tz=timezone.utc).isoformat()
