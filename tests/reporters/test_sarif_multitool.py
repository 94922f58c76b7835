"""The Microsoft SARIF multitool, a real consumer, accepts our SARIF (its Sarif and Gh rules).

It is installed with npm into .cache/ (gitignored) on first use. It exits 0 even for invalid
logs, so the tests read its own SARIF output and look for error-level results.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from govcheck.model import Report
from govcheck.reporters import sarif

pytestmark = pytest.mark.slow

VERSION = "5.7.0"
PACKAGE = {
    "linux": "sarif-multitool-linux",
    "darwin": "sarif-multitool-darwin",
    "win32": "sarif-multitool-win32",
}.get(sys.platform, "sarif-multitool-linux")
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "sarif-multitool"
BINARY = (
    CACHE
    / "node_modules"
    / "@microsoft"
    / PACKAGE
    / ("Sarif.Multitool.exe" if sys.platform == "win32" else "Sarif.Multitool")
)


@pytest.fixture(scope="session")
def multitool() -> Path:
    if not BINARY.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(f"npm not found: cannot install @microsoft/{PACKAGE} to check SARIF output")
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(CACHE),
                f"@microsoft/{PACKAGE}@{VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    if not os.access(BINARY, os.X_OK):  # npm may not run the package's chmod postinstall
        BINARY.chmod(0o755)
    return BINARY


def validate(tool: Path, log: dict[str, Any], tmp_path: Path) -> list[tuple[str, str, str]]:
    """(level, rule id, message arguments) of every problem the multitool reports."""
    source = tmp_path / "report.sarif"
    source.write_text(json.dumps(log), encoding="utf-8")
    out = tmp_path / "out.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    done = subprocess.run(
        [
            str(tool),
            "validate",
            "--rule-kind",
            "Sarif;Gh",
            "--log",
            "ForceOverwrite",
            "-o",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert out.exists(), f"multitool wrote no output: {done.stdout}\n{done.stderr}"
    run = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    rules = run["tool"]["driver"].get("rules", [])
    problems = []
    for result in run.get("results", []):
        default = (
            rules[result["ruleIndex"]].get("defaultConfiguration", {})
            if "ruleIndex" in result
            else {}
        )
        level = result.get("level") or default.get("level") or "warning"
        problems.append(
            (level, result["ruleId"], str(result["message"].get("arguments", result["message"])))
        )
    return problems


def test_report_passes_sarif_and_github_rules(
    multitool: Path, report: Report, tmp_path: Path
) -> None:
    problems = validate(multitool, sarif.sarif_log(report), tmp_path)
    assert [p for p in problems if p[0] == "error"] == []
    # The only remarks left are about whole-file findings, whose line is not known.
    assert {p[1] for p in problems} <= {"SARIF2017"}


def test_baselined_report_passes(multitool: Path, baselined_report: Report, tmp_path: Path) -> None:
    log = sarif.sarif_log(baselined_report)
    assert {r["baselineState"] for r in log["runs"][0]["results"]} == {"new", "unchanged", "absent"}
    problems = validate(multitool, log, tmp_path)
    assert [p for p in problems if p[0] == "error"] == []
    assert {p[1] for p in problems} <= {"SARIF2017"}


def test_empty_report_passes(multitool: Path, empty_report: Report, tmp_path: Path) -> None:
    problems = validate(multitool, sarif.sarif_log(empty_report), tmp_path)
    assert [p for p in problems if p[0] == "error"] == []


def test_multitool_does_flag_a_broken_log(multitool: Path, report: Report, tmp_path: Path) -> None:
    # Guards the check itself: if the multitool's verdicts were not read, this would pass silently.
    log = sarif.sarif_log(replace(report, findings=report.findings[:1]))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = (
        "file:///abs/x.md"
    )
    errors = [p for p in validate(multitool, log, tmp_path) if p[0] == "error"]
    assert [p[1] for p in errors] == ["SARIF1004"]


def test_real_check_passes(multitool: Path, make_repo: Callable[..., Path], tmp_path: Path) -> None:
    from govcheck.cli import main

    root = make_repo(
        {
            "models/churn/train.py": "print('no card')\n",
            "configs/train.yaml": "data:\n  train: s3://ml-data/fraud/train.parquet\n",
            "train.py": 'import mlflow\nmlflow.set_experiment("Fraud Model")\n',
        }
    )
    target = tmp_path / "real.sarif"
    assert (
        main(
            [
                "check",
                "--repo",
                str(root),
                "--no-mlflow",
                "--format",
                "json",
                "--output",
                str(tmp_path / "r.json"),
                "--sarif-output",
                str(target),
            ]
        )
        == 1
    )
    log = json.loads(target.read_text(encoding="utf-8"))
    assert log["runs"][0]["results"]
    problems = validate(multitool, log, tmp_path)
    assert [p for p in problems if p[0] == "error"] == []


def test_real_baselined_check_passes(
    multitool: Path, make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    import subprocess

    from govcheck.cli import main

    root = make_repo(
        {
            "models/churn/train.py": "print('no card')\n",
            "configs/train.yaml": "data:\n  train: s3://ml-data/fraud/train.parquet\n",
        }
    )
    subprocess.run(["git", "tag", "base"], cwd=root, check=True)
    (root / "configs/eval.yaml").write_text("eval: s3://ml-data/eval.csv\n", encoding="utf-8")
    (root / "models/churn/README.md").write_text("# churn\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    target = tmp_path / "pr.sarif"
    args = ["check", "--repo", str(root), "--no-mlflow", "--baseline-rev", "base"]
    assert main([*args, "--format", "sarif", "--output", str(target)]) == 1
    log = json.loads(target.read_text(encoding="utf-8"))
    assert {r["baselineState"] for r in log["runs"][0]["results"]} == {
        "new",
        "unchanged",
        "absent",
    }
    problems = validate(multitool, log, tmp_path)
    assert [p for p in problems if p[0] == "error"] == []
