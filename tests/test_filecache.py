"""The content cache (filecache.py, facts/encoded.py) and the parse workers (prefetch.py).

Exact round trips of located values, hits and misses keyed by content, damaged packs
ignored and rewritten, two checks writing at once, and the report of a repository holding
every file kind the same with the cache cold, warm, after an edit, without it, and with
parse workers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govcheck import check as check_mod
from govcheck.check import CheckOptions
from govcheck.facts import encoded, markdown, prefetch
from govcheck.facts.parsing import parse_file
from govcheck.filecache import PACK, FileCache, blob_id, cache_dir, clear
from govcheck.reporters import REPORTERS
from govcheck.verdicts import PREFIX
from govcheck.yamlsrc import LDict, LList
from support import govcheck, write_files

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gen_repo

YAML = """\
defaults: &defaults
  image: python:3.11
  retries: 3
  tags: &tags [a, b]
jobs:
  train:
    <<: *defaults
    data: s3://bucket/train.csv
    also: *tags
  eval: {<<: *defaults, when: 2024-01-02, stamp: 2024-01-02T03:04:05Z}
numbers: [1, 1.5, .inf, -.inf, .nan, 0x1f, null, true, ~]
1: int key
~: null key
!Ref ref: !GetAtt X.Y
---
second: [doc]
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join('*' + p for p in [prev] * 10)}]\n"
    for prev, c in zip("abcdef", "bcdefg")
)


def same(a: Any, b: Any, seen: dict[int, int] | None = None) -> None:
    """a and b equal in value, type, marks and in which containers are shared."""
    seen = {} if seen is None else seen
    assert type(a) is type(b), (a, b)
    if isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
        return
    if isinstance(a, (dict, list)):
        if id(a) in seen:
            assert seen[id(a)] == id(b), "a shared container was copied"
            return
        seen[id(a)] = id(b)
    if isinstance(a, LDict):
        assert a.mark == b.mark and a.key_marks == b.key_marks and a.value_marks == b.value_marks
    if isinstance(a, LList):
        assert a.mark == b.mark and a.item_marks == b.item_marks
    if isinstance(a, dict):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        for k in a:
            same(a[k], b[k], seen)
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y, seen)
    else:
        assert a == b


def roundtrip(path: str, text: str) -> None:
    parsed = parse_file(path, text)
    assert parsed is not None
    enc = encoded.encode_parsed(parsed, path)
    assert enc is not None
    back = encoded.decode_parsed(json.loads(json.dumps(enc)), path)
    assert back.problem == parsed.problem and back.refused == parsed.refused
    same(parsed.documents, back.documents)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("c.yaml", YAML),
        ("broken.yaml", "a: [1, 2\nb: 3\n"),
        ("bomb.yaml", BOMB),
        ("deep.json", "[" * 150 + "]" * 150),
        ("x.json", '{"a": [1, 2.5, "s3://b/k"], "n": null, "t": true, "dup": 1}'),
        ("nan.json", '{"a": NaN, "b": [1e400]}'),
        ("tsconfig.json", '{\n  // comment\n  "a": [1, 2,],\n}\n'),
        ("p.toml", '[x]\nwhen = 1979-05-27T07:32:00Z\nday = 1979-05-27\nt = 07:32:00\ns = "v"\n'),
        ("bad.toml", "[x\n"),
        ("MLproject", "name: p\nentry_points: {main: {command: python t.py}}\n"),
    ],
)
def test_parsed_files_round_trip_exactly(path: str, text: str) -> None:
    roundtrip(path, text)


def test_aliases_stay_shared_and_refusals_are_kept() -> None:
    parsed = parse_file("c.yaml", YAML)
    assert parsed is not None
    back = encoded.decode_parsed(
        json.loads(json.dumps(encoded.encode_parsed(parsed, "c.yaml"))), "c.yaml"
    )
    jobs = back.documents[0]["jobs"]
    assert jobs["train"]["also"] is back.documents[0]["defaults"]["tags"]
    assert isinstance(jobs["eval"]["stamp"], str)
    bomb = parse_file("bomb.yaml", BOMB)
    assert bomb is not None and bomb.refused
    again = encoded.decode_parsed(encoded.encode_parsed(bomb, "bomb.yaml"), "bomb.yaml")
    assert again.refused and again.error == bomb.error


def test_toml_dates_come_back_as_dates() -> None:
    parsed = parse_file("p.toml", "when = 1979-05-27T07:32:00Z\nday = 1979-05-27\n")
    assert parsed is not None
    back = encoded.decode_parsed(
        json.loads(json.dumps(encoded.encode_parsed(parsed, "p.toml"))), "p.toml"
    )
    assert back.data["when"] == dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.timezone.utc)
    assert type(back.data["day"]) is dt.date


def test_markdown_front_matter_and_scan_round_trip() -> None:
    text = "---\nlicense: mit\ntags: [a]\n---\n# Card\n\n## Uses\n\n<!-- x -->\n```\n# no\n```\n"
    front = markdown.front_matter(text, "README.md")
    back = encoded.decode_front(
        json.loads(json.dumps(encoded.encode_front(front, "README.md"))), "README.md"
    )
    assert (back.body_start, back.error, back.start) == (front.body_start, front.error, front.start)
    same(front.data, back.data)
    scan = markdown.scan_with(text, front)
    assert encoded.decode_scan(json.loads(json.dumps(encoded.encode_scan(scan)))) == scan


# --- the pack ------------------------------------------------------------------------------


def test_entries_survive_a_save_and_damage_is_a_miss(tmp_path: Path) -> None:
    store = FileCache(tmp_path / "c", stamp="s1")
    store.put("k1", [1, "a"])
    store.put("k2", {"b": None})
    store.save()
    again = FileCache(tmp_path / "c", stamp="s1")
    assert again.get("k1") == [1, "a"] and again.get("k2") == {"b": None}
    assert again.get("k3") is None
    # another govcheck (version or source) never reads the entries
    assert FileCache(tmp_path / "c", stamp="s2").get("k1") is None

    pack = tmp_path / "c" / PACK
    data = pack.read_bytes()
    pack.write_bytes(data.replace(b'[1,"a"]', b'[1,"z"]'))  # one entry damaged, CRC kept
    damaged = FileCache(tmp_path / "c", stamp="s1")
    assert damaged.get("k1") is None  # not trusted
    assert damaged.get("k2") == {"b": None}  # the others still are
    damaged.put("k1", [1, "a"])  # recomputed...
    damaged.save()  # ...and rewritten
    assert FileCache(tmp_path / "c", stamp="s1").get("k1") == [1, "a"]


def test_a_small_check_keeps_other_entries_but_not_superseded_ones(tmp_path: Path) -> None:
    full = FileCache(tmp_path, stamp="s")
    for path in ("a.yaml", "b.yaml", "c.yaml"):
        full.put(FileCache.key("parsed", path, "blob1"), path)
    full.save()
    small = FileCache(tmp_path, stamp="s")  # a pre-commit check of a.yaml, since edited
    assert small.get(FileCache.key("parsed", "a.yaml", "blob2")) is None
    small.put(FileCache.key("parsed", "a.yaml", "blob2"), "a2")
    small.save()
    after = FileCache(tmp_path, stamp="s")
    assert after.get(FileCache.key("parsed", "a.yaml", "blob2")) == "a2"
    assert after.get(FileCache.key("parsed", "b.yaml", "blob1")) == "b.yaml"  # kept
    assert after.get(FileCache.key("parsed", "a.yaml", "blob1")) is None  # superseded


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"\x00garbage\xff" * 20,  # garbage
        lambda b: b"",  # empty
        lambda b: b.replace(b"{", b"[", 1),  # the index altered
    ],
)
def test_a_damaged_pack_is_ignored_and_rewritten(tmp_path: Path, damage: Any) -> None:
    store = FileCache(tmp_path, stamp="s")
    store.put("k", "v")
    store.save()
    pack = tmp_path / PACK
    pack.write_bytes(damage(pack.read_bytes()))
    again = FileCache(tmp_path, stamp="s")
    assert again.get("k") is None
    again.put("k", "v2")
    again.save()
    assert FileCache(tmp_path, stamp="s").get("k") == "v2"


def test_blob_id_is_gits(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"hello\n")
    done = subprocess.run(
        ["git", "hash-object", str(tmp_path / "f")], capture_output=True, text=True, check=True
    )
    assert blob_id(b"hello\n") == done.stdout.strip()


# --- whole checks ----------------------------------------------------------------------------

STAMPS = re.compile(r'"(started_at|ended_at)": "[^"]*"')
EXTRA = {  # what a generated repository does not hold: files the bounds refuse or skip
    "configs/bomb.yaml": BOMB,
    "configs/broken.yaml": "a: [1, 2\nb: 3\n",
    "configs/latin1.yaml": "name: caf\xe9\n".encode("latin-1"),
    "configs/deep.json": "[" * 150 + "]" * 150,
    "configs/big.json": '{"a": "' + "x" * 2_200_000 + '"}',
}


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository of every file kind the readers parse (the benchmark's generator)."""
    root = tmp_path_factory.mktemp("kinds") / "repo"
    root.mkdir()
    files: dict[str, str | bytes] = dict(gen_repo.layout(250))
    files.update(EXTRA)
    files[".govcheck.yaml"] = "version: 1\npolicies: [builtin:all]\nmax_file_mb: 2\n"
    git(root, "init", "-q", "-b", "main")
    write_files(root, files)
    (root / "configs/outside.yaml").symlink_to("/etc/hostname")  # skipped, with a notice
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x")
    return root


def report(root: Path, cache: bool) -> str:
    options = CheckOptions(repo=str(root), no_mlflow=True, cache=cache)
    return STAMPS.sub("", REPORTERS["json"](check_mod.run(options)))


def test_the_report_is_the_same_cold_warm_edited_and_without_cache(every_kind: Path) -> None:
    root = every_kind
    pack = cache_dir(root / ".git") / PACK
    pack.unlink(missing_ok=True)
    plain = report(root, cache=False)
    assert not pack.exists()  # --no-cache leaves nothing behind
    assert '"configs/bomb.yaml:' in plain and "not UTF-8" in plain  # the bounds held
    assert report(root, cache=True) == plain  # cold: the pack is made
    first = pack.stat().st_mtime_ns
    assert report(root, cache=True) == plain  # warm: read, nothing new to write
    assert pack.stat().st_mtime_ns == first
    # an edit in the working tree: that file is parsed again, its old entry never used
    target = root / "models/model-0001/monitoring.yaml"
    before = target.read_text()
    try:
        target.write_text(before.replace("alerts:", "alerts_off:"))
        edited = report(root, cache=False)
        assert edited != plain
        assert report(root, cache=True) == edited
    finally:
        target.write_text(before)
    assert report(root, cache=True) == plain


def test_parse_workers_give_the_same_report(
    every_kind: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if prefetch.cores() < 2:
        pytest.skip("one core: no workers are started")
    with monkeypatch.context() as one_core:
        one_core.setenv("GOVCHECK_JOBS", "1")  # no workers: the same report, notices in order
        plain = report(every_kind, cache=False)
    assert "skipped symlink configs/outside.yaml" in plain
    started: list[int] = []
    real = prefetch.prefetch

    def counted(*args: Any) -> int:
        started.append(real(*args))
        return started[-1]

    monkeypatch.setattr(prefetch, "POOL_MIN_FILES", 10)
    monkeypatch.setattr(prefetch, "prefetch", counted)
    assert report(every_kind, cache=False) == plain
    cache_dir(every_kind / ".git").joinpath(PACK).unlink(missing_ok=True)
    assert report(every_kind, cache=True) == plain
    assert started and started[0] > 100  # the workers did parse the files


def test_a_path_limited_check_starts_no_workers(
    every_kind: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prefetch, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(
        prefetch.multiprocessing, "get_context", lambda *a: pytest.fail("a pool started")
    )
    options = CheckOptions(
        repo=str(every_kind),
        no_mlflow=True,
        paths=(str(every_kind / "models/model-0001/monitoring.yaml"),),
    )
    check_mod.run(options)


def test_two_checks_at_once_leave_a_valid_pack(every_kind: Path) -> None:
    pack = cache_dir(every_kind / ".git") / PACK
    clear(pack.parent)  # no kept verdict either: both checks parse and write
    code = (
        "import sys, re; from govcheck.check import CheckOptions, run;"
        "from govcheck.reporters import REPORTERS;"
        f"r = run(CheckOptions(repo={str(every_kind)!r}, no_mlflow=True, cache=True));"
        "sys.stdout.write(re.sub(r'\"(started_at|ended_at)\": \"[^\"]*\"', '', REPORTERS['json'](r)))"
    )
    env = {"PYTHONPATH": str(Path(check_mod.__file__).parents[1]), "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300)[0].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    plain = report(every_kind, cache=False)
    assert outs[0] == outs[1] == plain
    store = FileCache(pack.parent)
    assert store.get(next(iter(store._load()))) is not None  # the last writer's pack is whole
    left = {p.name for p in pack.parent.iterdir()} - {PACK}
    assert len(left) == 1 and left.pop().startswith(PREFIX)  # their verdict; no temporary


def test_the_cache_lives_in_the_common_git_dir_of_a_worktree(every_kind: Path) -> None:
    tree = every_kind.parent / "wt"
    git(every_kind, "worktree", "add", "-q", str(tree))
    try:
        assert (tree / ".git").is_file()
        pack = cache_dir(every_kind / ".git") / PACK
        clear(pack.parent)
        report(tree, cache=True)
        assert pack.is_file()
        tracked = git(tree, "status", "--porcelain", "--untracked-files=all")
        assert "govcheck" not in tracked
    finally:
        git(every_kind, "worktree", "remove", "--force", str(tree))


def test_cli_no_cache_leaves_nothing_and_cache_clear_removes_it(every_kind: Path) -> None:
    pack = cache_dir(every_kind / ".git") / PACK
    assert govcheck("cache", "clear", cwd=every_kind).returncode == 0
    assert not pack.parent.exists()
    quick = ("check", "--no-mlflow", "-q", "--select", "GC-FILE-001")  # parses every config
    assert govcheck(*quick, "--no-cache", cwd=every_kind).returncode == 1
    assert not pack.parent.exists()
    assert govcheck(*quick, cwd=every_kind).returncode == 1
    assert pack.is_file()
    done = govcheck("cache", "clear", cwd=every_kind)
    assert done.returncode == 0 and "removed" in done.stdout
    assert not pack.parent.exists()
    again = govcheck("cache", "clear", "--repo", str(every_kind))
    assert again.returncode == 0 and "nothing to remove" in again.stdout
