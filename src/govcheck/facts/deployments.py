"""Deployment signals: what says a model serves traffic, so it must be monitored.

- manifests in the repository (real .yaml/.yml/.json files, never snippets in docs):
  AzureML online deployments, SageMaker endpoint configs in CloudFormation, KServe
  InferenceService/TrainedModel, Seldon Core SeldonDeployment and v2 Model, BentoML
  `bentofile.yaml`, Databricks Asset Bundle `model_serving_endpoints`;
- the `deployed_models` param (model names or name globs);
- with an MLflow store, a registered model of the model's name behind a serving alias.

Manifests under test folders (`deployment_skip_paths`: `**/tests/**`, `**/test/**`) are
fixtures of the code that writes them, not deployments.

A manifest counts for a model when one of the names it references (a model asset, a
storage URI's folder, a served entity) is one of the model's names, or when it sits in
the model's own folder. A manifest that names no model of the repository makes nothing
deployed; one notice lists such manifests, so they are never silently ignored.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from govcheck.facts.base import Facts
from govcheck.facts.discovery import path_matcher, scanned, strings
from govcheck.globs import name_match
from govcheck.model import Location, Resource
from govcheck.yamlsrc import LDict, LList

_SUFFIXES = (".yaml", ".yml", ".json")
# Cheap text tests before any parsing: a file without one of these is no manifest.
_MARKERS = (
    "OnlineDeployment",
    "endpoint_name",
    "AWS::SageMaker::Endpoint",
    "InferenceService",
    "TrainedModel",
    "SeldonDeployment",
    "mlops.seldon.io",
    "model_serving_endpoints",
)
_BENTOFILES = ("bentofile.yaml", "bentofile.yml")
_GENERIC = frozenset(
    {"model", "models", "latest", "artifacts", "artifact", "mlflow", "output", "outputs", "s3"}
)
_VERSION = re.compile(r"v?\d+(?:[._-]\d+)*")
_VARIABLE = re.compile(r"\$\{var\.([A-Za-z0-9_-]+)\}")


@dataclass(frozen=True)
class Signal:
    platform: str
    file: str
    line: int
    endpoint: str | None  # the deployment or endpoint's own name
    refs: tuple[str, ...]  # model names, URIs and paths the manifest references
    kind: str  # the manifest's kind, as its platform calls it

    def as_fields(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "kind": self.kind,
            "file": self.file,
            "line": self.line,
            "endpoint": self.endpoint,
            "refs": list(self.refs),
        }


def normalize(name: str) -> str:
    return "-".join(re.split(r"[\s_-]+", name.strip().lower()))


def candidates(ref: str) -> set[str]:
    """The model names a reference may stand for: `azureml:fraud:3` -> fraud;
    `models:/fraud@champion` -> fraud; `gs://b/models/fraud/v3` -> b, fraud;
    `main.ml.fraud` -> main.ml.fraud, fraud."""
    text = ref.strip()
    for prefix in ("azureml:", "models:/", "models:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
    out: set[str] = set()
    for segment in text.split("/"):
        segment = segment.split("@", 1)[0].split(":", 1)[0]
        if not segment or "${" in segment or "{{" in segment or segment.startswith("."):
            continue
        for name in {segment, segment.rsplit(".", 1)[-1]}:
            key = normalize(name)
            if key and key not in _GENERIC and not _VERSION.fullmatch(key) and "." not in key[:1]:
                out.add(key)
    return out


def manifests(facts: Facts) -> list[Signal]:
    """Every deployment manifest of the tree, read once per check."""
    return facts.shared("deployments.manifests", lambda: list(_read_all(facts)))


def _read_all(facts: Facts) -> Iterator[Signal]:
    fixtures = path_matcher(strings(facts.params.get("deployment_skip_paths")))
    for path in scanned(facts):
        if not fixtures(path):
            yield from _read(facts, path)


def _read(facts: Facts, path: str) -> Iterator[Signal]:
    name = path.rpartition("/")[2].lower()
    if not name.endswith(_SUFFIXES) or path.startswith(".github/"):
        return
    res = facts.file(path)
    text = res.fields.get("text") if res is not None else None
    if not isinstance(text, str) or res is None:
        return
    bento = name in _BENTOFILES
    if not bento and not any(m in text for m in _MARKERS):
        return
    for doc in res.fields.get("documents") or []:
        if isinstance(doc, LDict):
            yield from _signals(path, doc, bento)


def _signals(path: str, doc: LDict, bento: bool) -> Iterator[Signal]:
    if bento and "service" in doc:
        yield _signal("bentoml", "bentofile", path, doc, "service", None, _bento_models(doc))
    schema = doc.get("$schema")
    if (
        isinstance(schema, str)
        and schema.endswith("OnlineDeployment.schema.json")
        or (
            schema is None
            and {"endpoint_name", "name"} <= set(doc)
            and ("model" in doc or "instance_type" in doc)
        )
    ):
        yield _azure(path, doc)
    kind, api = doc.get("kind"), str(doc.get("apiVersion") or "")
    meta = _map(doc, "metadata")
    endpoint = meta.get("name") if isinstance(meta.get("name"), str) else None
    if kind in ("InferenceService", "TrainedModel") and api.startswith(
        ("serving.kserve.io/", "serving.kubeflow.org/")
    ):
        refs = [endpoint or "", *_find(doc.get("spec"), ("storageUri", "storage_uri"))]
        yield _signal("kserve", str(kind), path, doc, "kind", endpoint, refs)
    elif kind == "SeldonDeployment" and api.startswith("machinelearning.seldon.io/"):
        refs = [endpoint or "", *_find(doc.get("spec"), ("modelUri", "name"))]
        yield _signal("seldon", "SeldonDeployment", path, doc, "kind", endpoint, refs)
    elif kind == "Model" and api.startswith("mlops.seldon.io/"):
        refs = [endpoint or "", *_find(doc.get("spec"), ("storageUri",))]
        yield _signal("seldon", "Model", path, doc, "kind", endpoint, refs)
    yield from _sagemaker(path, doc)
    yield from _databricks(path, doc)


def _signal(
    platform: str, kind: str, path: str, doc: LDict, key: str, endpoint: Any, refs: Any
) -> Signal:
    mark = doc.key_marks.get(key) or doc.mark
    line = mark.line if mark is not None else 1
    shown = str(endpoint) if isinstance(endpoint, (str, int)) else None
    return Signal(platform, path, line, shown, tuple(str(r) for r in refs if r), kind)


def _azure(path: str, doc: LDict) -> Signal:
    model = doc.get("model")
    refs: list[str] = []
    if isinstance(model, str):
        refs.append(model)
    elif isinstance(model, Mapping):
        if isinstance(model.get("name"), str):
            refs.append(model["name"])
        if isinstance(model.get("path"), str):
            folder = path.rpartition("/")[0]
            refs.append("path:" + posixpath.normpath(posixpath.join(folder, model["path"])))
    key = "model" if "model" in doc else "endpoint_name"
    return _signal("azureml", "online deployment", path, doc, key, doc.get("endpoint_name"), refs)


def _bento_models(doc: LDict) -> list[str]:
    out = []
    for item in doc.get("models") or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping):
            out += [str(item[k]) for k in ("tag", "name") if isinstance(item.get(k), str)]
    return out


def _sagemaker(path: str, doc: LDict) -> Iterator[Signal]:
    resources = doc.get("Resources")
    if not isinstance(resources, LDict):
        return
    types = {k: v.get("Type") for k, v in resources.items() if isinstance(v, Mapping)}
    configs = [k for k, t in types.items() if t == "AWS::SageMaker::EndpointConfig"]
    endpoints = [k for k, t in types.items() if t == "AWS::SageMaker::Endpoint"]
    for key in configs or endpoints:
        node = resources[key]
        props = _map(node, "Properties")
        refs: list[str] = []
        for variant in props.get("ProductionVariants") or []:
            if isinstance(variant, Mapping) and variant.get("ModelName") is not None:
                refs += _cfn_names(doc, resources, str(variant["ModelName"]))
        mark = node.value_marks.get("Type") if isinstance(node, LDict) else None
        line = mark.line if mark else (resources.key_marks[key].line)
        kind = str(types[key]).rpartition("::")[2]
        name = _endpoint_name(resources, endpoints, str(key)) or str(key)
        yield Signal("sagemaker", path, line, name, tuple(refs), kind)


def _endpoint_name(resources: LDict, endpoints: list[str], key: str) -> str | None:
    """The EndpointName of the endpoint serving config `key` (what a monitor names), when
    the template spells it out; `!GetAtt Key.EndpointConfigName` and `!Ref Key` are kept
    as their text by the repository YAML loader."""
    for endpoint in endpoints:
        props = _map(resources[endpoint], "Properties")
        config = str(props.get("EndpointConfigName", ""))
        own = props.get("EndpointName")
        if endpoint == key or config in (key, f"{key}.EndpointConfigName"):
            return own if isinstance(own, str) and own else None
    return None


def _cfn_names(doc: LDict, resources: LDict, value: str) -> list[str]:
    """A ModelName value and what it points to: `!GetAtt Model.ModelName` or `!Ref Model`
    to an AWS::SageMaker::Model (its ModelName, model package, model data), `!Ref Param`
    to a parameter's default."""
    target = value.split(".", 1)[0]
    node = resources.get(target)
    if isinstance(node, Mapping) and node.get("Type") == "AWS::SageMaker::Model":
        props = _map(node, "Properties")
        found = [str(props["ModelName"])] if isinstance(props.get("ModelName"), str) else []
        for key in ("ModelPackageName", "ModelDataUrl", "Image"):
            for v in _find(props, (key,)):
                found += _cfn_names(doc, resources, v) if v in resources else [v]
                params = doc.get("Parameters")
                if isinstance(params, Mapping) and isinstance(params.get(v), Mapping):
                    found.append(str(params[v].get("Default") or ""))
        return found
    params = doc.get("Parameters")
    if isinstance(params, Mapping) and isinstance(params.get(target), Mapping):
        return [str(params[target].get("Default") or "")]
    return [value]


def _databricks(path: str, doc: LDict) -> Iterator[Signal]:
    variables = _map(doc, "variables")
    blocks = [doc.get("resources")]
    targets = doc.get("targets")
    if isinstance(targets, Mapping):
        blocks += [t.get("resources") for t in targets.values() if isinstance(t, Mapping)]
    for block in blocks:
        endpoints = block.get("model_serving_endpoints") if isinstance(block, Mapping) else None
        if not isinstance(endpoints, LDict):
            continue
        for key, node in endpoints.items():
            config = node.get("config") if isinstance(node, Mapping) else None
            refs = _find(config, ("entity_name", "model_name"))
            refs = [_resolve(r, variables) for r in refs]
            mark = endpoints.key_marks.get(key)
            name = node.get("name") if isinstance(node, Mapping) else None
            yield Signal(
                "databricks",
                path,
                mark.line if mark else 1,
                str(name or key),
                tuple(refs),
                "model serving endpoint",
            )


def _resolve(value: str, variables: Mapping[str, Any]) -> str:
    def default(m: re.Match[str]) -> str:
        var = variables.get(m.group(1))
        found = var.get("default") if isinstance(var, Mapping) else None
        return str(found) if isinstance(found, (str, int)) else m.group(0)

    return _VARIABLE.sub(default, value)


def _map(node: Any, key: str) -> Mapping[str, Any]:
    """node[key] when both are mappings, else an empty mapping."""
    value = node.get(key) if isinstance(node, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _find(node: Any, keys: tuple[str, ...], depth: int = 0) -> list[str]:
    """String values of these keys anywhere below node (bounded depth)."""
    if depth > 12:
        return []
    out: list[str] = []
    if isinstance(node, Mapping):
        for k, v in node.items():
            if k in keys and isinstance(v, str):
                out.append(v)
            else:
                out += _find(v, keys, depth + 1)
    elif isinstance(node, (list, LList)):
        for item in node:
            out += _find(item, keys, depth + 1)
    return out


def _matches(signal: Signal, names: set[str], folder: str) -> bool:
    for ref in signal.refs:
        if ref.startswith("path:"):
            target = ref[5:]
            if folder and (target == folder or target.startswith(folder + "/")):
                return True
        elif candidates(ref) & names:
            return True
    return bool(folder) and signal.file.startswith(folder + "/")


def signals_for(facts: Facts, names: list[str], folder: str) -> list[dict[str, Any]]:
    """The deployment signals of one model (a `model` resource's `deployments` field)."""
    keys = {normalize(n) for n in names}
    out = [s.as_fields() for s in manifests(facts) if _matches(s, keys, folder)]
    listed = strings(facts.params.get("deployed_models"))
    hit = next((g for g in listed for n in names if name_match(g, n)), None)
    if hit is not None:
        out.append(_other("deployed_models", "param", [hit]))
    out += _serving_aliases(facts, keys)
    note_unattributed(facts, facts.resources("model"))
    return out


def _serving_aliases(facts: Facts, keys: set[str]) -> list[dict[str, Any]]:
    if facts.context.mlflow.skip_reason is not None:
        return []
    serving = set(strings(facts.params.get("serving_aliases")))
    out = []
    for rm in facts.resources("mlflow_registered_model"):
        aliases = sorted(set(rm.fields.get("aliases") or []) & serving)
        if aliases and normalize(str(rm.fields.get("name", ""))) in keys:
            out.append(_other("mlflow", "serving alias", aliases, rm.entity))
    return out


def _other(platform: str, kind: str, refs: list[str], entity: str | None = None) -> dict[str, Any]:
    """A signal that is not a manifest line: the deployed_models param, an MLflow alias."""
    return {
        "platform": platform,
        "kind": kind,
        "file": None,
        "line": None,
        "endpoint": entity,
        "refs": refs,
    }


def describe(signal: Mapping[str, Any]) -> str:
    """A signal as a message shows it: "kserve InferenceService at deploy/isvc.yaml:4"."""
    if signal.get("platform") == "deployed_models":
        return f"listed in deployed_models ({', '.join(signal['refs'])})"
    if signal.get("platform") == "mlflow":
        return f"{signal['endpoint']} behind alias {', '.join(signal['refs'])}"
    return f"{signal['platform']} {signal['kind']} at {signal['file']}:{signal['line']}"


def note_unattributed(facts: Facts, models: list[Resource]) -> None:
    """One notice, once per check, for the manifests no model of the repository claims:
    they deploy nothing, and the user can say what they serve in deployed_models."""

    def note() -> bool:
        lost = [
            s
            for s in manifests(facts)
            if not any(
                _matches(s, {normalize(n) for n in m.fields["names"]}, m.fields["dir"])
                for m in models
            )
        ]
        if lost:
            first = lost[0]
            facts.notice(
                f"{len(lost)} deployment manifest(s) name no model of this repository "
                f"(first: {first.file}:{first.line}, {first.platform} {first.kind}); "
                "list the models they serve in the deployed_models param"
            )
        return True

    facts.shared("deployments.unattributed", note)


def manifests_touching(facts: Facts, names: Callable[[], list[str]], folder: str) -> list[str]:
    """Manifest files among a PATH-limited check's paths that deploy this model, so a
    changed manifest re-checks its model (nothing to add in a whole-repository check).
    Only the PATHs themselves are read for it."""
    paths = facts.context.paths
    if not paths:
        return []
    fixtures = path_matcher(strings(facts.params.get("deployment_skip_paths")))
    given = facts.shared(
        "deployments.in_paths",
        lambda: [
            s
            for p in sorted(paths)
            if p in set(scanned(facts)) and not fixtures(p)
            for s in _read(facts, p)
        ],
    )
    if not given:
        return []
    keys = {normalize(n) for n in names()}
    return list(dict.fromkeys(s.file for s in given if _matches(s, keys, folder)))


def deployment_resources(facts: Facts) -> list[Resource]:
    """Each manifest as a `deployment` resource, with the repository models it serves."""
    models = facts.resources("model")
    out = []
    for s in manifests(facts):
        served = [
            str(m.fields["name"])
            for m in models
            if _matches(s, {normalize(n) for n in m.fields["names"]}, m.fields["dir"])
        ]
        fields = {**s.as_fields(), "models": served}
        out.append(
            Resource(
                "deployment",
                f"{s.file}:{s.line}",
                fields,
                Location(s.file, s.line, 1, f"{s.platform} {s.kind}"),
                touches=(s.file,),
                file=s.file,
            )
        )
    return out
