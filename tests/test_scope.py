"""A run that checked nothing never reads like a clean one (issue 10, item 5): per-kind
counts in the report, one notice per built-in pack whose scope was empty (what it looked for,
which parameter widens it), PATHs that reach nothing, and --fail-on-empty."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from govcheck.check import CheckOptions, run
from support import CARD, govcheck

MakeRepo = Callable[..., Path]

# A repository of plain code: no card, no data reference, no experiment name.
PLAIN = {"README.md": "# tool\n", "src/tool.py": "print('hi')\n"}


def test_every_empty_pack_says_what_it_looked_for(make_repo: MakeRepo) -> None:
    report = run(CheckOptions(repo=str(make_repo(PLAIN)), no_mlflow=True))
    assert report.findings == () and report.checked == ()
    empty = "\n".join(report.empty_scope)
    assert "no model cards found (card_files: model[-_]card.md, model[-_]card[-_]*.md" in empty
    assert "models_glob: models/*" in empty
    assert "no dataset cards found (dataset_card_files: DATASET_CARD*.md" in empty
    assert "no data references found (URIs and paths under data" in empty
    assert "no experiment names found" in empty
    assert "no deployed models and no monitors found" in empty
    # the registry pack's repository rule (GC-REG-004) ran over nothing
    assert "no registered models found (none the repository registers" in empty
    assert set(report.empty_scope) <= set(report.notices)
    kinds = {s.kind: s.count for s in report.scope}
    assert kinds["model"] == 0 and kinds["model_card"] == 0 and kinds["data_reference"] == 0
    assert "mlflow_run" not in kinds  # skipped rules count nothing


def test_counts_per_kind_of_what_was_checked(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            "MODEL_CARD.md": CARD,
            "models/a/model_card.md": CARD,
            "models/b/train.py": "print(1)\n",
            "configs/data.yaml": "train: s3://b/t.csv?versionId=1\neval: s3://b/e.csv?versionId=2\n",
        }
    )
    report = run(CheckOptions(repo=str(repo), no_mlflow=True))
    counts = {s.kind: s.text() for s in report.scope}
    assert counts["model"] == "3 models"  # the root's, models/a, models/b
    assert counts["model_card"] == "2 model cards"
    assert counts["data_reference"] == "2 data references"
    assert counts["experiment_reference"] == "0 experiment names"
    assert not any("model cards" in n for n in report.empty_scope)


def test_the_text_report_never_calls_nothing_clean(make_repo: MakeRepo) -> None:
    repo = make_repo(PLAIN)
    done = govcheck("check", "--no-mlflow", cwd=repo)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    assert first == "Nothing checked."
    assert second.startswith("Checked: 0 data references,") and "0 model cards" in second
    assert "No findings" not in done.stdout
    assert "no model cards found (card_files:" in done.stdout
    failing = govcheck("check", "--no-mlflow", "--fail-on-empty", "--format", "json", cwd=repo)
    assert failing.returncode == 1
    scope = json.loads(failing.stdout)["scope"]
    assert scope["fail_on_empty"] is True and scope["empty"]
    assert {"kind": "model_card", "noun": "model card", "count": 0} in scope["checked"]


def test_fail_on_empty_from_the_config(make_repo: MakeRepo) -> None:
    repo = make_repo({**PLAIN, ".govcheck.yaml": "version: 1\nfail_on_empty: true\n"})
    report = run(CheckOptions(repo=str(repo), no_mlflow=True))
    assert report.fail_on_empty and report.empty_scope


def test_a_narrowed_check_calls_no_pack_empty(make_repo: MakeRepo) -> None:
    repo = make_repo({**PLAIN, "models/a/MODEL_CARD.md": CARD})
    report = run(CheckOptions(repo=str(repo), paths=(str(repo / "src/tool.py"),), no_mlflow=True))
    assert report.empty_scope == () and not any("found" in n for n in report.notices)


def test_an_untracked_or_excluded_path_says_so(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {**PLAIN, "fixtures/card.md": CARD, ".govcheck.yaml": "version: 1\nexclude: [fixtures]\n"}
    )
    (repo / "draft.yaml").write_text("data: s3://b/x.csv\n", encoding="utf-8")
    report = run(CheckOptions(repo=str(repo), paths=(str(repo / "draft.yaml"),), no_mlflow=True))
    assert report.nothing_checked()
    assert report.empty_scope == ("draft.yaml: not tracked by git, so nothing in it was checked",)
    report = run(CheckOptions(repo=str(repo), paths=(str(repo / "fixtures"),), no_mlflow=True))
    assert report.empty_scope == ("fixtures: excluded by the config (exclude: fixtures)",)
    # said beside what was checked, though something was
    both = (str(repo / "draft.yaml"), str(repo / "src/tool.py"))
    report = run(CheckOptions(repo=str(repo), paths=both, no_mlflow=True))
    assert "draft.yaml: not tracked by git, so nothing in it was checked" in report.notices


def test_an_empty_change_set_says_nothing_was_checked(make_repo: MakeRepo) -> None:
    repo = make_repo(PLAIN)
    done = govcheck("check", "--changed-since", "HEAD", "--no-mlflow", cwd=repo)
    assert done.returncode == 0
    assert "Nothing checked." in done.stdout and "no file changed" in done.stdout
