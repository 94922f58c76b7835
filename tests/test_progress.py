"""A check reports through its progress sink: files read as it walks the tree, and the
details --verbose shows. Nothing reaches a terminal unless the CLI draws it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from govcheck.check import CheckOptions, load_rules, run
from govcheck.config import Config
from govcheck.progress import Detail, Event, Tick
from support import GOOD_MODEL


def test_a_check_counts_the_files_it_reads_and_says_what_it_uses(
    make_repo: Callable[..., Path],
) -> None:
    files = {f"configs/c{i}.yaml": f"k: {i}\n" for i in range(30)}
    root = make_repo(
        {**GOOD_MODEL, **files, ".govcheck.yaml": "version: 1\nexclude: [configs/c0.yaml]\n"}
    )
    events: list[Event] = []
    run(CheckOptions(repo=str(root), no_mlflow=True, select=("GC-DATA",), progress=events.append))
    ticks = [e for e in events if isinstance(e, Tick)]
    assert {(t.task, t.unit) for t in ticks} == {("reading files", "files")}
    counts = [t.count for t in ticks]
    assert counts == list(range(1, len(counts) + 1)) and counts[-1] >= 29  # one tick per file read
    details = [e.text for e in events if isinstance(e, Detail)]
    assert details[0] == "config: .govcheck.yaml"
    left_out = len(load_rules(Config(path=None), root)[0]) - 2
    assert details[2] == (
        f"rules: 2 ({left_out} left out by --select/--ignore): GC-DATA-001, GC-DATA-002"
    )
    assert "files: 32 tracked in the index and working tree, 1 excluded by the config" in details
    assert details[-1] == "MLflow: not read (--no-mlflow)"


def test_a_path_limited_check_says_which_paths(make_repo: Callable[..., Path]) -> None:
    root = make_repo({**GOOD_MODEL, "configs/a.yaml": "k: 1\n"})
    events: list[Event] = []
    run(CheckOptions(repo=str(root), paths=(str(root / "configs/a.yaml"),), progress=events.append))
    details = [e.text for e in events if isinstance(e, Detail)]
    assert "limited to 1 path: configs/a.yaml" in details
