"""One redaction function for every URL govcheck shows: nothing of the user information
ever survives, whatever the password holds."""

from __future__ import annotations

import pytest

from govcheck.redact import bare_remote_uri, redact_remote, redact_url, scrub, split_userinfo

PASSWORDS = [
    "p@ss-SECRET",  # printed `ss-SECRET@host` before
    "pa/ss-SECRET",
    "pa:ss-SECRET",
    "p ss-SECRET",
    "p%40ss%2FSECRET",
    "p?ss=SECRET",
    "p#ss-SECRET",
    "@SECRET@",
    "SECRET",
]
SHAPES = [
    "http://alice:{pw}@127.0.0.1:5000/x",
    "https://{pw}@mlflow.example.com",
    "https://alice:{pw}@mlflow.example.com/mlflow?experiment=a&token=SECRET",
    "databricks://alice:{pw}@workspace",
]
URLS = [shape.format(pw=pw) for shape in SHAPES for pw in PASSWORDS]


@pytest.mark.parametrize("url", URLS)
def test_no_part_of_a_password_survives(url: str) -> None:
    assert "SECRET" not in redact_url(url)
    assert "SECRET" not in redact_remote(url)
    assert "SECRET" not in bare_remote_uri(url)
    message = f"API request to endpoint {url}/api/2.0/mlflow/experiments/search failed"
    assert "SECRET" not in scrub(message, url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://alice:p@ss-SECRET@host:5000/x", "http://host:5000/x"),
        ("http://alice:pa/ss@host", "http://host"),
        ("http://alice:p%40ss@host/mlflow", "http://host/mlflow"),
        ("https://h/p?token=abc&x=1", "https://h/p?token=***&x=1"),
        ("https://h/p?sig=abc;key=2#x", "https://h/p?sig=***;key=***#x"),
        ("sqlite:////tmp/a@b/mlflow.db", "sqlite:////tmp/a@b/mlflow.db"),  # no authority
        ("file:///home/x@corp/mlruns", "file:///home/x@corp/mlruns"),
        ("databricks://profile:prefix", "databricks://profile:prefix"),
        ("databricks", "databricks"),
        ("/plain/path", "/plain/path"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_split_userinfo_takes_the_last_at() -> None:
    assert split_userinfo("http://u:p@s/s@host/x") == ("http://", "u:p@s/s", "host/x")
    assert split_userinfo("http://host/x") == ("http://", None, "host/x")
    assert split_userinfo("git@github.com:o/r") == ("", None, "git@github.com:o/r")


def test_scrub_masks_the_known_password_wherever_it_appears() -> None:
    url = "http://alice:p%40ss-SECRET@host"
    message = "auth ('alice', 'p@ss-SECRET') failed for http://alice:p%40ss-SECRET@host/api"
    assert scrub(message, url) == "auth ('***', '***') failed for http://host/api"
    # without the URL, user information inside any URL of the text is still cut
    assert scrub("GET https://bot:t0k3n@h/x?token=abc failed") == "GET https://h/x?token=*** failed"


def test_remote_forms() -> None:
    assert redact_remote("ssh://git@github.com/o/r.git") == "ssh://git@github.com/o/r.git"
    assert redact_remote("https://bot:p@ss/w@github.com/o/r") == "https://github.com/o/r"
    assert bare_remote_uri("https://bot:pa/ss@github.com:8443/o/r.git?x#y") == (
        "https://github.com:8443/o/r.git"
    )
    assert bare_remote_uri("git@github.com:o/r.git") == "ssh://github.com/o/r.git"
