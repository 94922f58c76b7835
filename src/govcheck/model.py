"""The values that flow through a check: resources in, outcomes and findings out.

All records are frozen: the engine stamps findings once and nothing edits them later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from govcheck.errors import Mark

Severity = Literal["error", "warning", "note"]
FailOn = Literal["error", "warning", "note", "never"]
Status = Literal["passed", "failed", "waived"]
WaiverKind = Literal["external", "inSource"]  # SARIF's suppression kinds
# SARIF's baselineState: new since the baseline, in it and still here, or in it and fixed.
BaselineState = Literal["new", "unchanged", "absent"]


@dataclass(frozen=True)
class Location:
    """Where a finding points: a repo-relative path and, when known, the offending line."""

    path: str
    line: int | None = None
    column: int | None = None
    # The offending text itself (a key, a URI, a heading): fingerprints hash it instead of
    # the line number so they survive edits above the finding.
    snippet: str | None = None


@dataclass(frozen=True)
class Resource:
    """One thing a rule can check: a file, a directory, a data reference, an MLflow run..."""

    kind: str
    id: str  # stable identity: a path for repo resources, "mlflow:run/<id>" for entities
    fields: Mapping[str, Any]
    location: Location | None = None  # where findings about it point by default
    entity: str | None = None  # logical location for non-file resources, e.g. "mlflow:run/abc"
    touches: tuple[str, ...] = ()  # repo paths whose change affects this resource
    # Folders any change at or below which affects this resource (a model directory: a
    # deleted monitoring.yaml is no longer among its files, yet changes it).
    covers: tuple[str, ...] = ()
    base_dir: str = ""  # what relative paths in file_exists resolve against ("" = repo root)
    # The file whose lines the resource's `line` fields and `text` offsets refer to (a
    # file, a card), so findings about them land on their line.
    file: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a condition says of one resource: holds or not, and why not."""

    ok: bool
    reason: str = ""
    location: Location | None = None  # a more precise place than the resource's own
    # A failure made of separately located failures (each failing list item, each empty
    # section); a rule with `report: each` reports each as its own finding.
    parts: tuple[Outcome, ...] = ()

    def __bool__(self) -> bool:
        return self.ok


OK = Outcome(True)


@dataclass(frozen=True)
class Waiver:
    """A documented exception to a rule (config or inline)."""

    rule: str
    target: str
    reason: str
    kind: WaiverKind  # "external" (config) or "inSource" (inline comment)
    expires: str | None = None
    approved_by: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    message: str  # the rule's message with the failing reason appended
    location: Location | None
    resource_kind: str
    resource_id: str
    entity: str | None = None
    waiver: Waiver | None = None  # set when the finding is waived (suppressed)
    expired_waiver: Waiver | None = None  # a waiver that matched but has expired
    baseline_state: BaselineState | None = None  # set when checked against a baseline
    fingerprint: str | None = None  # stamped when a baseline is used (fingerprints.py)

    @property
    def suppressed(self) -> bool:
        return self.waiver is not None

    @property
    def baselined(self) -> bool:
        """Known from the baseline: reported as unchanged, never failing the check."""
        return self.baseline_state == "unchanged"


@dataclass(frozen=True)
class RuleInfo:
    """What reporters need to know about a rule; the engine's Rule carries more."""

    id: str
    name: str
    title: str
    severity: Severity
    resource: str
    description: str
    help: str
    help_uri: str | None
    tags: tuple[str, ...]
    source: Mark  # the rule's `id:` in its policy file (path "builtin:NAME" for built-ins)


class ResourceStream:
    """Resources made page by page and never all held (100,000 MLflow runs): each iteration
    reads them afresh, so the engine feeds one pass to every rule of the kind."""

    def __init__(self, pages: Callable[[], Iterator[Resource]]) -> None:
        self._pages = pages

    def __iter__(self) -> Iterator[Resource]:
        return self._pages()


@dataclass(frozen=True, slots=True)
class Checked:
    """One (rule, resource) pair that was evaluated; reporters list passing ones too."""

    rule_id: str
    resource_id: str
    location: Location | None
    status: Status


@dataclass(frozen=True)
class Skipped:
    """A rule not evaluated, and why (e.g. no MLflow store configured)."""

    rule_id: str
    reason: str


@dataclass(frozen=True)
class ScopeCount:
    """How many resources of one kind the rules checked ("3 model cards")."""

    kind: str  # the resource kind, e.g. model_card
    noun: str  # what reports call one of them, e.g. "model card"
    count: int

    def text(self) -> str:
        noun = self.noun if self.count == 1 else _plural(self.noun)
        return f"{self.count} {noun}"


def _plural(noun: str) -> str:
    if noun.endswith("y") and not noun.endswith(("ay", "ey", "oy")):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


@dataclass(frozen=True)
class RepoInfo:
    root: str
    head: str | None
    branch: str | None
    remote_url: str | None  # credentials already stripped


@dataclass(frozen=True)
class ModelRow:
    """One model a report can show as a row: found in the repository, registered in MLflow
    (or by the repository's code), or both. Filled only when a format asks (Report.models)."""

    name: str
    folder: str | None  # its repository folder ("" the root); None: known only as registered
    registered: str | None  # the registered model's name, when one is registered
    resources: tuple[str, ...]  # ids of the checked resources that belong to it


@dataclass(frozen=True)
class Provenance:
    """What a verdict was reached on, so an auditor can reach it again (`govcheck verify`).

    Built once per check (check.py); every report format carries it.
    """

    commit: str | None  # the commit whose tree was checked: --rev's, else HEAD
    dirty: bool = False  # the working tree or index differed from `commit` (never with --rev)
    changed_paths: tuple[str, ...] = ()  # the tracked paths that differed
    policy_hash: str = ""  # sha256 (hex) of the rules' definitions, their params, the version
    rev: str | None = None  # --rev as given
    paths: tuple[str, ...] | None = None  # the PATHs the check was limited to; None: all
    mlflow_uri: str | None = None  # the live store read, without credentials
    mlflow_snapshot: str | None = None  # or the snapshot file read (repo-relative inside it)
    snapshot_digest: str | None = None  # that snapshot's, when one was read
    model: str | None = None  # --model NAME@ALIAS or NAME/VERSION the check was limited to
    as_alias: str | None = None  # --as-alias: the alias the version was judged as behind


@dataclass(frozen=True)
class Report:
    tool_version: str
    repo: RepoInfo
    rules: tuple[RuleInfo, ...]  # every evaluated rule, in evaluation order
    findings: tuple[Finding, ...]  # deterministic order
    checked: tuple[Checked, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    notices: tuple[str, ...] = ()
    started_at: str = ""  # ISO 8601 UTC
    ended_at: str = ""
    fail_on: FailOn = "error"
    baseline: str | None = None  # what the findings were compared with, e.g. a file or commit
    absent: tuple[Finding, ...] = ()  # baseline findings fixed since (baseline_state "absent")
    provenance: Provenance | None = None
    # What was checked, per resource kind named by a rule that ran (zeros included).
    scope: tuple[ScopeCount, ...] = ()
    # Why a part of the check had nothing to check: a pack whose rules checked nothing in a
    # whole-repository check, PATHs that are untracked or excluded. Also among the notices.
    empty_scope: tuple[str, ...] = ()
    fail_on_empty: bool = False  # --fail-on-empty / config fail_on_empty: exit 1 on those
    # Every model in the repository and the registry, with the resources that belong to
    # each; empty unless the check was asked for it (CheckOptions.models: the HTML page).
    models: tuple[ModelRow, ...] = ()

    def active(self) -> Iterator[Finding]:
        """Findings that count: not waived, and not known from the baseline."""
        return (f for f in self.findings if not f.suppressed and not f.baselined)

    def nothing_checked(self) -> bool:
        """No rule evaluated any resource: "no findings" would claim too much."""
        return not self.checked and not self.findings

    def counts(self) -> dict[str, int]:
        """Active findings per severity; suppressed (waived) ones; baselined ones (unchanged
        since the baseline); absent ones (in the baseline, fixed since)."""
        counts = {"error": 0, "warning": 0, "note": 0, "suppressed": 0, "baselined": 0}
        for f in self.findings:
            key = "suppressed" if f.suppressed else "baselined" if f.baselined else f.severity
            counts[key] += 1
        counts["absent"] = len(self.absent)
        return counts


class LazyFields(Mapping[str, Any]):
    """A resource's fields, some computed on first read and then kept.

    A file's text, parsed data and headings cost I/O; most rules never read them, so they
    are produced only when a condition or message asks.
    """

    def __init__(self, eager: dict[str, Any], lazy: dict[str, Callable[[], Any]]) -> None:
        self._values = dict(eager)
        self._lazy = dict(lazy)

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        if key in self._lazy:
            value = self._lazy.pop(key)()
            self._values[key] = value
            return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield from self._values
        yield from list(self._lazy)

    def __len__(self) -> int:
        return len(self._values) + len(self._lazy)

    def replaced(self, values: Mapping[str, Any]) -> LazyFields:
        """A copy with these fields set, the others still computed on first read."""
        lazy = {k: f for k, f in self._lazy.items() if k not in values}
        return LazyFields({**self._values, **values}, lazy)


SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")
SEVERITY_RANK: dict[str, int] = {"note": 1, "warning": 2, "error": 3}


def source_text(mark: Mark) -> str:
    """A rule's definition place as reports show it: `policies/team.yaml:14`."""
    return f"{mark.path}:{mark.line}"
