"""How fast the governance page renders: 500 models x 30 rules, in a real browser.

    python benchmarks/html_page.py                 # 500 models, 30 rules, 5 loads
    python benchmarks/html_page.py --models 1000 --repeat 3 --keep page.html

A report of that size is made in memory (every model checked by every rule, one pair in
five failing with one or two findings, some waived), rendered by `reporters/html.py`, and
opened from disk in Debian's chromium through Playwright (a fresh profile each run). The
table gives medians: Python's render time, the page's size, and the browser's times from
navigation start to DOMContentLoaded, to the first contentful paint and to the load event,
the CPU time of the renderer's main thread until then (from a trace: on a busy machine
the wall times grow, this does not), and one filter change (a model chosen in the Model
filter, with the layout it forces). Needs `pip install playwright` (the test extra) and `apt-get install chromium`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from govcheck.errors import Mark
from govcheck.model import (
    Checked,
    Finding,
    Location,
    ModelRow,
    Provenance,
    RepoInfo,
    Report,
    RuleInfo,
    Waiver,
)
from govcheck.reporters import html

CHROMIUM = os.environ.get("GOVCHECK_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FAMILIES = ("model-cards", "data", "monitoring", "experiments", "lineage", "fairness")
SHA = "0123456789abcdef0123456789abcdef01234567"
HELP = "Fix it like this:\n\n```yaml\nkey: value\nother: [1, 2, 3]\n```\nThen commit `the file`."


def make_report(models: int, rules: int) -> Report:
    rule_infos = tuple(
        RuleInfo(
            f"GC-BENCH-{r:03d}",
            f"bench-rule-{r}",
            f"Benchmark rule {r} holds for every model",
            ("error", "warning", "note")[r % 3],
            "model",
            "Why this rule matters, in a sentence or two of description text.",
            HELP,
            "https://example.org/rules",
            (
                FAMILIES[r % len(FAMILIES)],
                f"eu-ai-act/art-{10 + r % 5}",
                f"nist-ai-rmf/map-{r % 4}.{r % 3}",
                f"iso-42001/a.6.2.{r % 8}",
            ),
            Mark("builtin:bench", r + 1, 5),
        )
        for r in range(rules)
    )
    checked: list[Checked] = []
    findings: list[Finding] = []
    rows: list[ModelRow] = []
    for m in range(models):
        folder = f"models/model-{m:04d}"
        ids = []
        for r, rule in enumerate(rule_infos):
            rid = f"{folder}/config-{r}.yaml"
            ids.append(rid)
            failing = (m * 31 + r * 7) % 5 == 0
            waived = failing and (m + r) % 4 == 0
            status = "waived" if waived else "failed" if failing else "passed"
            checked.append(Checked(rule.id, rid, Location(rid, 3, 1), status))  # type: ignore[arg-type]
            for n in range(1 + (m + r) % 2 if failing else 0):
                findings.append(
                    Finding(
                        rule.id,
                        rule.name,
                        rule.severity,
                        f"{rid} does not satisfy {rule.name} (value {n} at key number {r})",
                        Location(rid, 3 + n, 1),
                        "model",
                        rid,
                        waiver=Waiver(
                            rule.id,
                            rid,
                            "Accepted for this release",
                            "external",
                            "2099-12-31",
                            "jane.doe",
                        )
                        if waived
                        else None,
                    )
                )
        rows.append(ModelRow(f"model-{m:04d}", folder, None, (folder, *ids)))
    return Report(
        tool_version="bench",
        repo=RepoInfo("/srv/bench", SHA, "main", "https://github.com/acme/bench.git"),
        rules=rule_infos,
        findings=tuple(findings),
        checked=tuple(checked),
        started_at="2026-01-01T00:00:00Z",
        ended_at="2026-01-01T00:00:01Z",
        provenance=Provenance(commit=SHA, policy_hash="0" * 64),
        models=tuple(rows),
    )


def main_thread_cpu(trace: Path) -> float:
    """Seconds of CPU the renderer's main thread spent in tasks while the page loaded (the
    trace's thread durations): what a busy machine's waiting does not inflate."""
    events = json.loads(trace.read_text(encoding="utf-8"))["traceEvents"]
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }
    return (
        sum(
            e.get("tdur", 0)
            for e in events
            if e.get("ph") == "X"
            and e.get("name") == "ThreadControllerImpl::RunTask"
            and (e["pid"], e["tid"]) in mains
        )
        / 1e6
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--rules", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", metavar="FILE", help="also write the page to FILE")
    parser.add_argument(
        "--nice",
        type=int,
        metavar="N",
        help="run the browser at this niceness (negative needs root): on a shared machine, "
        "the browser as a desktop's foreground application",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    report = make_report(args.models, args.rules)
    renders = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        text = html.render(report)
        renders.append(time.perf_counter() - start)
    work = Path(tempfile.mkdtemp(prefix="govcheck-html-bench."))
    page_file = work / "governance.html"
    page_file.write_text(text, encoding="utf-8")
    if args.keep:
        Path(args.keep).write_text(text, encoding="utf-8")
    executable = CHROMIUM
    if args.nice is not None:
        wrapper = work / "chromium"
        wrapper.write_text(f'#!/bin/sh\nexec nice -n {args.nice} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        executable = str(wrapper)
    loads: dict[str, list[float]] = {"dcl": [], "load": [], "fcp": [], "cpu": [], "filter": []}
    with sync_playwright() as p:
        # A fresh profile for each load (Playwright makes one per launch); the first load,
        # a warm-up, is not counted.
        for i in range(args.repeat + 1):
            browser = p.chromium.launch(executable_path=executable, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
            page.goto("about:blank")
            trace = work / f"trace-{i}.json"
            browser.start_tracing(
                page=page, path=str(trace), categories=["devtools.timeline", "toplevel"]
            )
            page.goto(page_file.as_uri(), wait_until="load")
            timing = page.evaluate(
                """() => {
                  const nav = performance.getEntriesByType("navigation")[0];
                  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
                  return [nav.domContentLoadedEventEnd, nav.loadEventEnd, fcp ? fcp.startTime : -1];
                }"""
            )
            browser.stop_tracing()
            spent = page.evaluate(
                """() => {
                  const select = document.getElementById("f-model");
                  const t0 = performance.now();
                  select.value = select.options[select.options.length - 1].value;
                  select.dispatchEvent(new Event("change", {bubbles: true}));
                  document.body.offsetHeight;  // the layout the change forces
                  return performance.now() - t0;
                }"""
            )
            browser.close()
            if errors:
                raise SystemExit(f"page errors: {errors}")
            if i:
                for key, value in zip(("dcl", "load", "fcp"), timing):
                    loads[key].append(value / 1000)
                loads["cpu"].append(main_thread_cpu(trace))
                loads["filter"].append(spent / 1000)
    findings = len(report.findings)
    print(
        f"| {args.models} models x {args.rules} rules, {findings} findings | median of {args.repeat} |"
    )
    print("| --- | ---: |")
    print(f"| render in Python (`html.render`) | {statistics.median(renders):.3f} s |")
    print(f"| page size | {len(text.encode('utf-8')) / 1e6:.1f} MB |")
    print(f"| browser: DOMContentLoaded | {statistics.median(loads['dcl']):.3f} s |")
    print(f"| browser: first contentful paint | {statistics.median(loads['fcp']):.3f} s |")
    print(f"| browser: load event | {statistics.median(loads['load']):.3f} s |")
    print(
        f"| browser: renderer main thread CPU until load | {statistics.median(loads['cpu']):.3f} s |"
    )
    print(f"| browser: one filter change | {statistics.median(loads['filter']):.3f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
