"""The bundled examples do what the README says: every planted violation is reported at
its file and line with exit 1, the compliant models and references get nothing, and the
compliant repository exits 0.

The examples are plain files (a nested .git cannot be committed), so each test checks a
git copy of one, through the command line a user types.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from govcheck.check import CheckOptions, run
from support import INSTALLED, SRC, govcheck

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
Git = Callable[..., str]

# (rule, path, line): line None for a directory-level finding, reported on the model's
# card or, without one, on a file in the directory.
ML_REPO_FINDINGS = {
    ("GC-CARD-001", "models/churn-predictor/monitoring.yaml", None),  # no card
    ("GC-CARD-002", "models/credit-scorer/MODEL_CARD.md", None),  # missing sections
    ("GC-CARD-003", "models/credit-scorer/MODEL_CARD.md", None),  # a placeholder is no license
    ("GC-CARD-004", "models/credit-scorer/MODEL_CARD.md", 2),  # license placeholder
    ("GC-CARD-004", "models/credit-scorer/MODEL_CARD.md", 14),  # TBD section
    ("GC-MON-001", "models/recommender/README.md", None),  # served, no monitoring config
    ("GC-MON-002", "models/ranker/monitoring.yaml", 8),  # invalid monitoring config
    ("GC-MON-005", "models/churn-predictor/monitoring.yaml", 7),  # recall only, no drift
    ("GC-MON-005", "models/ranker/monitoring.yaml", 7),  # ndcg only, no drift
    ("GC-DATA-001", "configs/data.yaml", 3),  # s3:// unpinned
    ("GC-DATA-001", "configs/data.yaml", 4),  # gs:// unpinned
    ("GC-DATA-001", "configs/data.yaml", 5),  # raw URL on branch main
    ("GC-DATA-001", "configs/data.yaml", 6),  # lakeFS branch
    ("GC-EXP-001", "configs/experiment.yaml", 1),  # experiment_name: "Fraud Model v2"
    ("GC-EXP-001", "src/train.py", 23),  # mlflow.set_experiment("Default")
    ("GC-EXP-001", ".env", 3),  # MLFLOW_EXPERIMENT_NAME=MyExperiment
    ("GC-DVC-002", "dvc.yaml", 2),  # params.yaml changed since dvc.lock was written
    ("GC-MLP-003", "MLproject", 10),  # {seed} is no declared parameter
    ("GC-DATA-001", "notebooks/eda.ipynb", 37),  # pd.read_csv of a raw URL on main
}

# Pinned references that must be recognised as data references and pass.
FRAUD_TRAIN = "models/fraud-detector/train.yaml"
PINNED = {
    (FRAUD_TRAIN, 3, "s3-version-id"),
    (FRAUD_TRAIN, 4, "gcs-generation"),
    (FRAUD_TRAIN, 5, "git-sha"),
    (FRAUD_TRAIN, 6, "dvc-md5"),
    (FRAUD_TRAIN, 8, "sibling-version"),
}


def git_copy(name: str, dest: Path, git: Git) -> Path:
    shutil.copytree(EXAMPLES / name, dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(
        dest,
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.com",
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "-m",
        "example",
    )
    return dest


def clean_env() -> dict[str, str]:
    """The environment a first-time user has: no MLflow store configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    if not INSTALLED:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture
def ml_repo(tmp_path: Path, run_git: Git) -> Path:
    return git_copy("ml-repo", tmp_path / "ml-repo", run_git)


def test_ml_repo_reports_each_violation_at_its_line(ml_repo: Path) -> None:
    done = govcheck("check", "--repo", str(ml_repo), "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    got = {(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]}
    assert got == ML_REPO_FINDINGS
    assert len(report["findings"]) == len(ML_REPO_FINDINGS)
    assert report["counts"] == {
        "error": 15,
        "warning": 4,
        "note": 0,
        "suppressed": 0,
        "baselined": 0,
        "absent": 0,
    }


def test_ml_repo_findings_say_why(ml_repo: Path) -> None:
    report = run(CheckOptions(repo=str(ml_repo), no_mlflow=True))
    messages = {
        (
            f.rule_id,
            f.location.path if f.location else None,
            f.location.line if f.location else None,
        ): f.message
        for f in report.findings
    }
    card = "models/credit-scorer/MODEL_CARD.md"
    assert (
        "missing sections: limitations, ethical considerations"
        in messages[("GC-CARD-002", card, None)]
    )
    assert "[More Information Needed]" in messages[("GC-CARD-004", card, 2)]
    assert "'TBD'" in messages[("GC-CARD-004", card, 14)]
    served = messages[("GC-MON-001", "models/recommender/README.md", None)]
    assert "azureml online deployment at deploy/recommender-online.yml:5" in served
    ranker = messages[("GC-MON-002", "models/ranker/monitoring.yaml", 8)]
    for error in (
        "alerts: [] should be non-empty",
        "'threshold' is a required property",
        "schedule: 'every hour'",
    ):
        assert error in ranker
    assert "'MyExperiment'" in messages[("GC-EXP-001", ".env", 3)]


def test_ml_repo_pinned_references_and_good_names_pass(ml_repo: Path) -> None:
    report = run(
        CheckOptions(repo=str(ml_repo), select=("GC-DATA-001", "GC-EXP-001"), no_mlflow=True)
    )
    passed = {
        (c.rule_id, c.location.path, c.location.line)
        for c in report.checked
        if c.status == "passed" and c.location
    }
    assert {("GC-DATA-001", path, line) for path, line, _ in PINNED} <= passed
    assert {
        ("GC-EXP-001", "src/train.py", 16),
        ("GC-EXP-001", FRAUD_TRAIN, 1),
        ("GC-EXP-001", "models/churn-predictor/train.py", 5),
    } <= passed
    assert not [f for f in report.findings if f.location and f.location.path == FRAUD_TRAIN]


def test_ml_repo_pins_are_the_intended_kinds(ml_repo: Path) -> None:
    from govcheck.check import load_rules
    from govcheck.config import find_config
    from support import make_facts

    _, params = load_rules(find_config(ml_repo), ml_repo)
    facts = make_facts(ml_repo, params)
    pins = {
        (r.fields["file"], r.fields["line"], r.fields["pin"])
        for r in facts.resources("data_reference")
        if r.fields["file"] == FRAUD_TRAIN
    }
    assert pins == PINNED


def test_compliant_repo_has_no_findings(tmp_path: Path, run_git: Git) -> None:
    repo = git_copy("compliant-repo", tmp_path / "compliant", run_git)
    done = govcheck("check", "--repo", str(repo), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["findings"] == []
    assert report["checked"]["total"] > 0 and report["checked"]["failed"] == 0
    # the DVC pipeline, its .dvc file and the MLproject were judged, not skipped
    checked = {c.rule_id for c in run(CheckOptions(repo=str(repo), no_mlflow=True)).checked}
    assert {"GC-DVC-001", "GC-DVC-002", "GC-DVC-003", "GC-MLP-001", "GC-MLP-004"} <= checked


@pytest.mark.parametrize(
    ("example", "status", "shown"),
    [
        ("ml-repo", 1, "models/credit-scorer/MODEL_CARD.md"),
        ("compliant-repo", 0, "No findings"),
    ],
)
def test_run_example_script(example: str, status: int, shown: str) -> None:
    env = clean_env()
    # The README installs govcheck first; here the script's fallback runs this checkout.
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not (Path(p) / "govcheck").exists()
    )
    env.update(EXAMPLE=example, PYTHON=sys.executable)
    done = subprocess.run(
        ["bash", str(EXAMPLES / "run-example.sh")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == status, done.stdout + done.stderr
    assert shown in done.stdout


def test_run_example_script_passes_options_through() -> None:
    env = {**clean_env(), "PYTHON": sys.executable}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not (Path(p) / "govcheck").exists()
    )
    done = subprocess.run(
        ["bash", str(EXAMPLES / "run-example.sh"), "--format", "sarif"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    sarif = json.loads(done.stdout)
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == len(ML_REPO_FINDINGS)


def test_missing_mlflow_store_is_said_once(tmp_path: Path, run_git: Git) -> None:
    # SPEC section 3: no store at all -> MLflow rules skipped, said once.
    repo = git_copy("compliant-repo", tmp_path / "compliant", run_git)
    done = govcheck("check", "--repo", str(repo))
    assert done.returncode == 0, done.stdout + done.stderr
    said = (done.stdout + done.stderr).count("no MLflow tracking store configured")
    assert said == 1, done.stdout
