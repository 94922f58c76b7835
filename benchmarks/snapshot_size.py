"""How large a `govcheck snapshot` of M runs is, and how long it takes to record and read.

    python benchmarks/snapshot_size.py            # M = 100,000 (the store is cached)
    python benchmarks/snapshot_size.py --runs 10000

Records the store made by gen_mlflow.py four ways (the built-in rules' fields or
--all-fields, plain or gzip), reads each back, records it again to show an unchanged file
is left alone, and checks that two gzip recordings are byte-identical.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import gen_mlflow

from govcheck.check import load_rules, rule_reads
from govcheck.config import Config
from govcheck.facts.mlflow_fieldset import record_paths
from govcheck.facts.mlflow_store import Scope
from govcheck.facts.snapshot_store import SnapshotStore, write_snapshot

COMMIT = "0" * 40


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=100_000, help="runs in the store")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    cache = HERE / ".cache"
    cache.mkdir(exist_ok=True)
    db = gen_mlflow.cached(cache, args.runs, COMMIT)
    uri = f"sqlite:///{db}"
    rules, _ = load_rules(Config(path=None), HERE)
    fields = record_paths(rule_reads(rules))
    print("| fields | file | size | record | read | record again |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as out:
        for label, chosen in (("built-in rules", fields), ("--all-fields", None)):
            for name in ("mlflow.json", "mlflow.json.gz"):
                path = os.path.join(out, name)
                started = time.perf_counter()
                counts, digest, _ = write_snapshot(
                    uri, path, Scope(), chosen, "sqlite:///mlflow.db"
                )
                record = time.perf_counter() - started
                size = os.path.getsize(path)
                started = time.perf_counter()
                runs = len(SnapshotStore.load(path, Scope()).runs())
                read = time.perf_counter() - started
                before = Path(path).read_bytes()
                started = time.perf_counter()
                _, again, unchanged = write_snapshot(
                    uri, path, Scope(), chosen, "sqlite:///mlflow.db"
                )
                rerecord = time.perf_counter() - started
                assert unchanged and again == digest and Path(path).read_bytes() == before
                assert runs == counts["runs"] == args.runs
                if name.endswith(".gz"):
                    other = os.path.join(out, "again.json.gz")
                    write_snapshot(uri, other, Scope(), chosen, "sqlite:///mlflow.db")
                    same = _without_time(Path(other)) == _without_time(Path(path))
                    assert same, "two gzip recordings differ beyond recorded_at"
                os.unlink(path)
                print(
                    f"| {label} | `{name}` | {size / 1e6:.1f} MB | {record:.0f} s | "
                    f"{read:.1f} s | {rerecord:.0f} s, file unchanged |"
                )
    return 0


def _without_time(path: Path) -> bytes:
    import gzip
    import re

    return re.sub(rb'"recorded_at": "[^"]*"', b"", gzip.decompress(path.read_bytes()))


if __name__ == "__main__":
    raise SystemExit(main())
