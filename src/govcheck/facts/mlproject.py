"""`mlproject` resources: MLflow Project files (`MLproject`, any case, as MLflow finds them),
read the way `mlflow.projects._project_spec.load_project` reads them.

`load_errors` holds what makes MLflow's loader raise (invalid YAML, several environment
keys, a `python_env`/`conda_env` file that is not there, `docker_env` without an image,
the `databricks_spark_job` conflicts, shapes it cannot read); `command_problems` what makes
`mlflow run` fail before the command starts (no command, a `{placeholder}` that is no
declared parameter, braces `str.format` cannot parse); `parameters` each declared parameter
with its type and whether its entry point's command uses it; `images` the docker image
with whether a digest or a tag other than `latest` pins it. Nothing is run.
"""

from __future__ import annotations

import posixpath
import re
import string
from collections.abc import Mapping
from typing import Any

import yaml

from govcheck.errors import clip
from govcheck.facts.base import Facts
from govcheck.model import Location, Resource
from govcheck.yamlsrc import LDict

ENV_KEYS = ("docker_env", "python_env", "conda_env")  # mlflow.projects.env_type.ALL
_DIGEST = re.compile(r"@sha256:[0-9a-fA-F]{64}$")
_TAG = re.compile(r":([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _mark(container: Any, key: Any, keys: bool = False) -> tuple[int, int]:
    if isinstance(container, LDict):
        marks = container.key_marks if keys else container.value_marks
        found = marks.get(key)
        if found is not None:
            return found.line, found.column
    return 1, 1


def _error(errors: list[dict[str, Any]], message: str, where: tuple[int, int]) -> None:
    errors.append({"message": message, "line": where[0], "column": where[1]})


def _plain_load(text: str) -> tuple[Any, dict[str, Any] | None]:
    """What yaml.safe_load (MLflow's reader) makes of the file, or where it gives up."""
    try:
        return yaml.load(text, Loader=_Loader), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, {
            "message": f"invalid YAML: {exc.problem or exc.context}",
            "line": where[0],
            "column": where[1],
        }
    except yaml.YAMLError as exc:
        return None, {"message": f"invalid YAML: {exc}", "line": 1, "column": 1}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # A tag its constructor rejects (`!!int abc`, `!!bool maybe`, 5,000 digits): PyYAML
        # raises a plain exception, and so would MLflow's reader.
        return None, {
            "message": f"invalid YAML: a tagged value PyYAML cannot construct "
            f"({type(exc).__name__}: {clip(str(exc), 120)})",
            "line": 1,
            "column": 1,
        }
    except RecursionError:
        return None, {"message": "invalid YAML: nested too deeply to load", "line": 1, "column": 1}


def _env_errors(
    data: Mapping[str, Any], folder: str, facts: Facts, errors: list[dict[str, Any]]
) -> None:
    present = sorted((k for k in ENV_KEYS if k in data), key=lambda k: _mark(data, k, True))
    if len(present) > 1:
        _error(
            errors,
            f"several environment keys ({', '.join(present)}): MLflow takes at most one",
            _mark(data, present[1], True),
        )
    if "databricks_spark_job" in data:
        return
    docker = data.get("docker_env")
    if docker:
        if not isinstance(docker, Mapping) or not docker.get("image"):
            _error(errors, "docker_env has no image", _mark(data, "docker_env", True))
            return
        volumes = docker.get("volumes")
        if volumes and not (isinstance(volumes, list) and all(isinstance(v, str) for v in volumes)):
            _error(errors, "docker_env.volumes must be a list of strings", _mark(docker, "volumes"))
        environment = docker.get("environment")
        if environment and not (
            isinstance(environment, list) and all(isinstance(e, (list, str)) for e in environment)
        ):
            _error(
                errors,
                "docker_env.environment must be a list of names or [name, value] pairs",
                _mark(docker, "environment"),
            )
        return
    for key in ("python_env", "conda_env"):
        value = data.get(key)
        if not value:
            continue
        if not isinstance(value, str):
            _error(errors, f"{key} must name a file", _mark(data, key))
        elif not facts.exists(posixpath.normpath(posixpath.join(folder, value))):
            _error(errors, f"{key} names {value}, which is not in the repository", _mark(data, key))
        return


def _databricks_errors(
    data: Mapping[str, Any], entry_points: Mapping[str, Any], errors: list[dict[str, Any]]
) -> None:
    job = data.get("databricks_spark_job")
    if job is None:
        return
    where = _mark(data, "databricks_spark_job", True)
    if not isinstance(job, Mapping):
        _error(errors, "databricks_spark_job must be a mapping", where)
        return
    python_file = job.get("python_file")
    if python_file is None and not entry_points:
        _error(errors, "databricks_spark_job needs python_file or entry_points", where)
    if python_file is not None and entry_points:
        _error(errors, "databricks_spark_job cannot have both python_file and entry_points", where)
    for key in ENV_KEYS:
        if key in data:
            _error(
                errors,
                f"databricks_spark_job cannot be combined with {key}",
                _mark(data, key, True),
            )


def _placeholders(command: str) -> tuple[list[tuple[str, int]], str | None]:
    """(placeholder names with their offset, or the formatting error)."""
    found: list[tuple[str, int]] = []
    try:
        offset = 0
        for literal, field, _, _ in string.Formatter().parse(command):
            offset += len(literal)
            if field is not None:
                name = re.split(r"[.\[]", field, maxsplit=1)[0]
                found.append((name, offset))
                offset += len(field) + 2
    except ValueError as exc:
        return found, f"braces str.format cannot read ({exc}); write literal braces as {{{{ }}}}"
    return found, None


def _command_line(text: str, entry: Any, offset: int) -> int:
    line, _ = _mark(entry, "command")
    raw_lines = text.splitlines()
    indicator = raw_lines[line - 1].rstrip() if 0 < line <= len(raw_lines) else ""
    block = indicator.endswith(("|", ">", "|-", ">-", "|+", ">+"))
    command = entry.get("command") if isinstance(entry, Mapping) else ""
    before = str(command)[:offset].count("\n") if block else 0
    return line + (1 if block else 0) + before


def _entry_points(
    data: Mapping[str, Any], text: str, errors: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Mapping[str, Any]]:
    parameters: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    entry_points = data.get("entry_points", {})
    if not isinstance(entry_points, Mapping):
        _error(errors, "entry_points must be a mapping", _mark(data, "entry_points"))
        return [], [], {}
    for ep_name, entry in entry_points.items():
        where = _mark(entry_points, ep_name, True)
        if not isinstance(entry, Mapping):
            _error(errors, f"entry point {ep_name} must be a mapping", where)
            continue
        params = entry.get("parameters", {})
        if not isinstance(params, Mapping):
            _error(
                errors,
                f"parameters of entry point {ep_name} must be a mapping",
                _mark(entry, "parameters"),
            )
            continue
        command = entry.get("command")
        names: list[tuple[str, int]] = []
        if not isinstance(command, str):
            problems.append(
                {
                    "entry_point": ep_name,
                    "message": "has no command",
                    "line": where[0],
                    "column": where[1],
                }
            )
        else:
            names, broken = _placeholders(command)
            if broken:
                line = _command_line(text, entry, 0)
                problems.append(
                    {"entry_point": ep_name, "message": broken, "line": line, "column": 1}
                )
        used = {n for n, _ in names}
        for name, offset in names:
            if name not in params:
                line = _command_line(text, entry, offset)
                problems.append(
                    {
                        "entry_point": ep_name,
                        "name": name,
                        "message": f"{{{name}}} in its command is no declared parameter: `mlflow run` "
                        "fails with KeyError"
                        + ("" if name.isidentifier() else " (write literal braces as {{ }})"),
                        "line": line,
                        "column": 1,
                    }
                )
        for name, spec in params.items():
            line, column = _mark(params, name, True)
            if isinstance(spec, str):
                kind, default = spec, None
            elif isinstance(spec, Mapping):
                kind, default = spec.get("type", "string"), spec.get("default")
                if not isinstance(kind, str):
                    # MLflow keeps it as it is; never str() it here: an alias bomb is a
                    # billion items when written out.
                    kind = f"({type(kind).__name__})"
            else:
                _error(errors, f"parameter {name} must be a type or a mapping", (line, column))
                continue
            parameters.append(
                {
                    "entry_point": ep_name,
                    "name": str(name),
                    "type": kind,
                    "default": default,
                    "required": default is None,
                    "used": str(name) in used,
                    "line": line,
                    "column": column,
                }
            )
    return parameters, problems, entry_points


def _images(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    docker = data.get("docker_env")
    image = docker.get("image") if isinstance(docker, Mapping) else None
    if not isinstance(image, str) or not image:
        return []
    line, column = _mark(docker, "image")
    tag = _TAG.search(image.rsplit("/", 1)[-1])
    if _DIGEST.search(image) or tag and tag.group(1) != "latest":
        pinned, reason = True, ""
    else:
        pinned = False
        reason = "the latest tag moves" if tag else "no tag: Docker pulls latest, which moves"
    return [{"image": image, "pinned": pinned, "reason": reason, "line": line, "column": column}]


def mlproject_resources(facts: Facts) -> list[Resource]:
    out = []
    for res in facts.resources("file"):
        if res.fields["name"].lower() != "mlproject" or not facts.reaches(res.id):
            continue
        out.append(_resource(facts, res))
    return out


def _resource(facts: Facts, res: Resource) -> Resource:
    text = res.fields["text"] or ""
    plain, problem = _plain_load(text)
    located = res.fields["data"]
    data = located if isinstance(located, Mapping) and located == plain else plain
    errors: list[dict[str, Any]] = [problem] if problem else []
    parameters: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    images: list[dict[str, Any]] = []
    if problem is None and not isinstance(data, Mapping):
        _error(errors, "an MLproject file is a mapping (MLflow cannot read an empty file)", (1, 1))
    elif isinstance(data, Mapping):
        parameters, problems, entry_points = _entry_points(data, text, errors)
        _databricks_errors(data, entry_points, errors)
        _env_errors(data, res.fields["dir"], facts, errors)
        images = _images(data)
    env = next((k for k in ENV_KEYS if isinstance(data, Mapping) and k in data), None)
    fields = {
        "path": res.id,
        "dir": res.fields["dir"],
        "name": data.get("name") if isinstance(data, Mapping) else None,
        "data": data if isinstance(data, Mapping) else {},
        "env": env,
        "loads": not errors,
        "load_errors": errors,
        "command_problems": problems,
        "parameters": parameters,
        "images": images,
    }
    return Resource("mlproject", res.id, fields, Location(res.id, 1, 1), touches=(res.id,))
