#!/usr/bin/env python3
"""The logic of the govcheck GitHub Action (action.yml), one subcommand per step.

    action.py install   make a virtualenv in $RUNNER_TEMP and pip-install govcheck into it
    action.py run       one `govcheck check` writing SARIF, JUnit, the step summary and
                        annotations; finding counts and report paths go to $GITHUB_OUTPUT
    action.py gate      fail the job per the fail-on input, after the SARIF upload

Inputs arrive as INPUT_* environment variables (action.yml maps them, so no input is ever
pasted into a shell line). Standard library only: it runs on the runner's own python3.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

FAIL_ON = ("error", "warning", "note", "never")
# govcheck's own exit codes for a broken run (not findings): usage/config, data source.
_BROKEN = {2: "configuration or usage error", 3: "a data source failed"}


def _input(name: str, default: str = "") -> str:
    value = os.environ.get("INPUT_" + name.upper().replace("-", "_"), "")
    return value.strip() or default


def _fail(message: str, code: int = 1) -> int:
    print(f"::error title=govcheck::{message}")
    return code


def set_outputs(values: dict[str, str]) -> None:
    """Append name=value lines to $GITHUB_OUTPUT (printed when run outside Actions)."""
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            raise ValueError(f"output {name} must be one line")
        lines.append(f"{name}={value}\n")
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.writelines(lines)
    else:
        sys.stdout.writelines(lines)


def requirement(version: str, action_path: str, extras: str) -> str:
    """What pip installs: the action's own checkout, or govcheck at a version."""
    if not version:
        return f"{Path(action_path).resolve()}{extras}"
    if re.fullmatch(r"\d[\w.+!-]*", version):
        return f"govcheck{extras}=={version}"
    if version[0] in "<>=!~":
        return f"govcheck{extras}{version}"
    return version  # a full requirement or URL, taken as written


def install() -> int:
    temp = os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()
    env_dir = Path(temp) / "govcheck-venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # The MLflow client only when a store is named: repo rules and snapshots need none.
    extras = "[mlflow]" if _input("mlflow-uri") else ""
    action_path = os.environ.get("GITHUB_ACTION_PATH") or str(Path(__file__).resolve().parents[1])
    req = requirement(_input("version"), action_path, extras)
    print(f"Installing {req}", flush=True)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", req],
        check=False,
    )
    if done.returncode != 0:
        return _fail(f"pip could not install {req}")
    set_outputs({"python": str(python)})
    return 0


def check_command(python: str, reports: dict[str, str]) -> list[str]:
    cmd = [
        python,
        "-m",
        "govcheck",
        "check",
        *shlex.split(_input("paths")),
        "--format",
        "github",
        "--fail-on",
        "never",
    ]
    for fmt, path in reports.items():
        cmd += [f"--{fmt}-output", path]
    for flag, name in (
        ("--config", "config"),
        ("--mlflow-uri", "mlflow-uri"),
        ("--mlflow-snapshot", "mlflow-snapshot"),
    ):
        if _input(name):
            cmd += [flag, _input(name)]
    return cmd


def run() -> int:
    fail_on = _input("fail-on", "error")
    if fail_on not in FAIL_ON:
        return _fail(f"fail-on must be one of {', '.join(FAIL_ON)}, not '{fail_on}'", 2)
    sarif = _input("sarif-file", "govcheck.sarif")
    junit = _input("junit-file", "govcheck-junit.xml")
    scratch = Path(tempfile.mkdtemp(prefix="govcheck-", dir=os.environ.get("RUNNER_TEMP")))
    reports = {
        "sarif": sarif,
        "junit": junit,
        "json": str(scratch / "report.json"),
        "markdown": str(scratch / "summary.md"),
    }
    for report in (sarif, junit):  # e.g. sarif-file: reports/govcheck.sarif
        Path(report).parent.mkdir(parents=True, exist_ok=True)
    python = os.environ.get("GOVCHECK_PYTHON") or sys.executable
    sys.stdout.flush()
    # stdout is inherited: the `--format github` annotations reach the runner's log as is.
    code = subprocess.run(check_command(python, reports), check=False).returncode
    if code in _BROKEN or code not in (0, 1):
        return _fail(
            f"govcheck stopped with exit code {code}: "
            f"{_BROKEN.get(code, 'unexpected failure')} (see the log above)",
            code or 1,
        )
    counts = json.loads(Path(reports["json"]).read_text(encoding="utf-8"))["counts"]
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as out:
            out.write(Path(reports["markdown"]).read_text(encoding="utf-8"))
    set_outputs(
        {
            "errors": str(counts["error"]),
            "warnings": str(counts["warning"]),
            "notes": str(counts["note"]),
            "suppressed": str(counts["suppressed"]),
            "sarif-file": sarif,
            "junit-file": junit,
        }
    )
    return 0


def failing(fail_on: str, errors: int, warnings: int, notes: int) -> int:
    """How many findings are at or above fail_on."""
    if fail_on == "never":
        return 0
    return (
        errors
        + (warnings if fail_on in ("warning", "note") else 0)
        + (notes if fail_on == "note" else 0)
    )


def gate() -> int:
    fail_on = _input("fail-on", "error")
    if fail_on not in FAIL_ON:
        return _fail(f"fail-on must be one of {', '.join(FAIL_ON)}, not '{fail_on}'", 2)
    try:
        counts = [int(os.environ.get(k) or 0) for k in ("ERRORS", "WARNINGS", "NOTES")]
    except ValueError:
        return _fail("finding counts from the check step are not numbers", 2)
    text = f"{counts[0]} errors, {counts[1]} warnings, {counts[2]} notes"
    if failing(fail_on, *counts):
        return _fail(f"{text}; failing at fail-on: {fail_on}")
    print(f"govcheck: {text}; nothing at or above fail-on: {fail_on}")
    return 0


def main(argv: list[str]) -> int:
    steps = {"install": install, "run": run, "gate": gate}
    if len(argv) != 1 or argv[0] not in steps:
        print(f"usage: action.py {{{'|'.join(steps)}}}", file=sys.stderr)
        return 2
    return steps[argv[0]]()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
