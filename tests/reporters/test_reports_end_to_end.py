"""The reports of a real check over a real repository: valid, on their lines, stable.

Runs `govcheck check` (no MLflow) on a repository built in tmp_path and writes SARIF, JUnit,
JSON and markdown reports in one run, as the GitHub Action does.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xmlschema
from jsonschema import Draft4Validator, Draft7Validator, Draft202012Validator

from govcheck.cli import main

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "report.schema.json"

FILES = {
    "models/churn/train.py": "print('no card here')\n",
    "models/fraud/MODEL_CARD.md": "---\nlicense: mit\n---\n# Fraud\n\n## Intended use\nScoring.\n",
    "configs/train.yaml": "data:\n  train: s3://ml-data/fraud/train.parquet\n",
    "train.py": 'import mlflow\n\nmlflow.set_experiment("Fraud Model")\n',
}


def _check(root: Path, out: Path) -> dict[str, Any]:
    out.mkdir()
    code = main(
        [
            "check",
            "--repo",
            str(root),
            "--no-mlflow",
            "--format",
            "github",
            "--output",
            str(out / "gh.txt"),
            "--sarif-output",
            str(out / "r.sarif"),
            "--junit-output",
            str(out / "r.xml"),
            "--json-output",
            str(out / "r.json"),
            "--markdown-output",
            str(out / "r.md"),
        ]
    )
    assert code == 1
    return json.loads((out / "r.sarif").read_text(encoding="utf-8"))


def _results(log: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
        for r in log["runs"][0]["results"]
    }


def test_reports_of_a_real_check(
    make_repo: Callable[..., Path], tmp_path: Path, vendor: Path
) -> None:
    root = make_repo(FILES)
    log = _check(root, tmp_path / "out")
    oasis = json.loads((vendor / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert [e.message for e in Draft4Validator(oasis).iter_errors(log)] == []
    for xsd in ("junit-10-jenkins-xunit.xsd", "junit-windyroad.xsd"):
        schema = xmlschema.XMLSchema(str(vendor / xsd))
        assert [str(e.reason) for e in schema.iter_errors(str(tmp_path / "out" / "r.xml"))] == []
    report = json.loads((tmp_path / "out" / "r.json").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(report)] == []
    results = _results(log)
    pinned = results[("GC-DATA-001", "configs/train.yaml")]
    assert pinned["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    experiment = results[("GC-EXP-001", "train.py")]
    assert experiment["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    annotations = (tmp_path / "out" / "gh.txt").read_text(encoding="utf-8")
    assert "::error file=configs/train.yaml,line=2," in annotations
    assert (tmp_path / "out" / "r.md").read_text(encoding="utf-8").startswith("## govcheck")


def test_fingerprints_survive_lines_inserted_above(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_repo(FILES)
    before = _results(_check(root, tmp_path / "before"))
    (root / "configs/train.yaml").write_text(
        "# training inputs\n# (reviewed weekly)\n" + FILES["configs/train.yaml"], encoding="utf-8"
    )
    (root / "train.py").write_text("import os\n" + FILES["train.py"], encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    after = _results(_check(root, tmp_path / "after"))
    for key in (("GC-DATA-001", "configs/train.yaml"), ("GC-EXP-001", "train.py")):
        old = before[key]["locations"][0]["physicalLocation"]["region"]["startLine"]
        new = after[key]["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert new > old  # the finding moved down ...
        assert (
            after[key]["partialFingerprints"] == before[key]["partialFingerprints"]
        )  # ... and kept its identity


def test_a_pull_requests_sarif_against_its_base_passes_both_sarif_schemas(
    make_repo: Callable[..., Path], tmp_path: Path, vendor: Path
) -> None:
    root = make_repo(FILES)
    subprocess.run(["git", "tag", "base"], cwd=root, check=True)
    # The change: lines above a known finding, a new unpinned reference, the card added.
    (root / "configs/train.yaml").write_text(
        "# inputs\n" + FILES["configs/train.yaml"], encoding="utf-8"
    )
    (root / "configs/eval.yaml").write_text(
        "eval: s3://ml-data/fraud/eval.parquet\n", encoding="utf-8"
    )
    (root / "models/churn/README.md").write_text("# churn\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    sarif = tmp_path / "pr.sarif"
    code = main(
        ["check", "--repo", str(root), "--no-mlflow", "--changed-since", "base"]
        + ["--baseline-rev", "base", "--format", "sarif", "--output", str(sarif)]
    )
    assert code == 1
    log = json.loads(sarif.read_text(encoding="utf-8"))
    states = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r[
            "baselineState"
        ]
        for r in log["runs"][0]["results"]
    }
    assert states[("GC-DATA-001", "configs/eval.yaml")] == "new"
    assert states[("GC-DATA-001", "configs/train.yaml")] == "unchanged"
    assert states[("GC-CARD-001", "models/churn/train.py")] == "absent"
    oasis = json.loads((vendor / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    store = json.loads((vendor / "sarif-2.1.0.schemastore.json").read_text(encoding="utf-8"))
    assert [e.message for e in Draft4Validator(oasis).iter_errors(log)] == []
    assert [e.message for e in Draft7Validator(store).iter_errors(log)] == []
