"""The input fuzzer: whatever the config, a policy, a card, a monitoring config, DVC files,
an MLproject, JSON/TOML configs or an MLflow snapshot hold, govcheck ends with exit 0-3 and
one-line errors, within 10 s and 1 GB per case, never an internal error.

CI runs a few hundred cases; `pytest tests/test_fuzz.py --fuzz-cases 10000` runs a long
campaign (see README, Testing). A failure names its case, which replays alone with
`--fuzz-seed S --fuzz-start I --fuzz-cases 1`; its inputs are kept under the test's
tmp_path/failures/.
"""

from __future__ import annotations

import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType

import pytest

from fuzzing import FIXED, SEEDS, make_case, seed_bytes
from govcheck.cli import main

CASE_SECONDS = 10.0
HARD_STOP_SECONDS = 60  # a hung case is stopped here rather than hanging CI
MAX_GROWTH_KB = 1024 * 1024  # 1 GB over the peak before the campaign
MAX_FAILURES = 20


class CaseHung(BaseException):
    """Raised by the alarm inside a case: BaseException, so no `except Exception` eats it."""


def _hung(signum: int, frame: FrameType | None) -> None:
    raise CaseHung(f"no result after {HARD_STOP_SECONDS} s")


def _peak_kb() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS counts bytes


def _not_one_line(line: str) -> bool:
    """An error line that continues another (a traceback, a wrapped message) or runs on."""
    return not line.strip() or line[0].isspace() or len(line) > 1000


def test_no_input_escapes_as_an_internal_error(
    make_repo,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # type: ignore[no-untyped-def]
    cases = request.config.getoption("--fuzz-cases")
    seed = request.config.getoption("--fuzz-seed")
    start = request.config.getoption("--fuzz-start")
    seeds = {s.path: seed_bytes(s) for s in SEEDS}
    root = make_repo({**seeds, **FIXED})
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("GOVCHECK_DEBUG", "1")  # an internal error raises instead of exit 2
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)

    failures: list[str] = []  # the first MAX_FAILURES in full
    failed: list[str] = []  # every one, a line each
    slowest = (0.0, "")
    baseline = _peak_kb()
    previous = signal.signal(signal.SIGALRM, _hung)
    try:
        for index in range(start, start + cases):
            case = make_case(seed, index, str(root), str(out))
            for path, raw in case.files.items():
                (root / path).write_bytes(raw)
            problem = ""
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, HARD_STOP_SECONDS)
            try:
                code = main(case.argv)
                if code not in (0, 1, 2, 3):
                    problem = f"exit code {code}"
            except CaseHung as exc:
                problem = str(exc)
            except Exception:  # noqa: BLE001 - what a user would see as `internal error`
                problem = "internal error:\n" + traceback.format_exc(limit=-6)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            took = time.perf_counter() - started
            slowest = max(slowest, (took, case.describe()))
            errors = capsys.readouterr().err.splitlines()
            if not problem:
                problem = next((f"error line {e[:300]!r}" for e in errors if _not_one_line(e)), "")
            if not problem and took > CASE_SECONDS:
                problem = f"took {took:.1f} s"
            if not problem and _peak_kb() - baseline > MAX_GROWTH_KB:
                problem = f"peak memory grew by {(_peak_kb() - baseline) // 1024} MB"
                baseline = _peak_kb()  # the peak only grows: judge later cases from here
            if problem:
                failed.append(f"{index}: {problem.splitlines()[0][:120]}")
                if len(failures) < MAX_FAILURES:  # details of the first ones, a line for all
                    kept = tmp_path / "failures" / str(index)
                    for path, raw in case.files.items():
                        (kept / path).parent.mkdir(parents=True, exist_ok=True)
                        (kept / path).write_bytes(raw)
                    failures.append(
                        f"{case.describe()[:600]}\n  replay: --fuzz-seed {seed} --fuzz-start "
                        f"{index} --fuzz-cases 1 (inputs in {kept})\n  {problem}"
                    )
            for path in case.files:
                (root / path).write_bytes(seeds[path])
    finally:
        signal.signal(signal.SIGALRM, previous)
    print(
        f"\n{cases} fuzz cases, {len(failed)} failed; slowest {slowest[0]:.2f} s: {slowest[1][:300]}"
    )
    assert not failed, (
        f"{len(failed)} failing case(s):\n" + "\n".join(failed) + "\n\n" + "\n\n".join(failures)
    )
