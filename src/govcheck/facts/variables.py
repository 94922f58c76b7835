"""Variables inside names written for other tools: `${var.model_name}` (Databricks bundles,
OmegaConf, shell, CloudFormation `!Sub`), `${{ inputs.x }}` (GitHub Actions), `{{ x }}`
(Jinja, Go and Helm templates), `$VAR` and `$(cmd)` (shell), `%VAR%` (Windows).

A name holding one is not literal text: its value is known only where the tool fills it
in. Readers substitute the values they can prove (a bundle variable's default, a bundle
target's name, a template parameter's default) and leave the rest unresolved, so a rule
never judges text that is not the real name.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

# The `{{ ... }}` bodies stop at the next opening and at 1,000 characters: an unbounded lazy
# body made a 2,000,000-character "{{{{..." take quadratic time (every "{{" scanned to
# the end for a "}}").
_VARIABLE = re.compile(
    r"\$\{\{(?P<gha>(?:(?!\}\}|\$\{\{).){0,1000}?)\}\}"  # ${{ inputs.x }}
    r"|\$\{(?P<brace>[^{}]*)\}"  # ${var.x}, ${ModelName}, ${oc.env:X}
    r"|\{\{(?P<jinja>(?:(?!\}\}|\{\{).){0,1000}?)\}\}"  # {{ x }}
    r"|\$\((?P<cmd>[^()]*)\)"  # $(cmd)
    r"|\$(?P<shell>[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?!$])"  # $VAR, $1, $@
    r"|%(?P<win>[A-Za-z_][A-Za-z0-9_]*)%"  # %VAR%
)
# OmegaConf's "must be given" marker: the value is always supplied elsewhere.
MISSING_MARKERS = frozenset({"???"})
MAX_EXPANSIONS = 16  # one per bundle target is the usual case; never a combinatorial blow-up


# A variable as one span (bundle `${...}`, template `{{ ... }}`), bounded like _VARIABLE.
_SPAN = re.compile(r"\$\{[^{}]*\}|\{\{(?:(?!\}\}|\{\{).){0,1000}?\}\}")


def masked(text: str) -> str:
    """The text with each `${...}` and `{{ ... }}` replaced by as many x's: where a path
    may be cut without cutting a variable."""
    return _SPAN.sub(lambda m: "x" * len(m.group(0)), text)


def has_variables(text: str) -> bool:
    return text.strip() in MISSING_MARKERS or _VARIABLE.search(text) is not None


def names(text: str) -> list[str]:
    """The variables in text, by name: `var.model_name`, `bundle.target`, `ModelName`."""
    return [_name(m) for m in _VARIABLE.finditer(text)]


def _name(match: re.Match[str]) -> str:
    return next(v for v in match.groups() if v is not None).strip()


def substitute(text: str, values: Mapping[str, str]) -> tuple[str, bool]:
    """text with every variable whose value is known filled in, and whether none is left.

    A value may itself hold variables (a bundle variable defaulting to `${bundle.target}-x`):
    substitution repeats a few times, never forever."""
    resolved = True
    for _ in range(5):
        resolved = True

        def fill(match: re.Match[str]) -> str:
            nonlocal resolved
            value = values.get(_name(match))
            if value is None:
                resolved = False
                return match.group(0)
            return value

        new = _VARIABLE.sub(fill, text)
        if new == text:
            break
        text = new
    return text, resolved and not has_variables(text)


def expand(text: str, values: Mapping[str, str], choices: Mapping[str, Sequence[str]]) -> list[str]:
    """Every text the variables can give: `choices` are variables with several possible
    values (`bundle.target` in dev, staging, prod); `values` those with one. Texts still
    holding an unknown variable are left out, so [] means "cannot be known here"."""
    used = [name for name in choices if name in _all_names(text, values)]
    out: list[str] = []
    for combo in itertools.islice(itertools.product(*(choices[n] for n in used)), MAX_EXPANSIONS):
        filled, resolved = substitute(text, {**values, **dict(zip(used, combo))})
        if resolved and filled not in out:
            out.append(filled)
    return out


def _all_names(text: str, values: Mapping[str, str]) -> set[str]:
    """Variable names in text and, transitively, in the known values it refers to."""
    seen: set[str] = set()
    todo = names(text)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in values:
            todo += names(values[name])
    return seen
