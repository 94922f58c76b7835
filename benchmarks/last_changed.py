"""What `last_changed` costs: one `git log` pass for every tracked path of the benchmark
repository, on its own history and after a long history is added.

    python benchmarks/last_changed.py [--files N] [--commits K]

The repository is gen_repo.py's (cached); a copy of it gets K more commits (each editing
a few files, every 50th renaming one, every 10th through a merge), dated one hour apart,
so the walk has real history to go through. Measured: govcheck's pass over every tracked
path (facts/gittimes.py, what the freshness rules pay once per check), the whole history
walked by `git log --name-status -M` with no early stop (the floor of any one-pass
approach), and the one-process-per-file alternative (`git log -1 --follow`) on a sample,
scaled to every file. Medians of 5 runs; prints a table.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from gen_repo import GIT_ENV, cached

from govcheck.facts.gittimes import last_changes

SAMPLE = 40


def git(root: Path, *args: str, when: int | None = None) -> str:
    env = dict(GIT_ENV)
    if when is not None:
        env.update(GIT_AUTHOR_DATE=f"@{when} +0000", GIT_COMMITTER_DATE=f"@{when} +0000")
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def with_history(base: Path, target: Path, commits: int) -> Path:
    if (target / ".git").is_dir():
        return target
    shutil.copytree(base, target)
    rng = random.Random(16)
    files = sorted(git(target, "ls-files").split("\n")[:-1])
    editable = [f for f in files if f.endswith((".md", ".py", ".yaml"))]
    start = 1_735_689_600 + 3600  # 2025-01-01T01:00Z
    for i in range(commits):
        when = start + i * 3600
        branch = i % 10 == 9
        if branch:
            git(target, "checkout", "-q", "-b", f"b{i}")
        for path in rng.sample(editable, 3):
            with open(target / path, "a", encoding="utf-8") as handle:
                handle.write(f"\n# edit {i}\n")
        if i % 50 == 49:
            old = rng.choice(editable)
            new = old.rsplit(".", 1)[0] + f"_v{i}." + old.rsplit(".", 1)[1]
            git(target, "mv", old, new)
            editable[editable.index(old)] = new
        git(target, "add", "-A")
        git(target, "commit", "-q", "-m", f"change {i}", when=when)
        if branch:
            git(target, "checkout", "-q", "main")
            git(target, "merge", "-q", "--no-ff", "-m", f"merge {i}", f"b{i}", when=when + 60)
    return target


def median_time(fn: object, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(root: Path) -> dict[str, float]:
    paths = git(root, "ls-files").split("\n")[:-1]
    settled = last_changes(root, "HEAD", paths)
    assert len(settled) == len(paths), "every tracked path has a last change"
    ours = median_time(lambda: last_changes(root, "HEAD", paths))
    whole = median_time(
        lambda: subprocess.run(
            ["git", "log", "--date-order", "-z", "--name-status", "-M", "--format=%ct", "HEAD"],
            cwd=root,
            capture_output=True,
            check=True,
        )
    )
    sample = random.Random(1).sample(paths, SAMPLE)

    def per_file() -> None:
        for path in sample:
            subprocess.run(
                ["git", "log", "-1", "--follow", "--format=%ct", "--", path],
                cwd=root,
                capture_output=True,
                check=True,
            )

    each = median_time(per_file, repeats=3) / SAMPLE * len(paths)
    commits = int(git(root, "rev-list", "--count", "HEAD"))
    return {"files": len(paths), "commits": commits, "ours": ours, "whole": whole, "each": each}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=2000)
    args = parser.parse_args()
    cache = HERE / ".cache"
    base = cached(cache, args.files)
    long = with_history(base, cache / f"history-{args.files}-{args.commits}", args.commits)
    print(f"git: {git(base, 'version').strip()}; nproc {os.cpu_count()}")
    print(
        "| repository | files | commits | govcheck, one pass | whole `git log` | per file (scaled) |"
    )
    print("|---|---|---|---|---|---|")
    for name, root in (("benchmark", base), (f"+{args.commits} commits", long)):
        m = measure(root)
        print(
            f"| {name} | {m['files']:,.0f} | {m['commits']:,.0f} | {m['ours']:.3f} s "
            f"| {m['whole']:.3f} s | {m['each']:.1f} s |"
        )


if __name__ == "__main__":
    main()
