"""WorkingSource and RevSource over real repositories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govcheck.errors import DataSourceError, UsageError
from govcheck.facts.gitrepo import (
    RevSource,
    WorkingSource,
    changed_paths,
    open_repo,
)
from govcheck.redact import redact_remote


def working(root: Path) -> WorkingSource:
    return WorkingSource(open_repo(root))


def test_tracked_is_the_index_staged_included_untracked_excluded(run_git, make_repo) -> None:
    root = make_repo({"a.txt": "a", "sub/b.yaml": "b: 1\n"})
    (root / "staged.md").write_text("new")
    run_git(root, "add", "staged.md")
    (root / "untracked.txt").write_text("x")
    source = working(root)
    assert source.tracked() == ["a.txt", "staged.md", "sub/b.yaml"]
    assert source.read_bytes("staged.md") == b"new"


def test_gitlinks_are_not_files(run_git, make_repo) -> None:
    root = make_repo({"a.txt": "a"})
    head = run_git(root, "rev-parse", "HEAD").strip()
    run_git(root, "update-index", "--add", "--cacheinfo", f"160000,{head},vendored")
    assert working(root).tracked() == ["a.txt"]


def test_content_from_working_tree_else_index(make_repo) -> None:
    root = make_repo({"edited.txt": "old", "deleted.txt": "kept in index"})
    (root / "edited.txt").write_text("new")
    (root / "deleted.txt").unlink()
    source = working(root)
    assert source.read_bytes("edited.txt") == b"new"
    assert source.read_bytes("deleted.txt") == b"kept in index"
    assert source.size("deleted.txt") == len("kept in index")


def test_read_limit_raises_before_reading(make_repo) -> None:
    root = make_repo({"big.bin": b"x" * 2048})
    source = working(root)
    with pytest.raises(ValueError, match="big.bin"):
        source.read_bytes("big.bin", limit=1024)
    assert source.read_bytes("big.bin", limit=4096) == b"x" * 2048


def test_rev_source_reads_the_commit_not_the_working_tree(run_git, make_repo) -> None:
    root = make_repo({"config.yaml": "v: 1\n"})
    first = run_git(root, "rev-parse", "HEAD").strip()
    (root / "config.yaml").write_text("v: 2\n")
    run_git(root, "commit", "-qam", "second")
    (root / "config.yaml").write_text("v: 3 (working tree)\n")
    (root / "new.txt").write_text("staged")
    run_git(root, "add", "new.txt")
    repo = open_repo(root)
    head = RevSource(repo, "HEAD")
    assert head.tracked() == ["config.yaml"]
    assert head.read_bytes("config.yaml") == b"v: 2\n"
    assert head.size("config.yaml") == 5
    older = RevSource(repo, "HEAD~1")
    assert older.read_bytes("config.yaml") == b"v: 1\n"
    assert older.info().head == first
    assert older.info().branch is None
    assert RevSource(repo, "main").info().branch == "main"
    with pytest.raises(ValueError):
        head.read_bytes("config.yaml", limit=2)


@pytest.mark.parametrize("rev", ["nope", "--all", "HEAD~9"])
def test_bad_rev_is_a_usage_error(make_repo, rev: str) -> None:
    root = make_repo({"a": "a"})
    with pytest.raises(UsageError, match=f"unknown revision: {rev}"):
        RevSource(open_repo(root), rev)


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="not a git repository"):
        open_repo(tmp_path)


def test_open_repo_searches_upwards(make_repo) -> None:
    root = make_repo({"models/a/README.md": "# a"})
    assert working(root / "models" / "a").root == root


def test_info_strips_credentials_and_prefers_origin(run_git, make_repo) -> None:
    root = make_repo({"a": "a"})
    run_git(root, "remote", "add", "backup", "https://other.example/x.git")
    run_git(root, "remote", "add", "origin", "https://jane:s3cret@github.com/acme/ml.git")
    info = working(root).info()
    assert info.remote_url == "https://github.com/acme/ml.git"
    assert info.branch == "main"
    assert info.head == run_git(root, "rev-parse", "HEAD").strip()
    assert info.root == str(root)


def test_info_detached_and_unborn(run_git, make_repo) -> None:
    root = make_repo({"a": "a"})
    run_git(root, "checkout", "-q", "--detach")
    assert working(root).info().branch is None
    empty = make_repo({}, commit=False)
    info = working(empty).info()
    assert (info.head, info.branch, info.remote_url) == (None, "main", None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pass@host/r.git", "https://host/r.git"),
        ("https://ghp_token@github.com/o/r", "https://github.com/o/r"),
        ("ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git"),
        ("ssh://git:pw@github.com/o/r.git", "ssh://github.com/o/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("https://github.com/o/r.git", "https://github.com/o/r.git"),
    ],
)
def test_redact_remote(url: str, expected: str) -> None:
    assert redact_remote(url) == expected


def test_commit_exists(run_git, make_repo) -> None:
    root = make_repo({"a": "a"})
    head = run_git(root, "rev-parse", "HEAD").strip()
    tree = run_git(root, "rev-parse", "HEAD^{tree}").strip()
    source = working(root)
    assert source.commit_exists(head)
    assert source.commit_exists(head[:8])
    assert source.commit_exists(head.upper())
    assert not source.commit_exists(tree)  # an object, but not a commit
    assert not source.commit_exists("0" * 40)
    assert not source.commit_exists("HEAD")
    assert not source.commit_exists("main")
    assert not source.commit_exists("")
    assert RevSource(source.repo, "HEAD").commit_exists(head)


def test_attributes_in_one_call(make_repo) -> None:
    root = make_repo(
        {".gitattributes": "*.parquet filter=lfs diff=lfs\n", "a.parquet": "x", "b.csv": "y"}
    )
    expected = {"a.parquet": "lfs", "b.csv": None}
    assert working(root).attributes(["a.parquet", "b.csv"], "filter") == expected
    assert RevSource(open_repo(root), "HEAD").attributes(["a.parquet", "b.csv"], "filter") == (
        expected
    )
    assert working(root).attributes([], "filter") == {}


def test_symlinks_inside_are_read_outside_are_flagged(run_git, make_repo, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    root = make_repo({"real.txt": "inside"})
    os.symlink("real.txt", root / "inside-link")
    os.symlink(str(secret), root / "outside-link")
    os.symlink("../secret.txt", root / "relative-out")
    run_git(root, "add", "inside-link", "outside-link", "relative-out")
    run_git(root, "commit", "-qm", "links")
    for source in (working(root), RevSource(open_repo(root), "HEAD")):
        assert source.is_symlink("inside-link")
        assert not source.points_outside("inside-link")
        assert source.read_bytes("inside-link") == b"inside"
        for link in ("outside-link", "relative-out"):
            assert source.points_outside(link)
            with pytest.raises(ValueError):
                source.read_bytes(link)


def test_changed_paths_since_a_ref(make_repo, run_git) -> None:
    root = make_repo({"a.yaml": "a: 1\n", "b.yaml": "b: 1\n", "c.yaml": "c: 1\n"})
    run_git(root, "checkout", "-q", "-b", "feature")
    (root / "a.yaml").write_text("a: 2\n")
    run_git(root, "commit", "-qam", "change a")
    (root / "b.yaml").write_text("b: 2\n")  # unstaged
    (root / "new.yaml").write_text("n: 1\n")
    run_git(root, "add", "new.yaml")  # staged
    (root / "untracked.yaml").write_text("u: 1\n")
    assert changed_paths(root, "main") == ["a.yaml", "b.yaml", "new.yaml"]
    with pytest.raises(UsageError, match="unknown revision: nope"):
        changed_paths(root, "nope")


def test_changed_paths_ignore_later_changes_on_the_base_branch(make_repo, run_git) -> None:
    root = make_repo({"a.yaml": "a: 1\n", "c.yaml": "c: 1\n"})
    run_git(root, "checkout", "-q", "-b", "feature")
    (root / "a.yaml").write_text("a: 2\n")
    run_git(root, "commit", "-qam", "feature change")
    run_git(root, "checkout", "-q", "main")
    (root / "c.yaml").write_text("c: 2\n")
    run_git(root, "commit", "-qam", "main moves on")
    run_git(root, "checkout", "-q", "feature")
    assert changed_paths(root, "main") == ["a.yaml"]


def test_nothing_under_git_is_read_through_a_symlink(run_git, make_repo, tmp_path: Path) -> None:
    # A CI checkout keeps its token in .git/config; a tracked link must not surface it.
    root = make_repo({"real.txt": "inside", "sub/x.txt": "x"})
    run_git(root, "config", "http.extraheader", "AUTHORIZATION: basic TOKEN-SECRET")
    os.symlink(".git/config", root / "leak.yaml")
    os.symlink("../.git/HEAD", root / "sub" / "head.txt")
    os.symlink(str(root / ".GIT" / "config"), root / "upper.yaml")  # case-insensitive file systems
    nested = root / "vendor" / "lib"
    nested.mkdir(parents=True)
    run_git(nested, "init", "-q")
    os.symlink("vendor/lib/.git/config", root / "nested.yaml")
    links = ("leak.yaml", "sub/head.txt", "upper.yaml", "nested.yaml")
    run_git(root, "add", *links)
    run_git(root, "commit", "-qm", "links")
    for source in (working(root), RevSource(open_repo(root), "HEAD")):
        for link in links:
            assert source.points_outside(link), link
            with pytest.raises(ValueError):
                source.read_bytes(link)
            assert source.size(link) == 0


def test_a_directory_swapped_for_a_link_into_git_is_read_from_the_index(run_git, make_repo) -> None:
    root = make_repo({"conf/config": "committed\n"})
    (root / "conf" / "config").unlink()
    (root / "conf").rmdir()
    os.symlink(".git", root / "conf")  # conf/config now resolves to .git/config
    assert working(root).read_bytes("conf/config") == b"committed\n"
