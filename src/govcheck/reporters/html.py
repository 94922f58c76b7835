"""The governance page: one self-contained HTML file (inline CSS and a little vanilla JS,
no external requests; a Content-Security-Policy forbids any) that opens from disk or as a
CI artifact.

It shows the provenance and totals, a models x rule-families matrix (governance.py says
what each cell means), the findings grouped by model and rule with links to the files at
the checked commit, the rules with their fix help, and the compliance frameworks the rules
are tagged with. Every text from the report is escaped; ids are made from positions, never
from user text. The rows are `report.models`: a check fills them when asked (`--format
html`, `--html-output`); without them everything sits in one "not tied to a model" row.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from govcheck.model import SEVERITIES, Finding, Report, RuleInfo, Waiver, source_text
from govcheck.redact import bare_remote_uri
from govcheck.reporters import provenance
from govcheck.reporters.common import (
    baseline_note,
    checked_line,
    encodable,
    expired_note,
    headline,
    plural,
    position,
    skipped_groups,
    where,
)
from govcheck.reporters.governance import NO_MODEL, CellStatus, Row, View, view
from govcheck.reporters.html_assets import CSS, JS
from govcheck.reporters.source_links import file_link

# Symbol and word of each status: the word is there so the page reads without colour.
STATUS: dict[CellStatus, tuple[str, str, str]] = {
    "pass": ("✓", "pass", "every check passed"),
    "fail": ("✗", "fail", "a check failed"),
    "waived": ("⚑", "waived", "failed, with a waiver"),
    "skipped": ("↷", "skipped", "a rule was skipped (see Skipped rules)"),
    "na": ("–", "n/a", "nothing of this kind to check"),
}
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
# C0 controls but tab and newline, DEL, C1 controls: shown as escapes, never as raw bytes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WEB = re.compile(r"^https?://", re.IGNORECASE)

Link = Callable[[str, "int | None"], "str | None"]


def esc(value: object) -> str:
    """Text safe in HTML content and in quoted attributes (render() has already shown lone
    surrogates escaped: common.encodable)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return html.escape(text, quote=True)


def render(report: Report, color: bool = False) -> str:
    report = encodable(report)
    v = view(report)
    prov = report.provenance
    commit = (prov.commit if prov else None) or report.repo.head
    link = file_link(report.repo.remote_url, commit, prov.changed_paths if prov else ())
    anchors = {r.id: i for i, r in enumerate(v.rules)}  # rule-N, and mM-gN for its findings
    name = _repo_name(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>govcheck governance report: {esc(name)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<a class="skip" href="#main">Skip to content</a>',
        *_header(report, name),
        *_toc(),
        '<main id="main">',
        *_summary(report, v),
        *_filters(v),
        *_matrix(v),
        *_models(v, anchors, link),
        *_notes(report),
        *_rules(v, anchors),
        *_compliance(v, anchors),
        "</main>",
        f'<footer class="top"><p class="muted">govcheck {esc(report.tool_version)}</p></footer>',
        f"<script>{JS}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _repo_name(report: Report) -> str:
    if report.repo.remote_url:
        path = bare_remote_uri(report.repo.remote_url).rstrip("/").removesuffix(".git")
        return path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1] if "/" in path else path
    return report.repo.root.rstrip("/").rsplit("/", 1)[-1] or report.repo.root


def _header(report: Report, name: str) -> list[str]:
    pairs = [("repository", name)]
    if report.repo.remote_url:
        pairs.append(("remote", bare_remote_uri(report.repo.remote_url)))
    if report.repo.branch:
        pairs.append(("branch", report.repo.branch))
    if report.provenance is not None:
        pairs += provenance.labelled(report.provenance)
    elif report.repo.head:
        pairs.append(("commit", report.repo.head))
    if report.started_at:
        pairs.append(("checked at", report.started_at))
    pairs.append(("govcheck", report.tool_version))
    rows = [f"<dt>{esc(k)}</dt><dd>{esc(val)}</dd>" for k, val in pairs]
    return [
        '<header class="top">',
        "<h1>Governance report</h1>",
        '<dl class="prov">',
        *rows,
        "</dl>",
        "</header>",
    ]


def _toc() -> list[str]:
    items = [
        ("summary", "Summary"),
        ("matrix", "Models × rule families"),
        ("models", "Findings by model"),
        ("rules", "Rules and how to fix"),
        ("compliance", "Compliance"),
    ]
    links = "".join(f'<li><a href="#{k}">{t}</a></li>' for k, t in items)
    return [f'<nav class="toc" aria-label="Sections"><ul>{links}</ul></nav>']


def _summary(report: Report, v: View) -> list[str]:
    counts = report.counts()
    statuses = [c.status for c in report.checked]
    totals = [(counts[s], plural(counts[s], s).split(" ", 1)[1]) for s in SEVERITIES]
    totals += [
        (counts["suppressed"], "waived"),
        (statuses.count("passed"), "checks passed"),
        (statuses.count("failed"), "checks failed"),
        (len([r for r in v.rows if r.index != NO_MODEL]), "models"),
        (len(v.rules), "rules"),
    ]
    if report.baseline is not None:
        totals.append((counts["baselined"], "known from the baseline"))
    out = [
        '<section id="summary" aria-labelledby="h-summary">',
        '<h2 id="h-summary">Summary</h2>',
        f"<p><strong>{esc(headline(report))}</strong></p>",
        '<ul class="totals">',
        *[f"<li><b>{n}</b> {esc(label)}</li>" for n, label in totals],
        "</ul>",
    ]
    for line in (checked_line(report), baseline_note(report)):
        if line:
            out.append(f"<p>{esc(line)}</p>")
    groups = skipped_groups(report)
    notes = []
    if groups:
        notes.append(
            f'<a href="#skipped">{plural(sum(len(i) for _, i in groups), "rule")} skipped</a>'
        )
    if report.notices:
        notes.append(f'<a href="#notices">{plural(len(report.notices), "notice")}</a>')
    if notes:
        out.append(f"<p>{' · '.join(notes)}</p>")
    out.append("</section>")
    return out


def _notes(report: Report) -> list[str]:
    """Skipped rules (the target of skipped cells) and the check's notices."""
    groups = skipped_groups(report)
    if not groups and not report.notices:
        return []
    out = ['<section id="notes" aria-labelledby="h-notes">', '<h2 id="h-notes">Check notes</h2>']
    if groups:
        out += ['<h3 id="skipped">Skipped rules</h3>', "<ul>"]
        out += [f"<li>{esc(', '.join(ids))}: {esc(reason)}</li>" for reason, ids in groups]
        out.append("</ul>")
    if report.notices:
        out += ['<h3 id="notices">Notices</h3>', "<ul>"]
        out += [f'<li class="msg">{esc(n)}</li>' for n in report.notices]
        out.append("</ul>")
    out.append("</section>")
    return out


def _filters(v: View) -> list[str]:
    sev = "".join(f'<option value="{s}">{s}</option>' for s in SEVERITIES)
    models = "".join(f'<option value="{r.index}">{esc(r.name)}</option>' for r in v.rows)
    rules = "".join(
        f'<option value="{esc(r.id)}">{esc(r.id)} {esc(r.name)}</option>' for r in v.rules
    )
    return [
        '<form id="filters" class="filters" role="search" aria-label="Filter findings" hidden>',
        '<label for="f-sev">Severity<select id="f-sev">',
        f'<option value="">all severities</option>{sev}</select></label>',
        '<label for="f-model">Model<select id="f-model">',
        f'<option value="">all models</option>{models}</select></label>',
        '<label for="f-rule">Rule<select id="f-rule">',
        f'<option value="">all rules</option>{rules}</select></label>',
        '<button type="button" id="f-reset">Show everything</button>',
        '<p id="f-shown" role="status" aria-live="polite"></p>',
        "</form>",
    ]


def _word(status: CellStatus) -> str:
    symbol, word, _ = STATUS[status]
    return f"{symbol} {word}"


def _chip(status: CellStatus, extra: str = "") -> str:
    symbol, word, _ = STATUS[status]
    return f'<span class="chip st-{status}">{symbol} {word}{extra}</span>'


def _matrix(v: View) -> list[str]:
    head = "".join(f'<th scope="col">{esc(title)}</th>' for _, title in v.columns)
    legend = "".join(f"<li>{_chip(s)} {esc(meaning)}</li>" for s, (_, _, meaning) in STATUS.items())
    if not v.rows:
        return [
            '<section id="matrix" aria-labelledby="h-matrix">',
            '<h2 id="h-matrix">Models × rule families</h2>',
            "<p>No model was found, and no rule checked anything.</p>",
            "</section>",
        ]
    out = [
        '<section id="matrix" aria-labelledby="h-matrix">',
        '<h2 id="h-matrix">Models × rule families</h2>',
        (
            "<p>Each cell sums up the checks of one family of rules on one model; it links to "
            "them. Filters by model narrow this table.</p>"
        ),
        f'<ul class="legend" aria-label="Legend">{legend}</ul>',
        '<div class="scroll" tabindex="0" role="region" aria-label="Matrix, scrollable">',
        '<table class="matrix">',
        "<caption>Status of each rule family on each model</caption>",
        f'<thead><tr><th scope="col">Model</th>{head}</tr></thead>',
        "<tbody>",
    ]
    for row in v.rows:
        cells = []
        for key, title in v.columns:
            status = v.cell(row.index, key)
            count = v.cell_findings(row.index, key)
            # The link's purpose is its text with the cell's row and column headers
            # (WCAG 2.4.4, in context): no label repeats them, the page stays small.
            inner = _word(status) + (f" ({count})" if count else "")
            target = _cell_target(row, key, status)
            if target is None:
                cells.append(f'<td class="st-{status}"><span class="st">{inner}</span></td>')
            else:
                cells.append(f'<td class="st-{status}"><a href="#{target}">{inner}</a></td>')
        where = [esc(row.folder or ".")] if row.folder is not None else []
        where += ["registered"] if row.registered is not None else []
        folder = f'<br><span class="muted">{" · ".join(where)}</span>' if where else ""
        out.append(
            f'<tr class="mrow" data-m="{row.index}"><th scope="row">'
            f'<a href="#m{_mid(row.index)}">{esc(row.name)}</a>{folder}</th>{"".join(cells)}</tr>'
        )
    out += ["</tbody>", "</table>", "</div>", "</section>"]
    return out


def _mid(index: int) -> str:
    return "x" if index == NO_MODEL else str(index)


def _cell_target(row: Row, family: str, status: CellStatus) -> str | None:
    if status == "na":
        return None
    if status == "skipped":
        return "skipped"
    return f"m{_mid(row.index)}-{family}"


def _models(v: View, anchors: dict[str, int], link: Link) -> list[str]:
    out = [
        '<section id="models" aria-labelledby="h-models">',
        '<h2 id="h-models">Findings by model</h2>',
    ]
    for row in v.rows:
        out += _model(v, row, anchors, link)
    out.append("</section>")
    return out


def _model(v: View, row: Row, anchors: dict[str, int], link: Link) -> list[str]:
    mid = _mid(row.index)
    about = []
    if row.folder is not None:
        about.append(f"folder <code>{esc(row.folder or '.')}</code>")
    if row.registered is not None:
        about.append(f"registered as <code>{esc(row.registered)}</code>")
    if row.index == NO_MODEL:
        about.append("what no model's folder, cards or registry entries hold")
    out = [
        f'<section class="model" id="m{mid}" data-m="{row.index}" aria-labelledby="h-m{mid}">',
        f'<h3 id="h-m{mid}">{esc(row.name)}</h3>',
    ]
    if about:
        out.append(f'<p class="muted">{"; ".join(about)}</p>')
    tallies = v.per_row.get(row.index, {})
    lines = []
    for key, title in v.columns:
        here = [r for r in v.family_rules(key) if r in tallies]
        if not here:
            continue
        status = v.cell(row.index, key)
        failing = [
            f'<a href="#m{mid}-g{anchors[r]}">{esc(r)}</a> {_word(tallies[r].status(False))}'
            f" ({tallies[r].findings})"
            for r in here
            if tallies[r].findings
        ]
        passed = [esc(r) for r in here if not tallies[r].findings]
        said = "; ".join(failing + ([f"{_word('pass')}: {', '.join(passed)}"] if passed else []))
        lines.append(
            f'<tr id="m{mid}-{key}"><th scope="row">{esc(title)}</th>'
            f'<td class="st-{status}">{_word(status)}</td><td>{said}</td></tr>'
        )
    if lines:
        out += [
            f"<table><caption>Rule families checked on {esc(row.name)}</caption>",
            (
                '<thead><tr><th scope="col">Family</th><th scope="col">Status</th>'
                '<th scope="col">Rules</th></tr></thead>'
            ),
            "<tbody>",
            *lines,
            "</tbody></table>",
        ]
    else:
        out.append("<p>No rule checked anything of this model.</p>")
    # Findings in the order of the table above: by family, then rule.
    listed = v.findings.get(row.index, {})
    shown = dict.fromkeys(r for key, _ in v.columns for r in v.family_rules(key) if r in listed)
    for rule_id in shown:
        out += _rule_group(v.by_id[rule_id], listed[rule_id], mid, anchors, link)
    out.append("</section>")
    return out


def _rule_group(
    rule: RuleInfo, found: list[Finding], mid: str, anchors: dict[str, int], link: Link
) -> list[str]:
    k = anchors[rule.id]
    out = [
        f'<div class="rulegroup" id="m{mid}-g{k}" data-rule="{esc(rule.id)}">',
        (
            f"<h4>{esc(rule.id)} · {esc(rule.title)} "
            f'<a href="#rule-{k}" class="muted">how to fix</a></h4>'
        ),
        '<ul class="findings">',
    ]
    out += [_finding(f, link) for f in found]
    out += ["</ul>", "</div>"]
    return out


def _finding(f: Finding, link: Link) -> str:
    bits = [f'<span class="sev">{esc(f.severity)}</span> {esc(f.message)}']
    place = _place(f, link)
    if place:
        bits.append(f"<br>{place}")
    if f.waiver is not None:
        bits.append(f"<br>{_chip('waived')} {esc(_waiver(f.waiver))}")
    note = expired_note(f)
    if note:
        bits.append(f"<br><strong>{esc(note)}</strong>")
    if f.baselined:
        bits.append('<br><span class="muted">known from the baseline</span>')
    return (
        f'<li class="finding" data-sev="{f.severity}" '
        f'data-rule="{esc(f.rule_id)}">{"".join(bits)}</li>'
    )


def _place(f: Finding, link: Link) -> str:
    parts = []
    if f.entity:
        parts.append(f"<code>{esc(f.entity)}</code>")
    loc = f.location
    if loc is not None:
        text = where(f)
        url = link(loc.path, loc.line)
        parts.append(
            f'<a class="loc" href="{esc(url)}">{esc(text)}</a>'
            if url
            else f"<code>{esc(text)}</code>"
        )
    elif not f.entity:
        parts.append(f"<code>{esc(f.resource_id)}</code>")
    return " ".join(parts)


def _waiver(w: Waiver) -> str:
    kind = "inline" if w.kind == "inSource" else "config"
    text = f"{w.reason} ({kind} waiver"
    if w.location is not None:
        pos = position(w.location)
        text += f" at {w.location.path}" + (f":{pos}" if pos else "")
    if w.expires:
        text += f", expires {w.expires}"
    if w.approved_by:
        text += f", approved by {w.approved_by}"
    return text + ")"


def _rules(v: View, anchors: dict[str, int]) -> list[str]:
    out = [
        '<section id="rules" aria-labelledby="h-rules">',
        '<h2 id="h-rules">Rules and how to fix</h2>',
    ]
    titles = dict(v.columns)
    for rule in v.rules:
        anchor = f"rule-{anchors[rule.id]}"
        status = v.rule_status(rule.id)
        fams = ", ".join(titles.get(k, k) for k in v.rule_families[rule.id])
        facts = [
            ("severity", rule.severity),
            ("families", fams),
            ("checks", rule.resource),
            ("compliance", ", ".join(rule.tags)),
        ]
        if rule.source.path:
            facts.append(("defined at", source_text(rule.source)))
        if rule.id in v.skipped:
            facts.append(("skipped", v.skipped[rule.id]))
        dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(val)}</dd>" for k, val in facts if val)
        out += [
            f'<div class="rule" id="{anchor}">',
            f"<h3>{esc(rule.id)} · {esc(rule.title)} {_chip(status)}</h3>",
            f'<dl class="prov">{dl}</dl>',
        ]
        if rule.description:
            out.append(f"<p>{_inline(rule.description)}</p>")
        if rule.help:
            out += ["<h4>How to fix</h4>", markdown(rule.help)]
        if rule.help_uri and _WEB.match(rule.help_uri):
            out.append(f'<p><a href="{esc(rule.help_uri)}">More about {esc(rule.id)}</a></p>')
        out.append("</div>")
    out.append("</section>")
    return out


def _compliance(v: View, anchors: dict[str, int]) -> list[str]:
    out = [
        '<section id="compliance" aria-labelledby="h-compliance">',
        '<h2 id="h-compliance">Compliance</h2>',
        (
            "<p>The rules each article, subcategory or control is tagged on, and their status "
            "over the whole check.</p>"
        ),
    ]
    frameworks = v.compliance()
    if not frameworks:
        out.append("<p>No rule carries a compliance tag.</p>")
    for framework, controls in frameworks:
        out += [
            f"<h3>{esc(framework)}</h3>",
            f"<table><caption>{esc(framework)}: rules and their status</caption>",
            '<thead><tr><th scope="col">Control</th><th scope="col">Rules</th></tr></thead>',
            "<tbody>",
        ]
        for tag, control, ids in controls:
            items = "".join(
                f'<li class="crule" data-rule="{esc(i)}" data-sev="{v.by_id[i].severity}">'
                f'<a href="#rule-{anchors[i]}">{esc(i)}</a> {esc(v.by_id[i].title)} '
                f"{_chip(v.rule_status(i))}</li>"
                for i in ids
            )
            out.append(
                f'<tr class="control"><th scope="row">{esc(control)}'
                f'<br><code class="muted">{esc(tag)}</code></th><td><ul>{items}</ul></td></tr>'
            )
        out += ["</tbody></table>"]
    out.append("</section>")
    return out


_FENCE = re.compile(r"^\s*```")
_INLINE = re.compile(r"`([^`\n]+)`|\*\*([^*\n]+)\*\*")


def markdown(text: str) -> str:
    """The little markdown rule help uses: fenced code, paragraphs, `- ` lists, `code`
    and **bold**; everything else shown as text."""
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    code: list[str] | None = None

    def flush() -> None:
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if code is not None:
            if _FENCE.match(line):
                out.append(f"<pre><code>{esc(chr(10).join(code))}</code></pre>")
                code = None
            else:
                code.append(line)
        elif _FENCE.match(line):
            flush()
            code = []
        elif not line.strip():
            flush()
        elif line.lstrip().startswith(("- ", "* ")):
            if para:
                flush()
            items.append(line.lstrip()[2:])
        elif items and line.startswith("  "):
            items[-1] += " " + line.strip()
        else:
            if items:
                flush()
            para.append(line.strip())
    if code is not None:
        out.append(f"<pre><code>{esc(chr(10).join(code))}</code></pre>")
    flush()
    return "\n".join(out)


def _inline(text: str) -> str:
    out, last = [], 0
    for m in _INLINE.finditer(text):
        out.append(esc(text[last : m.start()]))
        out.append(
            f"<code>{esc(m[1])}</code>" if m[1] is not None else f"<strong>{esc(m[2])}</strong>"
        )
        last = m.end()
    out.append(esc(text[last:]))
    return "".join(out)
