"""What an experiment name found in the repository is, and which parts of it a rule checks.

Databricks names are workspace paths (`/Users/<user>/fraud-training`): the convention is
usually about the last segment, the folder being the user's or a team's. Names may hold
variables (`${bundle.target}`, `${workspace.current_user.userName}`): each part is judged
on every value its variables can take, and not at all when one of them is unknown here,
so a finding is never about text that is not the real name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from govcheck.facts import variables

Expand = Callable[[str], list[str]]


@dataclass(frozen=True)
class Found:
    """An experiment name where it is set."""

    name: str  # as written
    line: int
    column: int
    set_by: str  # what sets it: "mlflow.set_experiment", "--experiment-name", ...
    default: bool = False  # a library's default, applying because none was given


def plain(text: str) -> list[str]:
    """Values of a name outside any bundle: itself, or unknown when it holds a variable."""
    return [] if variables.has_variables(text) else [text]


def _split(text: str) -> tuple[str, str] | None:
    """(folder, last segment) of a workspace path, the cut never inside a variable."""
    masked = variables.masked(text)
    path_like = masked.startswith("/") or re.match(r"x+/", masked) is not None
    cut = masked.rfind("/")
    if not path_like or cut <= 0:
        return None
    return text[:cut], text[cut + 1 :]


@dataclass(frozen=True)
class Parts:
    full: list[str]  # every value the whole name takes
    basename: list[str]  # every value its last segment takes (the whole name if no path)
    paths: list[str]  # every value of a workspace path's folder


def parts(name: str, expand: Expand, prefill: Callable[[str], str] = lambda t: t) -> Parts:
    """`prefill` fills in the variables with one value (a bundle variable's default), so a
    name that is wholly a variable (`${var.experiment_name}`) shows its path structure."""
    full = expand(name)
    split = _split(prefill(name))
    if split is None:
        return Parts(full, full, [])
    folder, last = split
    return Parts(full, expand(last), expand(folder))
