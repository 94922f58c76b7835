"""repo, file and directory resources from real repositories."""

from __future__ import annotations

import os
from pathlib import Path

from govcheck.check import CheckOptions, run
from govcheck.context import DEFAULT_MAX_FILE_MB
from govcheck.facts.base import Facts
from govcheck.model import Location, Resource
from govcheck.reporters import json_report
from govcheck.yamlsrc import LDict, LList
from support import make_facts

LIMIT = DEFAULT_MAX_FILE_MB * 1024 * 1024
LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 12345\n"
)


def facts_for(root: Path) -> Facts:
    return make_facts(root)


def by_id(resources: list[Resource]) -> dict[str, Resource]:
    return {r.id: r for r in resources}


def test_repo_resource(make_repo, run_git) -> None:
    root = make_repo({"a": "a"})
    run_git(root, "remote", "add", "origin", "https://bot:t0ken@example.com/ml.git")
    [repo] = facts_for(root).resources("repo")
    assert repo.id == "repo" and repo.location is None
    assert repo.fields["root"] == str(root)
    assert repo.fields["head"] == run_git(root, "rev-parse", "HEAD").strip()
    assert repo.fields["branch"] == "main"
    assert repo.fields["remotes"] == [{"name": "origin", "url": "https://example.com/ml.git"}]


def test_file_fields(make_repo) -> None:
    root = make_repo({"models/churn/Model_Card.MD": "# Card\n", "README": "hi", "x.tar.gz": "z"})
    files = by_id(facts_for(root).resources("file"))
    assert list(files) == ["README", "models/churn/Model_Card.MD", "x.tar.gz"]
    card = files["models/churn/Model_Card.MD"]
    assert card.location == Location("models/churn/Model_Card.MD")
    assert card.touches == ("models/churn/Model_Card.MD",)
    fields = card.fields
    assert (fields["name"], fields["suffix"], fields["dir"]) == (
        "Model_Card.MD",
        ".md",
        "models/churn",
    )
    assert fields["size"] == 7 and fields["size_mb"] == 7 / (1024 * 1024)
    assert fields["text"] == "# Card\n"
    assert fields["headings"] == [{"text": "Card", "level": 1, "line": 1}]
    assert (files["README"].fields["suffix"], files["README"].fields["dir"]) == ("", "")
    assert files["x.tar.gz"].fields["suffix"] == ".gz"
    assert files["README"].fields["data"] is None and files["README"].fields["headings"] == []


def test_binary_and_large_files_have_no_text(make_repo) -> None:
    root = make_repo(
        {
            "model.bin": b"\x00\x01\x02weights",
            "latin1.txt": "caf\xe9".encode("latin-1"),
            "big.csv": "a,b\n" * (LIMIT // 4 + 1),
        }
    )
    facts = facts_for(root)
    files = by_id(facts.resources("file"))
    assert files["model.bin"].fields["text"] is None
    assert files["latin1.txt"].fields["text"] is None
    big = files["big.csv"]
    assert big.fields["size"] > LIMIT and big.fields["size_mb"] > 5
    assert big.fields["text"] is None
    assert facts.notices == ["big.csv: 5 MB, over max_file_mb (5): its content is not read"]


def test_broken_files_give_parse_error_not_exception(make_repo) -> None:
    root = make_repo(
        {
            "bad.yaml": "a: 1\nb: [unclosed\n",
            "dup.yml": "a: 1\na: 2\n",
            "bad.json": '{"a": 1,\n "b": }\n',
            "bad.toml": "a = 1\nb = \n",
            "card.md": "---\nlicense: [mit\n---\n# Title\n",
            "good.yaml": "a: 1\n",
        }
    )
    files = by_id(facts_for(root).resources("file"))
    assert files["bad.yaml"].fields["data"] is None
    assert files["bad.yaml"].fields["documents"] == []
    assert files["bad.yaml"].fields["parse_error"].startswith("3:1: invalid YAML")
    assert (
        files["dup.yml"].fields["parse_error"] == "2:1: duplicate key 'a' (first defined at line 1)"
    )
    assert files["bad.json"].fields["parse_error"].startswith("2:7: invalid JSON")
    assert files["bad.toml"].fields["parse_error"].startswith("2:5: invalid TOML")
    assert files["card.md"].fields["parse_error"].startswith("3:1: invalid YAML")
    assert files["card.md"].fields["front_matter"] == {}
    assert files["card.md"].fields["headings"] == [{"text": "Title", "level": 1, "line": 4}]
    assert files["good.yaml"].fields["parse_error"] is None


def test_parsed_data_is_located(make_repo) -> None:
    root = make_repo(
        {
            "config.yaml": "# comment\nmodel:\n  name: churn\n  tags:\n    - a\n    - b\n---\nsecond: 2\n",
            "meta.json": '{\n  "owner": "ml-team",\n  "metrics": [1, 2]\n}\n',
            "pyproject.toml": '[tool.x]\nname = "y"\n',
            "MLproject": "name: demo\nentry_points: {}\n",
        }
    )
    files = by_id(facts_for(root).resources("file"))
    data = files["config.yaml"].fields["data"]
    assert isinstance(data, LDict) and isinstance(data["model"]["tags"], LList)
    assert data["model"].key_marks["name"].line == 3
    assert (data["model"].value_marks["name"].line, data["model"].value_marks["name"].column) == (
        3,
        9,
    )
    assert [m.line for m in data["model"]["tags"].item_marks] == [5, 6]
    assert files["config.yaml"].fields["documents"][1] == {"second": 2}
    meta = files["meta.json"].fields["data"]
    assert meta == {"owner": "ml-team", "metrics": [1, 2]}
    assert meta.key_marks["metrics"].line == 3
    assert files["pyproject.toml"].fields["data"] == {"tool": {"x": {"name": "y"}}}
    assert files["MLproject"].fields["data"] == {"name": "demo", "entry_points": {}}


def test_lfs_by_attribute_or_pointer(make_repo) -> None:
    root = make_repo(
        {
            ".gitattributes": "*.parquet filter=lfs diff=lfs merge=lfs -text\n",
            "data/a.parquet": "not really parquet",
            "data/b.bin": LFS_POINTER,
            "data/c.csv": "a,b\n",
        }
    )
    files = by_id(facts_for(root).resources("file"))
    assert files["data/a.parquet"].fields["lfs"] is True
    assert files["data/b.bin"].fields["lfs"] is True
    assert files["data/c.csv"].fields["lfs"] is False


def test_symlink_outside_is_skipped_with_notice(make_repo, run_git, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("private")
    root = make_repo({"models/a/README.md": "# A\n"})
    os.symlink(str(outside), root / "models" / "a" / "leak.md")
    os.symlink("README.md", root / "models" / "a" / "MODEL_CARD.md")
    run_git(root, "add", "models")
    facts = facts_for(root)
    files = by_id(facts.resources("file"))
    assert "models/a/leak.md" not in files
    assert files["models/a/MODEL_CARD.md"].fields["text"] == "# A\n"
    assert facts.notices == ["skipped symlink models/a/leak.md: points outside the repository"]
    model_a = by_id(facts.resources("directory"))["models/a"]
    assert model_a.fields["files"] == ["MODEL_CARD.md", "README.md"]


def test_symlink_notice_survives_config_exclude(make_repo, run_git, tmp_path: Path) -> None:
    # With `exclude:` the source used to be wrapped, and on Python 3.12+ isinstance() over
    # the wrapper no longer saw the git source behind it: the link went unreported.
    outside = tmp_path / "token.txt"
    outside.write_text("secret")
    root = make_repo(
        {
            ".govcheck.yaml": "version: 1\nexclude: [fixtures]\n",
            "fixtures/x.yaml": "a: 1\n",
            "models/a/README.md": "# A\n",
        }
    )
    os.symlink(str(outside), root / "models" / "a" / "leak.md")
    run_git(root, "add", "models")
    report = run(CheckOptions(repo=str(root), no_mlflow=True))
    assert "skipped symlink models/a/leak.md: points outside the repository" in report.notices
    assert "secret" not in json_report.render(report)
    assert not any(c.resource_id.startswith("fixtures") for c in report.checked)


def test_directories(make_repo) -> None:
    root = make_repo(
        {
            "models/churn/README.md": "# churn",
            "models/churn/model_card.md": "# card",
            "models/churn/eval/metrics.json": "{}",
            "models/fraud/train.py": "",
            "models/fraud/MODEL_CARD.md": "# fraud",
            "top.txt": "",
        }
    )
    dirs = by_id(facts_for(root).resources("directory"))
    assert list(dirs) == ["models", "models/churn", "models/churn/eval", "models/fraud"]
    churn = dirs["models/churn"]
    assert churn.fields["name"] == "churn"
    assert churn.fields["files"] == ["README.md", "model_card.md"]
    assert churn.fields["all_files"] == [
        "models/churn/README.md",
        "models/churn/eval/metrics.json",
        "models/churn/model_card.md",
    ]
    assert churn.location == Location("models/churn/model_card.md")
    assert churn.touches == tuple(churn.fields["all_files"])
    assert dirs["models/fraud"].location == Location("models/fraud/MODEL_CARD.md")
    assert dirs["models/churn/eval"].location == Location("models/churn/eval/metrics.json")
    assert dirs["models"].fields["files"] == []
    assert dirs["models"].location == Location("models/churn/README.md")
    assert len(dirs["models"].touches) == 5


def test_rev_source_files(make_repo, run_git) -> None:
    root = make_repo({"params.yaml": "lr: 0.1\n"})
    (root / "params.yaml").write_text("lr: [broken\n")
    (root / "extra.yaml").write_text("x: 1\n")
    run_git(root, "add", "extra.yaml")
    facts = make_facts(root, rev="HEAD")
    files = by_id(facts.resources("file"))
    assert list(files) == ["params.yaml"]
    assert files["params.yaml"].fields["data"] == {"lr": 0.1}


def test_files_over_max_file_mb_are_listed_but_not_read(make_repo) -> None:
    root = make_repo(
        {
            ".govcheck.yaml": "version: 1\nmax_file_mb: 0.01\n",
            "conf/big.yaml": "items:\n" + "".join(f"  - s3://b/{i}.csv\n" for i in range(1000)),
            "conf/small.yaml": "x: s3://b/small.csv\n",
        }
    )
    report = run(CheckOptions(repo=str(root), no_mlflow=True, select=("GC-DATA-001",)))
    assert [f.resource_id for f in report.findings] == ["conf/small.yaml:1:4"]
    assert "conf/big.yaml: 0.018 MB, over max_file_mb (0.01): its content is not read" in (
        report.notices
    )


def test_a_refused_card_front_matter_is_named_in_a_notice(make_repo) -> None:
    laughs = "a0: &a0 [" + ", ".join(["x"] * 9) + "]\n"
    laughs += "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9))
    root = make_repo({"models/m/MODEL_CARD.md": f"---\n{laughs}license: *a8\n---\n# M\n"})
    facts = facts_for(root)
    card = facts.file("models/m/MODEL_CARD.md")
    assert card is not None and card.fields["front_matter"] == {}
    assert card.fields["parse_error"].startswith("6:5: refused: aliases expand")
    assert facts.notices[0].startswith("models/m/MODEL_CARD.md:6:5: refused: aliases expand")


def test_utf16_text_is_read_and_binary_configs_are_named(make_repo) -> None:
    root = make_repo(
        {
            "le.yaml": "a: 1\n".encode("utf-16-le").join([b"\xff\xfe", b""]),
            "be.json": '{"a": 2}'.encode("utf-16"),
            "blob.json": b"\x00\x01\x02",
        }
    )
    facts = facts_for(root)
    files = by_id(facts.resources("file"))
    assert files["le.yaml"].fields["data"] == {"a": 1}
    assert files["be.json"].fields["data"] == {"a": 2}
    assert files["blob.json"].fields["data"] is None
    assert facts.notices == ["blob.json: not UTF-8 or UTF-16 text; its content is not read"]
