"""Every report says what its verdict was reached on: the commit, whether the working tree
differed from it, the policy-set hash, the MLflow source and the snapshot digest."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govcheck.check import CheckOptions, run
from govcheck.model import Provenance
from support import CARD, GOOD_MODEL, TEAM_POLICY, registry_snapshot

MakeRepo = Callable[..., Path]


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


CONFIG = "version: 1\npolicies: [builtin:all, team.yaml]\nparams: {models_glob: 'models/*'}\n"


def provenance(root: Path, **options: Any) -> Provenance:
    report = run(CheckOptions(repo=str(root), **options))
    assert report.provenance is not None
    return report.provenance


def test_a_clean_checkout_is_its_head_commit(make_repo: MakeRepo) -> None:
    root = make_repo({**GOOD_MODEL, ".govcheck.yaml": CONFIG, "team.yaml": TEAM_POLICY})
    found = provenance(root)
    assert found.commit == git(root, "rev-parse", "HEAD").strip()
    assert (found.dirty, found.changed_paths, found.rev, found.paths) == (False, (), None, None)
    assert (found.mlflow_uri, found.mlflow_snapshot, found.snapshot_digest) == (None, None, None)
    assert len(found.policy_hash) == 64


def test_changed_staged_and_deleted_tracked_files_make_it_dirty(make_repo: MakeRepo) -> None:
    root = make_repo({**GOOD_MODEL, "README.md": "# r\n", "old.yaml": "a: 1\n"})
    (root / "models/m/MODEL_CARD.md").write_text(CARD + "\nmore\n")
    (root / "new.yaml").write_text("b: 2\n")
    git(root, "add", "new.yaml")
    git(root, "rm", "-q", "old.yaml")
    (root / "untracked.txt").write_text("not read by a check\n")
    found = provenance(root)
    assert found.dirty
    assert found.changed_paths == ("models/m/MODEL_CARD.md", "new.yaml", "old.yaml")
    # A check of a commit reads that commit, whatever the working tree holds.
    at_rev = provenance(root, rev="HEAD")
    assert (at_rev.dirty, at_rev.changed_paths, at_rev.rev) == (False, (), "HEAD")
    assert at_rev.commit == found.commit


def test_the_policy_hash_is_the_same_anywhere_and_moves_with_the_policies(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    files = {**GOOD_MODEL, ".govcheck.yaml": CONFIG, "team.yaml": TEAM_POLICY}
    first = provenance(make_repo(files)).policy_hash
    # Another checkout elsewhere, another process and working directory: the same hash.
    elsewhere = tmp_path / "deep" / "other checkout"
    shutil.copytree(make_repo(files), elsewhere)
    code = (
        "from govcheck.check import CheckOptions, run; import sys; "
        "print(run(CheckOptions(repo=sys.argv[1], no_mlflow=True)).provenance.policy_hash)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(elsewhere)],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == first
    # A rule's definition, a parameter it uses: another hash. A parameter no rule uses: not.
    changed_rule = TEAM_POLICY.replace("severity: error", "severity: warning")
    assert provenance(make_repo({**files, "team.yaml": changed_rule})).policy_hash != first
    other_glob = CONFIG.replace("'models/*'", "'ml/models/*'")
    assert provenance(make_repo({**files, ".govcheck.yaml": other_glob})).policy_hash != first
    # Selecting fewer rules is another policy set too.
    assert provenance(make_repo(files), select=("TEAM",)).policy_hash != first


def test_the_mlflow_source_has_no_credentials_and_a_snapshot_its_digest(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({**GOOD_MODEL, "mlflow.json": registry_snapshot({"m": "Scores."})})
    found = provenance(root, mlflow_snapshot=str(root / "mlflow.json"))
    assert (found.mlflow_uri, found.mlflow_snapshot) == (None, "mlflow.json")
    # Format 1 has no digest of its own: the same canonical sha256 is computed when read.
    from govcheck.facts.snapshot_store import content_digest

    document = json.loads((root / "mlflow.json").read_text())
    assert found.snapshot_digest == content_digest(document)
    unread = provenance(root, mlflow_snapshot=str(root / "mlflow.json"), select=("GC-CARD",))
    assert unread.mlflow_snapshot == "mlflow.json" and unread.snapshot_digest is None
    live = provenance(
        root, mlflow_uri="http://alice:s3cret@mlflow.invalid:5000", select=("GC-CARD",)
    )
    assert live.mlflow_uri == "http://mlflow.invalid:5000"


def test_every_report_format_carries_it(make_repo: MakeRepo) -> None:
    from govcheck.reporters import REPORTERS

    root = make_repo({**GOOD_MODEL, "README.md": "# r\n"})
    report = run(CheckOptions(repo=str(root), no_mlflow=True))
    assert report.provenance is not None
    digest = report.provenance.policy_hash
    data = json.loads(REPORTERS["json"](report))
    assert data["provenance"]["policy_hash"] == digest and data["provenance"]["dirty"] is False
    sarif = json.loads(REPORTERS["sarif"](report))
    assert sarif["runs"][0]["properties"]["provenance"] == data["provenance"]
    assert f'name="govcheck.policy_hash" value="{digest}"' in REPORTERS["junit"](report)
    assert f"policy hash `{digest}`" in REPORTERS["markdown"](report)
