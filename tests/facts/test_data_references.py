"""data_reference resources: every pinned and unpinned form of SPEC section 9."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcheck.facts.base import Facts
from govcheck.model import Location, Resource
from support import make_facts

SHA = "0123456789abcdef0123456789abcdef01234567"
COMMIT64 = "a" * 64

# (value, scheme, pin) — pin None means unpinned.
URI_CASES = [
    ("s3://ml-data/fraud/train.parquet?versionId=3HL4kqtJlcpXroDTDmJ", "s3", "s3-version-id"),
    ("s3a://ml-data/fraud/train.parquet?versionId=abc", "s3a", "s3-version-id"),
    ("s3://ml-data/fraud/train.parquet", "s3", None),
    ("s3://ml-data/fraud/train.parquet?versionId=latest", "s3", None),
    ("s3://ml-data/fraud/train.parquet?versionId=", "s3", None),
    ("gs://bucket/train.csv#1360887759327000", "gs", "gcs-generation"),
    ("gcs://bucket/train.csv?generation=1360887759327000", "gcs", "gcs-generation"),
    ("gs://bucket/train.csv", "gs", None),
    ("gs://bucket/train.csv#latest", "gs", None),
    (
        "abfss://c@acct.dfs.core.windows.net/t.parquet?versionid=2024-01-01T00:00:00Z",
        "abfss",
        "azure-version-id",
    ),
    (
        "wasbs://c@acct.blob.core.windows.net/t.csv?snapshot=2024-01-01T00:00:00Z",
        "wasbs",
        "azure-snapshot",
    ),
    ("az://container/t.csv", "az", None),
    ("abfs://c@acct.dfs.core.windows.net/t.parquet", "abfs", None),
    (f"hf://datasets/acme/reviews@{SHA}/train.parquet", "hf", "hf-revision"),
    ("hf://datasets/acme/reviews@main/train.parquet", "hf", None),
    ("hf://datasets/acme/reviews/train.parquet", "hf", None),
    (f"lakefs://repo/{COMMIT64}/tables/t.parquet", "lakefs", "lakefs-commit"),
    ("lakefs://repo/main/tables/t.parquet", "lakefs", None),
    ("dbfs:/mnt/raw/events", "dbfs", None),
    ("dbfs://mnt/raw/events", "dbfs", None),
    (f"https://raw.githubusercontent.com/acme/data/{SHA}/train.csv", "https", "git-sha"),
    ("https://raw.githubusercontent.com/acme/data/main/train.csv", "https", None),
    ("https://huggingface.co/datasets/x/y/resolve/main/data.jsonl.gz", "https", None),
    ("http://example.com/files/data.tar.gz", "http", None),
    ("https://bucket.s3.amazonaws.com/t.parquet?versionId=v7", "https", "s3-version-id"),
    ("https://storage.googleapis.com/b/t.npz?generation=17", "https", "gcs-generation"),
]

NOT_REFERENCES = [
    "https://example.com/docs/index.html",
    "https://example.com/",
    "http://mlflow.internal:5000",
    "ftp://x/y.csv",
    "data",
    "mydata/train.csv",
    "/abs/data/train.csv",
    "../data/train.csv",
    "plain words with data/ inside",
    "S3 bucket",
]


def facts_for(root: Path, params: dict | None = None) -> Facts:
    return make_facts(root, params)


def refs(root: Path, params: dict | None = None) -> list[Resource]:
    return facts_for(root, params).resources("data_reference")


def refs_of(facts: Facts) -> list[Resource]:
    return facts.resources("data_reference")


@pytest.mark.parametrize(("uri", "scheme", "pin"), URI_CASES)
def test_uri_forms(make_repo, uri: str, scheme: str, pin: str | None) -> None:
    root = make_repo({"conf/train.yaml": f"dataset:\n  uri: '{uri}'\n"})
    [ref] = refs(root)
    assert ref.fields["uri"] == uri
    assert ref.fields["scheme"] == scheme
    assert ref.fields["pin"] == pin
    assert ref.fields["pinned"] is (pin is not None)
    assert (ref.fields["file"], ref.fields["line"], ref.fields["column"]) == (
        "conf/train.yaml",
        2,
        8,
    )
    assert ref.fields["key"] == "uri"
    assert ref.id == "conf/train.yaml:2:8"
    assert ref.location == Location("conf/train.yaml", 2, 8, snippet=uri)
    assert ref.touches == ("conf/train.yaml",)


@pytest.mark.parametrize("value", NOT_REFERENCES)
def test_not_data_references(make_repo, value: str) -> None:
    root = make_repo({"conf.yaml": json.dumps({"a": value}), "data/train.csv": "a\n"})
    assert refs(root) == []


@pytest.mark.parametrize(
    ("sibling", "pin"),
    [
        ("version: 12", "sibling-version"),
        ("versionAsOf: 3", "sibling-version"),
        (f"revision: {SHA}", "sibling-revision"),
        ("md5: 9e107d9d372bb6826bd81d3542a419d6", "sibling-md5"),
        ("digest: sha256:abc", "sibling-digest"),
        ("etag: '\"33a64df5\"'", "sibling-etag"),
        ("version: latest", None),
        ("version: main", None),
        ("revision: main", None),
        ("revision: v1.0", None),
        ("md5: ''", None),
        ("owner: me", None),
    ],
)
def test_sibling_keys(make_repo, sibling: str, pin: str | None) -> None:
    root = make_repo({"c.yaml": f"source:\n  path: s3://b/t.parquet\n  {sibling}\n"})
    [ref] = refs(root)
    assert ref.fields["pin"] == pin


def test_sibling_cannot_pin_a_branch_reference(make_repo) -> None:
    text = "d:\n  path: lakefs://repo/main/t.parquet\n  version: 4\n"
    [ref] = refs(make_repo({"c.yaml": text}))
    assert ref.fields["pinned"] is False


def test_sibling_must_be_in_the_same_mapping(make_repo) -> None:
    text = "version: 3\nsources:\n  - s3://b/a.csv\n  - {path: s3://b/b.csv}\n"
    found = refs(make_repo({"c.yaml": text}))
    assert [(r.fields["line"], r.fields["key"], r.fields["pin"]) for r in found] == [
        (3, "sources", None),
        (4, "path", None),
    ]


STAGE = """stages:
  prepare:
    cmd: python prep.py
    outs:
    - data/prepared
    - data/unhashed.csv
"""


def test_local_paths_pinned_by_dvc_or_git(make_repo) -> None:
    lock = (
        "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prep.py\n    outs:\n"
        "    - path: data/prepared\n      md5: 1a2b3c.dir\n"
        "    - path: data/unhashed.csv\n"
    )
    root = make_repo(
        {
            "data/raw.csv.dvc": "outs:\n- md5: abc1234\n  path: raw.csv\n",
            "data/images.dvc": "outs:\n- md5: def5678.dir\n  path: images\n",
            "data/hashless.csv.dvc": "outs:\n- path: hashless.csv\n",
            "dvc.yaml": STAGE,
            "dvc.lock": lock,
            "data/small.csv": "a\n",
            "data/empty/.gitkeep": "",
            "params.yaml": (
                "raw: data/raw.csv\n"
                "img: ./data/images/cat.png\n"
                "prep: data/prepared/train.parquet\n"
                "unhashed: data/unhashed.csv\n"
                "hashless: data/hashless.csv\n"
                "small: data/small.csv\n"
                "missing: data/missing.csv\n"
                "empty: data/empty/x.csv\n"
            ),
        }
    )
    found = {r.fields["key"]: r for r in refs(root) if r.fields["file"] == "params.yaml"}
    assert {k: r.fields["pin"] for k, r in found.items()} == {
        "raw": "dvc-md5",
        "img": "dvc-md5",
        # the lock records no hash for one of prepare's outputs: it is stale as a whole
        "prep": None,
        "unhashed": None,
        "hashless": None,
        "small": "git-tracked",
        "missing": None,
        "empty": None,
    }
    assert all(r.fields["scheme"] == "local" for r in found.values())
    assert found["img"].fields["uri"] == "./data/images/cat.png"
    assert "dvc commit prepare" in found["prep"].fields["pin_hint"]
    assert "dvc commit data/hashless.csv.dvc" in found["hashless"].fields["pin_hint"]
    assert "dvc add data/missing.csv" in found["missing"].fields["pin_hint"]


def test_dvc_lock_in_a_subdirectory_is_relative_to_it(make_repo) -> None:
    lock = "schema: '2.0'\nstages:\n  s:\n    cmd: make\n    outs:\n    - path: data/feat.parquet\n      md5: x1234\n"
    root = make_repo(
        {
            "pipelines/fraud/dvc.yaml": "stages:\n  s:\n    cmd: make\n    outs: [data/feat.parquet]\n",
            "pipelines/fraud/dvc.lock": lock,
            "pipelines/fraud/params.yaml": "feat: data/feat.parquet\nother: data/feat2.parquet\n",
            "orphan/dvc.lock": lock,  # its dvc.yaml is gone: its entries pin nothing
            "orphan/params.yaml": "feat: data/feat.parquet\n",
        }
    )
    found = {(r.fields["file"], r.fields["key"]): r.fields["pin"] for r in refs(root)}
    assert found == {
        ("pipelines/fraud/params.yaml", "feat"): "dvc-lock",
        ("pipelines/fraud/params.yaml", "other"): None,
        ("orphan/params.yaml", "feat"): None,
    }


def test_data_dirs_param(make_repo) -> None:
    root = make_repo({"c.yaml": "a: data/x.csv\nb: datasets/raw/y.csv\n"})
    assert [r.fields["uri"] for r in refs(root, {"data_dirs": ["datasets/raw"]})] == [
        "datasets/raw/y.csv"
    ]


def test_json_toml_and_mlproject_are_located(make_repo) -> None:
    root = make_repo(
        {
            "conf/a.json": '{\n  "inputs": ["s3://b/x.csv", "gs://b/y.csv#7"]\n}\n',
            "conf/b.toml": '[data]\ntrain = "s3://b/t.csv"\n\n[other]\nname = "s3://b/t.csv"\n',
            "MLproject": "entry_points:\n  main:\n    parameters:\n      data: {default: 'hf://datasets/a/b'}\n",
            "notes.txt": "s3://b/ignored.csv",
            "broken.yaml": "a: s3://b/x.csv\nb: [\n",
        }
    )
    found = [
        (r.fields["file"], r.fields["line"], r.fields["column"], r.fields["pin"])
        for r in refs(root)
    ]
    assert found == [
        ("MLproject", 4, 23, None),
        ("conf/a.json", 2, 14, None),
        ("conf/a.json", 2, 30, "gcs-generation"),
        ("conf/b.toml", 2, 9, None),
        ("conf/b.toml", 5, 8, None),
    ]


def test_yaml_alias_is_reported_once(make_repo) -> None:
    root = make_repo({"c.yaml": "a: &src s3://b/x.csv\nb: *src\n"})
    assert [r.id for r in refs(root)] == ["c.yaml:1:4"]  # an anchored node starts at its anchor


def test_references_are_never_dropped_silently(make_repo) -> None:
    """Escapes, duplicate keys, multi-line strings and UTF-16 all yield their references;
    a TOML file that cannot be parsed is named in a notice (YAML and JSON: GC-FILE-001)."""
    root = make_repo(
        {
            # JSON readers keep the last of duplicate keys; `\/` and `\u` escapes decode
            "a.json": '{"x": "s3://b/1.csv",\n "x": "s3://b/2.csv",\n'
            ' "y": "s3:\\/\\/b\\/3.csv",\n "z": "\\u0073\\u0033://b/4.csv"}\n',
            "b.toml": 'x = "s3://b/\\u0035.csv"\ny = """\ns3://b/6.csv"""\nz = \'\'\'s3://b/7.csv\'\'\'\n',
            "c.yaml": "x: s3://b/8.csv\n".encode("utf-16"),
            "d.yaml": "x: s3://b/9.csv\ny: [\n",  # GC-FILE-001 reports it
            "e.toml": 'x = "s3://b/10.csv"\ny = [\n',
        }
    )
    facts = make_facts(root)
    found = [(r.fields["file"], r.fields["line"], r.fields["uri"]) for r in refs_of(facts)]
    assert found == [
        ("a.json", 2, "s3://b/2.csv"),
        ("a.json", 3, "s3://b/3.csv"),
        ("a.json", 4, "s3://b/4.csv"),
        ("b.toml", 1, "s3://b/5.csv"),
        ("b.toml", 2, "s3://b/6.csv"),
        ("b.toml", 4, "s3://b/7.csv"),
        ("c.yaml", 1, "s3://b/8.csv"),
    ]
    assert facts.notices == [
        "e.toml:3:1: invalid TOML: Invalid value; its data references are not checked"
    ]


def test_a_file_in_an_encoding_govcheck_cannot_read_is_named(make_repo) -> None:
    root = make_repo({"conf/latin.yaml": "x: s3://b/caf\xe9.csv\n".encode("latin-1")})
    facts = make_facts(root)
    assert refs_of(facts) == []
    assert facts.notices == ["conf/latin.yaml: not UTF-8 or UTF-16 text; its content is not read"]
