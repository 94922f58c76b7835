"""What makes a verdict reproducible: the policy-set hash and the MLflow source, as data.

The policy hash is the sha256 of one canonical JSON document: the govcheck version, the
definitions of the rules evaluated (as loaded from YAML, by id; never the files they came
from) and the values of the parameters they use. Two machines with the same policies and
config get the same hash; a changed rule, parameter or version gives another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govcheck.context import MlflowSettings
    from govcheck.policy import Rule


def policy_hash(rules: Iterable[Rule], params: Mapping[str, Any], version: str) -> str:
    chosen = sorted(rules, key=lambda r: r.id)
    used = sorted({name for r in chosen for name in r.params})
    document = {
        "govcheck": version,
        "rules": [plain(r.definition) for r in chosen],
        "params": {name: plain(params.get(name)) for name in used},
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """YAML as JSON data: mappings (keys as text), lists, scalars; dates as ISO text."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def mlflow_source(settings: MlflowSettings, root: Path) -> tuple[str | None, str | None]:
    """(live store URI, snapshot file) a check reads, as reports name them: the URI without
    credentials (a sqlite file in the repository relative to it), the snapshot relative to
    the repository when inside it; (None, None) without either."""
    from govcheck.facts.mlflow_store import shown_uri

    store = settings.store
    if settings.disabled or not store.configured:
        return None, None
    if store.snapshot is not None:
        path = Path(store.snapshot)
        try:
            return None, path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return None, str(path)
    assert store.uri is not None
    return shown_uri(store.uri, root), None
