"""Git-native checking on real repositories: PATH arguments, --rev and --changed-since.

Each test builds a repository with planted violations and asserts exactly which
(rule, resource) pairs a narrowed check reports, and that nothing in the repository moved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from support import CARD, GOOD_MODEL, govcheck

MakeRepo = Callable[..., Path]
Git = Callable[..., str]

UNPINNED = "train: s3://bucket/train.csv\n"
# Every model counts as deployed, so each needs a monitoring config (GC-MON-001): these
# tests are about which models a narrowed check reaches.
DEPLOYED = {".govcheck.yaml": "version: 1\nparams: {deployed_models: ['*']}\n"}
PINNED = "train: s3://bucket/train.csv?versionId=v1\n"


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def found(*args: str, cwd: Path | None = None) -> set[tuple[str, str]]:
    """(rule, directory or file) of every finding of `govcheck check ARGS --no-mlflow`."""
    done = govcheck("check", *args, "--no-mlflow", "--format", "json", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return {
        (
            f["rule_id"],
            f["resource_id"]
            if f["resource_kind"] in ("directory", "model")
            else f["location"]["path"],
        )
        for f in json.loads(done.stdout)["findings"]
    }


def commit(root: Path, git: Git, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def untouched_state(root: Path, git: Git) -> tuple[str, str, str, str]:
    """What a read-only check must leave as it was: status, staged diff, index bytes, HEAD."""
    index = hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest()
    return (
        git(root, "status", "--porcelain=v2", "--untracked-files=all"),
        git(root, "diff", "--cached"),
        index,
        git(root, "rev-parse", "HEAD"),
    )


# --- PATH arguments ---------------------------------------------------------------------


@pytest.fixture
def planted(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            **GOOD_MODEL,
            **DEPLOYED,
            "models/x/train.py": "print(1)\n",
            "models/x/config.yaml": UNPINNED,
            "configs/data.yaml": UNPINNED,
            "configs/exp.yaml": "experiment_name: Bad Name\n",
        }
    )


def test_a_file_path_checks_the_file_and_its_model_directory(planted: Path) -> None:
    assert found("models/x/train.py", cwd=planted) == {
        ("GC-CARD-001", "models/x"),
        ("GC-MON-001", "models/x"),
    }
    assert found("configs/exp.yaml", cwd=planted) == {("GC-EXP-001", "configs/exp.yaml")}


def test_a_directory_path_checks_everything_below_it(planted: Path) -> None:
    rules = found("models", cwd=planted)
    assert {r for r, _ in rules} == {"GC-CARD-001", "GC-MON-001", "GC-DATA-001"}
    assert all(res.startswith("models/x") for _, res in rules)
    assert not any("configs/" in res for _, res in found("models/x", cwd=planted))


def test_dot_and_no_paths_check_the_whole_repository(planted: Path) -> None:
    everything = found(cwd=planted)
    assert found(".", cwd=planted) == everything
    assert {r for r, _ in everything} == {"GC-CARD-001", "GC-MON-001", "GC-DATA-001", "GC-EXP-001"}


def test_paths_are_relative_to_the_current_directory(planted: Path) -> None:
    assert found("train.py", cwd=planted / "models" / "x") == found(
        "models/x/train.py", cwd=planted
    )


def test_a_path_outside_the_repository_is_exit_2(planted: Path, tmp_path: Path) -> None:
    done = govcheck("check", str(tmp_path / "elsewhere.yaml"), cwd=planted)
    assert done.returncode == 2
    assert done.stderr.strip() == f"path is outside the repository: {tmp_path / 'elsewhere.yaml'}"


def test_a_clean_path_in_a_violating_repository_passes(planted: Path) -> None:
    done = govcheck("check", "models/m/MODEL_CARD.md", "--no-mlflow", cwd=planted)
    assert done.returncode == 0 and "No findings." in done.stdout


# --- --rev ------------------------------------------------------------------------------


def test_rev_head_reports_the_commit_while_the_index_has_a_fix(
    make_repo: MakeRepo, run_git: Git
) -> None:
    repo = make_repo({**GOOD_MODEL, "configs/data.yaml": UNPINNED})
    write_files(repo, {"configs/data.yaml": PINNED})
    run_git(repo, "add", "configs/data.yaml")  # the fix is staged, not committed
    before = untouched_state(repo, run_git)
    assert found(cwd=repo) == set()
    assert found("--rev", "HEAD", cwd=repo) == {("GC-DATA-001", "configs/data.yaml")}
    assert untouched_state(repo, run_git) == before
    assert (repo / "configs/data.yaml").read_text() == PINNED


def test_rev_head_is_clean_while_the_working_tree_breaks_it(
    make_repo: MakeRepo, run_git: Git
) -> None:
    repo = make_repo({**GOOD_MODEL, **DEPLOYED, "configs/data.yaml": PINNED})
    write_files(repo, {"configs/data.yaml": UNPINNED, "models/y/train.py": "x = 1\n"})
    run_git(repo, "add", "models/y/train.py")  # one staged, one only in the working tree
    (repo / "models/m/monitoring.yaml").unlink()  # deleted, not staged: read from HEAD
    before = untouched_state(repo, run_git)
    assert {r for r, _ in found(cwd=repo)} == {"GC-DATA-001", "GC-CARD-001", "GC-MON-001"}
    done = govcheck("check", "--rev", "HEAD", "--no-mlflow", cwd=repo)
    assert done.returncode == 0 and "No findings." in done.stdout
    assert untouched_state(repo, run_git) == before
    assert not (repo / "models/m/monitoring.yaml").exists()


def test_rev_reads_an_older_commit_and_names_it_in_the_report(
    make_repo: MakeRepo, run_git: Git
) -> None:
    repo = make_repo({**GOOD_MODEL, "configs/data.yaml": UNPINNED})
    old = run_git(repo, "rev-parse", "HEAD").strip()
    write_files(repo, {"configs/data.yaml": PINNED})
    commit(repo, run_git, "pin the data")
    run_git(repo, "tag", "v1", old)
    run_git(repo, "remote", "add", "origin", "https://example.com/ml/repo.git")
    for rev in (old, "HEAD~1", "v1"):
        done = govcheck("check", "--rev", rev, "--no-mlflow", "--format", "json", cwd=repo)
        report = json.loads(done.stdout)
        assert done.returncode == 1 and report["repo"]["head"] == old
        assert [f["rule_id"] for f in report["findings"]] == ["GC-DATA-001"]
    sarif = json.loads(
        govcheck("check", "--rev", "v1", "--no-mlflow", "--format", "sarif", cwd=repo).stdout
    )
    assert sarif["runs"][0]["versionControlProvenance"][0]["revisionId"] == old
    assert found("--rev", "main", cwd=repo) == set()


def test_rev_with_paths_narrows_the_commit(make_repo: MakeRepo, run_git: Git) -> None:
    repo = make_repo(
        {**GOOD_MODEL, **DEPLOYED, "configs/data.yaml": UNPINNED, "models/x/train.py": "print(1)\n"}
    )
    (repo / "models/x/train.py").unlink()  # gone from the working tree, still in HEAD
    assert found("--rev", "HEAD", "models/x/train.py", cwd=repo) == {
        ("GC-CARD-001", "models/x"),
        ("GC-MON-001", "models/x"),
    }


def test_an_unknown_rev_is_exit_2(make_repo: MakeRepo) -> None:
    repo = make_repo(GOOD_MODEL)
    for rev in ("no-such-branch", "--all"):
        done = govcheck("check", f"--rev={rev}", cwd=repo)
        assert done.returncode == 2 and done.stderr.strip() == f"unknown revision: {rev}"


# --- --changed-since --------------------------------------------------------------------


@pytest.fixture
def feature(make_repo: MakeRepo, run_git: Git) -> Path:
    """main: an old violating config and a model directory without a card; feature forks,
    commits a new violating config, and stages a new model directory. main then moves on."""
    repo = make_repo(
        {
            **GOOD_MODEL,
            **DEPLOYED,
            "configs/old.yaml": UNPINNED,
            "models/legacy/train.py": "print(1)\n",
            "models/n/MODEL_CARD.md": CARD,
            "models/n/train.py": "a = 1\n",
        }
    )
    run_git(repo, "checkout", "-q", "-b", "feature")
    write_files(repo, {"configs/new.yaml": UNPINNED})
    commit(repo, run_git, "new config")
    # main changes old.yaml after the fork: the merge base, not main's tip, is the baseline.
    run_git(repo, "checkout", "-q", "main")
    write_files(repo, {"configs/old.yaml": "# moved on\n" + UNPINNED})
    commit(repo, run_git, "main moves on")
    run_git(repo, "checkout", "-q", "feature")
    write_files(repo, {"models/x/train.py": "print(2)\n"})
    run_git(repo, "add", "models/x/train.py")
    return repo


def test_changed_since_reports_only_what_the_branch_touched(feature: Path) -> None:
    assert found("--changed-since", "main", cwd=feature) == {
        ("GC-DATA-001", "configs/new.yaml"),
        ("GC-CARD-001", "models/x"),
        ("GC-MON-001", "models/x"),
    }
    everything = {r for r, _ in found(cwd=feature)}
    assert everything == {"GC-DATA-001", "GC-CARD-001", "GC-MON-001"}
    assert len(found(cwd=feature)) > len(found("--changed-since", "main", cwd=feature))


def test_changed_since_rechecks_the_directory_of_a_changed_file(
    feature: Path, run_git: Git
) -> None:
    # models/n has a card but no monitoring config; only its train.py changes.
    write_files(feature, {"models/n/train.py": "a = 2\n"})
    changed = found("--changed-since", "main", cwd=feature)
    assert ("GC-MON-001", "models/n") in changed and ("GC-CARD-001", "models/n") not in changed
    assert not any(res.startswith("models/legacy") for _, res in changed)


def test_changed_since_rechecks_the_directory_of_a_deleted_file(
    feature: Path, run_git: Git
) -> None:
    run_git(feature, "rm", "-q", "models/m/monitoring.yaml")
    assert ("GC-MON-001", "models/m") in found("--changed-since", "main", cwd=feature)


def test_changed_since_without_changes_checks_nothing(make_repo: MakeRepo) -> None:
    repo = make_repo({"configs/old.yaml": UNPINNED, "models/legacy/train.py": "print(1)\n"})
    done = govcheck("check", "--changed-since", "HEAD", "--no-mlflow", cwd=repo)
    assert done.returncode == 0 and done.stdout.startswith("Nothing checked.")


def test_changed_since_is_the_same_from_a_subdirectory_or_with_repo(
    feature: Path, tmp_path: Path
) -> None:
    here = found("--changed-since", "main", cwd=feature)
    assert found("--changed-since", "main", cwd=feature / "models") == here
    assert found("--repo", str(feature), "--changed-since", "main", cwd=tmp_path) == here


def test_changed_since_an_unknown_ref_is_exit_2(feature: Path) -> None:
    done = govcheck("check", "--changed-since", "no-such-ref", cwd=feature)
    assert done.returncode == 2 and done.stderr.strip() == "unknown revision: no-such-ref"
