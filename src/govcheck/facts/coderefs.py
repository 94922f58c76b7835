"""Data references read in code: `.py` files and the code cells of `.ipynb` notebooks,
found through `ast` (facts/pycode.py), never imported or run; notebook outputs are not read.

A call's argument counts when its string is known before the run (a literal, a module
constant set in an earlier cell, an f-string of those). The calls: pandas/polars/pyarrow/
Ray/Dask `read_*` and `scan_*`, NumPy's loaders, `spark.read....load()/csv()/parquet()...`
(pinned by an `option("versionAsOf", ...)` on the chain), Hugging Face `load_dataset`,
`from_pretrained`, `hf_hub_download`, `snapshot_download` (pinned by a `revision=` commit
SHA), W&B `use_artifact` / `Api().artifact` (pinned by `:vN`), `dvc.api.open/read/get_url`
(pinned by `rev=` a commit SHA when `repo=` names another repository), the sources given to
`mlflow.data.from_*` / `load_delta` (a Delta table pinned by `version=`), and `open`,
`Path`, `urlretrieve` only on remote URIs (`requests.get`, `urlopen` only on a remote data
file: an http(s) URL without a data extension is an API call).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from govcheck.facts.base import Facts
from govcheck.facts.datarefs import SHA40, scheme_of, wandb_name_pin
from govcheck.facts.files import code_of
from govcheck.facts.pycode import CodeUnit, argument, calls, constants, dotted_name, string_value
from govcheck.facts.refjudge import HF_BUILDERS, Judge, Verdict, reference
from govcheck.model import Resource

_MARKERS = (
    "read_",
    "scan_",
    ".load(",
    "load_dataset",
    "from_pretrained",
    "hf_hub_download",
    "snapshot_download",
    "use_artifact",
    ".artifact(",
    "dvc.api",
    "mlflow.data",
    "from_pandas",
    "load_delta",
    "://",
    "dbfs:",
    "loadtxt",
    "genfromtxt",
)
# pandas, polars, pyarrow, Dask, Ray, modin... readers of files (not read_sql, read_bytes)
_READERS = frozenset(
    {
        "read_csv",
        "read_parquet",
        "read_json",
        "read_excel",
        "read_feather",
        "read_table",
        "read_pickle",
        "read_orc",
        "read_hdf",
        "read_fwf",
        "read_sas",
        "read_spss",
        "read_stata",
        "read_xml",
        "read_ndjson",
        "read_ipc",
        "read_delta",
        "read_avro",
        "read_images",
        "read_text",
        "read_binary_files",
        "read_numpy",
        "read_tfrecords",
        "read_webdataset",
        "read_iceberg",
        "read_lance",
        "scan_csv",
        "scan_parquet",
        "scan_ndjson",
        "scan_ipc",
        "scan_delta",
        "scan_iceberg",
    }
)
# What those readers are called on (`Path(p).read_text("utf-8")` is no data read).
_READER_ROOTS = frozenset(
    {
        "pd",
        "pandas",
        "pl",
        "polars",
        "ray",
        "dd",
        "dask",
        "pa",
        "pq",
        "pyarrow",
        "csv",
        "cudf",
        "modin",
        "mpd",
        "vaex",
        "daft",
        "spark",
        "ps",
        "koalas",
        "ks",
        "np",
        "numpy",
    }
)
_PATH_KEYWORDS = (
    "path",
    "filepath_or_buffer",
    "source",
    "paths",
    "path_or_buf",
    "io",
    "uri",
    "file",
)
_SPARK_READS = frozenset({"load", "csv", "parquet", "json", "orc", "text", "avro"})
_NUMPY = frozenset({"load", "loadtxt", "genfromtxt", "fromfile"})
_REMOTE_ONLY = frozenset({"open", "Path", "get", "urlretrieve", "urlopen", "download", "GFile"})
_API_CALLS = frozenset({"get", "urlopen"})
_MLFLOW_DATA = re.compile(
    r"(^|\.)(from_pandas|from_numpy|from_polars|from_spark|from_huggingface|load_delta)$"
)
Found = tuple[ast.expr, Verdict]


def code_references(facts: Facts, judge: Judge) -> list[Resource]:
    out: list[Resource] = []
    for res in facts.resources("file"):
        if res.fields["suffix"] not in (".py", ".ipynb") or not facts.reaches(res.id):
            continue
        text = res.fields["text"]
        if not text or not any(marker in text for marker in _MARKERS):
            continue
        source = "notebook" if res.fields["suffix"] == ".ipynb" else "python"
        literals = not _is_test(res.id)
        fixture = judge.cls.file_not_data(res.id)
        for unit in code_of(res):
            names = constants(unit)
            found = _references(unit, names, judge, res.fields["dir"], literals)
            for node, verdict, written in found:
                line, column = unit.position(node)
                if fixture and verdict.status != "not-data":
                    verdict = Verdict(
                        verdict.scheme, "not-data", reason=fixture, asset=verdict.asset
                    )
                out.append(reference(res.id, line, column, written, None, source, verdict))
    return out


def _is_test(path: str) -> bool:
    """Test code: its literals are fixtures, never looked at (what it reads is found, and is
    not-data while the data pack's non_data_files name test code, as by default)."""
    parts = path.split("/")
    name = parts[-1]
    return (
        any(p in ("tests", "test") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _references(
    unit: CodeUnit, names: dict[str, str], judge: Judge, base: str, literals: bool
) -> Iterator[tuple[ast.expr, Verdict, str]]:
    for call in calls(unit):
        name = dotted_name(call.func)
        last = name.rsplit(".", 1)[-1]
        for node, verdict in _call(call, name, last, names, judge, base):
            yield node, verdict, string_value(node, names) or ast.unparse(node)
        if literals:
            for node, verdict in _literals(call, judge):
                yield node, verdict, str(node.value)


def _literals(call: ast.Call, judge: Judge) -> Iterator[tuple[ast.Constant, Verdict]]:
    """A data file's URI written as a literal argument of any call (`load_data(data_url=
    "https://.../tweets.csv")`), judged like a config value under the keyword's name."""
    given = [(None, a) for a in call.args] + [(k.arg, k.value) for k in call.keywords]
    for key, node in given:
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if "://" in node.value and judge.cls.is_data_url(node.value):
            verdict = judge.uri(node.value, key, None)
            if verdict is not None:
                yield node, verdict


def _call(
    call: ast.Call, name: str, last: str, names: dict[str, str], judge: Judge, base: str
) -> Iterator[Found]:
    def text(node: ast.expr | None) -> str | None:
        return string_value(node, names) if node is not None else None

    def path_arg() -> ast.expr | None:
        for keyword in _PATH_KEYWORDS:
            found = argument(call, None, keyword)
            if found is not None:
                return found
        return argument(call, 0, None)

    if last == "load_dataset":
        yield from _load_dataset(call, text, judge, base)
    elif last == "from_pretrained":
        node = argument(call, 0, "pretrained_model_name_or_path")
        yield from _hf(node, text(node), text(argument(call, None, "revision")), "model", judge)
    elif last in ("hf_hub_download", "snapshot_download"):
        node = argument(call, 0, "repo_id")
        asset = "data" if text(argument(call, None, "repo_type")) == "dataset" else "model"
        yield from _hf(node, text(node), text(argument(call, None, "revision")), asset, judge)
    elif (
        last == "use_artifact" or last == "artifact" and ("Api()" in name or "api" in name.lower())
    ):
        node = argument(call, 0, "artifact_or_name")
        value = text(node)
        if node is not None and value and not value.startswith(("/", ".")):
            found = wandb_name_pin(value)
            status = "pinned" if found.pin else "unpinned"
            yield (
                node,
                Verdict("wandb-artifact", status, found.pin, found.hint, floating=found.floating),
            )
    elif name.startswith("dvc.api.") and last in ("open", "read", "get_url"):
        yield from _dvc_api(call, text, judge, base)
    elif _MLFLOW_DATA.search(name):
        yield from _mlflow_data(call, last, text, judge, base)
    elif (
        last in _SPARK_READS
        and ".read." in f".{name}."
        or (last in _READERS and name.split(".", 1)[0] in _READER_ROOTS)
    ):
        node = path_arg()
        value = text(node)
        if node is None or value is None:
            yield from _unknown(node, judge)
            return
        verdict = _read(value, judge, base)
        if verdict is not None and _delta_pinned(call):
            verdict = Verdict(verdict.scheme, "pinned", "delta-version", asset=verdict.asset)
        if verdict is not None:
            yield node, verdict
    elif last in _NUMPY and name.split(".", 1)[0] in ("np", "numpy"):
        node = argument(call, 0, "file")
        value = text(node)
        verdict = _read(value, judge, base) if node is not None and value else None
        if node is not None and verdict is not None:
            yield node, verdict
    elif last in _REMOTE_ONLY:
        node = argument(call, 0, None)
        value = text(node)
        if node is not None and value and scheme_of(value) is not None:
            # `requests.get` / `urlopen` of an http(s) URL is as often an API call (a cat
            # fact, a version check) as a download: data only when the URL names a data file.
            verdict = judge.uri(value, None, None, by_context=last not in _API_CALLS)
            if verdict is not None:
                yield node, verdict


def _read(value: str, judge: Judge, base: str) -> Verdict | None:
    """A path or URI a data-reading call reads."""
    if scheme_of(value) is not None:
        return judge.uri(value, None, None, by_context=True)
    path = judge.local_path(value, None, base, by_context=True)
    return judge.local(path, None, None, base) if path is not None else None


def _unknown(node: ast.expr | None, judge: Judge) -> Iterator[Found]:
    """An f-string whose constant start is a data URI: cannot be verified before the run."""
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            found = scheme_of(head.value)
            if found is not None and found[0] not in ("http", "https", "file"):
                yield node, Verdict(found[0], "unknown", reason="built at run time")


def _delta_pinned(call: ast.Call) -> bool:
    """`.option("versionAsOf", 3)` / `.options(versionAsOf=3)` anywhere on the chain."""
    node: Any = call.func
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, args = node.func.attr, node.args
            first = args[0] if args else None
            if method == "option" and isinstance(first, ast.Constant) and _time_travel(first.value):
                return True
            if method == "options" and any(_time_travel(k.arg) for k in node.keywords):
                return True
            node = node.func.value
        else:
            node = node.value if isinstance(node, ast.Attribute) else node.func
    return False


def _time_travel(name: object) -> bool:
    return str(name).lower() in ("versionasof", "timestampasof")


def _hf(
    node: ast.expr | None, value: str | None, revision: str | None, asset: str, judge: Judge
) -> Iterator[Found]:
    if node is None or value is None or not judge.hf_id(value, None, by_context=True):
        return
    yield node, judge.hf(value, revision, asset)


def _load_dataset(call: ast.Call, text: Any, judge: Judge, base: str) -> Iterator[Found]:
    node = argument(call, 0, "path")
    value = text(node)
    if node is None or value is None:
        return
    if value in HF_BUILDERS:  # the data is in data_files / data_dir
        for keyword in ("data_files", "data_dir"):
            given = argument(call, None, keyword)
            for item in _strings(given):
                found = text(item)
                verdict = _read(found, judge, base) if found else None
                if verdict is not None:
                    yield item, verdict
        return
    if (
        scheme_of(value) is None
        and judge.local_path(value, None, base, by_context=True)
        and judge.facts.exists(value)
    ):
        yield node, judge.local(value, None, None, base)
        return
    yield from _hf(node, value, text(argument(call, None, "revision")), "data", judge)


def _strings(node: ast.expr | None) -> list[ast.expr]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        out: list[ast.expr] = []
        for value in node.values:
            out += _strings(value) if isinstance(value, (ast.List, ast.Tuple)) else [value]
        return out
    return [node] if node is not None else []


def _dvc_api(call: ast.Call, text: Any, judge: Judge, base: str) -> Iterator[Found]:
    node = argument(call, 0, "path")
    value = text(node)
    if node is None or value is None:
        return
    repo, rev = text(argument(call, None, "repo")), text(argument(call, None, "rev"))
    if repo is None and argument(call, None, "repo") is None:
        path = judge.local_path(value, None, base, by_context=True)
        if path is not None:
            yield node, judge.local(path, None, None, base)
        return
    if rev is not None and SHA40.fullmatch(rev):
        yield node, Verdict("dvc", "pinned", "dvc-rev")
        return
    what = f"rev {rev!r} can move" if rev else "no rev: the default branch today"
    yield node, Verdict("dvc", "unpinned", hint=f'{what}; pass rev="<commit sha>"')


def _mlflow_data(call: ast.Call, last: str, text: Any, judge: Judge, base: str) -> Iterator[Found]:
    if last == "from_huggingface":
        node = argument(call, None, "path")
        yield from _hf(node, text(node), text(argument(call, None, "revision")), "data", judge)
        return
    versioned = argument(call, None, "version") is not None
    for keyword in ("source", "path", "table_name"):
        node = argument(call, None, keyword)
        value = text(node)
        if node is None or value is None:
            continue
        if keyword == "table_name":
            status = "pinned" if versioned else "unpinned"
            hint = "" if versioned else "pass version=<Delta table version>"
            yield node, Verdict("table", status, "delta-version" if versioned else None, hint)
            continue
        verdict = _read(value, judge, base)
        if verdict is not None and versioned and last in ("from_spark", "load_delta"):
            verdict = Verdict(verdict.scheme, "pinned", "delta-version")
        if verdict is not None:
            yield node, verdict
