"""CloudFormation templates (YAML with short tags, JSON, CDK-synthesised output) as far as
readers need them: resources by type, and what an intrinsic function stands for (the
SageMaker monitor reader follows endpoints and alarms; the experiment-name reader sees
that `ExperimentName: !Ref ModelName` names a parameter, not an experiment).

Repository YAML keeps a short tag's value (`!Ref Topic` -> "Topic", `!GetAtt A.B` -> "A.B"
or ["A", "B"]); JSON spells the long form (`{"Ref": "Topic"}`). Both are read the same. A
name that only the deployment knows (a parameter without a default, `AWS::AccountId`)
comes back as a `${Name}` variable, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from govcheck.yamlsrc import LDict

_PSEUDO = "AWS::"


@dataclass(frozen=True)
class Template:
    path: str
    resources: LDict
    parameters: dict[str, Any]

    def of_type(self, *types: str) -> Iterator[tuple[str, LDict]]:
        """(logical id, resource) of each resource of these types, in file order."""
        for logical, body in self.resources.items():
            if isinstance(body, LDict) and body.get("Type") in types:
                yield str(logical), body

    def props(self, logical: str) -> LDict:
        body = self.resources.get(logical)
        props = body.get("Properties") if isinstance(body, LDict) else None
        return props if isinstance(props, LDict) else LDict()

    def type_of(self, logical: str | None) -> str | None:
        body = self.resources.get(logical) if logical else None
        kind = body.get("Type") if isinstance(body, LDict) else None
        return kind if isinstance(kind, str) else None

    def target(self, value: Any) -> str | None:
        """The logical id of the resource a `Ref`/`GetAtt` value points at, if any."""
        if isinstance(value, LDict) and len(value) == 1:
            ((key, inner),) = value.items()
            if key in ("Ref", "Fn::GetAtt"):
                value = inner
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str):
            head = value.split(".", 1)[0]
            return head if head in self.resources else None
        return None

    def text(self, value: Any, depth: int = 0) -> str | None:
        """What a property's value stands for, as text; `${Name}` for what only the
        deployment knows. A resource reference is followed to its name property."""
        if depth > 5:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, LDict) and len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Ref":
                return self._ref(str(inner), depth)
            if key == "Fn::GetAtt":
                return self._getatt(inner, depth)
            if key == "Fn::Sub":
                return inner if isinstance(inner, str) else self.text(inner, depth + 1)
            if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2:
                parts = [self.text(p, depth + 1) for p in inner[1] or []]
                return str(inner[0]).join(p or "${?}" for p in parts)
            return None
        if isinstance(value, list):  # `!GetAtt [A, B]`, or a Sub's [template, vars]
            return self._getatt(value, depth) if self.target(value) else None
        if isinstance(value, str):
            if value in self.parameters or value.startswith(_PSEUDO):
                return self._ref(value, depth)
            if self.target(value):
                return self._getatt(value, depth)
            return value
        return None

    def _ref(self, name: str, depth: int) -> str:
        if name in self.parameters:
            spec = self.parameters[name]
            default = spec.get("Default") if isinstance(spec, dict) else None
            if isinstance(default, (str, int, float)) and not isinstance(default, bool):
                return str(default)
            return "${" + name + "}"
        if name in self.resources:
            return self._name_of(name, depth) or "${" + name + "}"
        return "${" + name + "}"

    def _getatt(self, value: Any, depth: int) -> str | None:
        parts = value.split(".", 1) if isinstance(value, str) else list(value or [])
        logical = str(parts[0]) if parts else ""
        if logical not in self.resources:
            return None
        attribute = str(parts[1]) if len(parts) > 1 else ""
        props = self.props(logical)
        if attribute in props:
            return self.text(props[attribute], depth + 1)
        return self._name_of(logical, depth) or "${" + ".".join(map(str, parts)) + "}"

    def _name_of(self, logical: str, depth: int) -> str | None:
        """A resource's own name: `EndpointName` of an AWS::SageMaker::Endpoint,
        `TopicName` of an AWS::SNS::Topic (CloudFormation generates it when absent)."""
        kind = self.type_of(logical) or ""
        key = kind.rsplit("::", 1)[-1] + "Name"
        props = self.props(logical)
        return self.text(props[key], depth + 1) if key in props else None


def template(path: str, doc: Any) -> Template | None:
    """The document as a CloudFormation template, when it is one."""
    if not isinstance(doc, LDict):
        return None
    resources = doc.get("Resources")
    if not isinstance(resources, LDict) or not resources:
        return None
    typed = any(isinstance(r, dict) and isinstance(r.get("Type"), str) for r in resources.values())
    if not typed:
        return None
    params = doc.get("Parameters")
    return Template(path, resources, dict(params) if isinstance(params, dict) else {})


def dig(value: Any, *keys: str | int) -> Any:
    """value[k1][k2]... or None."""
    for key in keys:
        if isinstance(key, int):
            value = (
                value[key] if isinstance(value, list) and -len(value) <= key < len(value) else None
            )
        else:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
    return value
