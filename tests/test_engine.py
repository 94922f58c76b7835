"""The engine's bounds: however many resources fail, a rule reports a bounded number of
findings, and a notice says how many more there were."""

from __future__ import annotations

import time

from govcheck.check import CheckOptions, run
from govcheck.engine import MAX_FINDINGS_PER_FILE, MAX_FINDINGS_PER_RULE
from govcheck.facts.references import MAX_REFERENCES_PER_FILE


def _refs(n: int, start: int = 0) -> str:
    return "items:\n" + "".join(f"  - s3://b/{i}.csv\n" for i in range(start, start + n))


def test_findings_are_capped_per_file_and_per_rule(make_repo) -> None:
    files = {"conf/big.yaml": _refs(MAX_FINDINGS_PER_FILE * 3)}
    files.update({f"conf/part{i:02}.yaml": _refs(80, 1000 * i) for i in range(15)})
    root = make_repo(files)
    report = run(CheckOptions(repo=str(root), no_mlflow=True, select=("GC-DATA-001",)))
    per_file: dict[str, int] = {}
    for f in report.findings:
        assert f.location is not None
        per_file[f.location.path] = per_file.get(f.location.path, 0) + 1
    assert per_file["conf/big.yaml"] == MAX_FINDINGS_PER_FILE
    assert len(report.findings) == MAX_FINDINGS_PER_RULE
    total = MAX_FINDINGS_PER_FILE * 3 + 15 * 80
    more = (
        f"GC-DATA-001: {total - MAX_FINDINGS_PER_RULE:,} more findings not reported (at most "
        f"{MAX_FINDINGS_PER_FILE} per file and {MAX_FINDINGS_PER_RULE:,} per rule); fix the "
        "reported ones first"
    )
    assert report.notices == (more,)


def test_a_file_of_200000_references_is_checked_in_bounded_time(make_repo) -> None:
    # 4 MB: under max_file_mb, so it is read; it took 29 s, 1 GB and a 112 MB JSON report
    root = make_repo({"conf/shards.yaml": _refs(200_000)})
    started = time.perf_counter()
    report = run(CheckOptions(repo=str(root), no_mlflow=True, select=("GC-DATA-001",)))
    assert time.perf_counter() - started < 20  # about 3 s; a loaded CI machine is slower
    assert len(report.findings) == MAX_FINDINGS_PER_FILE
    assert (
        f"conf/shards.yaml: more than {MAX_REFERENCES_PER_FILE:,} data references; only the "
        "first ones are checked" in report.notices
    )
