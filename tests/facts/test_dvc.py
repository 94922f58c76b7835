"""`dvc_file` and `dvc_stage` resources against real DVC: the repository is made once per
module with DVC's own commands (`dvc add`, `dvc import`, `dvc import-url`, `dvc repro` over
plain, foreach, matrix and wdir stages), then each test copies it and edits it into one
broken form, as people do by hand. One test asks `dvc status` itself which stages are
stale, so govcheck and DVC never disagree on it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import git, write_files
from govcheck.model import Resource
from support import make_facts

pytest.importorskip("dvc", reason="DVC is a test dependency (pip install '.[test]')")

PARAMS = """prepare:
  seed: 20170428
  split: 0.2
train:
  n_est: 50
models: [rf, gb]
langs:
  - {name: en, size: 1}
  - {name: de, size: 2}
"""
DVC_YAML = """stages:
  prepare:
    cmd: python src/prepare.py data/raw.csv
    deps:
    - data/raw.csv
    - src/prepare.py
    params:
    - prepare.seed
    - prepare.split
    outs:
    - data/prepared
  featurize:
    cmd: python -m pkg.featurize data/prepared
    deps:
    - data/prepared
    outs:
    - data/features.csv
  train:
    foreach: ${models}
    do:
      cmd: python src/train.py ${item}
      deps:
      - data/features.csv
      - src/train.py
      params:
      - train.n_est
      outs:
      - models/${item}.pkl
  lang:
    foreach: ${langs}
    do:
      cmd: python src/echo.py out/lang-${item.name}.txt ${item.size}
      deps:
      - src/echo.py
      outs:
      - out/lang-${item.name}.txt
  build:
    matrix:
      os: [win, lin]
      cfg: [{a: 1}, {b: 2}]
    cmd: python src/echo.py out/build-${key}.txt ${item.os}
    deps:
    - src/echo.py
    outs:
    - out/build-${key}.txt
  evaluate:
    cmd: python src/echo.py metrics.json 0.91
    deps:
    - src/echo.py
    - models/rf.pkl
    metrics:
    - metrics.json:
        cache: false
"""
SUB_DVC_YAML = """vars:
  - config.yaml:size
stages:
  report:
    wdir: ..
    cmd:
    - python src/echo.py out/report.txt ${size}
    deps:
    - src/echo.py
    params:
    - sub/config.yaml:
      - size
    outs:
    - out/report.txt
"""
ECHO = """import pathlib, sys
path = pathlib.Path(sys.argv[1])
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(" ".join(sys.argv[2:]) + "\\n")
"""
COPY = """import pathlib, shutil, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
dst.parent.mkdir(parents=True, exist_ok=True)
shutil.copy(src, dst) if src.is_file() else shutil.copytree(src, dst, dirs_exist_ok=True)
"""
FILES = {
    "params.yaml": PARAMS,
    "dvc.yaml": DVC_YAML,
    "sub/dvc.yaml": SUB_DVC_YAML,
    "sub/config.yaml": "size: 3\n",
    "src/echo.py": ECHO,
    "src/prepare.py": "import subprocess, sys\n"
    "subprocess.run([sys.executable, 'src/copydata.py', sys.argv[1], 'data/prepared/raw.csv'])\n",
    "src/copydata.py": COPY,
    "src/pkg/__init__.py": "",
    "src/pkg/featurize.py": "import shutil\nshutil.copy('data/prepared/raw.csv', 'data/features.csv')\n",
    "src/train.py": "import pathlib, sys\n"
    "pathlib.Path('models').mkdir(exist_ok=True)\n"
    "pathlib.Path(f'models/{sys.argv[1]}.pkl').write_text('model')\n",
}


def dvc(root: Path, *args: str) -> str:
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PYTHONPATH": "src"}
    done = subprocess.run(
        [sys.executable, "-m", "dvc", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"dvc {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def init_git(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test User")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository as DVC leaves it after `dvc add`, imports and `dvc repro`, committed."""
    base = tmp_path_factory.mktemp("dvc")
    registry = base / "registry"  # a data registry to import from
    registry.mkdir()
    init_git(registry)
    write_files(registry, {"labels.csv": "id,label\n1,cat\n"})
    git(registry, "add", "-A")
    git(registry, "commit", "-q", "-m", "labels")
    outside = base / "export.csv"
    outside.write_text("a,b\n1,2\n")

    root = base / "repo"
    root.mkdir()
    init_git(root)
    write_files(root, FILES)
    write_files(root, {"data/raw.csv": "a,b\n1,2\n", "data/images/1.txt": "x\n"})
    dvc(root, "init", "-q")
    dvc(root, "add", "-q", "data/raw.csv", "data/images")
    dvc(root, "import", "-q", str(registry), "labels.csv", "-o", "data/labels.csv")
    dvc(root, "import-url", "-q", "--no-download", str(outside), "data/export.csv")
    dvc(root, "repro", "-q", "dvc.yaml", "sub/dvc.yaml")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "pipeline")
    return root


Edit = Callable[[Path], None]


@pytest.fixture
def edited(pipeline: Path, tmp_path: Path) -> Callable[..., Path]:
    """A committed copy of the pipeline repository after some edits."""

    counter = iter(range(1000))

    def make(*edits: Edit) -> Path:
        root = tmp_path / f"copy-{next(counter)}"
        shutil.copytree(pipeline, root, symlinks=True)
        for edit in edits:
            edit(root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "edit")
        return root

    return make


def stages(root: Path) -> dict[str, Resource]:
    return {r.fields["name"]: r for r in make_facts(root).resources("dvc_stage")}


def differences(root: Path) -> dict[str, list[str]]:
    return {
        name: [d["kind"] for d in r.fields["lock_differences"]]
        for name, r in stages(root).items()
        if r.fields["lock_differences"]
    }


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def edit_yaml(name: str, change: Callable[[Any], None]) -> Edit:
    def edit(root: Path) -> None:
        data = load(root / name)
        change(data)
        dump(root / name, data)

    return edit


def replace(name: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        text = (root / name).read_text()
        assert old in text, (name, old)
        (root / name).write_text(text.replace(old, new))

    return edit


# -- what DVC wrote ------------------------------------------------------------------------


def test_stage_names_are_the_ones_dvc_writes_to_the_lock(pipeline: Path) -> None:
    lock = load(pipeline / "dvc.lock")["stages"]
    found = stages(pipeline)
    assert {n for n, r in found.items() if r.fields["file"] == "dvc.yaml"} == set(lock)
    assert {"train@rf", "train@gb", "lang@0", "lang@1", "build@win-cfg0", "build@lin-cfg1"} <= set(
        lock
    )
    assert set(load(pipeline / "sub/dvc.lock")["stages"]) == {"report"}


def test_a_fresh_pipeline_agrees_with_its_lock(pipeline: Path) -> None:
    found = stages(pipeline)
    assert differences(pipeline) == {}
    assert all(r.fields["locked"] and r.fields["resolved"] for r in found.values())
    train = found["train@gb"].fields
    assert (train["cmd"], train["outs"], train["params"]) == (
        "python src/train.py gb",
        ["models/gb.pkl"],
        {"params.yaml": ["train.n_est"]},
    )
    assert found["train@gb"].location.line == DVC_YAML.splitlines().index("  train:") + 1
    report = found["report"].fields
    assert (report["wdir"], report["cmd"]) == ("", ["python src/echo.py out/report.txt 3"])


def test_dvc_files_from_add_and_import_are_pinned(pipeline: Path) -> None:
    files = {r.id: r.fields for r in make_facts(pipeline).resources("dvc_file")}
    raw, images, labels = (files[f"data/{n}.dvc"] for n in ("raw.csv", "images", "labels.csv"))
    assert [(o["path"], o["pin"], o["line"]) for o in raw["outs"]] == [
        ("data/raw.csv", "dvc-md5", 2)
    ]
    assert images["outs"][0]["pinned"] and images["kind"] == "add"
    assert labels["kind"] == "import" and labels["outs"][0]["pin"] == "dvc-import-rev-lock"
    export = files["data/export.csv.dvc"]
    assert export["kind"] == "import-url"
    [out] = export["outs"]
    assert not out["pinned"] and "dvc update data/export.csv.dvc" in out["reason"]


def test_a_dvc_file_without_a_hash_or_rev_lock_is_not_pinned(edited: Callable[..., Path]) -> None:
    def strip(name: str, *keys: str) -> Edit:
        def change(data: Any) -> None:
            for key in keys:
                data["outs"][0].pop(key, None)
                for dep in data.get("deps", []):
                    dep.get("repo", {}).pop(key, None)

        return edit_yaml(name, change)

    root = edited(
        strip("data/raw.csv.dvc", "md5", "hash"), strip("data/labels.csv.dvc", "rev_lock")
    )
    files = {r.id: r.fields["outs"][0] for r in make_facts(root).resources("dvc_file")}
    assert not files["data/raw.csv.dvc"]["pinned"]
    assert "dvc commit data/raw.csv.dvc" in files["data/raw.csv.dvc"]["reason"]
    labels = files["data/labels.csv.dvc"]
    assert not labels["pinned"] and "with no rev_lock" in labels["reason"]


# -- each way dvc.lock goes stale ----------------------------------------------------------

CASES = {
    "cmd": (
        [
            replace(
                "dvc.yaml",
                "python src/prepare.py data/raw.csv",
                "python src/prepare.py -v data/raw.csv",
            )
        ],
        {"prepare": ["cmd"]},
    ),
    "new-dep": (
        [
            replace(
                "dvc.yaml",
                "    - data/prepared\n    outs:\n    - data/features.csv",
                "    - data/prepared\n    - params.yaml\n    outs:\n    - data/features.csv",
            )
        ],
        {"featurize": ["deps"]},
    ),
    "param-value": (
        [replace("params.yaml", "n_est: 50", "n_est: 80")],
        {"train@rf": ["params"], "train@gb": ["params"]},
    ),
    "param-value-in-a-vars-file": (
        [replace("sub/config.yaml", "size: 3", "size: 4")],
        # the cmd interpolates it too
        {"report": ["cmd", "params"]},
    ),
    "foreach-item-added": (
        [replace("params.yaml", "models: [rf, gb]", "models: [rf, gb, svm]")],
        {"train@svm": ["not-locked"]},
    ),
    "stage-removed-from-dvc-yaml": (
        [edit_yaml("dvc.yaml", lambda d: d["stages"].pop("evaluate"))],
        {"evaluate": ["extra"]},
    ),
    "lock-entry-lost": (
        [edit_yaml("dvc.lock", lambda d: d["stages"].pop("build@lin-cfg0"))],
        {"build@lin-cfg0": ["not-locked"]},
    ),
    "lock-hash-lost": (
        [edit_yaml("dvc.lock", lambda d: d["stages"]["prepare"]["outs"][0].pop("md5"))],
        {"prepare": ["unhashed"]},
    ),
    "script-edited": (
        [replace("src/train.py", "write_text('model')", "write_text('model v2')")],
        {"train@rf": ["changed-deps"], "train@gb": ["changed-deps"]},
    ),
    "metrics-edited": (
        [lambda root: (root / "metrics.json").write_text("0.95\n")],
        {"evaluate": ["changed-outs"]},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_way_the_lock_goes_stale(case: str, edited: Callable[..., Path]) -> None:
    edits, expected = CASES[case]
    assert differences(edited(*edits)) == expected


def test_differences_point_at_the_stage_and_say_the_fix(edited: Callable[..., Path]) -> None:
    root = edited(
        replace("params.yaml", "split: 0.2", "split: 0.25"),
        edit_yaml("dvc.yaml", lambda d: d["stages"].pop("evaluate")),
    )
    found = stages(root)
    [params] = found["prepare"].fields["lock_differences"]
    assert params["detail"] == (
        "params differ from dvc.lock (prepare.split is 0.25 in params.yaml but 0.2 in dvc.lock)"
    )
    assert (params["file"], params["line"], params["fix"]) == (
        "dvc.yaml",
        2,
        "run `dvc repro prepare`",
    )
    [extra] = found["evaluate"].fields["lock_differences"]
    lock_text = (root / "dvc.lock").read_text().splitlines()
    assert (extra["file"], extra["line"]) == ("dvc.lock", lock_text.index("  evaluate:") + 1)
    assert "delete `evaluate` from dvc.lock" in extra["fix"]


def test_govcheck_and_dvc_status_agree_on_what_is_stale(edited: Callable[..., Path]) -> None:
    edits = [
        e
        for case in ("cmd", "param-value", "script-edited", "lock-entry-lost")
        for e in CASES[case][0]
    ]
    root = edited(*edits)
    status = json.loads(dvc(root, "status", "--json", "dvc.yaml"))
    assert set(status) == set(differences(root))


# -- scripts a stage runs -------------------------------------------------------------------


def test_scripts_a_stage_runs_are_among_its_deps(pipeline: Path) -> None:
    found = stages(pipeline)
    [featurize] = found["featurize"].fields["scripts"]
    assert (featurize["path"], featurize["kind"], featurize["declared"]) == (
        "src/pkg/featurize.py",
        "module",
        False,
    )
    assert (
        featurize["line"]
        == DVC_YAML.splitlines().index("    cmd: python -m pkg.featurize data/prepared") + 1
    )
    [prepare] = found["prepare"].fields["scripts"]
    assert (prepare["path"], prepare["declared"]) == ("src/prepare.py", True)
    assert [s["path"] for s in found["report"].fields["scripts"]] == ["src/echo.py"]


# -- what the data references rules see -----------------------------------------------------


def test_stage_outputs_are_pinned_only_through_a_lock_that_agrees(
    edited: Callable[..., Path],
) -> None:
    config = {
        "configs/train.yaml": "features: data/features.csv\nraw: data/raw.csv\nprepared: data/prepared/raw.csv\n"
    }
    fresh = edited(lambda root: write_files(root, config))
    pins = {r.fields["key"]: r.fields["pin"] for r in make_facts(fresh).resources("data_reference")}
    assert pins == {"features": "dvc-lock", "raw": "dvc-md5", "prepared": "dvc-lock"}
    stale = edited(lambda root: write_files(root, config), CASES["cmd"][0][0])
    refs = {r.fields["key"]: r.fields for r in make_facts(stale).resources("data_reference")}
    assert refs["features"]["pinned"] and not refs["prepared"]["pinned"]


def test_a_check_limited_to_a_script_rechecks_the_stages_that_run_it(
    edited: Callable[..., Path],
) -> None:
    root = edited(CASES["script-edited"][0][0])
    facts = make_facts(root, paths=frozenset({"src/train.py"}))
    found = {r.fields["name"]: r.fields["lock_differences"] for r in facts.resources("dvc_stage")}
    assert set(found) == {"train@rf", "train@gb"}
    assert all(d[0]["kind"] == "changed-deps" for d in found.values())
