"""Front matter, headings, sections and visible lines as a renderer would see them."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from govcheck.facts.markdown import front_matter, headings, lines, scan, sections
from govcheck.facts.mdinline import code_spans, heading_key, heading_text, key_contains

CARD = """\
---
license: apache-2.0
tags: [fraud]
---
# Fraud *detector*

Some intro.

```python
# not a heading
```

~~~
## also not
~~~~

<!--
## Hidden template section
-->
<!-- ## inline hidden --> ## Visible after comment

Intended Use
============

For **scoring** transactions.

Training `Data`
---------------
TBD

### Bias, Risks & _Limitations_ ###
## [Evaluation](https://example.com) results
####### seven hashes is text
#no-space-is-text
"""


def test_front_matter_is_located_in_the_file() -> None:
    fm = front_matter(CARD, "MODEL_CARD.md")
    assert fm.data == {"license": "apache-2.0", "tags": ["fraud"]}
    assert fm.data.key_marks["license"].line == 2
    assert fm.data.key_marks["tags"].line == 3
    assert fm.body_start == 4 and fm.error is None


def test_no_front_matter() -> None:
    assert front_matter("# Title\n---\n").data == {}
    assert front_matter("text\n---\nlicense: x\n---\n").data == {}
    assert front_matter("---\nunclosed: yes\n").data == {}
    assert front_matter("---\n- a list\n---\n").data == {}


def test_headings_skip_code_fences_and_comments() -> None:
    assert headings(CARD) == [
        {"text": "Fraud detector", "level": 1, "line": 5},
        {"text": "Intended Use", "level": 1, "line": 22},
        {"text": "Training Data", "level": 2, "line": 27},
        {"text": "Bias, Risks & Limitations", "level": 3, "line": 31},
        {"text": "Evaluation results", "level": 2, "line": 32},
    ]


def test_an_unclosed_fence_is_text_and_does_not_swallow_the_card() -> None:
    # granite-geospatial-biomass opens ```python and never closes it
    text = "# A\n```python\nmodel = load()\n## Training Data\nHLS tiles.\n"
    assert [h["text"] for h in headings(text)] == ["A", "Training Data"]
    assert sections(text)[1]["body"] == "HLS tiles."
    # a later fence still pairs with its own closing line
    text = "```\n# hidden\n```\n# shown\n~~~\n"
    assert [h["text"] for h in headings(text)] == ["shown"]


def test_thematic_break_is_not_a_heading() -> None:
    text = "# A\n\n---\n\n- item\n---\nword\n---\n"
    assert headings(text) == [
        {"text": "A", "level": 1, "line": 1},
        {"text": "word", "level": 2, "line": 7},
    ]


def test_snake_case_survives_emphasis_stripping() -> None:
    assert headings("## model_card __notes__\n")[0]["text"] == "model_card notes"


def test_sections_end_at_the_next_heading() -> None:
    found = {s["heading"]: s for s in sections(CARD)}
    assert found["Intended Use"]["body"] == "For **scoring** transactions."
    assert found["Training Data"]["body"] == "TBD"
    assert found["Training Data"]["line"] == 27
    assert found["Bias, Risks & Limitations"]["body"] == ""
    assert found["Evaluation results"]["body"].startswith("####### seven hashes")
    assert [s["level"] for s in sections(CARD)] == [1, 1, 2, 3, 2]


def test_section_body_drops_html_comments() -> None:
    text = "## Limitations\n<!-- Describe the limits.\nSee the guide. -->\nTBD\n## Next\n"
    assert sections(text)[0]["body"] == "TBD"


def test_front_matter_after_blank_lines_and_crlf() -> None:
    fm = front_matter("\r\n---\r\nlicense: mit\r\n---\r\n# T\r\n", "README.md")
    assert fm.data == {"license": "mit"} and fm.data.key_marks["license"].line == 3
    assert headings("\r\n---\r\nlicense: mit\r\n---\r\n# T\r\n")[0]["line"] == 5


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("**Training Data:**", "training data"),
        ("3. Intended Use", "intended use"),
        ("2.1 _Evaluation_ results", "evaluation results"),
        ("IV. Limitations", "limitations"),
        ("B) Uses", "uses"),
        ("\\*Ethical\\* Considerations", "ethical considerations"),
        ('<span style="text-decoration:underline;">Cyber Security </span>', "cyber security"),
        ("📈 Performance and Limitations", "performance and limitations"),
        ("Citation [optional]", "citation"),
        ("[Evaluation](https://example.com) results", "evaluation results"),
        ("Bias, Risks, and Limitations", "bias risks and limitations"),
        ("model_card __notes__", "model card notes"),
    ],
)
def test_heading_keys_ignore_how_a_heading_is_dressed(raw: str, key: str) -> None:
    assert heading_key(raw) == key


def test_heading_text_keeps_snake_case_and_escaped_characters() -> None:
    assert heading_text("`model_card` \\# 2 **v2**") == "model_card # 2 v2"


def test_key_contains_matches_at_word_starts() -> None:
    assert key_contains("model use", "use") and key_contains("uses", "use")
    assert not key_contains("misuse and malicious use of", "mis use")
    assert not key_contains("misuse", "use")
    assert key_contains("benchmarks", "benchmark")


def test_a_bold_line_alone_is_a_heading() -> None:
    text = (
        "## Training\n\n**Training Data**\nLAION-5B subsets.\n\n**Hardware:** 32 A100\n\n"
        "Some **bold** words\n**Not alone** either\n\n**Title**\n---\n"
    )
    assert headings(text) == [
        {"text": "Training", "level": 2, "line": 1},
        {"text": "Training Data", "level": 7, "line": 3},
        {"text": "Title", "level": 2, "line": 11},
    ]
    assert sections(text)[1]["body"] == "LAION-5B subsets.\n\n**Hardware:** 32 A100\n\n" + (
        "Some **bold** words\n**Not alone** either"
    )


def test_empty_sections() -> None:
    text = (
        "# Card\nIntro.\n## Limitations\n<!-- Describe the limits. -->\n\n"
        "## Evaluation\n### Results\nAUC 0.91\n## Ethics\n### Fairness\n## Uses\n```\nx\n```\n"
    )
    empty = {s["heading"]: s["empty"] for s in sections(text)}
    assert empty == {
        "Card": False,
        "Limitations": True,  # only a template comment
        "Evaluation": False,  # its subsection has text
        "Results": False,
        "Ethics": True,  # its only subsection is empty too
        "Fairness": True,
        "Uses": False,  # code is content
    }


def test_lines_blank_comments_code_and_yaml_comments_keeping_columns() -> None:
    text = (
        "---\nlicense: TBD  # fill in\ntags: ['#x']\n---\n"
        "# Card <!-- TODO: title -->\nUse `{{ model_id }}` here, then TODO.\n"
        "<!--\nTBD\n-->\n```\n[More Information Needed]\n```\n"
        "Inline <!-- spans\nlines --> done\n\nstray <!-- never closed\n\nTBD\n"
    )
    shown = {d["line"]: d["text"].rstrip() for d in lines(text)}
    assert [d["line"] for d in lines(text) if d["front_matter"]] == [2, 3]
    assert shown == {
        2: "license: TBD",
        3: "tags: ['#x']",
        5: "# Card",
        6: "Use                  here, then TODO.",
        13: "Inline",
        14: "          done",
        16: "stray <!-- never closed",  # no closing before the paragraph ends: text
        18: "TBD",
    }


def test_comment_markers_inside_inline_code_are_code() -> None:
    text = "# T\nRemove the `<!--` markers.\n## Uses\nScoring.\n"
    assert [h["text"] for h in headings(text)] == ["T", "Uses"]


def test_code_spans_pair_runs_of_equal_length() -> None:
    assert code_spans("a `b` ``c`d`` `e") == [(2, 5), (6, 13)]
    assert code_spans("```") == []


# Hostile input (issue 13): every scan over card text is linear. Each case is timed at n and
# 8n; a quadratic scan would take ~64 times as long, a linear one ~8 times.
HOSTILE: dict[str, Callable[[int], str]] = {
    "repeated comment openers": lambda n: "# T\n" + "<!--" * n + "\n",
    "comment openers mid-paragraph": lambda n: "# T\ntext " + "<!--" * n + "\n",
    "heading padded with spaces": lambda n: "# a" + " " * (10 * n) + "b\n",
    "heading of underscores": lambda n: "# " + "_" * (10 * n) + "a\n",
    "unclosed links in a heading": lambda n: "# " + "[a](" * n + "\n",
    "unclosed tags in a heading": lambda n: "# " + "<a" * n + "\n",
    "backtick runs of growing length": lambda n: (
        "x " + " ".join("`" * (i % 50 + 1) for i in range(n))
    ),
    "unclosed fences": lambda n: "```\n" * n,
    "comments and code spans": lambda n: "a " + "`b` <!--c--> " * n + "\n",
}


def _cost(make: Callable[[int], str], n: int) -> float:
    text = make(n)
    start = time.perf_counter()
    scan.cache_clear()
    sections(text)
    lines(text)
    [heading_key(h["text"]) for h in headings(text)]
    return time.perf_counter() - start


@pytest.mark.parametrize("name", list(HOSTILE))
def test_scans_are_linear_on_hostile_input(name: str) -> None:
    make = HOSTILE[name]
    small = min(_cost(make, 5_000) for _ in range(3))
    large = min(_cost(make, 40_000) for _ in range(3))
    # linear: ~8x; allow noise, but a quadratic scan (~64x) fails
    assert large < 24 * small + 0.02, (name, small, large)
    assert large < 2.0, (name, large)


def test_issue13_inputs_take_well_under_a_tenth_of_a_second() -> None:
    for text in ("# T\n" + "<!--" * 20_000 + "\n", "# a" + " " * 40_000 + "b\n"):
        start = time.perf_counter()
        scan.cache_clear()
        sections(text)
        lines(text)
        assert time.perf_counter() - start < 0.1
