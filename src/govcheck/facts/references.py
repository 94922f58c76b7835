"""The `data_reference` provider: data named in configs (YAML, JSON, TOML, `MLproject`) and
read in code (Python files and notebook code cells, see coderefs).

A config value is a reference when it is a URI with a data scheme (`s3://`, `azureml:`,
`wandb-artifact://`, `dbfs:/`...), an http(s) URL of a data file, a path under a data
folder, a local path under a data key (`train_data_root: train_images`, a Kedro
`filepath:`), or a Hugging Face id under an HF key. Hydra/OmegaConf `${...}` is resolved
in the config tree first; what only the run can resolve is `unknown`. DVC's own files are
left to the DVC rules, which know what pins their paths.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from govcheck.errors import clip
from govcheck.facts import coderefs
from govcheck.facts.base import Facts
from govcheck.facts.datarefs import scheme_of, sibling_pin
from govcheck.facts.hydra import Unknown, has_interpolation, resolver
from govcheck.facts.parsing import Scalar, data_files, located_strings
from govcheck.facts.refjudge import Judge, Verdict, judge, reference
from govcheck.model import Resource

SCHEMA_KEYWORDS = frozenset({"$schema", "$id", "$ref"})
# A file listing 200,000 shards is one fact about the repository; checking every entry
# costs seconds to report at most a hundred findings (engine.MAX_FINDINGS_PER_FILE).
MAX_REFERENCES_PER_FILE = 10_000
# Text only a templating tool fills in: `{{ cookiecutter.x }}`, `{{ .input }}`, AzureML's
# `${{inputs.x}}`, `<datastore-name>`, `<% x %>`.
_TEMPLATE = re.compile(r"\{\{|\{%|<%|<[A-Za-z_][\w .-]*>")


def is_dvc_file(name: str) -> bool:
    return name in ("dvc.yaml", "dvc.lock") or name.endswith(".dvc")


def data_references(facts: Facts) -> list[Resource]:
    found: dict[str, Resource] = {}
    the_judge = judge(facts)
    for res, kind in data_files(facts, ("yaml", "json", "toml")):
        if is_dvc_file(res.fields["name"]):
            continue  # DVC's own files: what pins their paths is the DVC rules' business
        error = res.fields["parse_error"]
        if kind == "toml" and error:  # YAML and JSON ones are GC-FILE-001's findings
            facts.notice(f"{res.id}:{error}; its data references are not checked")
        count = 0
        for scalar in located_strings(res):
            if scalar.key in SCHEMA_KEYWORDS:
                continue
            if scalar.line is None:  # never dropped without a word
                if scheme_of(scalar.value) is not None:
                    facts.notice(
                        f"{res.id}: data reference {clip(scalar.value)!r} could not be "
                        "located in the text; it is not checked"
                    )
                continue
            ref = _config_reference(facts, the_judge, res, scalar)
            if ref is None:
                continue
            count += 1
            if count > MAX_REFERENCES_PER_FILE:
                facts.notice(
                    f"{res.id}: more than {MAX_REFERENCES_PER_FILE:,} data references; only "
                    "the first ones are checked"
                )
                break
            found.setdefault(ref.id, ref)  # a YAML alias repeats its anchor's position
    for ref in coderefs.code_references(facts, the_judge):
        found.setdefault(ref.id, ref)
    return sorted(
        found.values(), key=lambda r: (r.fields["file"], r.fields["line"], r.fields["column"])
    )


def _config_reference(
    facts: Facts, the_judge: Judge, res: Resource, scalar: Scalar
) -> Resource | None:
    value, key, parent = scalar.value, scalar.key, scalar.parent
    if _TEMPLATE.search(value):
        shape = _shape(the_judge, value, key)
        if shape is None:
            return None
        return _resource(
            res, scalar, Verdict(shape, "unknown", reason="a template its tool fills in")
        )
    resolved = value
    if has_interpolation(value):
        try:
            resolved = resolver(facts).resolve(res.id, scalar.path, value)
        except Unknown as exc:
            scheme = _shape(the_judge, value, key)
            if scheme is None:
                return None
            return _resource(res, scalar, Verdict(scheme, "unknown", reason=str(exc)))
    verdict = judge_value(the_judge, resolved, key, parent, res.fields["dir"])
    if verdict is None:
        return None
    cls = the_judge.cls
    section = (
        cls.section_not_data(scalar.path)
        or cls.default_not_data(scalar.path)
        or cls.file_not_data(res.id)
    )
    if section and verdict.status != "not-data":
        verdict = Verdict(verdict.scheme, "not-data", reason=section, asset=verdict.asset)
    # A moving ref (a branch, @latest, an alias) stays unpinned whatever its siblings say.
    if verdict.status == "unpinned" and not verdict.floating:
        pin = sibling_pin(scalar)
        if pin:
            verdict = replace(verdict, status="pinned", pin=pin, hint="")
    if resolved != value:
        verdict = replace(verdict, uri=resolved)
    return _resource(res, scalar, verdict)


def judge_value(the_judge: Judge, value: str, key: Any, parent: Any, base: str) -> Verdict | None:
    """The verdict on a config value, or None when it is no data reference."""
    verdict = the_judge.uri(value, key, parent)
    if verdict is not None:
        return verdict
    if the_judge.hf_id(value, key):
        asset = "model" if "model" in str(key).lower() or "token" in str(key).lower() else "data"
        return the_judge.hf_config(parent, key, asset)
    path = the_judge.local_path(value, key, base)
    if path is not None:
        return the_judge.local(path, key, parent, base)
    return None


def _shape(the_judge: Judge, value: str, key: Any) -> str | None:
    """For a value that cannot be resolved: the scheme it would have, when it has the shape
    of a data reference (a data scheme, or a data key)."""
    found = scheme_of(value)
    if found is not None and found[0] not in ("http", "https"):
        return found[0]
    if isinstance(key, str) and the_judge.cls.non_data_keys.match(key):
        return None
    if isinstance(key, str) and (
        the_judge.cls.data_keys.match(key) or the_judge.cls.hf_keys.match(key)
    ):
        return "local" if found is None else found[0]
    return None


def _resource(res: Resource, scalar: Scalar, verdict: Verdict) -> Resource:
    assert scalar.line is not None
    return reference(
        res.id, scalar.line, scalar.column or 1, scalar.value, scalar.key, "config", verdict
    )
