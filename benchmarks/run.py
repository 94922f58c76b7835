"""govcheck benchmarks: one command, ratios measured in the same run, a markdown table.

    python benchmarks/run.py            # N=5,000 files, M=10,000 runs (about 10 minutes)
    python benchmarks/run.py --full     # adds N=20,000 and M=50,000 to the scaling grid
    python benchmarks/run.py --quick    # tiny sizes, 2 repeats: a smoke test for CI

The default and --full runs rewrite the results section of benchmarks/README.md; --quick
only prints its table (or writes it to --output). Generated repositories and stores are
cached in benchmarks/.cache/ (gitignored).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gen_mlflow
import gen_repo
from measure import Cmd, CommandFailed, Samples, interleaved, run_once

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
MLFLOW_RUN_RULES = ("GC-EXP-011", "GC-RUN-")
MLFLOW_ALL_RULES = ("GC-EXP-01", "GC-RUN-", "GC-REG-", "GC-MON-010")


@dataclass(frozen=True)
class Sizes:
    files: int
    scale_files: tuple[int, ...]
    runs: int
    scale_runs: tuple[int, ...]
    repeat: int
    warmup: int
    all_rules: bool = False  # also time every MLflow rule (registry, lineage) over sqlite


QUICK = Sizes(200, (10, 100, 200), 200, (100, 200), repeat=2, warmup=0, all_rules=True)
DEFAULT = Sizes(5000, (10, 1000, 5000), 10000, (100, 1000, 10000), repeat=5, warmup=1)
FULL = Sizes(
    5000,
    (10, 1000, 5000, 20000),
    10000,
    (100, 1000, 10000, 50000),
    repeat=5,
    warmup=1,
    all_rules=True,
)


@dataclass(frozen=True)
class Row:
    key: str
    what: str
    measured: str
    baseline: str
    ratio: str
    target: str
    met: str


def govcheck_cmd(*args: str, cwd: str | None = None, py_flags: tuple[str, ...] = ()) -> Cmd:
    """govcheck as a user runs it: the installed console script, else the checkout's src/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    script = Path(sys.executable).with_name("govcheck")
    if script.is_file():
        argv = [sys.executable, *py_flags, str(script), *args]
    else:
        env["PYTHONPATH"] = str(ROOT / "src")
        argv = [sys.executable, *py_flags, "-c", "from govcheck.cli import run; run()", *args]
    return Cmd(argv, cwd=cwd, env=env)


def py(*args: str, cwd: str | None = None) -> Cmd:
    return Cmd([sys.executable, *args], cwd=cwd)


def fmt_s(s: Samples) -> str:
    return f"{s.median:.3f} s (CPU {s.cpu_median:.3f} s)"


def ratio(a: Samples, b: Samples) -> tuple[float, str]:
    """Wall-time ratio (what verdicts use) and its text with the CPU-time ratio beside it,
    which load from other processes on the machine disturbs less."""
    r = a.median / b.median
    return r, f"{r:.2f}x (CPU {a.cpu_median / b.cpu_median:.2f}x)"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def imports_on_path(cmd: Cmd, names: tuple[str, ...]) -> list[str]:
    """Which of the named top-level modules a command imports (python -X importtime)."""
    traced = Cmd([cmd.argv[0], "-X", "importtime", *cmd.argv[1:]], cmd.cwd, cmd.env)
    done = subprocess.run(
        traced.argv, cwd=traced.cwd, env=traced.env, capture_output=True, text=True, check=False
    )
    found = set()
    for line in done.stderr.splitlines():
        module = line.rsplit("|", 1)[-1].strip()
        if module.split(".")[0] in names:
            found.add(module.split(".")[0])
    return sorted(found)


EDITED = "models/model-0001/train.yaml"  # the file the one-file-edit run changes


def _clear_cache(repo: str) -> Callable[[], None]:
    """Cold: neither parsed files nor a kept verdict (govcheck cache clear)."""

    def clear() -> None:
        folder = Path(repo) / ".git" / "govcheck"
        for entry in folder.glob("*"):
            entry.unlink()

    return clear


def _edit_one(repo: str, path: str = EDITED) -> Callable[[], None]:
    """A new edit of one file each time (a counter in a comment), so neither its parse nor
    a verdict is cached already, as after a real edit."""
    target = Path(repo) / path
    original = target.read_text(encoding="utf-8")
    count = [0]

    def edit() -> None:
        count[0] += 1
        target.write_text(original + f"# edit {count[0]}\n", encoding="utf-8")

    return edit


def _restore(repo: str, *paths: str) -> None:
    subprocess.run(["git", "checkout", "-q", "--", EDITED, *paths], cwd=repo, check=True)


def _checked_first(cmd: Cmd) -> Callable[[], None]:
    """Warm means "a check of this tree ran last": the same check, untimed, right before
    (the other commands of a turn edit files or check other PATHs in between)."""

    def check() -> None:
        subprocess.run(
            cmd.argv, cwd=cmd.cwd, env=cmd.env, stdout=subprocess.DEVNULL, check=False
        )

    return check


def _with(cmd: Cmd, prepare: Callable[[], None] | None = None, **env: str) -> Cmd:
    return Cmd(cmd.argv, cmd.cwd, {**(cmd.env or os.environ), **env}, cmd.ok_codes, prepare)


def repo_rows(sizes: Sizes, cache: Path) -> list[Row]:
    repos = {n: gen_repo.cached(cache, n) for n in sorted({*sizes.scale_files, sizes.files})}
    big = str(repos[sizes.files])
    tiny = str(repos[min(repos)])
    monitoring = sorted(str(p.relative_to(big)) for p in Path(big).glob("models/*/monitoring.yaml"))
    one_file = monitoring[1]
    checker = Path(sys.executable).with_name("check-jsonschema")
    cmds = {
        "pass": py("-c", "pass"),
        "version": govcheck_cmd("--version"),
        # Rows that measure work pass --no-cache (or edit before each run): repeated
        # unchanged, a check would reuse its kept verdict (row h measures that).
        "startup": govcheck_cmd("check", "--no-mlflow", "--no-cache", cwd=tiny),
        "floor": py(str(HERE / "floor.py"), big),
        # cold: the content cache cleared before each run (the run parses, on both cores,
        # and writes the cache); warm: nothing changed since the last run; edit: one
        # config changed since; one-core: cold with GOVCHECK_JOBS=1 (no parse workers)
        "full": _with(govcheck_cmd("check", "--no-mlflow", cwd=big), _clear_cache(big)),
        "one-core": _with(
            govcheck_cmd("check", "--no-mlflow", cwd=big), _clear_cache(big), GOVCHECK_JOBS="1"
        ),
        "warm": _with(
            govcheck_cmd("check", "--no-mlflow", cwd=big),
            _checked_first(govcheck_cmd("check", "--no-mlflow", cwd=big)),
        ),
        "edit": _with(govcheck_cmd("check", "--no-mlflow", cwd=big), _edit_one(big)),
        "mon": govcheck_cmd(
            "check", "--no-mlflow", "--no-cache", "--select", "GC-MON-002", cwd=big
        ),
        # pre-commit after an edit of that file: its parse and verdict are new, the
        # cache holds every other file
        "path": _with(
            govcheck_cmd("check", "--no-mlflow", one_file, cwd=big), _edit_one(big, one_file)
        ),
    }
    if checker.is_file():
        cmds["cjs"] = Cmd(
            [
                str(checker),
                "--schemafile",
                str(ROOT / "schemas/monitoring.schema.json"),
                *monitoring,
            ],
            cwd=big,
        )
    for n in sizes.scale_files:
        if n != sizes.files and n != min(repos):
            cmds[f"full-{n}"] = govcheck_cmd(
                "check", "--no-mlflow", "--no-cache", cwd=str(repos[n])
            )
    try:
        s = interleaved(cmds, sizes.repeat, sizes.warmup)
    finally:
        _restore(big, one_file)
    rows: list[Row] = []
    heavy = imports_on_path(cmds["version"], ("mlflow", "jsonschema", "git", "yaml"))
    r, shown = ratio(s["version"], s["pass"])
    rows.append(
        Row(
            "a",
            "`govcheck --version` vs `python -c pass`",
            fmt_s(s["version"]),
            fmt_s(s["pass"]),
            shown,
            "≤ 2.5x, no mlflow/jsonschema import",
            verdict(r <= 2.5 and not {"mlflow", "jsonschema"} & set(heavy))
            + (
                f" (imports: {', '.join(heavy)})"
                if heavy
                else " (imports none of mlflow, jsonschema, git, yaml)"
            ),
        )
    )
    heavy = imports_on_path(cmds["startup"], ("mlflow", "sqlalchemy"))
    r, shown = ratio(s["startup"], s["pass"])
    rows.append(
        Row(
            "a",
            f"`govcheck check` start-up ({min(repos)}-file repo) vs `python -c pass`",
            fmt_s(s["startup"]),
            fmt_s(s["pass"]),
            shown,
            "no mlflow import",
            verdict(not heavy) + (f" (imports: {', '.join(heavy)})" if heavy else ""),
        )
    )
    r, shown = ratio(s["full"], s["floor"])
    rows.append(
        Row(
            "b",
            f"cold full repo-only check (cache cleared; code and notebooks included), "
            f"{sizes.files:,} files, vs floor script",
            fmt_s(s["full"]),
            fmt_s(s["floor"]),
            shown,
            "≤ 1.5x",
            verdict(r <= 1.5),
        )
    )
    r, shown = ratio(s["one-core"], s["floor"])
    rows.append(
        Row(
            "b",
            "the same, one process (`GOVCHECK_JOBS=1`, no parse workers), vs floor script",
            fmt_s(s["one-core"]),
            fmt_s(s["floor"]),
            shown,
            "(for comparison)",
            "-",
        )
    )
    r, shown = ratio(s["warm"], s["full"])
    rows.append(
        Row(
            "h",
            "warm full check (nothing changed since the last) vs cold",
            fmt_s(s["warm"]),
            fmt_s(s["full"]),
            shown,
            "≤ 0.35x",
            verdict(r <= 0.35),
        )
    )
    r, shown = ratio(s["edit"], s["full"])
    rows.append(
        Row(
            "h",
            f"full check after editing one file (`{EDITED}`) vs cold",
            fmt_s(s["edit"]),
            fmt_s(s["full"]),
            shown,
            "≤ 0.15x",
            verdict(r <= 0.15),
        )
    )
    if "cjs" in s:
        r, shown = ratio(s["mon"], s["cjs"])
        rows.append(
            Row(
                "c",
                f"`--select GC-MON-002` vs `check-jsonschema` ({len(monitoring)} configs)",
                fmt_s(s["mon"]),
                fmt_s(s["cjs"]),
                shown,
                "≤ 1.0x",
                verdict(r <= 1.0),
            )
        )
    else:
        rows.append(
            Row(
                "c",
                "`--select GC-MON-002` vs `check-jsonschema`",
                fmt_s(s["mon"]),
                "not installed",
                "-",
                "≤ 1.0x",
                "skipped: pip install check-jsonschema",
            )
        )
    r, shown = ratio(s["path"], s["full"])
    rows.append(
        Row(
            "d",
            f"`govcheck check {one_file}` vs full check",
            fmt_s(s["path"]),
            fmt_s(s["full"]),
            shown,
            "≤ 0.15x",
            verdict(r <= 0.15),
        )
    )
    peak = s["full"].peak_mb
    rows.append(
        Row(
            "f",
            f"peak RSS of the full check, {sizes.files:,} files",
            f"{peak:.0f} MB",
            f"floor {s['floor'].peak_mb:.0f} MB",
            "-",
            "< 150 MB",
            verdict(peak < 150),
        )
    )
    points = {
        n: s["full" if n == sizes.files else f"full-{n}"]
        for n in sizes.scale_files
        if n != min(repos)
    }
    rows.append(scaling_row("g", "files", points, s["startup"]))
    return rows


def scaling_row(key: str, unit: str, points: dict[int, Samples], intercept: Samples) -> Row:
    """Marginal cost per 1,000 units at each size, above the smallest size's time."""

    def per_1k(value: Callable[[Samples], float]) -> list[float]:
        return [(value(p) - value(intercept)) / n * 1000 for n, p in points.items()]

    def spread(costs: list[float]) -> float:
        return max(costs) / min(costs) - 1 if min(costs) > 0 else float("inf")

    wall, cpu = per_1k(lambda p: p.median), per_1k(lambda p: p.cpu_median)
    sizes = ", ".join(f"{n:,}: {p.median:.2f} s" for n, p in points.items())
    return Row(
        key,
        f"scaling over {unit} ({sizes}): s per 1k {unit} above the intercept",
        ", ".join(f"{c:.3f}" for c in wall) + " (CPU " + ", ".join(f"{c:.3f}" for c in cpu) + ")",
        f"intercept {intercept.median:.2f} s",
        f"spread {spread(wall):.0%} (CPU {spread(cpu):.0%})",
        "≤ 20%",
        verdict(spread(wall) <= 0.20),
    )


def mlflow_ready(repo: Path, store: Path) -> str | None:
    """None when govcheck can check this store; else why the MLflow benchmarks are skipped."""
    cmd = govcheck_cmd(
        "check",
        "--mlflow-uri",
        f"sqlite:///{store}",
        "--select",
        ",".join(MLFLOW_RUN_RULES),
        cwd=str(repo),
    )
    try:
        run_once(cmd)
    except CommandFailed as exc:
        return f"govcheck check --mlflow-uri sqlite:///... does not work yet: {exc}"
    return None


def mlflow_rows(sizes: Sizes, cache: Path, server: bool) -> list[Row]:
    repo = gen_repo.cached(cache, sizes.files)
    commit = gen_repo.root_commit(repo)
    stores = {
        m: gen_mlflow.cached(cache, m, commit) for m in sorted({*sizes.scale_runs, sizes.runs})
    }
    store = stores[sizes.runs]
    why = mlflow_ready(repo, store)
    if why:
        return [
            Row("e", "MLflow rules vs bare pagination", "-", "-", "-", "≤ 1.3x", f"skipped: {why}")
        ]
    rows: list[Row] = []

    def check(uri: str, rules: tuple[str, ...]) -> Cmd:
        return govcheck_cmd(
            "check", "--mlflow-uri", uri, "--select", ",".join(rules), cwd=str(repo)
        )

    def bare(uri: str, registry: bool) -> Cmd:
        return py(str(HERE / "bare_mlflow.py"), uri, *(["--registry"] if registry else []))

    sqlite = f"sqlite:///{store}"
    cmds = {"runs": check(sqlite, MLFLOW_RUN_RULES), "bare": bare(sqlite, False)}
    if sizes.all_rules:
        cmds.update({"all": check(sqlite, MLFLOW_ALL_RULES), "bare-all": bare(sqlite, True)})
    for m in sizes.scale_runs:
        if m != sizes.runs:
            cmds[f"runs-{m}"] = check(f"sqlite:///{stores[m]}", MLFLOW_RUN_RULES)
    s = interleaved(cmds, sizes.repeat, 0)  # the readiness check above warmed the caches
    for name, base, label in (
        ("runs", "bare", "run rules (GC-EXP-011, GC-RUN-*)"),
        ("all", "bare-all", "all MLflow rules (+ registry, lineage)"),
    ):
        if name not in s:
            continue
        r, shown = ratio(s[name], s[base])
        rows.append(
            Row(
                "e",
                f"sqlite, {sizes.runs:,} runs: {label} vs bare paged search",
                fmt_s(s[name]),
                fmt_s(s[base]),
                shown,
                "≤ 1.3x",
                verdict(r <= 1.3),
            )
        )
    rows.append(
        Row(
            "f",
            f"peak RSS, MLflow run rules over {sizes.runs:,} runs (sqlite)",
            f"{s['runs'].peak_mb:.0f} MB",
            f"bare {s['bare'].peak_mb:.0f} MB",
            "-",
            "(no target)",
            "-",
        )
    )
    smallest = min(stores)
    points = {
        m: s["runs" if m == sizes.runs else f"runs-{m}"] for m in sizes.scale_runs if m != smallest
    }
    rows.append(scaling_row("g", "runs", points, s[f"runs-{smallest}"]))
    if server:
        rows += server_rows(sizes, repo, store, check, bare)
    return rows


def server_rows(sizes: Sizes, repo: Path, store: Path, check, bare) -> list[Row]:  # type: ignore[no-untyped-def]
    from mlflow_server import MlflowServer

    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="govcheck-bench-") as work,
        MlflowServer(store, Path(work)) as srv,
    ):
        proxy = srv.proxy
        assert proxy is not None
        requests: dict[str, int] = {}
        seen = [proxy.total]

        def count(name: str) -> None:  # requests of each measured run, from the proxy
            requests[name] = proxy.total - seen[0]
            seen[0] = proxy.total

        cmds = {"runs": check(srv.uri, MLFLOW_RUN_RULES), "bare": bare(srv.uri, False)}
        s = interleaved(cmds, sizes.repeat, 0, observe=count)
        for name, cmd in (
            ("all", check(srv.uri, MLFLOW_ALL_RULES)),
            ("bare-all", bare(srv.uri, True)),
        ):
            run_once(cmd)  # counted once, not timed: the registry adds a few requests
            count(name)
    pages = -(-sizes.runs // 1000)
    r, shown = ratio(s["runs"], s["bare"])
    rows.append(
        Row(
            "e",
            f"`mlflow server`, {sizes.runs:,} runs: run rules vs bare paged search; "
            f"HTTP requests {requests['runs']} vs {requests['bare']} ({pages} run pages; "
            f"all MLflow rules {requests['all']} vs {requests['bare-all']} with the registry)",
            fmt_s(s["runs"]),
            fmt_s(s["bare"]),
            shown,
            "≤ 1.3x, requests ∝ pages",
            verdict(r <= 1.3),
        )
    )
    return rows


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    git = subprocess.run(
        ["git", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}; nproc {os.cpu_count()}; memory {mem}; Python {platform.python_version()}; "
        f"{git}; {platform.system()} {platform.release()}; load average at start {load:.1f}"
    )


def table(rows: list[Row], sizes: Sizes, label: str) -> str:
    head = [
        "| | measurement | govcheck | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    body = [
        f"| {r.key} | {r.what} | {r.measured} | {r.baseline} | {r.ratio} | {r.target} | {r.met} |"
        for r in sorted(rows, key=lambda r: r.key)
    ]
    intro = (
        f"Run: `{label}`; medians of {sizes.repeat} interleaved runs "
        f"(after {sizes.warmup} warm-up)."
    )
    return "\n".join([intro, "", f"Machine: {machine()}.", "", *head, *body]) + "\n"


def write_readme(text: str) -> None:
    current = README.read_text(encoding="utf-8")
    start, end = current.index(START) + len(START), current.index(END)
    README.write_text(current[:start] + "\n" + text + current[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="tiny sizes, 2 repeats (CI smoke test)")
    size.add_argument("--full", action="store_true", help="add N=20,000 files and M=50,000 runs")
    parser.add_argument("--no-mlflow", action="store_true", help="repository benchmarks only")
    parser.add_argument("--no-server", action="store_true", help="skip the `mlflow server` part")
    parser.add_argument("--cache", default=str(HERE / ".cache"), help="where fixtures are cached")
    parser.add_argument("--output", help="write the table here instead of benchmarks/README.md")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL if args.full else DEFAULT
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    rows = repo_rows(sizes, cache)
    if not args.no_mlflow:
        rows += mlflow_rows(sizes, cache, server=not args.no_server)
    label = "python benchmarks/run.py" + (
        " --quick" if args.quick else " --full" if args.full else ""
    )
    text = table(rows, sizes, label)
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    elif not args.quick:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
