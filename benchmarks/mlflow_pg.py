"""The MLflow rules at scale: a real `mlflow server` backed by PostgreSQL, 100,000 runs.

    python benchmarks/mlflow_pg.py                   # M = 10,000 and 100,000 runs
    python benchmarks/mlflow_pg.py --runs 10000      # one size
    python benchmarks/mlflow_pg.py --src ../other/src   # measure another checkout's govcheck

Starts PostgreSQL on 127.0.0.1 (the machine's `initdb`/`pg_ctl`, cluster cached in
benchmarks/.cache/pg-data, a free port, stopped on exit whatever happens), loads M runs
over M/100 experiments and 500 registered models (3 versions each, a `champion` alias)
into MLflow's own schema (gen_mlflow.populate_postgres, cached per size), then runs
`mlflow server --backend-store-uri postgresql+psycopg2://...` behind the counting proxy of
mlflow_server.py, and measures, at each size, in turns with the bare client:

- the run rules (GC-EXP-011, GC-RUN-*) against `bare_mlflow.py` paging the same searches;
- every MLflow rule against the bare client paging runs and the registry;
- a scoped check (`mlflow.experiments` naming 1/17 of the experiments, `runs_since_days`
  keeping the newer half of the runs) against the bare client's scoped searches;
- `govcheck snapshot` (time, requests, size), and `govcheck check` from that snapshot;

wall time, CPU time, peak RSS (ru_maxrss) and HTTP requests for each. Prints a markdown
table (also to --output); benchmarks/README.md keeps the one from the last full run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_mlflow
import gen_repo
from measure import Cmd, Samples, interleaved, run_once
from mlflow_server import MlflowServer
from pg_server import Postgres

RUN_RULES = "GC-EXP-011,GC-RUN-"
ALL_RULES = "GC-EXP-01,GC-RUN-,GC-REG-,GC-MON-010"
MODELS = 500
SCOPE_GLOB = "team-1/*"  # experiment names are team-<k % 17>/model-<k>: 1 in 17
SCOPE_LIKE = "team-1/%"


@dataclass
class Measured:
    samples: Samples
    requests: int


def govcheck(src: Path, *args: str, cwd: Path) -> Cmd:
    """govcheck from the given checkout's src/ (not whatever is installed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["PYTHONPATH"] = str(src)
    argv = [sys.executable, "-c", "from govcheck.cli import run; run()", *args]
    return Cmd(argv, cwd=str(cwd), env=env)


def bare(uri: str, *args: str) -> Cmd:
    return Cmd([sys.executable, str(HERE / "bare_mlflow.py"), uri, *args])


def configured_repo(repo: Path, target: Path, scoped_days: float | None = None) -> Path:
    """A copy of the generated repository with an `mlflow:` config: a timeout a 1,000-run
    page of a busy server keeps under (the default 10 s is for interactive use), and
    optionally the scope of a scoped check."""
    if not target.exists():
        shutil.copytree(repo, target, symlinks=True)
    config = "version: 1\nmlflow:\n  timeout_seconds: 600\n"
    if scoped_days is not None:
        config += f'  experiments: ["{SCOPE_GLOB}"]\n  runs_since_days: {scoped_days:.3f}\n'
    (target / ".govcheck.yaml").write_text(config, encoding="utf-8")
    return target


def warm_up(uri: str) -> None:
    import logging

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    from mlflow import MlflowClient

    client = MlflowClient(uri, registry_uri=uri)
    ids = [e.experiment_id for e in client.search_experiments(max_results=100)]
    client.search_runs(ids, max_results=100)
    client.search_registered_models(max_results=100)
    client.search_model_versions(max_results=100)


def measure_size(
    src: Path,
    repo: Path,
    pg: Postgres,
    n_runs: int,
    repeat: int,
    work: Path,
    all_rules: bool,
    only: frozenset[str] = frozenset(),
) -> list[str]:
    commit = gen_repo.root_commit(repo)
    backend = gen_mlflow.populate_postgres(pg, n_runs, commit, MODELS)
    # Runs start a minute apart from gen_mlflow._T0: keep the newer half.
    half_ms = gen_mlflow._T0 + (n_runs // 2) * 60_000
    since_days = (time.time() * 1000 - half_ms) / 86_400_000
    scoped = configured_repo(repo, work / f"scoped-{n_runs}", since_days)
    repo = configured_repo(repo, work / "repo")
    snap = work / f"mlflow-{n_runs}.json"
    rows = []
    with MlflowServer(backend, work / f"server-{n_runs}") as srv:
        proxy = srv.proxy
        assert proxy is not None
        uri = srv.uri
        cmds = {
            "runs": govcheck(src, "check", "--mlflow-uri", uri, "--select", RUN_RULES, cwd=repo),
            "bare": bare(uri),
            "all": govcheck(src, "check", "--mlflow-uri", uri, "--select", ALL_RULES, cwd=repo),
            "bare-all": bare(uri, "--registry"),
            "scoped": govcheck(
                src, "check", "--mlflow-uri", uri, "--select", ALL_RULES, cwd=scoped
            ),
            "bare-scoped": bare(
                uri,
                "--registry",
                "--like",
                SCOPE_LIKE,
                "--since-ms",
                str(int(half_ms)),
            ),
        }
        warm_up(uri)  # the server's first search pays its own start-up: not measured
        requests: dict[str, list[int]] = {}
        seen = [proxy.total]

        def count(name: str) -> None:
            requests.setdefault(name, []).append(proxy.total - seen[0])
            seen[0] = proxy.total

        if not all_rules:
            del cmds["all"], cmds["bare-all"]
        if only:
            cmds = {k: v for k, v in cmds.items() if k in only}

        def observe(name: str) -> None:
            count(name)
            print(f"  {n_runs:,} {name}: {requests[name][-1]} requests", flush=True)

        s = interleaved(cmds, repeat, 0, observe=observe)
        snap_samples = Samples()
        if not only:
            record = govcheck(
                src, "snapshot", "--mlflow-uri", uri, "--output", str(snap), "--quiet", cwd=repo
            )
            seconds, cpu, rss = run_once(record)
            count("snapshot")
            snap_samples.seconds.append(seconds)
            snap_samples.cpu.append(cpu)
            snap_samples.maxrss_mb.append(rss)
    if not only:
        size = snap.stat().st_size
        from_snap = interleaved(
            {
                "from-snapshot": govcheck(
                    src, "check", "--mlflow-snapshot", str(snap), "--select", ALL_RULES, cwd=repo
                )
            },
            repeat,
            0,
        )["from-snapshot"]
        snap.unlink()

    def req(name: str) -> int:
        return int(statistics.median(requests[name]))

    def line(what: str, a: str, b: str | None, target: str) -> str:
        mine = s.get(a)
        base = s[b] if b else None
        ratio = f"{mine.median / base.median:.2f}x" if mine and base else "-"
        ok = "-"
        if mine and base and target.startswith("≤"):
            ok = "yes" if mine.median / base.median <= float(target[1:].strip(" x")) else "**no**"
        shown = (
            f"{mine.median:.1f} s (CPU {mine.cpu_median:.1f} s), {mine.peak_mb:.0f} MB, "
            f"{req(a)} requests"
            if mine
            else "-"
        )
        based = (
            f"{base.median:.1f} s (CPU {base.cpu_median:.1f} s), {base.peak_mb:.0f} MB, "
            f"{req(b)} requests"
            if base and b
            else "-"
        )
        return f"| {n_runs:,} | {what} | {shown} | {based} | {ratio} | {target} | {ok} |"

    if "runs" in s:
        rows.append(line("run rules (GC-EXP-011, GC-RUN-*)", "runs", "bare", "≤ 1.3x"))
    if "all" in s:
        rows.append(line("all MLflow rules", "all", "bare-all", "≤ 1.3x"))
    if "scoped" in s:
        rows.append(
            line(
                f"scoped: experiments {SCOPE_GLOB}, runs_since_days (newer half), all rules",
                "scoped",
                "bare-scoped",
                "≤ 1.3x",
            )
        )
    if only:
        return rows
    rows.append(
        f"| {n_runs:,} | `govcheck snapshot` (built-in rules' fields) | "
        f"{snap_samples.median:.1f} s (CPU {snap_samples.cpu_median:.1f} s), "
        f"{snap_samples.peak_mb:.0f} MB, {req('snapshot')} requests | "
        f"file {size / 1e6:.1f} MB | - | - | - |"
    )
    rows.append(
        f"| {n_runs:,} | `govcheck check --mlflow-snapshot`, all MLflow rules | "
        f"{from_snap.median:.1f} s (CPU {from_snap.cpu_median:.1f} s), "
        f"{from_snap.peak_mb:.0f} MB, 0 requests | - | - | - | - |"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", default="10000,100000", help="comma-separated store sizes")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs per command")
    parser.add_argument("--src", default=str(HERE.parent / "src"), help="govcheck's src/")
    parser.add_argument("--cache", default=str(HERE / ".cache"), help="where fixtures are cached")
    parser.add_argument("--output", help="also write the table here")
    parser.add_argument(
        "--only",
        default="",
        help="measure only these commands, e.g. scoped,bare-scoped (no snapshot)",
    )
    parser.add_argument(
        "--all-rules-up-to",
        type=int,
        default=None,
        help="time every MLflow rule against the bare client only up to this many runs "
        "(each full read of 100,000 runs through the server takes ~15 min here)",
    )
    args = parser.parse_args(argv)
    # A terminated benchmark still stops its servers (the `with` blocks below).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    cache = Path(args.cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    repo = gen_repo.cached(cache, 10)
    src = Path(args.src).resolve()
    head = [
        (
            f"Run: `python benchmarks/mlflow_pg.py --runs {args.runs} --repeat {args.repeat}"
            + (f" --all-rules-up-to {args.all_rules_up_to}" if args.all_rules_up_to else "")
            + "`; "
            f"load average at start {os.getloadavg()[0]:.1f}."
        ),
        "",
        "| runs | measurement | govcheck | bare client | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    body: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="govcheck-pg-") as work,
        Postgres(cache / "pg-data") as pg,
    ):
        for n_runs in (int(n) for n in args.runs.split(",")):
            all_rules = args.all_rules_up_to is None or n_runs <= args.all_rules_up_to
            only = frozenset(filter(None, args.only.split(",")))
            body += measure_size(src, repo, pg, n_runs, args.repeat, Path(work), all_rules, only)
            print("\n".join(body[-5:]), flush=True)
    text = "\n".join(head + body) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
