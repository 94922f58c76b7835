"""The GitHub Action: action.yml against the vendored schema, and scripts/action.py run as
the runner would, with temporary GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and a real
repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from support import CARD, INSTALLED, MONITORING, SRC

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "action.py"
VENDOR = ROOT / "tests" / "schemas"  # vendored third-party schemas, see its README
MakeRepo = Callable[..., Path]

# Three errors: models/x has no card and no monitoring config, and one unpinned reference.
VIOLATING = {
    "models/m/MODEL_CARD.md": CARD,
    "models/m/monitoring.yaml": MONITORING,
    "models/x/train.py": "print(1)\n",
    "configs/data.yaml": "train: s3://bucket/train.csv\n",
}


def action() -> dict[str, object]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def steps() -> list[dict[str, object]]:
    return action()["runs"]["steps"]  # type: ignore[index, no-any-return]


class Runner:
    """A simulated runner: temporary GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP."""

    def __init__(self, tmp: Path) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.output = tmp / "github_output"
        self.summary = tmp / "step_summary.md"
        self.temp = tmp / "runner_temp"
        self.temp.mkdir()
        self.output.write_text("", encoding="utf-8")
        self.summary.write_text("", encoding="utf-8")

    def step(self, name: str, cwd: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("INPUT_", "GITHUB_")) and k != "MLFLOW_TRACKING_URI"
        }
        if not INSTALLED:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(SRC)]))
        env.update(
            GITHUB_OUTPUT=str(self.output),
            GITHUB_STEP_SUMMARY=str(self.summary),
            RUNNER_TEMP=str(self.temp),
            GOVCHECK_PYTHON=sys.executable,
        )
        for key, value in inputs.items():
            env[key if key.isupper() else "INPUT_" + key.upper()] = value
        return subprocess.run(
            [sys.executable, str(SCRIPT), name],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines if line)


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    return Runner(tmp_path / "runner")


def test_action_metadata_is_valid_for_the_schema() -> None:
    schema = json.loads((VENDOR / "github-action.json").read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(action())]
    assert errors == []


def test_inputs_outputs_and_defaults() -> None:
    meta = action()
    inputs = meta["inputs"]  # type: ignore[index]
    assert set(inputs) == {  # type: ignore[arg-type]
        "version",
        "config",
        "paths",
        "fail-on",
        "mlflow-uri",
        "mlflow-snapshot",
        "sarif-file",
        "junit-file",
        "upload-sarif",
        "category",
    }
    assert inputs["fail-on"]["default"] == "error"  # type: ignore[index]
    assert inputs["upload-sarif"]["default"] == "true"  # type: ignore[index]
    assert inputs["sarif-file"]["default"] == "govcheck.sarif"  # type: ignore[index]
    assert inputs["junit-file"]["default"] == "govcheck-junit.xml"  # type: ignore[index]
    outputs = set(meta["outputs"])  # type: ignore[arg-type]
    assert {"errors", "warnings", "notes", "sarif-file", "junit-file"} <= outputs


def test_steps_install_check_upload_then_fail() -> None:
    names = [str(s.get("uses") or s.get("run")) for s in steps()]
    assert names[0].endswith('action.py" install') and names[1].endswith('action.py" run')
    assert names[2] == "github/codeql-action/upload-sarif@v3"
    assert names[3].endswith('action.py" gate')  # failing comes only after the upload
    upload = steps()[2]
    assert upload["if"] == "inputs.upload-sarif == 'true'"
    assert upload["with"] == {
        "sarif_file": "${{ steps.check.outputs.sarif-file }}",
        "category": "${{ inputs.category }}",
    }


def test_no_input_is_pasted_into_a_shell_line() -> None:
    # Expressions inside `run:` are substituted before bash parses it (script injection);
    # inputs go through `env:` instead.
    for step in steps():
        assert "${{" not in str(step.get("run", "")), step


def test_run_writes_outputs_summary_annotations_and_reports(
    make_repo: MakeRepo, runner: Runner
) -> None:
    repo = make_repo(VIOLATING)
    done = runner.step("run", repo)
    assert done.returncode == 0, done.stderr  # failing is the gate's job, after the upload
    assert runner.outputs() == {
        "errors": "3",
        "warnings": "0",
        "notes": "0",
        "suppressed": "0",
        "sarif-file": "govcheck.sarif",
        "junit-file": "govcheck-junit.xml",
    }
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 3
    assert any(
        a.startswith("::error file=configs/data.yaml,line=1,") and "GC-DATA-001" in a
        for a in annotations
    )
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith("## govcheck")
    assert "| Rule | Name | Severity | Findings | Suppressed | Compliance |" in summary
    assert re.search(r"\| `GC-DATA-001` \| data-reference-pinned \| error \| 1 \| 0 \|", summary)
    sarif = json.loads((repo / "govcheck.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {
        "GC-CARD-001",
        "GC-MON-001",
        "GC-DATA-001",
    }
    junit = ET.parse(repo / "govcheck-junit.xml").getroot()
    assert len(junit.findall(".//failure")) == 3


def test_run_honours_config_paths_and_report_locations(make_repo: MakeRepo, runner: Runner) -> None:
    waiver = (
        "version: 1\nwaivers:\n  - rule: GC-DATA-001\n    target: configs/*.yaml\n"
        "    reason: public benchmark\n    expires: 2099-12-31\n"
    )
    repo = make_repo({**VIOLATING, "ci/govcheck.yaml": waiver})
    done = runner.step(
        "run",
        repo,
        config="ci/govcheck.yaml",
        paths="configs/data.yaml",
        sarif_file="out/g.sarif",
        junit_file="out/g.xml",
    )
    assert done.returncode == 0, done.stderr
    outputs = runner.outputs()
    # Only the data file was in PATHs, and its one finding is waived.
    assert (outputs["errors"], outputs["suppressed"]) == ("0", "1")
    assert (outputs["sarif-file"], outputs["junit-file"]) == ("out/g.sarif", "out/g.xml")
    assert "::error " not in done.stdout
    assert "public benchmark" in runner.summary.read_text(encoding="utf-8")
    result = json.loads((repo / "out/g.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [r["suppressions"][0]["kind"] for r in result] == ["external"]


def test_run_stops_with_govchecks_exit_code_on_a_bad_config(
    make_repo: MakeRepo, runner: Runner
) -> None:
    repo = make_repo({**VIOLATING, ".govcheck.yaml": "version: 1\nfail_on: sometimes\n"})
    done = runner.step("run", repo)
    assert done.returncode == 2
    assert ".govcheck.yaml:2" in done.stderr
    assert "::error title=govcheck::govcheck stopped with exit code 2" in done.stdout
    assert runner.outputs() == {}  # no counts, so nothing downstream mistakes it for clean


def test_run_rejects_an_unknown_fail_on(make_repo: MakeRepo, runner: Runner) -> None:
    done = runner.step("run", make_repo(VIOLATING), fail_on="sometimes")
    assert done.returncode == 2 and "fail-on must be one of" in done.stdout


@pytest.mark.parametrize(
    ("fail_on", "counts", "fails"),
    [
        ("error", ("1", "0", "0"), True),
        ("error", ("0", "5", "5"), False),
        ("warning", ("0", "1", "0"), True),
        ("warning", ("0", "0", "3"), False),
        ("note", ("0", "0", "1"), True),
        ("never", ("9", "9", "9"), False),
        ("error", ("", "", ""), False),  # the check step wrote nothing: no findings to fail on
    ],
)
def test_gate_fails_per_fail_on(
    tmp_path: Path, runner: Runner, fail_on: str, counts: tuple[str, str, str], fails: bool
) -> None:
    done = runner.step(
        "gate", tmp_path, fail_on=fail_on, ERRORS=counts[0], WARNINGS=counts[1], NOTES=counts[2]
    )
    assert done.returncode == (1 if fails else 0), done.stdout
    assert done.stdout.startswith("::error title=govcheck::") == fails
    assert f"fail-on: {fail_on}" in done.stdout


def test_readme_example_workflow_uses_the_action_on_pull_requests() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## pre-commit and GitHub Actions", 1)[1]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    workflows = [yaml.safe_load(b) for b in blocks if "runs-on" in b]
    assert workflows, "no example workflow in the README section"
    flow = workflows[0]
    assert "pull_request" in flow[True]  # YAML 1.1 reads the key `on` as True
    assert flow["permissions"] == {"contents": "read", "security-events": "write"}
    used = [s.get("uses", "") for job in flow["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("govcheck/govcheck@") for u in used)


@pytest.mark.slow
def test_install_from_the_actions_own_checkout(runner: Runner, tmp_path: Path) -> None:
    done = runner.step("install", tmp_path, GITHUB_ACTION_PATH=str(ROOT), PYTHONPATH="")
    assert done.returncode == 0, done.stdout + done.stderr
    python = runner.outputs()["python"]
    assert Path(python).is_relative_to(runner.temp)
    version = subprocess.run(
        [python, "-m", "govcheck", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert version.returncode == 0 and version.stdout.startswith("govcheck ")
