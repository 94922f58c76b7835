from __future__ import annotations

from dataclasses import replace

from govcheck.model import Finding, Location, Report
from govcheck.reporters import markdown


def test_cell_escaping() -> None:
    assert markdown.cell("a | b\nc\r\nd <script>&") == "a \\| b<br>c<br>d &lt;script&gt;&amp;"
    assert markdown.code("x|y`z\n") == "`x\\|y'z `"


def test_tables_and_counts(report: Report) -> None:
    out = markdown.render(report)
    assert "**2 errors, 2 warnings, 1 note; 2 suppressed.**" in out
    assert (
        "| `GC-DATA-001` | data-reference-pinned | warning | 2 | 0 | "
        "`eu-ai-act/art-10`, `nist-ai-rmf/map-2.3` |"
    ) in out
    assert "| error | `GC-CARD-002` | `models/fraud/MODEL_CARD.md:3:1` | " in out
    assert "100% mutable \\| no versionId" in out
    assert (
        "### Suppressed" in out
        and "Retired model, removed in Q1 (config, expires 2027-01-31" in out
    )
    # every table row has the same number of unescaped cell separators as its header
    for line in out.splitlines():
        if line.startswith("| ") and ("`GC-" in line or line.startswith("| error")):
            assert line.replace("\\|", "").count("|") in (5, 7)


def test_no_findings(empty_report: Report) -> None:
    assert markdown.render(empty_report) == (
        "## govcheck\n\n**No findings.**\n\nChecked: 1 directory.\n"
    )


def _bulk(report: Report, n: int) -> Report:
    findings = tuple(
        Finding(
            "GC-DATA-001",
            "data-reference-pinned",
            "warning",
            f"s3://bucket/{i:06d}/{'x' * 200}.parquet is not pinned",
            Location(f"configs/{i:06d}.yaml", i + 1, 3),
            "data_reference",
            f"r{i}",
        )
        for i in range(n)
    )
    return replace(report, findings=findings)


def test_truncated_under_one_mebibyte(report: Report) -> None:
    big = _bulk(report, 6000)  # about 1.7 MB of rows
    out = markdown.render(big)
    assert len(out.encode("utf-8")) <= markdown.MAX_BYTES
    shown = sum(1 for line in out.splitlines() if line.startswith("| warning |"))
    assert 3000 < shown < 6000
    assert f"> **Note:** {6000 - shown} of 6000 findings not shown" in out
    # Notices (the empty dataset-card scope last) and the provenance footer are kept.
    assert "(dataset_card_files: DATASET_CARD*.md, README.md)\n\n<sub>Verdict on commit" in out
    assert out.rstrip().endswith("govcheck 0.1.0</sub>")


def test_not_truncated_when_it_fits(report: Report) -> None:
    out = markdown.render(_bulk(report, 100))
    assert "not shown" not in out
    assert sum(1 for line in out.splitlines() if line.startswith("| warning |")) == 100


def test_the_footer_says_what_the_verdict_was_reached_on(report: Report) -> None:
    footer = markdown.render(report).rstrip().splitlines()[-1]
    assert footer.startswith("<sub>Verdict on commit `0123456789abcdef0123456789abcdef01234567`")
    assert "working tree `differed in 2 paths: models/fraud/MODEL_CARD.md, train.py`" in footer
    assert f"policy hash `{report.provenance.policy_hash}`" in footer  # type: ignore[union-attr]
    assert "MLflow snapshot `.govcheck/mlflow.json` · snapshot digest `9e107d9d" in footer
