"""Path globs: `*` within a folder, `**` across folders, `?`, and character classes."""

from __future__ import annotations

import pytest

from govcheck.globs import glob_match, has_magic


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.md", "README.md", True),
        ("*.md", "docs/README.md", False),  # `*` stays within a folder
        ("*.md", ".md", True),
        ("*", "", True),
        ("*", "a/b", False),
        ("models/*/train.yaml", "models/a/train.yaml", True),
        ("models/*/train.yaml", "models/a/b/train.yaml", False),
        ("models/*", "models", False),
        ("**", "a/b/c", True),  # `**` crosses folders
        ("**/*.md", "README.md", True),  # ... zero of them too
        ("**/*.md", "a/b/c.md", True),
        ("a/**/b", "a/b", True),  # `a/**/b` matches `a/b`
        ("a/**/b", "a/x/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**/b", "ab", False),
        ("a/**/b", "a/xb", False),
        ("a/**", "a/b/c", True),
        ("a/**", "a", False),
        ("a**b", "a/x/b", True),  # `**` inside a name crosses folders as well
        ("?.py", "a.py", True),
        ("?.py", "ab.py", False),
        ("?.py", ".py", False),
        ("a?b", "a/b", False),  # `?` is never a slash
        ("[ab].py", "a.py", True),
        ("[ab].py", "c.py", False),
        ("[a-c]x", "bx", True),
        ("[a-c]x", "dx", False),
        ("[!ab].py", "c.py", True),
        ("[!ab].py", "a.py", False),
        ("x[!0-9]", "x5", False),
        # A negated class never matches a slash, like `*` and `?`.
        ("a[!x]b", "a/b", False),
        ("a[!x]b", "ayb", True),
        ("/a/b/", "a/b", True),  # leading and trailing slashes are ignored
        ("a/b", "/a/b/", True),
        ("/**/b", "a/b", True),
        ("A.md", "a.md", False),  # case-sensitive
        ("a.b", "axb", False),  # everything else is literal
        ("a+(b)|c$", "a+(b)|c$", True),
        ("a[", "a[", True),  # an unclosed bracket is literal
        ("a", "a/b", False),  # the whole path must match
        ("b", "a/b", False),
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("a/b.md", False), ("a/*", True), ("a?", True), ("a[bc]", True), ("{name}.md", False)],
)
def test_has_magic(pattern: str, expected: bool) -> None:
    assert has_magic(pattern) is expected


def test_a_bracket_first_in_a_class_is_literal() -> None:
    assert glob_match("[]]", "]")


def test_glob_filter_matches_what_glob_match_does_over_a_sorted_list() -> None:
    from govcheck.globs import glob_filter

    paths = sorted(
        [
            "a.yml",
            "b/a.yml",
            "bundle/databricks.yml",
            "bundle/resources/jobs.yml",
            "bundle/resources/x/deep.yml",
            "bundle/resources.yml",
            "bundle/resourcesX/jobs.yml",
            "bundle2/resources/jobs.yml",
            "c/[x]/a.yml",
            "z",
        ]
    )
    for pattern in (
        "bundle/resources/*.yml",
        "bundle/resources/**",
        "bundle/**/*.yml",
        "/bundle/resources/*.yml",
        "**/*.yml",
        "*.yml",
        "bundle/databricks.yml",
        "c/[[]x]/a.yml",
        "bundle?/resources/*.yml",
        "",
    ):
        assert glob_filter(pattern, paths) == [p for p in paths if glob_match(pattern, p)], pattern
