"""SARIF locations: repo-relative URIs, regions, MLflow entities and repository provenance."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from govcheck.model import Finding, Location, RepoInfo, RuleInfo
from govcheck.redact import bare_remote_uri

SRCROOT = "%SRCROOT%"


def artifact_uri(path: str) -> str:
    """A repo-relative path as a relative URI reference: percent-encoded, "/"-separated.

    ":" is encoded too, so a first segment such as "c:d" can never read as a URI scheme.
    """
    return quote(path.replace("\\", "/").lstrip("/"), safe="/")


def root_uri(root: str) -> str:
    """The file URI of the repository root, with the trailing slash %SRCROOT% needs."""
    uri = "file://" + quote(PurePosixPath(root).as_posix(), safe="/")
    return uri if uri.endswith("/") else uri + "/"


def region(location: Location) -> dict[str, int] | None:
    # A region only when the line is known: a made-up line 1 would mislead reviewers.
    if location.line is None:
        return None
    out = {"startLine": location.line}
    if location.column is not None:
        out["startColumn"] = location.column
    return out


def physical_location(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(location.path), "uriBaseId": SRCROOT}
    }
    reg = region(location)
    if reg is not None:
        physical["region"] = reg
    return physical


def rule_source_location(rule: RuleInfo | None) -> Location | None:
    """Where a repository-defined rule is written: the fallback for findings without a place."""
    if rule is None:
        return None
    if not rule.source.path or rule.source.path.startswith("builtin:"):
        return None
    return Location(rule.source.path, rule.source.line, rule.source.column)


def logical_location(entity: str) -> dict[str, str]:
    """ "mlflow:run/4f2a9c" -> name "4f2a9c", fullyQualifiedName the entity itself."""
    _, _, rest = entity.partition(":")
    _, slash, name = rest.partition("/")
    return {
        "name": name if slash and name else entity,
        "fullyQualifiedName": entity,
        "kind": "resource",
    }


def result_locations(finding: Finding, rule: RuleInfo | None) -> dict[str, Any]:
    """The result's "locations" and "logicalLocations" members (either may be absent)."""
    out: dict[str, Any] = {}
    location = finding.location or rule_source_location(rule)
    if location is not None:
        loc: dict[str, Any] = {"physicalLocation": physical_location(location)}
        if finding.entity:
            loc["logicalLocations"] = [logical_location(finding.entity)]
        out["locations"] = [loc]
    elif finding.entity:
        out["locations"] = [{"logicalLocations": [logical_location(finding.entity)]}]
    return out


def provenance(repo: RepoInfo) -> list[dict[str, Any]] | None:
    if not repo.remote_url:
        return None
    entry: dict[str, Any] = {"repositoryUri": bare_remote_uri(repo.remote_url)}
    if repo.head:
        entry["revisionId"] = repo.head
    if repo.branch:
        entry["branch"] = repo.branch
    # The checkout root is %SRCROOT%: consumers map result URIs onto the repository with it.
    entry["mappedTo"] = {"uriBaseId": SRCROOT}
    return [entry]
