"""Front matter, headings and sections as a renderer would see them."""

from __future__ import annotations

from govcheck.facts.markdown import front_matter, headings, sections

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


def test_unclosed_fence_hides_the_rest() -> None:
    assert headings("# A\n```\n# B\n") == [{"text": "A", "level": 1, "line": 1}]


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
