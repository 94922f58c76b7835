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

from support import CARD, INSTALLED, MONITORING, SRC, TEAM_POLICY, registry_snapshot

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
    # models/x serves traffic, so it needs a monitoring config too
    ".govcheck.yaml": "version: 1\nparams: {deployed_models: [x]}\n",
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
        "python-version",
        "working-directory",
        "config",
        "paths",
        "changed-since",
        "baseline",
        "baseline-rev",
        "select",
        "ignore",
        "args",
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
    assert inputs["changed-since"]["default"] == ""  # type: ignore[index]  # PR base, by the script
    outputs = set(meta["outputs"])  # type: ignore[arg-type]
    assert {"new", "baselined", "fixed", "errors", "warnings", "notes"} <= outputs
    assert {"sarif-file", "junit-file"} <= outputs


def _step(name: str) -> dict[str, object]:
    [step] = [s for s in steps() if s.get("name") == name]
    return step


def test_steps_plan_cache_install_check_upload_then_fail() -> None:
    names = [str(s.get("uses") or s.get("run")) for s in steps()]
    assert names[0] == "actions/setup-python@v6"
    assert names[1].endswith('action.py" plan')
    assert names[2] == "actions/cache/restore@v5"
    assert names[3].endswith('action.py" install') and names[4] == "actions/cache/save@v5"
    assert names[5].endswith('action.py" run')
    assert names[6] == "github/codeql-action/upload-sarif@v4"
    assert names[7].endswith('action.py" upload-failed')
    assert names[8].endswith('action.py" gate')  # failing comes only after the upload
    assert _step("Set up Python")["if"] == "inputs.python-version != ''"
    upload = _step("Upload SARIF to code scanning")
    assert upload["if"] == "inputs.upload-sarif == 'true'"
    assert upload["continue-on-error"] is True  # no code scanning: a warning, never a failure
    assert upload["with"] == {
        "sarif_file": "${{ steps.check.outputs.sarif-upload }}",
        "category": "${{ inputs.category }}",
    }
    assert _step("Say why the upload failed")["if"] == "steps.upload.outcome == 'failure'"
    cache = {
        "path": "${{ steps.plan.outputs.pip-cache }}",
        "key": "${{ steps.plan.outputs.cache-key }}",
    }
    assert _step("Restore the pip cache")["with"] == cache
    assert _step("Save the pip cache")["with"] == cache
    assert _step("Install govcheck")["env"]["PIP_CACHE_DIR"] == cache["path"]  # type: ignore[index]


def test_every_input_reaches_the_script() -> None:
    """Each input is mapped into some step's environment (or used by the workflow itself)."""
    mapped = {
        str(v)
        for s in steps()
        for v in dict(s.get("env") or {}, **dict(s.get("with") or {})).values()  # type: ignore[arg-type]
    }
    used = " ".join(mapped) + " " + " ".join(str(s.get("if", "")) for s in steps())
    for name in action()["inputs"]:  # type: ignore[union-attr]
        assert "inputs." + name in used, name


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
        "new": "3",
        "baselined": "0",
        "fixed": "0",
        "suppressed": "0",
        "sarif-file": "govcheck.sarif",
        "junit-file": "govcheck-junit.xml",
        "sarif-upload": "govcheck.sarif",
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


# -- plan: which client, which cache ---------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "inputs", "needed"),
    [
        (None, {}, False),
        ("version: 1\nmlflow:\n  tracking_uri: https://mlflow.example.com\n", {}, True),
        ("version: 1\nmlflow: {snapshot: .govcheck/mlflow.json}\n", {}, True),
        # The starter config `govcheck init` writes: the mlflow block is commented out.
        ("version: 1\n# mlflow:\n#   tracking_uri: sqlite:///mlflow.db\n", {}, False),
        (None, {"mlflow_uri": "sqlite:///x.db"}, True),
    ],
    ids=["no-config", "tracking-uri", "snapshot", "commented-out", "input"],
)
def test_plan_installs_the_mlflow_client_when_a_store_is_named(
    make_repo: MakeRepo, runner: Runner, config: str | None, inputs: dict[str, str], needed: bool
) -> None:
    repo = make_repo({".govcheck.yaml": config} if config else {"README.md": "# r\n"})
    done = runner.step("plan", repo, **inputs)
    assert done.returncode == 0, done.stdout + done.stderr
    out = runner.outputs()
    assert out["mlflow"] == ("true" if needed else "false")
    assert out["pip-cache"] == str(runner.temp / "govcheck-pip-cache")
    assert re.fullmatch(r"govcheck-pip-\w+-py3\.\d+\.\d+\S*-[0-9a-f]{16}", out["cache-key"])


def test_plan_keys_the_cache_by_what_is_installed(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo({".govcheck.yaml": "version: 1\nmlflow: {tracking_uri: x}\n"})
    keys = []
    for i, inputs in enumerate(({}, {"version": "0.1.0"}, {"config": "absent.yaml"})):
        runner = Runner(tmp_path / f"r{i}")
        assert runner.step("plan", repo, **inputs).returncode == 0
        keys.append(runner.outputs()["cache-key"])
    assert len(set(keys)) == 3  # with or without the client, another version: another cache


def test_plan_warns_when_the_python_version_is_not_the_one_asked_for(
    make_repo: MakeRepo, runner: Runner
) -> None:
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    done = runner.step("plan", make_repo({}), python_version=running)
    assert "::warning" not in done.stdout
    done = runner.step("plan", make_repo({}), python_version="2.7")
    assert "::warning title=govcheck::python-version 2.7 was asked for, but python3 is " in (
        done.stdout
    )


# -- run: what is checked ------------------------------------------------------------------------


@pytest.fixture
def pull_request(make_repo: MakeRepo, run_git: Callable[..., str]) -> tuple[Path, str]:
    """(repository, base commit): VIOLATING committed as the base, then a change that adds
    one unpinned reference and leaves the known problems alone."""
    repo = make_repo(VIOLATING)
    base = run_git(repo, "rev-parse", "HEAD").strip()
    (repo / "configs/eval.yaml").write_text("eval: s3://bucket/eval.csv\n", encoding="utf-8")
    run_git(repo, "add", "configs/eval.yaml")
    run_git(repo, "commit", "-q", "-m", "eval data")
    return repo, base


def _event(tmp_path: Path, base: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}}}), encoding="utf-8")
    return {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}


def test_on_a_pull_request_only_the_change_is_checked(
    pull_request: tuple[Path, str], runner: Runner, tmp_path: Path
) -> None:
    repo, base = pull_request
    done = runner.step("run", repo, **_event(tmp_path, base))
    assert done.returncode == 0, done.stderr
    assert f"Checking what changed since {base}" in done.stdout
    assert runner.outputs()["errors"] == "1"  # configs/eval.yaml, not the three known ones
    assert "file=configs/eval.yaml" in done.stdout and "models/x" not in done.stdout


def test_changed_since_explicit_and_none(pull_request: tuple[Path, str], tmp_path: Path) -> None:
    repo, base = pull_request
    explicit = Runner(tmp_path / "explicit")
    assert explicit.step("run", repo, changed_since=base).returncode == 0
    assert explicit.outputs()["errors"] == "1"
    everything = Runner(tmp_path / "everything")
    done = everything.step("run", repo, changed_since="none", **_event(tmp_path, base))
    assert done.returncode == 0 and everything.outputs()["errors"] == "4"


def test_baseline_rev_fails_only_on_what_the_change_adds(
    pull_request: tuple[Path, str], runner: Runner
) -> None:
    repo, base = pull_request
    done = runner.step("run", repo, baseline_rev=base)
    assert done.returncode == 0, done.stderr
    out = runner.outputs()
    assert (out["new"], out["errors"], out["baselined"], out["fixed"]) == ("1", "1", "3", "0")
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1 and "file=configs/eval.yaml" in annotations[0]
    assert "3 findings unchanged" in runner.summary.read_text(encoding="utf-8")


def test_a_baseline_file_fixed_findings_stay_out_of_the_upload(
    make_repo: MakeRepo, run_git: Callable[..., str], runner: Runner
) -> None:
    repo = make_repo(VIOLATING)
    assert (
        subprocess.run(
            [sys.executable, "-m", "govcheck", "baseline", "--quiet"],
            cwd=repo,
            env={**os.environ, "PYTHONPATH": str(SRC)} if not INSTALLED else None,
            check=False,
        ).returncode
        == 0
    )
    (repo / "configs/data.yaml").write_text("train: local\n", encoding="utf-8")  # fixed
    run_git(repo, "add", "-A")
    done = runner.step("run", repo, baseline=".govcheck/baseline.json")
    assert done.returncode == 0, done.stderr
    out = runner.outputs()
    assert (out["new"], out["baselined"], out["fixed"]) == ("0", "2", "1")
    full = json.loads((repo / "govcheck.sarif").read_text(encoding="utf-8"))
    assert [r["baselineState"] for r in full["runs"][0]["results"]].count("absent") == 1
    # Code scanning ignores baselineState: the upload leaves the fixed one out.
    upload = json.loads(Path(out["sarif-upload"]).read_text(encoding="utf-8"))
    states = [r["baselineState"] for r in upload["runs"][0]["results"]]
    assert states == ["unchanged", "unchanged"]
    gate = runner.step("gate", repo, ERRORS=out["errors"], BASELINED=out["baselined"])
    assert gate.returncode == 0
    assert "(new; 2 known from the baseline do not count)" in gate.stdout


def test_select_ignore_and_args(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo({**VIOLATING, "ci/extra.yaml": TEAM_POLICY})
    selected = Runner(tmp_path / "select")
    assert selected.step("run", repo, select="GC-CARD, GC-DATA-001").returncode == 0
    sarif = json.loads((repo / "govcheck.sarif").read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"GC-CARD-001", "GC-DATA-001"}
    ignored = Runner(tmp_path / "ignore")
    assert ignored.step("run", repo, ignore="GC-CARD\nGC-MON").returncode == 0
    sarif = json.loads((repo / "govcheck.sarif").read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"GC-DATA-001"}
    extra = Runner(tmp_path / "args")
    done = extra.step("run", repo, args="--policy ci/extra.yaml --select TEAM-001")
    assert done.returncode == 0, done.stderr
    sarif = json.loads((repo / "govcheck.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == []  # ran, no models registered
    assert [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]] == ["TEAM-001"]


def test_working_directory(make_repo: MakeRepo, runner: Runner, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    ci_config = "version: 1\nfail_on: warning\nparams: {deployed_models: [x]}\n"
    repo = make_repo({**VIOLATING, "ci/govcheck.yaml": ci_config})
    subprocess.run(["git", "clone", "-q", str(repo), str(workspace / "ml")], check=True)
    done = runner.step("run", workspace, working_directory="ml", config="ci/govcheck.yaml")
    assert done.returncode == 0, done.stderr
    out = runner.outputs()
    assert out["errors"] == "3"
    assert (out["sarif-file"], out["junit-file"]) == ("ml/govcheck.sarif", "ml/govcheck-junit.xml")
    assert (workspace / "ml" / "govcheck.sarif").is_file()
    missing = Runner(tmp_path / "missing").step("run", workspace, working_directory="nope")
    assert missing.returncode == 2 and "working-directory nope does not exist" in missing.stdout


def test_a_base_commit_missing_from_a_shallow_checkout_is_fetched(
    pull_request: tuple[Path, str], runner: Runner, tmp_path: Path
) -> None:
    origin, base = pull_request
    checkout = tmp_path / "checkout"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(checkout)], check=True
    )
    done = runner.step("run", checkout, **_event(tmp_path, base))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Fetching {base} (changed-since)" in done.stdout
    assert runner.outputs()["errors"] == "1"
    unknown = Runner(tmp_path / "unknown").step("run", checkout, baseline_rev="no-such-branch")
    assert unknown.returncode == 2
    assert "baseline-rev no-such-branch is not in the checkout" in unknown.stdout
    assert "fetch-depth: 0" in unknown.stdout


def test_a_failed_upload_warns_and_carries_on(tmp_path: Path, runner: Runner) -> None:
    done = runner.step("upload-failed", tmp_path, SARIF_FILE="reports/govcheck.sarif")
    assert done.returncode == 0
    assert done.stdout.startswith("::warning title=govcheck::The SARIF upload to code scanning")
    assert "fork" in done.stdout and "security-events: write" in done.stdout
    assert "reports/govcheck.sarif" in runner.summary.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_config_naming_a_store_installs_the_client(
    make_repo: MakeRepo, runner: Runner, tmp_path: Path
) -> None:
    repo = make_repo({".govcheck.yaml": "version: 1\nmlflow:\n  tracking_uri: sqlite:///m.db\n"})
    assert runner.step("plan", repo, GITHUB_ACTION_PATH=str(ROOT)).returncode == 0
    plan = runner.outputs()
    assert plan["mlflow"] == "true"
    done = runner.step(
        "install",
        tmp_path,
        GITHUB_ACTION_PATH=str(ROOT),
        PYTHONPATH="",
        PIP_CACHE_DIR=plan["pip-cache"],
        mlflow=plan["mlflow"],
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Installing " in done.stdout and done.stdout.rstrip().endswith("[mlflow]")
    python = runner.outputs()["python"]
    probe = subprocess.run(
        [python, "-c", "import mlflow, govcheck; print(mlflow.__version__)"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr


def test_mlflow_inputs_reach_the_check(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo(
        {**VIOLATING, "team.yaml": TEAM_POLICY, "mlflow.json": registry_snapshot({"m": ""})}
    )
    recorded = Runner(tmp_path / "snapshot")
    done = recorded.step(
        "run", repo, mlflow_snapshot="mlflow.json", args="--policy team.yaml", select="TEAM"
    )
    assert done.returncode == 0, done.stderr
    assert recorded.outputs()["errors"] == "1"
    assert "Registered model 'm' has no description" in done.stdout
    live = Runner(tmp_path / "live")
    done = live.step("run", repo, mlflow_uri=f"sqlite:///{tmp_path / 'absent.db'}")
    assert done.returncode == 3  # the URI reached govcheck, which found no store there
    assert "MLflow tracking store not found" in done.stderr


@pytest.mark.slow
def test_the_version_input_is_what_pip_installs(runner: Runner, tmp_path: Path) -> None:
    done = runner.step("install", tmp_path, version="0.0.0-does-not-exist", PYTHONPATH="")
    assert done.returncode == 1
    assert "Installing govcheck==0.0.0-does-not-exist" in done.stdout
    assert "::error title=govcheck::pip could not install govcheck==0.0.0-does-not-exist" in (
        done.stdout
    )
