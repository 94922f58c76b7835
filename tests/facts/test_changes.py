"""`last_changed`: commit times from one `git log` pass, renames followed, the working tree
counted as now; on file, model_card, monitor and model resources."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from govcheck.check import load_rules
from govcheck.config import Config
from govcheck.facts.changes import SHALLOW_NOTICE
from govcheck.facts.gittimes import last_changes
from support import make_facts

DAY = 86400
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def git(root: Path, *args: str, when: int | None = None) -> str:
    env = dict(os.environ)
    if when is not None:
        env.update(GIT_COMMITTER_DATE=f"@{when} +0000", GIT_AUTHOR_DATE=f"@{when} +0000")
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.strip()


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def commit(root: Path, when: int, files: dict[str, str] | None = None, msg: str = "c") -> None:
    if files:
        write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", msg, when=when)


MONITORING = """model: fraud
owner: fraud-team@example.com
schedule: daily
baseline: {dataset: "s3://ml-data/fraud/train.parquet?versionId=3HL4kqtJlcpXroDTDmJ"}
metrics:
  - {name: auc, threshold: {min: 0.85}}
alerts:
  - {channel: slack, target: "#fraud-alerts"}
"""
PARAMS = load_rules(Config(path=None), Path.cwd())[1]
CARD = "# Fraud\n\n## Intended Use\nScoring card transactions for the fraud team.\n" * 3


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Day 0: everything; day 10: the card edited; day 20: the monitoring config moved
    unchanged; day 30: a side branch edits notes.md, merged on day 40; day 50: README
    renamed with edits."""
    root = tmp_path_factory.mktemp("history")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "T")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "commit.gpgsign", "false")
    commit(
        root,
        T0,
        {
            "models/fraud/MODEL_CARD.md": CARD,
            "old/monitoring.yaml": MONITORING,
            "notes.md": "notes\n",
            "README.md": "# Project\n" + "A repository of models.\n" * 20,
            "dir with space/é.md": "unicode\n",
        },
    )
    commit(
        root, T0 + 10 * DAY, {"models/fraud/MODEL_CARD.md": CARD + "\n## Limitations\nEU only.\n"}
    )
    git(root, "mv", "old/monitoring.yaml", "models/fraud/monitoring.yaml")
    commit(root, T0 + 20 * DAY)
    git(root, "checkout", "-q", "-b", "side")
    commit(root, T0 + 30 * DAY, {"notes.md": "notes, edited on a branch\n"})
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "merge", "side", when=T0 + 40 * DAY)
    git(root, "mv", "README.md", "README.rst")
    write(root, {"README.rst": "# Project\n" + "A repository of models.\n" * 20 + "More.\n"})
    commit(root, T0 + 50 * DAY)
    return root


def test_one_pass_settles_every_path(history: Path) -> None:
    times = last_changes(
        history,
        "HEAD",
        [
            "models/fraud/MODEL_CARD.md",
            "models/fraud/monitoring.yaml",
            "notes.md",
            "README.rst",
            "dir with space/é.md",
        ],
    )
    assert times == {
        "models/fraud/MODEL_CARD.md": T0 + 10 * DAY,
        # moved unchanged on day 20: its content dates from day 0, under its old name
        "models/fraud/monitoring.yaml": T0,
        "notes.md": T0 + 30 * DAY,  # the branch's commit, not the merge
        "README.rst": T0 + 50 * DAY,  # renamed with edits: changed then
        "dir with space/é.md": T0,
    }


def test_a_revision_sees_only_its_own_history(history: Path) -> None:
    first = git(history, "rev-list", "--max-parents=0", "HEAD")
    times = last_changes(history, first, ["models/fraud/MODEL_CARD.md", "README.md"])
    assert times == {"models/fraud/MODEL_CARD.md": T0, "README.md": T0}
    assert last_changes(history, "HEAD~1", ["README.md", "notes.md"]) == {
        "README.md": T0,
        "notes.md": T0 + 30 * DAY,
    }


def test_a_path_no_commit_changed_is_absent(history: Path) -> None:
    assert last_changes(history, "HEAD", ["never/there.md"]) == {}
    assert last_changes(history, "HEAD", []) == {}


def test_fields_on_files_cards_monitors_and_models(history: Path) -> None:
    facts = make_facts(history, PARAMS)
    card = facts.file("models/fraud/MODEL_CARD.md")
    assert card is not None
    assert card.fields["last_changed"] == "2026-01-11T00:00:00+00:00"
    (model_card,) = [r for r in facts.resources("model_card") if r.id.startswith("models/fraud")]
    assert model_card.fields["last_changed"] == "2026-01-11T00:00:00+00:00"
    (model,) = [r for r in facts.resources("model") if r.fields["dir"] == "models/fraud"]
    assert model.fields["card_changed"] == "2026-01-11T00:00:00+00:00"
    assert model.fields["monitoring_changed"] == "2026-01-01T00:00:00+00:00"
    assert model.fields["last_changed"] == "2026-01-11T00:00:00+00:00"
    (monitor,) = facts.resources("monitor")
    assert monitor.fields["last_changed"] == "2026-01-01T00:00:00+00:00"
    assert monitor.fields.get("last_changed") == "2026-01-01T00:00:00+00:00"
    assert facts.notices == []


def test_under_rev_the_fields_are_that_commits(history: Path) -> None:
    first = git(history, "rev-list", "--max-parents=0", "HEAD")
    facts = make_facts(history, PARAMS, rev=first)
    (model,) = [r for r in facts.resources("model") if r.fields["dir"] == "models/fraud"]
    assert model.fields["card_changed"] == "2026-01-01T00:00:00+00:00"


def test_a_change_not_yet_committed_counts_as_now(make_repo, run_git) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"models/a/MODEL_CARD.md": CARD, "models/a/monitoring.yaml": MONITORING})
    (root / "models/a/MODEL_CARD.md").write_text(CARD + "edited\n", encoding="utf-8")
    (root / "models/a/train.yaml").write_text("lr: 0.1\n", encoding="utf-8")
    run_git(root, "add", "models/a/train.yaml")  # staged, never committed
    before = time.time()
    facts = make_facts(root, PARAMS)
    (model,) = facts.resources("model")
    now = time.strftime("%Y-%m-%dT%H", time.gmtime(before))
    assert model.fields["card_changed"].startswith(now)
    assert facts.file("models/a/train.yaml").fields["last_changed"].startswith(now)  # type: ignore[union-attr]
    # committed, unchanged since: the commit's time
    committed = int(run_git(root, "log", "-1", "--format=%ct"))
    assert model.fields["monitoring_changed"] == time.strftime(
        "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(committed)
    )


def test_a_repository_without_commits_has_no_times(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"models/a/MODEL_CARD.md": CARD}, commit=False)
    facts = make_facts(root, PARAMS)
    # staged in a repository with no HEAD: a change being prepared, so now
    assert facts.file("models/a/MODEL_CARD.md").fields["last_changed"] is not None  # type: ignore[union-attr]


def test_a_shallow_clone_says_its_times_are_late(history: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", history.as_uri(), str(clone)],
        check=True,
        capture_output=True,
    )
    facts = make_facts(clone, PARAMS)
    assert facts.file("notes.md").fields["last_changed"] == "2026-02-20T00:00:00+00:00"  # type: ignore[union-attr]
    assert facts.notices == [SHALLOW_NOTICE]


PROMETHEUS = """\
groups:
  - name: fraud-model
    rules:
      - alert: FraudFeatureDrift
        expr: max(evidently_drift_share{model_name="fraud"}) >= 0.3
        labels: {severity: ticket, team: fraud}
"""


def test_a_models_monitoring_includes_the_platform_monitors_that_watch_it(
    tmp_path: Path,
) -> None:
    """monitoring.yaml from day 0, a Prometheus rule on the model edited on day 5: the
    model's monitoring last changed on day 5."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "T")
    git(root, "config", "user.email", "t@example.com")
    commit(
        root, T0, {"models/fraud/MODEL_CARD.md": CARD, "models/fraud/monitoring.yaml": MONITORING}
    )
    commit(root, T0 + 5 * DAY, {"ops/prometheus/rules.yml": PROMETHEUS})
    facts = make_facts(root, PARAMS)
    (model,) = facts.resources("model")
    assert model.fields["monitoring_files"] == [
        "models/fraud/monitoring.yaml",
        "ops/prometheus/rules.yml",
    ]
    assert model.fields["monitoring_changed"] == "2026-01-06T00:00:00+00:00"
    assert model.fields["last_changed"] == "2026-01-01T00:00:00+00:00"  # its own folder's
