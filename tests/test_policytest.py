"""`govcheck test DIR`: a team's policy unit tests, run by the real command."""

from __future__ import annotations

from pathlib import Path

from support import govcheck

POLICY = """\
version: 1
rules:
  - id: ACME-020
    name: configs-name-owner
    title: Configs name an owner
    resource: file
    where: {field: path, glob: "configs/*.yaml"}
    require: {field: data.owner, empty: false}
    message: "{path} has no owner"
"""


def _case(root: Path, expected: str) -> None:
    (root / "ACME-020/pass/configs").mkdir(parents=True)
    (root / "ACME-020/pass/configs/a.yaml").write_text("owner: team-a\n")
    (root / "ACME-020/fail/configs").mkdir(parents=True)
    (root / "ACME-020/fail/configs/a.yaml").write_text("name: x\nowner: ''\n")
    (root / "ACME-020/expected.yaml").write_text(expected)


def test_policy_tests_pass_and_fail_as_written(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            ".govcheck.yaml": "version: 1\npolicies: [builtin:all, policies/team.yaml]\n",
            "policies/team.yaml": POLICY,
        }
    )
    _case(repo / "policy-tests", "- {path: configs/a.yaml, line: 2, message_contains: no owner}\n")
    done = govcheck("test", "policy-tests", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok   ACME-020 pass" in done.stdout and "ok   ACME-020 fail" in done.stdout
    assert "2 passed, 0 failed" in done.stdout

    (repo / "policy-tests/ACME-020/expected.yaml").write_text("- {path: configs/a.yaml, line: 1}\n")
    wrong = govcheck("test", "policy-tests", cwd=repo)
    assert wrong.returncode == 1
    assert "FAIL ACME-020 fail: expected configs/a.yaml:1, got configs/a.yaml:2" in wrong.stdout


def test_builtin_cases_run_through_the_command() -> None:
    cases = Path(__file__).parent / "cases"
    done = govcheck("test", str(cases), cwd=cases.parent.parent)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "0 failed" in done.stdout and "ok   GC-CARD-002 fail" in done.stdout


def test_missing_directory_is_exit_2(tmp_path: Path) -> None:
    done = govcheck("test", str(tmp_path / "nope"), cwd=tmp_path)
    assert done.returncode == 2 and "test directory not found" in done.stderr
