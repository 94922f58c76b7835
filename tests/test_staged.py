"""`check --staged` (the pre-commit hook): what a commit records, deletions included, and
`validate` with no file names (the govcheck-validate hook)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from govcheck.cli import main
from support import GOOD_MODEL, TEAM_POLICY

MakeRepo = Callable[..., Path]
Git = Callable[..., str]


# Every model counts as deployed, so each needs a monitoring config (GC-MON-001).
DEPLOYED = "version: 1\nparams: {deployed_models: ['*']}\n"


def test_a_staged_deletion_rechecks_its_model(
    make_repo: MakeRepo, run_git: Git, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({**GOOD_MODEL, "README.md": "# r\n", ".govcheck.yaml": DEPLOYED})
    staged = ["check", "--repo", str(root), "--no-mlflow", "--staged"]
    assert main(staged) == 0  # nothing staged: nothing checked
    assert "Nothing checked." in capsys.readouterr().out
    (root / "models/legacy").mkdir()
    (root / "models/legacy/train.py").write_text("print(1)\n", encoding="utf-8")
    run_git(root, "add", "models/legacy")
    run_git(root, "commit", "-q", "-m", "legacy, known to lack a card")
    # pre-commit passes no file names when a commit only deletes: --staged finds them.
    run_git(root, "rm", "-q", "models/m/monitoring.yaml")
    assert main(staged) == 1
    out = capsys.readouterr().out
    assert "GC-MON-001" in out and "no monitoring config (monitoring.yaml in models/m, or" in out
    assert "GC-CARD" not in out and "models/legacy" not in out  # only what the commit touches


def test_deleting_the_config_is_refused(
    make_repo: MakeRepo, run_git: Git, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({**GOOD_MODEL, ".govcheck.yaml": "version: 1\n"})
    run_git(root, "rm", "-q", ".govcheck.yaml")
    assert main(["check", "--repo", str(root), "--no-mlflow", "--staged"]) == 2
    err = capsys.readouterr().err
    assert "this commit deletes .govcheck.yaml, the repository's govcheck config" in err


def test_validate_without_files_checks_the_config_and_its_policies(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "version: 1\npolicies: [builtin:all, .govcheck/policies/]\n"
    root = make_repo(
        {
            ".govcheck.yaml": config,
            ".govcheck/policies/team.yaml": TEAM_POLICY,
            "policies/other-tool.yaml": "apiVersion: v1\nkind: Policy\n",
        }
    )
    assert main(["validate", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        ".govcheck.yaml: ok (config)",
        ".govcheck/policies/team.yaml: ok (1 rules)",
    ]
    (root / ".govcheck.yaml").write_text("version: 1\nfail_on: sometimes\n", encoding="utf-8")
    assert main(["validate", "--repo", str(root)]) == 2
    assert ".govcheck.yaml:2" in capsys.readouterr().err
    bare = make_repo({"README.md": "# r\n"})
    assert main(["validate", "--repo", str(bare)]) == 0
    assert "nothing to validate" in capsys.readouterr().out


def test_a_hook_with_baseline_rev_head_fails_only_on_what_the_commit_adds(
    make_repo: MakeRepo, run_git: Git, capsys: pytest.CaptureFixture[str]
) -> None:
    # models/legacy is known to lack a card and a monitoring config.
    root = make_repo(
        {**GOOD_MODEL, "models/legacy/train.py": "print(1)\n", ".govcheck.yaml": DEPLOYED}
    )
    hook = ["check", "--repo", str(root), "--no-mlflow", "--staged", "--baseline-rev", "HEAD"]
    (root / "models/legacy/train.py").write_text("print(2)\n", encoding="utf-8")
    run_git(root, "add", "-A")
    assert main(hook) == 0  # touches the legacy model, adds nothing new
    out = capsys.readouterr().out
    assert "No new findings." in out and "2 findings unchanged" in out
    run_git(root, "rm", "-q", "models/m/MODEL_CARD.md")
    assert main(hook) == 1
    assert "GC-CARD-001" in capsys.readouterr().out
