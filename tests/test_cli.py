"""The command line as a user meets it: real repositories, the real `govcheck` process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support import CARD, MONITORING, SRC, govcheck


@pytest.fixture
def compliant(make_repo):  # type: ignore[no-untyped-def]
    return make_repo(
        {
            "models/m/MODEL_CARD.md": CARD,
            "models/m/monitoring.yaml": MONITORING,
            "src/train.py": "import mlflow\nmlflow.set_experiment('fraud/training')\n",
        }
    )


@pytest.fixture
def violating(make_repo):  # type: ignore[no-untyped-def]
    return make_repo(
        {
            "models/m/MODEL_CARD.md": CARD,
            "models/m/monitoring.yaml": MONITORING,
            "models/x/train.py": "print(1)\n",
            "configs/train.yaml": "experiment_name: Bad Name\ndata: s3://bucket/train.csv\n",
            # models/x serves traffic, so it needs a monitoring config too
            ".govcheck.yaml": "version: 1\nparams: {deployed_models: [x]}\n",
        }
    )


def test_version() -> None:
    done = govcheck("--version")
    assert done.returncode == 0
    assert done.stdout.strip().startswith("govcheck 0.")


def test_compliant_repo_exits_0_without_findings(compliant: Path) -> None:
    done = govcheck("check", "--repo", str(compliant))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout


def test_findings_exit_1_and_are_grouped_by_file(violating: Path) -> None:
    done = govcheck("check", "--repo", str(violating))
    assert done.returncode == 1
    out = done.stdout
    assert "configs/train.yaml" in out and "GC-DATA-001" in out and "GC-EXP-001" in out
    assert "\x1b[" not in out  # no colour when stdout is not a terminal
    # GC-DATA-001 points at the line of the reference, GC-EXP-001 at the name's line
    assert any(line.strip().startswith("2:") and "GC-DATA-001" in line for line in out.splitlines())
    assert any(line.strip().startswith("1:") and "GC-EXP-001" in line for line in out.splitlines())


def test_select_and_ignore_by_code_name_and_prefix(violating: Path) -> None:
    def rules(*args: str) -> set[str]:
        done = govcheck("check", "--repo", str(violating), "--format", "json", *args)
        return {f["rule_id"] for f in json.loads(done.stdout)["findings"]}

    assert rules("--select", "GC-DATA-001") == {"GC-DATA-001"}
    assert rules("--select", "experiment-name-convention") == {"GC-EXP-001"}
    assert rules("--select", "GC-CARD") == {"GC-CARD-001"}
    assert "GC-CARD-001" not in rules("--ignore", "GC-CARD")
    done = govcheck("check", "--repo", str(violating), "--select", "GC-NOPE")
    assert done.returncode == 2 and "matches no rule" in done.stderr


def test_select_and_ignore_take_one_value_each_and_never_swallow_paths() -> None:
    from govcheck.cli import build_parser

    # As pre-commit runs a hook with `args: [--ignore, GC-MON]`: its file names follow.
    args = build_parser().parse_args(
        ["check", "--ignore", "GC-MON", "models/m/train.py", "--select=GC-CARD,GC-DATA-001"]
    )
    assert args.paths == ["models/m/train.py"]
    assert args.ignore == ["GC-MON"]
    assert args.select == ["GC-CARD", "GC-DATA-001"]
    args = build_parser().parse_args(["check", "--select", "GC-CARD", "--select", "a , b", "x"])
    assert (args.select, args.paths) == (["GC-CARD", "a", "b"], ["x"])


def test_comma_lists_select_rules_in_a_real_check(violating: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from govcheck.cli import main

    code = main(
        ["check", "--repo", str(violating), "--format", "json", "--select", "GC-CARD,GC-DATA-001"]
    )
    found = {f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert (code, found) == (1, {"GC-CARD-001", "GC-DATA-001"})
    assert main(["check", "--repo", str(violating), "--select", "GC-CARD,"]) == 2
    assert "separated by commas" in capsys.readouterr().err


def test_fail_on_controls_the_exit_code(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "models/m/MODEL_CARD.md": CARD + "\n[More Information Needed]\n",
            "models/m/monitoring.yaml": MONITORING,
        }
    )
    assert govcheck("check", "--repo", str(repo)).returncode == 0  # GC-CARD-004 is a warning
    assert govcheck("check", "--repo", str(repo), "--fail-on", "warning").returncode == 1
    assert govcheck("check", "--repo", str(repo), "--fail-on", "never").returncode == 0


def test_output_file_leaves_stdout_empty(violating: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = govcheck("check", "--repo", str(violating), "--format", "json", "--output", str(out))
    assert done.returncode == 1 and done.stdout == ""
    assert json.loads(out.read_text())["findings"]


def test_paths_limit_the_check_to_what_they_touch(violating: Path) -> None:
    done = govcheck("check", "configs/train.yaml", "--format", "json", cwd=violating)
    found = {(f["rule_id"], f["location"]["path"]) for f in json.loads(done.stdout)["findings"]}
    assert found == {("GC-DATA-001", "configs/train.yaml"), ("GC-EXP-001", "configs/train.yaml")}
    done = govcheck("check", "models/x/train.py", "--format", "json", cwd=violating)
    rules = {f["rule_id"] for f in json.loads(done.stdout)["findings"]}
    assert rules == {"GC-CARD-001", "GC-MON-001"}  # the file's directory is re-checked


def test_not_a_repository_is_exit_3(tmp_path: Path) -> None:
    done = govcheck("check", "--repo", str(tmp_path))
    assert done.returncode == 3
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_unknown_option_is_one_line_exit_2() -> None:
    done = govcheck("check", "--formt", "json")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


def test_list_rules_and_explain() -> None:
    listed = json.loads(govcheck("list-rules", "--format", "json", cwd="/").stdout)
    ids = {r["id"] for r in listed}
    assert {"GC-CARD-001", "GC-DATA-001", "GC-MON-002", "GC-EXP-001"} <= ids
    done = govcheck("explain", "model-card-sections", cwd="/")
    assert done.returncode == 0
    assert "GC-CARD-002" in done.stdout and "Why it matters" in done.stdout and "```" in done.stdout
    assert "eu-ai-act/" in done.stdout
    per_item = govcheck("explain", "GC-DVC-002", cwd="/")
    assert "one finding per item of: lock_differences" in per_item.stdout
    missing = govcheck("explain", "GC-CARD-02", cwd="/")
    assert missing.returncode == 2 and "did you mean" in missing.stderr


def test_init_writes_a_config_that_checks(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"models/m/MODEL_CARD.md": CARD, "models/m/monitoring.yaml": MONITORING})
    done = govcheck("init", cwd=repo)
    assert done.returncode == 0
    assert (repo / ".govcheck.yaml").is_file() and (
        repo / ".govcheck/policies/example.yaml"
    ).is_file()
    assert (
        govcheck(
            "validate", ".govcheck.yaml", ".govcheck/policies/example.yaml", cwd=repo
        ).returncode
        == 0
    )
    again = govcheck("init", cwd=repo)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert govcheck("check", cwd=repo).returncode == 0


def test_custom_policy_from_the_spec(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "runs/a.yaml": "owner: alice\ntags: {mlflow.source.git.commit: deadbeef}\nmetrics: [{name: auc}]\n",
            "runs/b.yaml": "owner: ''\nmetrics: [{name: auc, value: 0.9}]\n",
        }
    )
    (repo / "team.yaml").write_text(
        """\
version: 1
params: {runs_glob: "runs/*.yaml"}
rules:
  - id: ACME-010
    name: run-files-complete
    title: Run files are complete
    severity: warning
    resource: file
    where: {field: path, glob: "{runs_glob}"}
    require:
      all:
        - {field: data.owner, empty: false}
        - every: data.metrics
          require: {field: value, exists: true}
    message: "{path} is incomplete (owner {data.owner})"
""",
        encoding="utf-8",
    )
    done = govcheck(
        "check",
        "--repo",
        str(repo),
        "--policy",
        str(repo / "team.yaml"),
        "--select",
        "ACME",
        "--format",
        "json",
        "--fail-on",
        "warning",
    )
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["location"]["path"], f["location"]["line"]) for f in findings] == [
        ("runs/a.yaml", 3),
        ("runs/b.yaml", 1),
    ]
    assert "[0] 'auc'" in findings[0]["message"] and "value is missing" in findings[0]["message"]


def test_repo_only_check_never_imports_mlflow(compliant: Path) -> None:
    code = (
        "import sys; from govcheck.cli import main; rc = main(['check', '--repo', sys.argv[1]]);"
        "assert 'mlflow' not in sys.modules, 'mlflow imported'; sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(compliant)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_installed_package_carries_packs_and_schemas() -> None:
    from support import INSTALLED

    if not INSTALLED:
        pytest.skip("govcheck is not installed (running from the checkout); CI installs it")
    code = (
        "import govcheck.builtin as b; print(b.data_dir('policies')); print(b.data_dir('schemas'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=True
    )
    policies, schemas = done.stdout.split()
    assert "site-packages" in policies and Path(policies, "model-cards.yaml").is_file()
    assert Path(schemas, "monitoring.schema.json").is_file()


def test_config_exclude_hides_paths_from_every_rule(violating: Path) -> None:
    (violating / ".govcheck.yaml").write_text(
        "version: 1\nexclude: [configs, models/x]\n", encoding="utf-8"
    )
    done = govcheck("check", "--repo", str(violating), "--format", "json")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["findings"] == []


def test_self_check_of_this_project_is_clean() -> None:
    root = SRC.parent
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    done = govcheck("check", "--repo", str(root), "--no-mlflow")
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_option_of_every_command_has_help() -> None:
    import argparse

    from govcheck.cli import build_parser
    from govcheck.commands import COMMANDS

    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(sub.choices) == list(COMMANDS)
    for name, command in sub.choices.items():
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, f"govcheck {name} {'/'.join(action.option_strings) or action.dest}"


def test_check_help_ends_with_exit_codes_and_examples() -> None:
    done = govcheck("check", "--help")
    assert done.returncode == 0
    tail = done.stdout[done.stdout.index("exit codes:") :]
    assert "3  a data source failed" in tail
    examples = [line for line in tail.splitlines() if line.strip().startswith("govcheck check")]
    assert len(examples) >= 2
    from govcheck.reporters import REPORTERS

    assert "{" + ",".join(REPORTERS) + "}" in done.stdout  # --format choices from the registry


def test_quiet_prints_only_the_findings(violating: Path) -> None:
    done = govcheck("check", "--repo", str(violating), "--quiet")
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout.startswith("configs/train.yaml\n")
    assert "GC-DATA-001" in done.stdout
    assert "error" in done.stdout and "Skipped rules" not in done.stdout
    assert not any(
        line.startswith(("1 error", "3 errors", "4 errors")) for line in done.stdout.splitlines()
    )


def test_concise_format_and_forced_colour(violating: Path) -> None:
    done = govcheck(
        "check", "--repo", str(violating), "--format", "concise", env={"FORCE_COLOR": "1"}
    )
    lines = done.stdout.splitlines()
    assert "configs/train.yaml:2:7: \x1b[31merror\x1b[0m GC-DATA-001 " in done.stdout
    assert all(": \x1b[3" in line for line in lines) and len(lines) >= 3
    plain = govcheck("check", "--repo", str(violating), "--format", "concise", "--color", "never")
    assert "\x1b" not in plain.stdout and plain.stdout.count("\n") == len(lines)
