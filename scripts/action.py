#!/usr/bin/env python3
"""The logic of the govcheck GitHub Action (action.yml), one subcommand per step.

    action.py plan            what to install (the MLflow client or not) and the pip cache key
    action.py install         make a virtualenv in $RUNNER_TEMP and pip-install govcheck into it
    action.py run             one `govcheck check` writing SARIF, JUnit, the step summary and
                              annotations; counts and report paths go to $GITHUB_OUTPUT
    action.py upload-failed   say why findings did not reach code scanning, without failing
    action.py gate            fail the job per the fail-on input, after the SARIF upload

Inputs arrive as INPUT_* environment variables (action.yml maps them, so no input is ever
pasted into a shell line). Standard library only: it runs on the runner's own python3.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
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
# `changed-since: none` checks everything, on pull requests too.
_EVERYTHING = ("none", "all", "false")
# A config key naming a store or a snapshot, outside comments: `tracking_uri: ...` or
# `{snapshot: ...}`. Read without a YAML parser (this script has only the standard library),
# so it errs towards installing the client.
_MLFLOW_KEY = re.compile(r"(?:^|[\s{,])(?:tracking_uri|snapshot)\s*:\s*[^\s#,}]")
_SHA = re.compile(r"[0-9a-fA-F]{7,40}")


def _input(name: str, default: str = "") -> str:
    value = os.environ.get("INPUT_" + name.upper().replace("-", "_"), "")
    return value.strip() or default


def _fail(message: str, code: int = 1) -> int:
    print(f"::error title=govcheck::{_escape(message)}")
    return code


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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


def _action_path() -> Path:
    return Path(os.environ.get("GITHUB_ACTION_PATH") or Path(__file__).resolve().parents[1])


def _workdir() -> Path:
    return Path(_input("working-directory", "."))


# -- plan: what to install, and under which cache key ------------------------------------------


def requirement(version: str, action_path: str, extras: str) -> str:
    """What pip installs: the action's own checkout, or govcheck as a requirement."""
    if not version:
        return f"{Path(action_path).resolve()}{extras}"
    if re.fullmatch(r"\d[\w.+!-]*", version):
        return f"govcheck{extras}=={version}"
    if version[0] in "<>=!~":
        return f"govcheck{extras}{version}"
    return version  # a full requirement or URL (git+https://...), taken as written


def repo_root(workdir: Path) -> Path:
    done = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(done.stdout.strip()) if done.returncode == 0 else workdir


def config_names_mlflow(text: str) -> bool:
    """Whether a config's text names a tracking URI or a snapshot (comments ignored)."""
    for line in text.splitlines():
        code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        if _MLFLOW_KEY.search(code):
            return True
    return False


def needs_mlflow(workdir: Path) -> str:
    """Why the MLflow client is needed, or "" when repository rules are all there is."""
    if _input("mlflow-uri"):
        return "the mlflow-uri input"
    root = repo_root(workdir)
    config = workdir / _input("config") if _input("config") else root / ".govcheck.yaml"
    try:
        if config_names_mlflow(config.read_text(encoding="utf-8")):
            return f"{config.name} names an MLflow tracking URI or snapshot"
    except OSError:
        pass  # no config: built-in packs, MLflow rules only with a store named elsewhere
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return "MLFLOW_TRACKING_URI is set"
    if (root / "mlflow.db").is_file():
        return "mlflow.db is at the repository root"
    return ""


def plan() -> int:
    wanted = _input("python-version")
    running = platform.python_version()
    if wanted and not (running == wanted or running.startswith(wanted + ".")):
        print(
            f"::warning title=govcheck::python-version {_escape(wanted)} was asked for, but "
            f"python3 is {running} (actions/setup-python sets it up when the input is given)"
        )
    why = needs_mlflow(_workdir())
    extras = "[mlflow]" if why else ""
    print(f"MLflow client: {'yes, ' + why if why else 'not needed'}", flush=True)
    req = requirement(_input("version"), str(_action_path()), extras)
    pyproject = _action_path() / "pyproject.toml"
    source = pyproject.read_bytes() if pyproject.is_file() else b""
    digest = hashlib.sha256(req.encode() + b"\0" + source).hexdigest()[:16]
    temp = os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()
    set_outputs(
        {
            "mlflow": "true" if why else "false",
            "cache-key": f"govcheck-pip-{platform.system()}-py{running}-{digest}",
            "pip-cache": str(Path(temp) / "govcheck-pip-cache"),
        }
    )
    return 0


# -- install ------------------------------------------------------------------------------------


def install() -> int:
    temp = os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()
    env_dir = Path(temp) / "govcheck-venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # The MLflow client only when a store is named (the plan step decides): repo rules need none.
    extras = "[mlflow]" if _input("mlflow") == "true" else ""
    req = requirement(_input("version"), str(_action_path()), extras)
    print(f"Installing {req}", flush=True)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", req],
        check=False,
    )
    if done.returncode != 0:
        return _fail(f"pip could not install {req}")
    set_outputs({"python": str(python)})
    return 0


# -- run ----------------------------------------------------------------------------------------


def _items(text: str) -> list[str]:
    """`GC-CARD, GC-MON-001` or one per line -> ['GC-CARD', 'GC-MON-001']."""
    return [item for item in re.split(r"[\s,]+", text) if item]


def pull_request_base() -> str:
    """The base commit of the pull request this workflow runs for, or ""."""
    if os.environ.get("GITHUB_EVENT_NAME") not in ("pull_request", "pull_request_target"):
        return ""
    try:
        event = json.loads(Path(os.environ["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
        return str(event["pull_request"]["base"]["sha"])
    except (KeyError, OSError, TypeError, ValueError):
        return ""


def changed_since() -> str:
    value = _input("changed-since")
    if value.lower() in _EVERYTHING:
        return ""
    return value or pull_request_base()


def have_commit(rev: str, cwd: Path) -> bool:
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", "--end-of-options", rev + "^{commit}"],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def ensure_commit(rev: str, cwd: Path, what: str) -> str | None:
    """Make a commit the check compares with available (actions/checkout fetches one commit
    by default); None when it is, else why not."""
    if rev.startswith("-"):
        return f"{what} {rev!r} is not a git revision"
    if have_commit(rev, cwd):
        return None
    if _SHA.fullmatch(rev):
        print(f"Fetching {rev} ({what}), which the checkout does not have", flush=True)
        subprocess.run(
            ["git", "fetch", "--no-tags", "--quiet", "--depth=1", "origin", rev],
            cwd=cwd,
            check=False,
        )
        if have_commit(rev, cwd):
            return None
    return f"{what} {rev} is not in the checkout: fetch it (actions/checkout with fetch-depth: 0)"


def check_command(python: str, reports: dict[str, str], since: str) -> list[str]:
    cmd = [python, "-m", "govcheck", "check", *shlex.split(_input("paths"))]
    cmd += ["--format", "github", "--fail-on", "never"]
    for fmt, path in reports.items():
        cmd += [f"--{fmt}-output", path]
    for flag, name in (
        ("--config", "config"),
        ("--mlflow-uri", "mlflow-uri"),
        ("--mlflow-snapshot", "mlflow-snapshot"),
        ("--baseline", "baseline"),
        ("--baseline-rev", "baseline-rev"),
    ):
        if _input(name):
            cmd += [flag, _input(name)]
    if since:
        cmd += ["--changed-since", since]
    for flag in ("select", "ignore"):
        for item in _items(_input(flag)):
            cmd += [f"--{flag}", item]
    return cmd + shlex.split(_input("args"))


def upload_copy(sarif: Path, scratch: Path) -> Path:
    """The SARIF to upload: code scanning ignores baselineState, so results "absent" (fixed
    since the baseline) would show as open alerts; the upload leaves them out, and code
    scanning closes an alert by itself once its result is gone."""
    log = json.loads(sarif.read_text(encoding="utf-8"))
    results = log["runs"][0].get("results", [])
    kept = [r for r in results if r.get("baselineState") != "absent"]
    if len(kept) == len(results):
        return sarif
    log["runs"][0]["results"] = kept
    target = scratch / "upload.sarif"
    target.write_text(json.dumps(log), encoding="utf-8")
    return target


def _shown(path: Path, workdir: Path) -> str:
    """A report path as the next steps see it (they run in the workspace, not workdir)."""
    return str(path if path.is_absolute() or workdir == Path(".") else workdir / path)


def run() -> int:
    fail_on = _input("fail-on", "error")
    if fail_on not in FAIL_ON:
        return _fail(f"fail-on must be one of {', '.join(FAIL_ON)}, not '{fail_on}'", 2)
    workdir = _workdir()
    if not workdir.is_dir():
        return _fail(f"working-directory {workdir} does not exist", 2)
    since = changed_since()
    for rev, what in ((since, "changed-since"), (_input("baseline-rev"), "baseline-rev")):
        problem = ensure_commit(rev, workdir, what) if rev else None
        if problem:
            return _fail(problem, 2)
    if since:
        print(f"Checking what changed since {since}", flush=True)
    sarif = Path(_input("sarif-file", "govcheck.sarif"))
    junit = Path(_input("junit-file", "govcheck-junit.xml"))
    scratch = Path(tempfile.mkdtemp(prefix="govcheck-", dir=os.environ.get("RUNNER_TEMP")))
    reports = {
        "sarif": str(sarif),
        "junit": str(junit),
        "json": str(scratch / "report.json"),
        "markdown": str(scratch / "summary.md"),
    }
    for report in (sarif, junit):  # e.g. sarif-file: reports/govcheck.sarif
        (workdir / report).parent.mkdir(parents=True, exist_ok=True)
    python = os.environ.get("GOVCHECK_PYTHON") or sys.executable
    sys.stdout.flush()
    # stdout is inherited: the `--format github` annotations reach the runner's log as is.
    code = subprocess.run(check_command(python, reports, since), cwd=workdir, check=False)
    if code.returncode in _BROKEN or code.returncode not in (0, 1):
        return _fail(
            f"govcheck stopped with exit code {code.returncode}: "
            f"{_BROKEN.get(code.returncode, 'unexpected failure')} (see the log above)",
            code.returncode or 1,
        )
    counts = json.loads(Path(reports["json"]).read_text(encoding="utf-8"))["counts"]
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as out:
            out.write(Path(reports["markdown"]).read_text(encoding="utf-8"))
    upload = upload_copy(workdir / sarif, scratch)
    set_outputs(
        {
            "errors": str(counts["error"]),
            "warnings": str(counts["warning"]),
            "notes": str(counts["note"]),
            "new": str(counts["error"] + counts["warning"] + counts["note"]),
            "baselined": str(counts["baselined"]),
            "fixed": str(counts["absent"]),
            "suppressed": str(counts["suppressed"]),
            "sarif-file": _shown(sarif, workdir),
            "junit-file": _shown(junit, workdir),
            "sarif-upload": str(upload) if upload != workdir / sarif else _shown(sarif, workdir),
        }
    )
    return 0


# -- after the upload ---------------------------------------------------------------------------


def upload_failed() -> int:
    """The SARIF upload failed (it is allowed to): say so where people look, and carry on."""
    sarif = os.environ.get("SARIF_FILE") or "the SARIF report"
    message = (
        "The SARIF upload to code scanning failed, so findings are not in the Security tab. "
        "Code scanning may be unavailable here (a pull request from a fork, or a private "
        "repository without GitHub Code Security), or the workflow lacks "
        "`permissions: security-events: write`. The findings are still in the annotations, "
        f"the job summary and {sarif}; set upload-sarif: 'false' to skip the upload."
    )
    print(f"::warning title=govcheck::{_escape(message)}")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as out:
            out.write(f"\n> **Note:** {message}\n")
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
        baselined = int(os.environ.get("BASELINED") or 0)
    except ValueError:
        return _fail("finding counts from the check step are not numbers", 2)
    text = f"{counts[0]} errors, {counts[1]} warnings, {counts[2]} notes"
    if baselined:
        text += f" (new; {baselined} known from the baseline do not count)"
    if failing(fail_on, *counts):
        return _fail(f"{text}; failing at fail-on: {fail_on}")
    print(f"govcheck: {text}; nothing at or above fail-on: {fail_on}")
    return 0


def main(argv: list[str]) -> int:
    steps = {
        "plan": plan,
        "install": install,
        "run": run,
        "upload-failed": upload_failed,
        "gate": gate,
    }
    if len(argv) != 1 or argv[0] not in steps:
        print(f"usage: action.py {{{'|'.join(steps)}}}", file=sys.stderr)
        return 2
    return steps[argv[0]]()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
