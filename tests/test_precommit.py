"""The real pre-commit hooks, run the way a user would try them: `pre-commit try-repo`.

pre-commit builds its own environment from this project (pip install, hatchling wheel),
once per module thanks to a shared PRE_COMMIT_HOME, and runs the hooks in fresh
repositories. The hook code is the project's committed state: a clone of this checkout
(or, outside git, a copy made into one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from support import CARD, MONITORING, TEAM_POLICY, govcheck, registry_snapshot

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "tests" / "schemas"  # vendored third-party schemas, see its README
COMPLIANT = {
    "models/m/MODEL_CARD.md": CARD,
    "models/m/monitoring.yaml": MONITORING,
    "src/train.py": "import mlflow\nmlflow.set_experiment('fraud/training')\n",
}
_COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".ci-venv*",
    ".ci-logs",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
    ".cache",
    "build",
    "dist",
)

TryRepo = Callable[..., subprocess.CompletedProcess[str]]


def manifest() -> list[dict[str, object]]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_manifest_is_valid_for_the_schema_and_pre_commit() -> None:
    schema = json.loads((VENDOR / "pre-commit-hooks.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(manifest())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "validate-manifest",
            str(ROOT / ".pre-commit-hooks.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_manifest_declares_the_three_hooks_as_documented() -> None:
    hooks = {h["id"]: h for h in manifest()}
    assert set(hooks) == {"govcheck", "govcheck-mlflow", "govcheck-validate"}
    fast, full, validate = hooks["govcheck"], hooks["govcheck-mlflow"], hooks["govcheck-validate"]
    assert fast["entry"] == "govcheck check --no-mlflow" and fast["pass_filenames"] is True
    assert full["always_run"] is True and full["pass_filenames"] is False
    assert "--no-mlflow" not in str(full["entry"])
    assert validate["entry"] == "govcheck validate"
    assert all(h["language"] == "python" for h in hooks.values())


def test_project_config_is_valid_for_the_schema_and_pre_commit() -> None:
    from referencing import Registry, Resource

    hooks_schema = json.loads((VENDOR / "pre-commit-hooks.json").read_text(encoding="utf-8"))
    schema = json.loads((VENDOR / "pre-commit-config.json").read_text(encoding="utf-8"))
    # pre-commit-config.json refers to pre-commit-hooks.json#/definitions/... by URL.
    registry = Registry().with_resource(
        "https://json.schemastore.org/pre-commit-hooks.json", Resource.from_contents(hooks_schema)
    )
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, registry=registry).validate(config)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "validate-config",
            str(ROOT / ".pre-commit-config.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "govcheck-dogfood"} <= set(hooks)
    assert hooks["govcheck-dogfood"]["entry"] == "scripts/dogfood.sh"


def test_builtin_policy_files_validate() -> None:
    files = sorted(str(p) for p in (ROOT / "policies").glob("*.yaml"))
    done = govcheck("validate", *files)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": ok (") == len(files) and done.stderr == ""


def test_dogfood_hook_validates_policies_and_checks_the_examples() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PYTHON"] = sys.executable  # used when govcheck is not installed on PATH
    done = subprocess.run(
        [str(ROOT / "scripts" / "dogfood.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "policies/model-cards.yaml: ok (" in done.stdout
    assert "examples/compliant-repo: no findings" in done.stdout
    assert "examples/ml-repo: findings reported, as planted" in done.stdout


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project as a git repository whose HEAD holds the hook code."""
    dest = tmp_path_factory.mktemp("hook-src") / "govcheck"
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if inside.returncode == 0 and (ROOT / ".git").exists():
        subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(dest)], check=True)
        return dest
    shutil.copytree(ROOT, dest, ignore=_COPY_IGNORE)
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        [
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "govcheck",
        ],
    ):
        subprocess.run(["git", *args], cwd=dest, check=True, capture_output=True)
    return dest


@pytest.fixture(scope="module")
def try_repo(hook_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> TryRepo:
    """try_repo(repo, hook_id) -> the finished `pre-commit try-repo ... --all-files`."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MLFLOW_TRACKING_URI", "PRE_COMMIT")
    }
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")

    def run(repo: Path, hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pre_commit",
                "try-repo",
                str(hook_repo),
                hook,
                "--all-files",
                "--verbose",
            ],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    return run


@pytest.mark.slow
def test_hook_fails_on_a_violating_repository_and_shows_the_findings(
    make_repo: Callable[..., Path], try_repo: TryRepo
) -> None:
    repo = make_repo(
        {
            **COMPLIANT,
            "models/x/train.py": "print(1)\n",
            "configs/data.yaml": "train: s3://bucket/train.csv\n",
        }
    )
    done = try_repo(repo, "govcheck")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Failed" in out
    assert "GC-CARD-001" in out and "models/x has no model card" in out
    assert "GC-DATA-001" in out and "configs/data.yaml" in out
    assert "models/m" not in out.split("hook id: govcheck", 1)[-1]  # the compliant model is clean


@pytest.mark.slow
def test_hook_passes_on_a_compliant_repository(
    make_repo: Callable[..., Path], try_repo: TryRepo
) -> None:
    done = try_repo(make_repo(COMPLIANT), "govcheck")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Passed" in out and "No findings." in out


@pytest.mark.slow
def test_validate_hook_reports_a_bad_config_at_its_line(
    make_repo: Callable[..., Path], try_repo: TryRepo
) -> None:
    config = (
        "version: 1\nwaivers:\n  - rule: GC-CARD-001\n    target: models/x\n"
        "    expires: 2099-01-01\n"
    )
    done = try_repo(make_repo({**COMPLIANT, ".govcheck.yaml": config}), "govcheck-validate")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out  # pre-commit reports any non-zero hook exit as 1
    assert ".govcheck.yaml:3" in out and "reason" in out


@pytest.mark.slow
def test_mlflow_hook_checks_the_configured_snapshot(
    make_repo: Callable[..., Path], try_repo: TryRepo
) -> None:
    config = (
        "version: 1\npolicies: [builtin:all, team.yaml]\n"
        "mlflow: {snapshot: .govcheck/mlflow.json}\n"
    )
    files = {**COMPLIANT, ".govcheck.yaml": config, "team.yaml": TEAM_POLICY}
    bad = make_repo({**files, ".govcheck/mlflow.json": registry_snapshot({"m": ""})})
    done = try_repo(bad, "govcheck-mlflow")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "TEAM-001" in out and "Registered model 'm' has no description" in out
    good = make_repo(
        {**files, ".govcheck/mlflow.json": registry_snapshot({"m": "Scores transactions."})}
    )
    done = try_repo(good, "govcheck-mlflow")
    assert done.returncode == 0, done.stdout + done.stderr
