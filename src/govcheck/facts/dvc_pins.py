"""What DVC pins in this repository, for the data references that name a local path.

A path is pinned by DVC when a `.dvc` file's output (or a folder above it) is, or when it
is an output of a `dvc.yaml` stage whose `dvc.lock` entry agrees with the stage: a stale
lock's hashes describe data the pipeline no longer produces, so they pin nothing.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from govcheck.facts.base import Facts
from govcheck.facts.dvc_files import all_dvc_files, repo_path
from govcheck.facts.dvc_stages import all_dvc_stages


@dataclass(frozen=True)
class DvcPin:
    pin: str | None  # "dvc-md5", "dvc-lock"... None when DVC tracks it but pins nothing
    reason: str  # why it is not pinned, with the fix


class DvcPins:
    def __init__(self, facts: Facts) -> None:
        self.entries: dict[str, DvcPin] = {}
        for res in all_dvc_files(facts):
            for out in res.fields["outs"]:
                self.entries[out["path"]] = DvcPin(out["pin"], out["reason"])
        for res in all_dvc_stages(facts):
            fields = res.fields
            if not fields["in_yaml"] or not fields["resolved"]:
                continue
            stale = fields["lock_differences"]
            first = stale[0] if stale else None
            entry = (
                DvcPin("dvc-lock", "")
                if first is None
                else DvcPin(
                    None,
                    f"an output of DVC stage {fields['name']}, whose dvc.lock entry is stale "
                    f"({first['detail']}): {first['fix']}",
                )
            )
            for written in fields["outs"]:
                path = repo_path(fields["wdir"], written)
                if path is not None:
                    self.entries.setdefault(path, entry)

    def lookup(self, path: str) -> DvcPin | None:
        """The entry for a path, or for the nearest folder above it that DVC tracks."""
        while path and path != ".":
            if path in self.entries:
                return self.entries[path]
            path = posixpath.dirname(path)
        return None


def dvc_pins(facts: Facts) -> DvcPins:
    return facts.shared("dvc_pins", lambda: DvcPins(facts))
