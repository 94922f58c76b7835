"""Whole-check verdicts kept between runs (verdicts.py, facts/treestate.py,
facts/recording.py): reused only while nothing the check read has changed, and the report
then the same, byte for byte, as a check without the cache."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from govcheck import check as check_mod
from govcheck import verdicts
from govcheck.check import CheckOptions
from govcheck.facts import gitrepo, treestate
from govcheck.filecache import PACK, cache_dir
from govcheck.progress import Detail
from govcheck.reporters import REPORTERS
from support import govcheck

# When a report was made, and how long it took (JSON, SARIF, JUnit): all else must match.
STAMPS = re.compile(
    r'"(started_at|ended_at|startTimeUtc|endTimeUtc)": "[^"]*"| time(stamp)?="[^"]*"'
)
TRAIN = """\
experiment_name: fraud/train
data:
  train: data/raw/input.csv
  eval: s3://bucket/eval.parquet
"""
CARD = """\
---
license: mit
---
# Fraud model

## Intended use
Scoring card transactions.

## Training data
data/raw/input.csv

## Evaluation
AUC 0.91.

## Limitations
None known.
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    files = {
        ".govcheck.yaml": "version: 1\npolicies: [builtin:all]\n",
        "models/fraud/train.yaml": TRAIN,
        "models/fraud/MODEL_CARD.md": CARD,
        "models/fraud/monitoring.yaml": "model: fraud\nmetrics: []\n",
        "notebooks/explore.ipynb": json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "source": ["import pandas as pd\n", "df = pd.read_csv('data/x.csv')\n"],
                        "metadata": {},
                        "outputs": [],
                        "execution_count": None,
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        ),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x")
    return root


def check(root: Path, cache: bool = True, fmt: str = "json") -> tuple[str, bool]:
    """The report (timestamps removed) and whether the kept verdict was reused."""
    said: list[str] = []

    def progress(event: object) -> None:
        if isinstance(event, Detail):
            said.append(event.text)

    options = CheckOptions(repo=str(root), no_mlflow=True, cache=cache, progress=progress)
    text = STAMPS.sub("", REPORTERS[fmt](check_mod.run(options)))
    return text, any(s.startswith("verdict: reused") for s in said)


def kept(root: Path) -> list[Path]:
    return sorted(cache_dir(root / ".git").glob(f"{verdicts.PREFIX}*.json"))


def test_a_check_of_an_unchanged_tree_reuses_its_verdict(repo: Path) -> None:
    plain, _ = check(repo, cache=False)
    assert not kept(repo)
    assert "GC-DATA-001" in plain  # the local input is not pinned: there is something to keep
    first, reused = check(repo)
    assert (first, reused) == (plain, False) and len(kept(repo)) == 1
    for fmt in ("json", "sarif", "junit", "text"):
        assert check(repo, fmt=fmt) == (check(repo, cache=False, fmt=fmt)[0], True)
    # The pack of parsed files is not needed for it, and stays as it was.
    (cache_dir(repo / ".git") / PACK).unlink()
    assert check(repo) == (plain, True)


@pytest.mark.parametrize("how", ["unstaged", "staged", "committed", "deleted"])
def test_any_change_to_a_tracked_file_is_a_new_check(repo: Path, how: str) -> None:
    check(repo)
    target = repo / "models/fraud/train.yaml"
    if how == "deleted":
        target.unlink()
    else:
        target.write_text(TRAIN.replace("data/raw/input.csv", "data/raw/other.csv"))
    if how in ("staged", "committed"):
        git(repo, "add", "-A")
    if how == "committed":
        git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "y")
    changed, reused = check(repo)
    assert not reused
    assert changed == check(repo, cache=False)[0]
    assert ("other.csv" in changed) == (how != "deleted")
    assert check(repo) == (changed, True)


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_a_file_git_is_told_not_to_watch_is_still_compared(repo: Path, flag: str) -> None:
    check(repo)
    git(repo, "update-index", flag, "models/fraud/train.yaml")
    assert git(repo, "diff-files", "--name-only") == ""  # git itself no longer looks
    target = repo / "models/fraud/train.yaml"
    target.write_text(TRAIN.replace("data/raw/input.csv", "data/raw/other.csv"))
    changed, reused = check(repo)
    assert not reused and "other.csv" in changed
    assert changed == check(repo, cache=False)[0]


def test_an_edit_back_to_the_same_bytes_reuses_the_verdict(repo: Path) -> None:
    target = repo / "models/fraud/train.yaml"
    first, _ = check(repo)
    target.write_text(TRAIN + "# a comment\n")
    assert check(repo)[1] is False
    target.write_text(TRAIN)  # the same content again (new mtime): the first verdict holds
    assert check(repo) == (first, True)


def test_an_untracked_file_a_reference_names_is_asked_again(repo: Path) -> None:
    before, _ = check(repo)
    assert "not in the repository and not tracked by DVC" in before
    raw = repo / "data/raw/input.csv"
    raw.parent.mkdir(parents=True)
    raw.write_text("a,b\n")  # untracked: not in the tree digest, but the check looked for it
    after, reused = check(repo)
    assert not reused
    assert "neither committed nor tracked by DVC" in after
    assert after == check(repo, cache=False)[0]
    raw.unlink()
    assert check(repo) == (before, False)  # one verdict per key: the last one asked again


def test_the_config_and_the_date_are_part_of_the_key(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check(repo)
    monkeypatch.setattr(verdicts, "today", lambda: "2099-01-01")  # waivers may have expired
    assert check(repo)[1] is False
    config = repo / ".govcheck.yaml"
    config.write_text(config.read_text() + "rules:\n  GC-DATA-001: off\n")
    quiet, reused = check(repo)
    assert not reused and "GC-DATA-001" not in quiet
    assert quiet == check(repo, cache=False)[0]


def test_a_check_that_reads_the_clock_is_not_kept(repo: Path) -> None:
    policy = repo / "policies/age.yaml"
    policy.parent.mkdir()
    policy.write_text(
        "version: 1\nrules:\n  - id: ORG-AGE-001\n    name: stamp-recent\n"
        "    title: Stamped recently\n    severity: warning\n    resource: file\n"
        "    where: {field: path, glob: configs/*.yaml}\n"
        "    require: {field: data.stamp, newer_than_days: 30}\n"
        "    message: stale {path}\n"
    )
    (repo / "configs").mkdir()
    (repo / "configs/run.yaml").write_text("stamp: 2020-01-01\n")
    (repo / ".govcheck.yaml").write_text("version: 1\npolicies: [builtin:all, policies/age.yaml]\n")
    git(repo, "add", "-A")
    text, _ = check(repo)
    assert "ORG-AGE-001" in text and "days old" in text
    assert not kept(repo)  # "N days old" changes with the clock
    assert check(repo)[1] is False


def test_a_damaged_or_foreign_verdict_is_a_miss_and_is_rewritten(repo: Path) -> None:
    plain, _ = check(repo)
    (entry,) = kept(repo)
    header, body = entry.read_text().split("\n", 1)
    data = json.loads(body)
    data["verdict"]["findings"] = []  # a verdict without the findings...
    forged = json.dumps(data)
    damages = [
        "",  # empty
        header + "\n" + body[: len(body) // 2],  # cut short
        header + "\n" + forged,  # ...whose checksum no longer matches
        "garbage\n{}",
    ]
    for damaged in damages:
        entry.write_text(damaged)
        assert check(repo) == (plain, False)
        assert check(repo) == (plain, True)  # written whole again


def test_git_answers_are_asked_again_before_reuse(repo: Path, tmp_path: Path) -> None:
    cache = verdicts.VerdictCache(tmp_path / "kept")
    source = gitrepo.WorkingSource(gitrepo.open_repo(repo))
    head = git(repo, "rev-parse", "HEAD").strip()
    missing = "0" * 39 + "1"
    verdict = verdicts.Verdict((), (), (), (), (), ("a notice",), ())
    for asked, holds in [
        ([(["commit", head], True)], True),
        ([(["commit", missing], True)], False),  # the commit the verdict saw is gone
        ([(["shallow"], False)], True),
        ([(["attributes", "filter", ["a.csv"]], {"a.csv": "lfs"})], False),
        ([(["remotes"], [])], True),
    ]:
        cache.store("k", verdict, verdicts.Inputs(tuple(asked), ()))
        got = cache.load("k", source, repo)
        assert (got == verdict) is holds, asked
    cache.store("k", verdict, verdicts.Inputs(((["rm", "-rf"], True),), ()))
    assert cache.load("k", source, repo) is None  # not a question it asks


def test_the_tree_digest_follows_the_working_tree(repo: Path) -> None:
    def digest() -> str | None:
        return treestate.digest(gitrepo.WorkingSource(gitrepo.open_repo(repo)))

    first = digest()
    (repo / "untracked.txt").write_text("x")  # untracked files are not the tree
    assert digest() == first
    card = repo / "models/fraud/MODEL_CARD.md"
    card.write_text(CARD + "\n")
    edited = digest()
    assert edited != first
    card.write_text(CARD)
    assert digest() == first
    (repo / "link.md").symlink_to("models/fraud/MODEL_CARD.md")
    git(repo, "add", "link.md")
    linked = digest()
    assert linked not in (first, edited)
    (repo / "link.md").unlink()
    (repo / "link.md").symlink_to("models/fraud/train.yaml")  # retargeted, not restaged
    assert digest() != linked
    rev = treestate.digest(gitrepo.RevSource(gitrepo.open_repo(repo), "HEAD"))
    assert rev == "commit " + git(repo, "rev-parse", "HEAD").strip()


def test_only_the_newest_verdicts_are_kept(repo: Path) -> None:
    cache = verdicts.VerdictCache(cache_dir(repo / ".git"))
    verdict = verdicts.Verdict((), (), (), (), (), (), ())
    for i in range(12):
        cache.store(verdicts.key([i]), verdict, verdicts.Inputs((), ()))
    assert len(kept(repo)) == 8


def test_cli_cache_clear_removes_kept_verdicts(repo: Path) -> None:
    assert govcheck("check", "--no-mlflow", "-q", cwd=repo).returncode == 1
    assert kept(repo)
    assert govcheck("check", "--no-mlflow", "-q", "--no-cache", cwd=repo).returncode == 1
    done = govcheck("cache", "clear", cwd=repo)
    assert done.returncode == 0 and not kept(repo)


def test_checked_pairs_are_written_as_the_generic_encoder_writes_them() -> None:
    from govcheck.model import Checked, Location

    pairs = [
        Checked("GC-X-001", "a.yaml", Location("a.yaml", 3, 7, "s3://b/k"), "failed"),
        Checked("GC-X-001", "b.yaml", Location("b.yaml"), "passed"),
        Checked("GC-X-002", "run:1", None, "passed"),
    ]
    for pair in pairs:
        written = verdicts._encode_checked(pair)
        assert written == verdicts._encode(pair)
        assert verdicts._checked(json.loads(json.dumps(written))) == pair
