"""The governance page in a real browser (Debian's chromium driven by Playwright).

The repository has several models (a compliant one, one without a card whose training
config names unpinned data, one whose missing licence is waived) on top of the session
repository's commit, and the session's sqlite store registers four models, two of which
the repository does not hold. The page is opened from disk, as a CI artifact would be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcheck.check import CheckOptions, run
from govcheck.model import Report
from govcheck.reporters import html
from support import CARD, MONITORING

# A browser start, a check with MLflow and axe take more than a few seconds together.
pytestmark = pytest.mark.slow

AXE_VAR = "GOVCHECK_AXE_JS"
CONFIG = """version: 1
waivers:
  - rule: model-card-license
    target: models/ranker/MODEL_CARD.md
    reason: "Licence under legal review"
    expires: 2099-12-31
"""
BIAS = "\n## Bias and Fairness\nDemographic parity difference 0.03 across age bands.\n"
FILES = {
    ".govcheck.yaml": CONFIG,
    # Serving models' cards say what their bias review found (GC-FAIR-003, a card rule too).
    "models/fraud-detector/MODEL_CARD.md": CARD + BIAS,
    "models/fraud-detector/monitoring.yaml": MONITORING.replace(
        "model: m", "model: fraud-detector"
    ),
    "models/credit-scorer/train.yaml": "data_path: s3://bucket/credit/train.csv\n",
    "models/ranker/MODEL_CARD.md": CARD.replace("license: mit\n", "") + BIAS,
    "models/ranker/monitoring.yaml": MONITORING.replace("model: m", "model: ranker"),
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="module")
def page_repo(ml_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the session repository (its commit is the one the store's good runs
    name), with the models above committed on top."""
    root = tmp_path_factory.mktemp("page") / "repo"
    _git(ml_repo.parent, "clone", "-q", str(ml_repo), str(root))
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "models")
    # A GitHub remote with a token in it: links go to GitHub, the token never shows.
    _git(root, "remote", "set-url", "origin", "https://x:ghp_TOKEN@github.com/acme/ml.git")
    return root


@pytest.fixture(scope="module")
def report(page_repo: Path, store_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    store = tmp_path_factory.mktemp("page-store") / "mlflow.db"
    shutil.copyfile(store_db, store)
    return run(CheckOptions(repo=str(page_repo), mlflow_uri=f"sqlite:///{store}", models=True))


@pytest.fixture(scope="module")
def page_file(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page-html") / "governance.html"
    path.write_text(html.render(report), encoding="utf-8")
    return path


class Opened:
    """A page with what it logged and requested."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))


@pytest.fixture
def opened(browser: Any, page_file: Path) -> Iterator[Opened]:
    page = browser.new_page()
    seen = Opened(page)
    page.goto(page_file.as_uri())
    yield seen
    page.close()


def cell(page: Any, model: str, column: str) -> str:
    """The text of the matrix cell of a model (its row header) and a column title."""
    return str(
        page.evaluate(
            """([model, column]) => {
              const table = document.querySelector("table.matrix");
              const heads = [...table.querySelectorAll("thead th")].map(th => th.textContent);
              const row = [...table.querySelectorAll("tbody tr")].find(
                tr => tr.querySelector("th a").textContent === model);
              return row.children[heads.indexOf(column)].textContent.trim();
            }""",
            [model, column],
        )
    )


def test_the_page_loads_alone_with_no_console_errors(opened: Opened, page_file: Path) -> None:
    assert opened.page.title().startswith("govcheck governance report")
    assert opened.errors == []
    assert opened.requests == [page_file.as_uri()], "nothing but the page itself is fetched"


def test_the_matrix_shows_every_model_with_its_cells(opened: Opened) -> None:
    page = opened.page
    names = page.eval_on_selector_all("tr.mrow th a", "els => els.map(e => e.textContent)")
    # the repository's models, then the registered models it does not hold
    assert names[:3] == ["credit-scorer", "fraud-detector", "ranker"]
    assert {"churn-model", "legacy-model"} <= set(names)
    assert cell(page, "fraud-detector", "Cards") == "✓ pass"
    assert cell(page, "fraud-detector", "Monitoring") == "✓ pass"
    assert cell(page, "credit-scorer", "Cards") == "✗ fail (1)"  # no card
    assert cell(page, "credit-scorer", "Data") == "✗ fail (1)"  # s3 path without a version
    assert cell(page, "ranker", "Cards") == "⚑ waived (1)"  # the licence waiver
    # registered only: no card in the repository (GC-REG-003), no description (GC-REG-001)
    assert cell(page, "churn-model", "Cards") == "✗ fail (1)"
    assert cell(page, "churn-model", "Other") == "✗ fail (1)"
    # a serving version whose run is of a commit unknown here (GC-REG-002)
    assert cell(page, "churn-model", "Lineage").startswith("✗ fail")
    assert cell(page, "credit-scorer", "Fairness") == "– n/a"


def test_a_cell_links_to_its_findings(opened: Opened) -> None:
    page = opened.page
    page.click("tr.mrow:has(th a:text-is('credit-scorer')) td:nth-child(2) a")
    target = page.evaluate("location.hash")
    assert target.endswith("-cards")
    row = page.locator(target)
    assert row.is_visible() and "GC-CARD-001" in row.inner_text()


def test_filters_hide_what_they_should(opened: Opened, report: Report) -> None:
    page = opened.page
    total = page.locator("li.finding").count()
    assert total == len(report.findings)
    page.select_option("#f-rule", "GC-CARD-001")
    shown = page.locator("li.finding:visible")
    assert shown.count() == sum(f.rule_id == "GC-CARD-001" for f in report.findings) > 0
    assert {shown.nth(i).get_attribute("data-rule") for i in range(shown.count())} == {
        "GC-CARD-001"
    }
    page.select_option("#f-rule", "")
    page.select_option("#f-sev", "warning")
    sevs = page.eval_on_selector_all(
        "li.finding:not([hidden])", "els => els.map(e => e.dataset.sev)"
    )
    assert sevs and set(sevs) == {"warning"}
    page.select_option("#f-sev", "")
    index = page.eval_on_selector(
        "#f-model", "s => [...s.options].find(o => o.text === 'ranker').value"
    )
    page.select_option("#f-model", index)
    assert page.locator("tr.mrow:visible").count() == 1
    # textContent: an off-screen section (content-visibility: auto) has no innerText
    headings = page.locator("section.model:visible h3").all_text_contents()
    assert [h.strip() for h in headings] == ["ranker"]
    assert "of " + str(total) + " findings" in page.inner_text("#f-shown")
    assert opened.errors == []


def test_keyboard_alone_reaches_filters_and_cells(opened: Opened) -> None:
    page = opened.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#f-rule")
    page.keyboard.press("ArrowDown")  # the first rule
    first = page.evaluate("document.getElementById('f-rule').value")
    assert first
    rules = page.eval_on_selector_all(
        "li.finding:not([hidden])", "els => [...new Set(els.map(e => e.dataset.rule))]"
    )
    assert rules in ([], [first])
    tab_to("#f-reset")
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('f-rule').value") == ""
    tab_to("table.matrix td a")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == href
    assert page.locator(href).is_visible()


def test_no_accessibility_violations(opened: Opened) -> None:
    axe = os.environ.get(AXE_VAR)
    if not axe:
        pytest.skip(
            f"{AXE_VAR} is not set: `npm install --prefix DIR axe-core@4` and "
            f"export {AXE_VAR}=DIR/node_modules/axe-core/axe.min.js (.ci/run does)"
        )
    # The variable is set, so axe must be there: a missing file is a failure, not a skip.
    assert Path(axe).is_file(), f"{AXE_VAR}={axe} does not exist"
    page = opened.page
    page.add_script_tag(path=axe)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]
    assert problems == []


def test_a_screenshot_is_kept(opened: Opened, tmp_path: Path) -> None:
    folder = Path(os.environ.get("GOVCHECK_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "governance-page.png"
    opened.page.locator("#matrix").scroll_into_view_if_needed()
    opened.page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
