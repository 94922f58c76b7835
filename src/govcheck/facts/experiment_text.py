"""Experiment names on command lines and in environment settings, read as text.

- `MLFLOW_EXPERIMENT_NAME=x` in `.env` files, shell `export`, an inline `VAR=x cmd`,
  `docker run -e`, compose `environment:` lists, `$GITHUB_ENV` lines; Dockerfile
  `ENV MLFLOW_EXPERIMENT_NAME x` (both syntaxes).
- `--experiment-name x` / `--experiment_name=x` (`mlflow run`, training scripts), and
  `mlflow experiments create -n x`; Hydra overrides `logger.experiment_name=x`.

Read in scripts, Makefiles, Dockerfiles, and in YAML and JSON only within the values of
keys that hold commands or environments (`run:`, `script:`, `command:`, `args:`,
`environment:`...): prose in a description that mentions a command sets nothing. A value
that is a variable (`$EXP`, `${{ inputs.name }}`) is kept as such: it is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from govcheck.facts import commands
from govcheck.facts.base import Facts
from govcheck.facts.experiment_configs import normal, walk
from govcheck.facts.experiment_names import Found
from govcheck.facts.parsing import data_format
from govcheck.model import Resource
from govcheck.yamlsrc import value_mark

# Keys whose values are commands or environments in CI systems, compose files, Kubernetes
# manifests, MLproject entry points and Databricks jobs (compared without case or separators).
COMMAND_KEYS = frozenset(
    normal(k)
    for k in (
        "run",
        "script",
        "scripts",
        "command",
        "commands",
        "cmd",
        "args",
        "arguments",
        "entrypoint",
        "before_script",
        "after_script",
        "bash",
        "sh",
        "pwsh",
        "powershell",
        "inlineScript",
        "environment",
        "env",
        "parameters",
        "python_params",
        "spark_submit_params",
        "exec",
        "shell",
    )
)

_VALUE = r"""(?P<v>"[^"]*"|'[^']*'|\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$\([^)]*\)|[^\s"',;\]\)&|]+)"""
OVERRIDE = "experiment_name override"  # Hydra: `python train.py logger.experiment_name=x`
_PATTERNS = (
    ("MLFLOW_EXPERIMENT_NAME", re.compile(r"\bMLFLOW_EXPERIMENT_NAME\s*=\s*" + _VALUE)),
    (
        "--experiment-name",
        re.compile(r"(?<![\w-])--experiment[-_]name(?:\s*=\s*|\s+|[\"']\s*,\s*)" + _VALUE),
    ),
    (
        "mlflow experiments create",
        re.compile(r"\bmlflow\s+experiments\s+create\b.*?\s-n\s+" + _VALUE),
    ),
    (OVERRIDE, re.compile(r"(?:^|\s)(?:[\w.]+\.)?experiment_name=" + _VALUE)),
)
_DOCKER_ENV = re.compile(r"^\s*ENV\s+MLFLOW_EXPERIMENT_NAME\s+(?!=)" + _VALUE)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?MLFLOW_EXPERIMENT_NAME\s*=\s*(.*)$")


def is_env_file(name: str) -> bool:
    return name == ".env" or name.endswith(".env") or name.startswith(".env.")


def env_names(text: str) -> Iterator[Found]:
    """`MLFLOW_EXPERIMENT_NAME=` lines of a .env file (values may hold spaces there)."""
    for number, line in enumerate(text.splitlines(), start=1):
        found = _ENV_LINE.match(line)
        if not found:
            continue
        raw, column = found.group(1), found.start(1) + 1
        if raw[:1] in ("'", '"') and raw[0] in raw[1:]:
            name = raw[1 : raw.index(raw[0], 1)]
            column += 1
        else:
            name = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
        if name:
            yield Found(name, number, column, "MLFLOW_EXPERIMENT_NAME")


def command_lines(res: Resource) -> set[int]:
    """Lines of a YAML/JSON file inside the values of command or environment keys."""
    out: set[int] = set()
    for doc in res.fields["documents"]:
        for keys, parent, key, value in walk(doc):
            if not isinstance(value, str):
                continue
            owner = key if isinstance(key, str) else (keys[-2] if len(keys) >= 2 else None)
            if owner is None or normal(owner) not in COMMAND_KEYS:
                continue
            mark = value_mark(parent, key)
            if mark is not None:
                # a block scalar (`run: |`) starts on the line after its mark
                out.update(range(mark.line, mark.line + value.count("\n") + 2))
    return out


def line_names(text: str, dockerfile: bool = False) -> Iterator[Found]:
    """Names set on the command lines and environment settings of a script's text."""
    lines = text.splitlines()
    for line in commands.logical_lines("", text):
        physical = lines[line.number - 1] if line.number <= len(lines) else ""
        if physical.lstrip().startswith(("#", "//", "REM ", "rem ")):
            continue
        hits = [(set_by, m) for set_by, rx in _PATTERNS for m in rx.finditer(line.text)]
        if dockerfile and (docker := _DOCKER_ENV.match(line.text)):
            hits.append(("MLFLOW_EXPERIMENT_NAME", docker))
        for set_by, match in hits:
            value, start = match.group("v"), match.start("v")
            if value[:1] in ("'", '"'):
                value, start = value[1:-1], start + 1
            if not value.strip():
                continue
            # the value's own physical line (a continued command spans several)
            number, column = _place(lines, line.number, line.text, start, value)
            yield Found(value, number, column, set_by)


def _place(lines: list[str], first: int, joined: str, offset: int, value: str) -> tuple[int, int]:
    """The physical line and column of a value found in a (possibly continued) line."""
    head = lines[first - 1] if first <= len(lines) else ""
    part = head.strip()
    part = part[:-1].strip() if part.endswith(("\\", "^", "`")) else part
    if offset < len(part):
        return first, len(head) - len(head.lstrip()) + offset + 1
    for number in range(first + 1, min(first + 50, len(lines)) + 1):
        at = lines[number - 1].find(value)
        if at >= 0:
            return number, at + 1
    return first, offset + 1


def read(facts: Facts) -> Iterator[tuple[str, str, Found]]:
    for res in facts.resources("file"):
        if not facts.reaches(res.id):
            continue
        name, suffix = res.fields["name"], res.fields["suffix"]
        if is_env_file(name):
            yield from ((res.id, "env", f) for f in env_names(res.fields["text"] or ""))
            continue
        dockerfile = name.startswith("Dockerfile") or name.endswith(".Dockerfile")
        script = commands.is_script(name, suffix)
        if not (script or data_format(res.id) in ("yaml", "json")):
            continue
        text = res.fields["text"]
        if not text or ("EXPERIMENT_NAME" not in text and "xperiment" not in text):
            continue
        source = "dockerfile" if dockerfile else "script" if script else data_format(res.id) or ""
        allowed = None if script else command_lines(res)
        for found in line_names(text, dockerfile):
            if allowed is None or found.line in allowed:
                yield res.id, source, found
