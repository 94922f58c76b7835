"""Timing child processes: wall time and peak memory, interleaved, medians.

This machine is shared and noisy, so absolute times drift; commands compared with each
other are run in turns (A B C, B C A, ...) and only ratios of their medians are reported.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cmd:
    argv: Sequence[str]
    cwd: str | None = None
    env: Mapping[str, str] | None = None
    ok_codes: tuple[int, ...] = (0, 1)  # a check with findings exits 1
    # run before each (untimed) run: clear a cache, edit a file
    prepare: Callable[[], None] | None = None


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the child
    maxrss_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def peak_mb(self) -> float:
        return max(self.maxrss_mb)


class CommandFailed(RuntimeError):
    pass


def run_once(cmd: Cmd) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one run, the child's own (wait4; CPU
    time includes the child's own worker processes)."""
    if cmd.prepare is not None:
        cmd.prepare()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd.argv,
        cwd=cmd.cwd,
        env=dict(cmd.env) if cmd.env else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in cmd.ok_codes:
        raise CommandFailed(
            f"{' '.join(cmd.argv)} exited {proc.returncode}: "
            f"{err.decode(errors='replace').strip()[-600:]}"
        )
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # RSS in KiB


def interleaved(
    cmds: Mapping[str, Cmd],
    repeat: int,
    warmup: int = 1,
    observe: Callable[[str], None] = lambda name: None,
) -> dict[str, Samples]:
    """Run every command `repeat` times in rotating order, after `warmup` unmeasured turns;
    observe(name) is called after each measured run (e.g. to read a request counter)."""
    names = list(cmds)
    for _ in range(warmup):
        for name in names:
            run_once(cmds[name])
    out = {name: Samples() for name in names}
    for i in range(repeat):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            seconds, cpu, rss = run_once(cmds[name])
            out[name].seconds.append(seconds)
            out[name].cpu.append(cpu)
            out[name].maxrss_mb.append(rss)
            observe(name)
    return out
