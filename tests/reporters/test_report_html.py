"""The governance page as text: cells, escaping, links, no external requests.

The page in a real browser (console, filters, keyboard, accessibility) is tested in
tests/mlflow/test_html_page.py.
"""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

import pytest

from govcheck.errors import Mark
from govcheck.model import (
    Checked,
    Finding,
    Location,
    ModelRow,
    RepoInfo,
    Report,
    RuleInfo,
    Skipped,
)
from govcheck.reporters import html
from govcheck.reporters.governance import NO_MODEL, control_title, families, view
from govcheck.reporters.source_links import file_link, forge_base

SHA = "0123456789abcdef0123456789abcdef01234567"
REPO = RepoInfo("/r", SHA, "main", None)


def _rule(rid: str, tags: tuple[str, ...] = (), source: str = "policies/team.yaml") -> RuleInfo:
    return RuleInfo(
        rid, rid.lower(), f"Title of {rid}", "error", "file", "", "", None, tags, Mark(source, 1, 1)
    )


class Page(HTMLParser):
    """What a browser would fetch or run: tags with src/href, scripts, ids."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parsed(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def test_cells_sum_up_each_family_per_model(report: Report) -> None:
    v = view(report)
    names = [r.name for r in v.rows]
    assert names == ["fraud", "churn", "legacy-churn", "ranker", "Not tied to a model"]
    cells = {(r.name, key): v.cell(r.index, key) for r in v.rows for key, _ in v.columns}
    assert cells[("fraud", "cards")] == "fail"  # one card rule passed, one failed
    assert cells[("fraud", "monitoring")] == "pass"
    assert cells[("fraud", "data")] == "na"
    assert cells[("churn", "cards")] == "fail"
    assert cells[("legacy-churn", "cards")] == "pass"
    assert cells[("legacy-churn", "monitoring")] == "waived"
    assert all(cells[("ranker", key)] == "na" for key, _ in v.columns)
    assert cells[("Not tied to a model", "data")] == "fail"
    assert cells[("Not tied to a model", "experiments")] == "waived"
    assert cells[("Not tied to a model", "other")] == "fail"  # a team rule with no family tag
    assert v.cell_findings(0, "cards") == 1


def test_a_skipped_rule_marks_only_cells_nothing_else_decided() -> None:
    rules = (_rule("A-1", ("monitoring",)), _rule("A-2", ("monitoring",)))
    report = Report(
        "0.1.0",
        REPO,
        rules,
        (),
        checked=(Checked("A-1", "models/a", None, "passed"),),
        skipped=(Skipped("A-2", "no MLflow tracking store configured"),),
        models=(
            ModelRow("a", "models/a", None, ("models/a",)),
            ModelRow("b", "models/b", None, ()),
        ),
    )
    v = view(report)
    assert v.cell(0, "monitoring") == "pass"
    assert v.cell(1, "monitoring") == "skipped"
    assert v.cell(1, "cards") == "na"


def test_families_come_from_tags_then_the_pack() -> None:
    assert families(_rule("X", ("monitoring", "fairness", "eu-ai-act/art-10"))) == (
        "monitoring",
        "fairness",
    )
    assert families(_rule("X", ("dataset-cards",))) == ("cards",)
    assert families(_rule("X", ("dvc",))) == ("data",)
    assert families(_rule("X", (), "builtin:monitoring")) == ("monitoring",)
    assert families(_rule("X", ("registry", "mlflow"), "builtin:registry")) == ("other",)


def test_compliance_controls_are_named_as_their_frameworks_do() -> None:
    assert control_title("eu-ai-act/art-72") == ("EU AI Act", "Art. 72")
    assert control_title("nist-ai-rmf/measure-2.11") == ("NIST AI RMF", "MEASURE 2.11")
    assert control_title("iso-42001/a.6.2.6") == ("ISO/IEC 42001", "A.6.2.6")
    assert control_title("monitoring") is None
    rules = (_rule("B", ("eu-ai-act/art-9",)), _rule("A", ("eu-ai-act/art-10", "eu-ai-act/art-9")))
    v = view(Report("0.1.0", REPO, rules, ()))
    [(framework, controls)] = v.compliance()
    assert framework == "EU AI Act"
    assert [(c, ids) for _, c, ids in controls] == [("Art. 9", ["B", "A"]), ("Art. 10", ["A"])]


def test_every_cell_has_a_symbol_and_a_word_and_links_to_its_findings(report: Report) -> None:
    out = html.render(report)
    # fraud's cards cell: red, a symbol, the word, the count, a link to its rules
    assert '<td class="st-fail"><a href="#m0-cards">✗ fail (1)</a></td>' in out
    assert '<td class="st-na"><span class="st">– n/a</span></td>' in out
    ids = {a.get("id") for _, a in parsed(out).tags}
    hrefs = {
        a["href"] for t, a in parsed(out).tags if t == "a" and a.get("href", "").startswith("#")
    }
    assert {h[1:] for h in hrefs} <= ids, "every in-page link has its target"
    assert "m0-cards" in ids and "m0-g1" in ids  # the family's rules, the rule's findings


def test_nothing_is_fetched_from_anywhere(report: Report) -> None:
    out = html.render(report)
    page = parsed(out)
    assert not [t for t, a in page.tags if "src" in a], "no element loads anything"
    assert not [a for t, a in page.tags if t == "link" and a.get("rel") != "icon"]
    assert any(
        t == "meta"
        and a.get("http-equiv") == "Content-Security-Policy"
        and "default-src 'none'" in (a.get("content") or "")
        for t, a in page.tags
    )
    assert not [t for t, a in page.tags if t == "form" and a.get("action")]


HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> \x1b[31m "quoted" & \udcff'


def test_hostile_text_is_escaped_everywhere(report: Report) -> None:
    bad = Finding(
        "GC-CARD-002",
        HOSTILE,
        "error",
        HOSTILE,
        Location(f"models/fraud/{HOSTILE}.md", 2, 1),
        "file",
        "models/fraud/MODEL_CARD.md",
        entity=HOSTILE,
    )
    hostile_rule = replace(report.rules[0], title=HOSTILE, help=f"```\n{HOSTILE}\n```\n{HOSTILE}")
    hostile = replace(
        report,
        rules=(hostile_rule, *report.rules[1:]),
        findings=(bad, *report.findings),
        notices=(HOSTILE,),
        models=(ModelRow(HOSTILE, HOSTILE, HOSTILE, ("models/fraud/MODEL_CARD.md",)),),
    )
    out = html.render(hostile)
    out.encode("utf-8")  # a lone surrogate would fail here
    assert "<script>alert" not in out and "<img src" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    assert "\\udcff" in out and "\\x1b[31m" in out and "\x1b" not in out
    page = parsed(out)
    assert [t for t, _ in page.tags].count("script") == 1  # our own, only
    assert not [t for t, a in page.tags if "onerror" in a]


def test_a_help_uri_that_is_not_a_web_address_is_not_a_link(report: Report) -> None:
    rule = replace(report.rules[0], help_uri="javascript:alert(1)")
    out = html.render(replace(report, rules=(rule, *report.rules[1:])))
    assert "javascript:" not in out


@pytest.mark.parametrize(
    ("remote", "base"),
    [
        ("https://github.com/acme/ml.git", ("github", "https://github.com/acme/ml")),
        ("https://x-token:ghp_SECRET@github.com/acme/ml", ("github", "https://github.com/acme/ml")),
        ("git@github.com:acme/ml.git", ("github", "https://github.com/acme/ml")),
        ("ssh://git@github.com:22/acme/ml.git", ("github", "https://github.com/acme/ml")),
        ("git@gitlab.com:group/sub/ml.git", ("gitlab", "https://gitlab.com/group/sub/ml")),
        (
            "https://oauth2:glpat-SECRET@gitlab.example.org/g/ml.git",
            ("gitlab", "https://gitlab.example.org/g/ml"),
        ),
        ("https://bitbucket.org/acme/ml.git", None),
        ("/srv/git/ml.git", None),
        (None, None),
    ],
)
def test_forges_are_known_by_their_remote_in_every_form(remote: str | None, base: object) -> None:
    assert forge_base(remote) == base


def test_file_links_point_at_the_checked_commit() -> None:
    link = file_link("git@gitlab.com:g/ml.git", SHA, changed=("train.py",))
    assert link("models/a b/MODEL_CARD.md", 3) == (
        f"https://gitlab.com/g/ml/-/blob/{SHA}/models/a%20b/MODEL_CARD.md#L3"
    )
    assert (
        link("models/a/MODEL_CARD.md", None)
        == f"https://gitlab.com/g/ml/-/blob/{SHA}/models/a/MODEL_CARD.md"
    )
    assert link("train.py", 8) is None  # the working tree's file differs from the commit's
    assert file_link("https://github.com/a/b", None)("x.py", 1) is None  # no commit yet
    assert file_link("https://github.com/a/b", "main")("x.py", 1) is None  # not a commit id


def test_remote_credentials_never_reach_the_page(report: Report) -> None:
    secret = replace(
        report,
        repo=replace(
            report.repo, remote_url="https://x-token:ghp_SECRET123@github.com/acme/ml.git"
        ),
    )
    out = html.render(secret)
    assert "ghp_SECRET123" not in out and "x-token" not in out
    assert f"https://github.com/acme/ml/blob/{SHA}/configs/eval.yaml#L4" in out


def test_waivers_show_reason_and_expiry(report: Report) -> None:
    out = html.render(report)
    assert (
        "Retired model, removed in Q1 (config waiver at .govcheck.yaml:14:5, expires 2027-01-31, approved by jane.doe)"
        in out
    )
    assert "Waiver expired on 2024-06-30" in out


def test_rule_help_keeps_its_code_blocks(report: Report) -> None:
    out = html.render(report)
    assert "<pre><code>key: value</code></pre>" in out
    assert "<strong>Fix</strong>" in out


def test_without_model_rows_everything_is_one_row(report: Report) -> None:
    v = view(replace(report, models=()))
    assert [r.index for r in v.rows] == [NO_MODEL]
