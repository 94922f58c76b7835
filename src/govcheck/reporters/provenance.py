"""The provenance every format carries: the commit, whether the working tree differed, the
policy-set hash, the MLflow source and snapshot digest (model.Provenance), as data and as
short labelled values for formats read by people."""

from __future__ import annotations

from typing import Any

from govcheck.model import Provenance

MAX_PATHS_SHOWN = 20  # formats read by people list this many changed paths, then a count


def as_dict(p: Provenance) -> dict[str, Any]:
    """The whole record (JSON report, SARIF run properties); `govcheck verify` reads it."""
    return {
        "commit": p.commit,
        "rev": p.rev,
        "dirty": p.dirty,
        "changed_paths": list(p.changed_paths),
        "policy_hash": p.policy_hash,
        "paths": list(p.paths) if p.paths is not None else None,
        "mlflow_uri": p.mlflow_uri,
        "mlflow_snapshot": p.mlflow_snapshot,
        "snapshot_digest": p.snapshot_digest,
        # Only in a --model check's report: every other report stays as it was.
        **({"model": p.model, "as_alias": p.as_alias} if p.model else {}),
    }


def labelled(p: Provenance) -> list[tuple[str, str]]:
    """(label, value) pairs; absent parts are left out."""
    pairs = [("commit", p.commit or "none (no commit yet)")]
    if p.dirty:
        shown = ", ".join(p.changed_paths[:MAX_PATHS_SHOWN])
        more = len(p.changed_paths) - MAX_PATHS_SHOWN
        extra = f" and {more} more" if more > 0 else ""
        pairs.append(
            ("working tree", f"differed in {_paths(len(p.changed_paths))}: {shown}{extra}")
        )
    else:
        pairs.append(("working tree", "as committed"))
    pairs.append(("policy hash", p.policy_hash))
    if p.mlflow_uri:
        pairs.append(("MLflow", p.mlflow_uri))
    if p.mlflow_snapshot:
        pairs.append(("MLflow snapshot", p.mlflow_snapshot))
    if p.snapshot_digest:
        pairs.append(("snapshot digest", p.snapshot_digest))
    if p.model:
        assumed = f" (judged as behind {p.as_alias})" if p.as_alias else ""
        pairs.append(("model version", f"{p.model}{assumed}"))
    return pairs


def _paths(n: int) -> str:
    return f"{n} path" if n == 1 else f"{n} paths"
