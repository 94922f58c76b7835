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
from typing import Any

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
    assert fast["entry"] == "govcheck check --no-mlflow --staged"
    # A commit that only deletes files passes no file names: the hook must run anyway.
    assert fast["pass_filenames"] is True and fast["always_run"] is True
    assert full["always_run"] is True and full["pass_filenames"] is False
    assert "--no-mlflow" not in str(full["entry"])
    assert validate["entry"] == "govcheck validate"
    # govcheck itself finds the config and the policy files it loads.
    assert validate["pass_filenames"] is False and validate["files"] == r"\.ya?ml$"
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
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment pre-commit runs in: one PRE_COMMIT_HOME for the module, so the hook
    environment is built once."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MLFLOW_TRACKING_URI", "PRE_COMMIT")
    }
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return env


@pytest.fixture(scope="module")
def try_repo(hook_repo: Path, hook_env: dict[str, str]) -> TryRepo:
    """try_repo(repo, hook_id) -> the finished `pre-commit try-repo ... --all-files`."""
    env = hook_env

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


Committer = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def committer(
    hook_repo: Path, hook_env: dict[str, str], run_git: Callable[..., str]
) -> Callable[[Path, str], Committer]:
    """install(repo, hooks_yaml) -> commit(*git_args): the repository uses this project's
    hooks as a user's .pre-commit-config.yaml would (pinned by commit), with pre-commit
    installed as its git hook; commit() runs a real `git commit`."""
    sha = run_git(hook_repo, "rev-parse", "HEAD").strip()

    def install(repo: Path, hooks: str) -> Committer:
        config = f"repos:\n  - repo: {hook_repo}\n    rev: {sha}\n    hooks:\n{hooks}"
        (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
        run_git(repo, "add", ".pre-commit-config.yaml")
        run_git(repo, "commit", "-q", "-m", "pre-commit config")
        done = subprocess.run(
            [sys.executable, "-m", "pre_commit", "install"],
            cwd=repo,
            env=hook_env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

        def commit(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["git", "commit", "-m", "change", *args],
                cwd=repo,
                env=hook_env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )

        return commit

    return install


@pytest.mark.slow
def test_deleting_or_renaming_a_card_is_blocked_at_commit_time(
    make_repo: Callable[..., Path], committer: Callable[[Path, str], Committer], run_git: Any
) -> None:
    repo = make_repo(COMPLIANT)
    commit = committer(repo, "      - id: govcheck\n")
    run_git(repo, "rm", "-q", "models/m/MODEL_CARD.md")
    done = commit()
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "GC-CARD-001" in out and "models/m has no model card" in out
    assert run_git(repo, "log", "--format=%s", "-1").strip() == "pre-commit config"  # blocked
    run_git(repo, "reset", "-q", "--hard")
    # Renaming the card away from a name govcheck knows is the same as deleting it.
    run_git(repo, "mv", "models/m/MODEL_CARD.md", "models/m/notes.md")
    done = commit()
    assert done.returncode == 1 and "GC-CARD-001" in done.stdout + done.stderr
    run_git(repo, "reset", "-q", "--hard")
    # An unrelated deletion commits.
    run_git(repo, "rm", "-q", "src/train.py")
    done = commit()
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_deleting_a_loaded_policy_is_blocked_by_name(
    make_repo: Callable[..., Path], committer: Callable[[Path, str], Committer], run_git: Any
) -> None:
    config = "version: 1\npolicies: [builtin:all, .govcheck/policies/]\n"
    repo = make_repo(
        {
            **COMPLIANT,
            ".govcheck.yaml": config,
            ".govcheck/policies/team.yaml": TEAM_POLICY,
            ".govcheck/policies/extra.yaml": TEAM_POLICY.replace("TEAM-001", "TEAM-002").replace(
                "team-model-described", "team-model-described-2"
            ),
        }
    )
    commit = committer(repo, "      - id: govcheck\n")
    run_git(repo, "rm", "-q", ".govcheck/policies/team.yaml")
    done = commit()
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "this commit deletes policy file .govcheck/policies/team.yaml" in out
    assert "SKIP=govcheck" in out
    run_git(repo, "reset", "-q", "--hard")
    # Renaming it within the folder keeps it loaded: not a removal.
    run_git(repo, "mv", ".govcheck/policies/team.yaml", ".govcheck/policies/team-rules.yaml")
    done = commit()
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_hook_args_select_and_ignore_compose_with_file_names(
    make_repo: Callable[..., Path], committer: Callable[[Path, str], Committer], run_git: Any
) -> None:
    # models/x has a card but, served, no monitoring config: only GC-MON-001 fails.
    deployed = "version: 1\nparams: {deployed_models: ['*']}\n"
    repo = make_repo({**COMPLIANT, ".govcheck.yaml": deployed})
    commit = committer(repo, "      - id: govcheck\n        args: [--ignore, GC-MON]\n")
    (repo / "models/x").mkdir()
    (repo / "models/x/MODEL_CARD.md").write_text(
        COMPLIANT["models/m/MODEL_CARD.md"], encoding="utf-8"
    )
    (repo / "models/x/train.py").write_text("print(1)\n", encoding="utf-8")
    run_git(repo, "add", "models/x")
    done = commit()
    assert done.returncode == 0, done.stdout + done.stderr  # file names were not rule codes
    config = (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        config.replace("args: [--ignore, GC-MON]", "args: [--select, 'GC-MON,GC-CARD']")
    )
    (repo / "models/y").mkdir()
    (repo / "models/y/train.py").write_text("print(2)\n", encoding="utf-8")
    run_git(repo, "add", "-A")
    done = commit()
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "GC-MON-001" in out and "GC-CARD-001" in out and "models/y" in out


@pytest.mark.slow
def test_validate_hook_leaves_other_tools_policies_alone(
    make_repo: Callable[..., Path], try_repo: TryRepo
) -> None:
    kyverno = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec: {rules: []}\n"
    config = "version: 1\npolicies: [builtin:all, .govcheck/policies/]\n"
    files = {
        **COMPLIANT,
        ".govcheck.yaml": config,
        ".govcheck/policies/team.yaml": TEAM_POLICY,
        "policies/require-labels.yaml": kyverno,  # not a govcheck policy
    }
    done = try_repo(make_repo(files), "govcheck-validate")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert ".govcheck/policies/team.yaml: ok (1 rules)" in out and "require-labels" not in out
    broken = {**files, ".govcheck/policies/team.yaml": TEAM_POLICY.replace("resource:", "kind:")}
    done = try_repo(make_repo(broken), "govcheck-validate")
    assert done.returncode == 1 and ".govcheck/policies/team.yaml:" in done.stdout + done.stderr


README = (ROOT / "README.md").read_text(encoding="utf-8")
PROJECT_URL = "https://github.com/govcheck/govcheck"


@pytest.mark.slow
def test_readme_hook_snippet_and_pin_work_as_written(
    make_repo: Callable[..., Path], hook_repo: Path, hook_env: dict[str, str], run_git: Any
) -> None:
    """The README's .pre-commit-config.yaml and its autoupdate command, with the project's
    URL pointing at a clone of this checkout."""
    section = README.split("### pre-commit", 1)[1]
    snippet = next(b for b in section.split("```yaml\n")[1:] if "repos:" in b).split("```")[0]
    command = next(
        line for line in section.splitlines() if line.startswith("pre-commit autoupdate")
    )
    repo = make_repo(COMPLIANT)
    (repo / ".pre-commit-config.yaml").write_text(
        snippet.replace(PROJECT_URL, str(hook_repo)), encoding="utf-8"
    )
    run_git(hook_repo, "checkout", "-q", "-B", "main")  # the README pins from `main`
    for part in command.replace(PROJECT_URL, str(hook_repo)).split(" && "):
        done = subprocess.run(
            [sys.executable, "-m", "pre_commit", *part.split()[1:]],
            cwd=repo,
            env=hook_env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, part + "\n" + done.stdout + done.stderr
    pinned = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert pinned["repos"][0]["rev"] == run_git(hook_repo, "rev-parse", "HEAD").strip()
    run_git(repo, "add", "-A")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env=hook_env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "govcheck (ML governance policies)" in out and "Passed" in out


@pytest.mark.slow
def test_readme_pip_install_works_as_written(hook_repo: Path, tmp_path: Path) -> None:
    line = next(
        part.split("#")[0].strip()
        for part in README.splitlines()
        if part.startswith('pip install "govcheck @ git+')
    )
    requirement = line.removeprefix("pip install ").strip('"')
    env_dir = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet"]
        # file://localhost/...: pip before 24 rejects a git+file URL without a host.
        + [requirement.replace(PROJECT_URL, f"file://localhost{hook_repo}")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    version = subprocess.run(
        [str(env_dir / "bin" / "govcheck"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert version.returncode == 0 and version.stdout.startswith("govcheck ")
