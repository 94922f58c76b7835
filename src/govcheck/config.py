"""`.govcheck.yaml`: which policies, which parameters, which MLflow store, which waivers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcheck import builtin, structure
from govcheck.boundary import resolves_into_git_dir
from govcheck.errors import Mark, PolicyErrors, UsageError, clip
from govcheck.globs import GlobError, compile_glob
from govcheck.model import FailOn, Location, Severity, Waiver
from govcheck.suggest import suggest
from govcheck.yamlsrc import LDict, LList, read_one

CONFIG_NAME = ".govcheck.yaml"
CONFIG_NAMES = (CONFIG_NAME, ".govcheck.yml")
_SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class RuleSetting:
    """One entry of the config's `rules:`: a rule (code, name or code prefix) turned off,
    or given another severity."""

    token: str
    enabled: bool = True
    severity: Severity | None = None
    mark: Mark | None = None  # the key's line, where errors about it point


@dataclass(frozen=True)
class MlflowConfig:
    """The config's `mlflow:` block (shape checked by schemas/config.schema.json)."""

    tracking_uri: str | None = None
    snapshot: str | None = None  # repo-relative
    experiments: tuple[str, ...] = ()  # name globs
    runs_since_days: float | None = None
    timeout_seconds: float | None = None
    snapshot_max_age_days: float | None = None  # older snapshots get a notice (default 30)
    mark: Mark | None = None  # the `mlflow:` key: where findings about entities point

    @classmethod
    def from_data(cls, data: Any, mark: Mark | None) -> MlflowConfig:
        block = data if isinstance(data, dict) else {}

        def number(key: str) -> float | None:
            value = block.get(key)
            return float(value) if isinstance(value, (int, float)) else None

        globs = block.get("experiments") or ()
        return cls(
            tracking_uri=_text(block.get("tracking_uri")),
            snapshot=_text(block.get("snapshot")),
            experiments=(globs,) if isinstance(globs, str) else tuple(str(g) for g in globs),
            runs_since_days=number("runs_since_days"),
            timeout_seconds=number("timeout_seconds"),
            snapshot_max_age_days=number("snapshot_max_age_days"),
            mark=mark,
        )


def _text(value: Any) -> str | None:
    return str(value) if value is not None and str(value).strip() else None


@dataclass(frozen=True)
class Config:
    path: str | None  # as shown to users; None when no config file was found
    policies: tuple[tuple[str, Mark | None], ...] = (("builtin:all", None),)
    exclude: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    param_marks: dict[str, Mark | None] = field(default_factory=dict)
    mlflow: MlflowConfig = field(default_factory=MlflowConfig)
    fail_on: FailOn | None = None
    fail_on_empty: bool = False
    waivers: tuple[Waiver, ...] = ()
    rules: tuple[RuleSetting, ...] = ()
    max_file_mb: float | None = None  # files larger than this are not read


def load_config(path: Path, display: str) -> Config:
    _, data = read_one(path, display, "config file")
    if data is None:
        data = LDict()
        data["version"] = 1
    if not isinstance(data, LDict):
        raise UsageError("the config is a mapping starting with `version: 1`", Mark(display, 1, 1))
    errors = structure.check(data, "config") or _glob_errors(data)
    settings, setting_errors = _rule_settings(data.get("rules"))
    errors += setting_errors
    if errors:
        raise PolicyErrors(errors)
    policies = data.get("policies") or ["builtin:all"]
    plist = data.get("policies")
    pmarks = plist.item_marks if plist is not None else [None] * len(policies)
    params = data.get("params") or LDict()
    return Config(
        path=display,
        policies=tuple(zip(map(str, policies), pmarks)),
        exclude=tuple(str(g) for g in data.get("exclude") or ()),
        params=dict(params),
        param_marks=dict(params.key_marks) if isinstance(params, LDict) else {},
        mlflow=MlflowConfig.from_data(data.get("mlflow"), data.key_marks.get("mlflow")),
        fail_on=data.get("fail_on"),
        fail_on_empty=data.get("fail_on_empty") is True,
        waivers=tuple(_waivers(data, display)),
        rules=tuple(settings),
        max_file_mb=data.get("max_file_mb"),
    )


def _rule_settings(block: Any) -> tuple[list[RuleSetting], list[tuple[Mark | None, str]]]:
    """`rules: {GC-MON-001: off, GC-CARD-004: {severity: note}}`, each value checked here
    (YAML reads off/on as false/true). Whether each key names a rule is known only once
    the policies are loaded (check.configured_rules)."""
    out: list[RuleSetting] = []
    errors: list[tuple[Mark | None, str]] = []
    if not isinstance(block, LDict):
        return out, errors
    for key, value in block.items():
        mark = block.key_marks.get(key)
        token = str(key)
        if value in (False, "off"):
            out.append(RuleSetting(token, False, None, mark))
        elif value in (True, "on"):
            out.append(RuleSetting(token, True, None, mark))
        elif isinstance(value, str) and value in _SEVERITIES:
            out.append(RuleSetting(token, True, _severity(value), mark))
        elif isinstance(value, LDict) and set(value) <= {"severity", "enabled"} and value:
            severity = value.get("severity")
            enabled = value.get("enabled", True)
            if (severity is not None and severity not in _SEVERITIES) or not isinstance(
                enabled, bool
            ):
                errors.append((value.mark or mark, _setting_error(token, value)))
                continue
            out.append(RuleSetting(token, enabled, _severity(severity), mark))
        else:
            errors.append((block.value_marks.get(key) or mark, _setting_error(token, value)))
    return out, errors


def _severity(value: Any) -> Severity | None:
    return value if value in _SEVERITIES else None


def _setting_error(token: str, value: Any) -> str:
    shown = dict(value) if isinstance(value, dict) else value
    return (
        f"rules: '{token}' takes off, on, a severity (error, warning, note) or "
        f"{{severity: ...}}, got {shown!r}"
    )


def _glob_errors(data: LDict) -> list[tuple[Mark | None, str]]:
    """Malformed globs in `exclude:`, waiver targets and `mlflow.experiments`, at their lines
    (the schema cannot tell `[z-a]` from a glob)."""
    found: list[tuple[Any, Any]] = []
    for key in ("exclude",):
        items = data.get(key)
        if isinstance(items, LList):
            found += zip(items, items.item_marks)
    waivers = data.get("waivers")
    for item in waivers if isinstance(waivers, LList) else ():
        if isinstance(item, LDict) and "target" in item:
            found.append((item["target"], item.value_marks.get("target")))
    mlflow = data.get("mlflow")
    experiments = mlflow.get("experiments") if isinstance(mlflow, LDict) else None
    if isinstance(experiments, LList):
        found += zip(experiments, experiments.item_marks)
    errors: list[tuple[Mark | None, str]] = []
    for glob, mark in found:
        try:
            compile_glob(str(glob))
        except GlobError as exc:
            errors.append((mark, str(exc)))
    return errors


def _waivers(data: LDict, display: str) -> list[Waiver]:
    out = []
    for item, mark in zip(
        data.get("waivers") or [], getattr(data.get("waivers"), "item_marks", [])
    ):
        out.append(
            Waiver(
                rule=str(item["rule"]),
                target=str(item["target"]),
                reason=str(item["reason"]).strip(),
                kind="external",
                expires=str(item["expires"]),
                approved_by=item.get("approved_by"),
                location=Location(
                    display, mark.line, mark.column, f"waiver {item['rule']} {item['target']}"
                ),
            )
        )
    return out


def find_config(root: Path, explicit: str | None = None) -> Config:
    """The config `--config` names, else .govcheck.yaml (or .govcheck.yml) at the
    repository root, else none (built-in packs with their defaults)."""
    if explicit:
        path = Path(explicit)
        return load_config(path, _display(path, root))
    present = [name for name in CONFIG_NAMES if (root / name).is_file()]
    if len(present) > 1:
        raise UsageError(
            f"both {' and '.join(present)} are at the repository root; keep one "
            "(govcheck reads a single config)"
        )
    if present:
        return load_config(root / present[0], present[0])
    return Config(path=None)


def policy_paths(config: Config, extra: list[str], repo_root: Path) -> list[tuple[Path, str]]:
    """Resolve config `policies` and --policy arguments to (file, display name) pairs."""
    packs = builtin.pack_files()
    out: list[tuple[Path, str]] = []
    refs = list(config.policies) + [(e, None) for e in extra]
    for ref, mark in refs:
        if ref == "builtin:all":
            out.extend((p, f"builtin:{name}") for name, p in packs.items())
        elif ref.startswith("builtin:"):
            name = ref.removeprefix("builtin:")
            if name not in packs:
                raise UsageError(
                    f"unknown built-in pack '{clip(name)}'{suggest(name, packs)} "
                    f"(have: all, {', '.join(packs)})",
                    mark,
                )
            out.append((packs[name], ref))
        else:
            out.extend(_user_policy(ref, mark, repo_root))
    seen: set[Path] = set()
    unique = []
    for path, display in out:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append((path, display))
    return unique


def _user_policy(ref: str, mark: Mark | None, repo_root: Path) -> list[tuple[Path, str]]:
    try:
        return _policy_files(ref, mark, repo_root)
    except OSError as exc:  # a name too long for the file system, a permission...
        raise UsageError(f"cannot read policy {clip(ref)}: {exc.strerror or exc}", mark) from None


def _policy_files(ref: str, mark: Mark | None, repo_root: Path) -> list[tuple[Path, str]]:
    path = (
        Path(ref)
        if Path(ref).is_absolute()
        else (Path.cwd() / ref if mark is None else repo_root / ref)
    )
    if not path.exists() and mark is None:
        path = repo_root / ref
    if resolves_into_git_dir(path):
        raise UsageError(f"policy {clip(ref)} is inside a .git directory: not read", mark)
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise UsageError(f"no policy files (*.yaml) in {clip(ref)}", mark)
        return [(f, _display(f, repo_root)) for f in files]
    if not path.is_file():
        raise UsageError(f"policy file not found: {clip(ref)}", mark)
    return [(path, _display(path, repo_root))]


def _display(path: Path, repo_root: Path) -> str:
    try:
        return path.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return str(path)
