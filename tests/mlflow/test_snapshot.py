"""A snapshot holds what the rules read; reading it gives the resources a live read gives."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from kinds import KINDS, MLFLOW_RULES, everything
from mlflow_world import World

from govcheck import builtin
from govcheck.check import load_rules, rule_reads
from govcheck.config import Config
from govcheck.errors import DataSourceError
from govcheck.facts.mlflow_fieldset import record_paths
from govcheck.facts.mlflow_store import Scope
from govcheck.facts.snapshot_store import canonical, write_snapshot
from support import make_facts

COUNTS = {"experiments": 4, "runs": 7, "registered_models": 4, "model_versions": 6}


def builtin_fields() -> dict[str, list[str]]:
    rules, _ = load_rules(Config(path=None), Path.cwd())
    return record_paths(rule_reads(rules))


@pytest.fixture(scope="module")
def snapshot_file(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every field (govcheck snapshot --all-fields)."""
    out = tmp_path_factory.mktemp("snap") / "mlflow.json"
    counts, _, unchanged = write_snapshot(world.uri, str(out), Scope())
    assert counts == COUNTS and not unchanged
    return out


@pytest.fixture(scope="module")
def rules_snapshot(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the built-in rules read, and nothing else (govcheck snapshot's default)."""
    out = tmp_path_factory.mktemp("snap") / "rules.json"
    counts, _, _ = write_snapshot(world.uri, str(out), Scope(), builtin_fields())
    assert counts == COUNTS
    return out


def test_snapshot_validates_against_its_schema(snapshot_file: Path, world: World) -> None:
    document = json.loads(snapshot_file.read_text())
    schema = json.loads(builtin.schema_file("mlflow-snapshot").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["format"] == "govcheck-mlflow-snapshot" and document["version"] == 2
    assert document["tracking_uri"] == world.uri
    assert document["recorded_at"].endswith("+00:00")
    assert "fields" not in document  # every field
    assert document["snapshot_digest"] == hashlib.sha256(canonical(document)).hexdigest()


def test_snapshot_gives_the_same_resources_as_the_store(
    snapshot_file: Path, world: World, facts_for: Any
) -> None:
    live = everything(facts_for(mlflow_uri=world.uri))
    recorded = everything(facts_for(mlflow_snapshot=str(snapshot_file)))
    assert recorded == live
    assert all(live[kind] for kind in KINDS)


def test_a_snapshot_records_only_what_the_rules_read(rules_snapshot: Path) -> None:
    document = json.loads(rules_snapshot.read_text())
    assert document["fields"]["runs"] == [
        "datasets[*].digest", "datasets[*].heading", "datasets[*].id", "datasets[*].key",
        "datasets[*].name", "datasets[*].source", "experiment_id", "experiment_name",
        "run_id", "run_name", "start_time", "tags.owner", "tags['mlflow.source.git.commit']",
        "tags['mlflow.user']",
    ]  # fmt: skip
    assert document["fields"]["model_versions"] == [
        "aliases", "creation_time", "key", "name", "run.artifacts[*]", "run.metrics",
        "run.run_id", "run.start_time", "run.tags['mlflow.source.git.commit']", "value",
        "version",
    ]  # fmt: skip
    run = document["runs"][0]
    assert "params" not in run and "metrics" not in run and "status" not in run
    assert set(run["tags"]) <= {"owner", "mlflow.user", "mlflow.source.git.commit"}
    versions = {(v["name"], v["version"]): v for v in document["model_versions"]}
    # the fairness and freshness packs read a serving version's metrics, artifacts, start
    assert set(versions[("fraud-detector", "1")]["run"]) == {
        "run_id", "tags", "metrics", "artifacts", "start_time"
    }  # fmt: skip
    assert versions[("legacy-model", "1")]["run"] is None
    assert all("run_count" not in e for e in document["experiments"])  # counted when read


def test_checks_of_a_rules_snapshot_report_what_a_live_check_reports(
    rules_snapshot: Path, world: World, ml_repo: Path
) -> None:
    from govcheck.check import CheckOptions, run

    def findings(**options: Any) -> list[tuple[str, str | None, str]]:
        report = run(CheckOptions(repo=str(ml_repo), **options))
        return [(f.rule_id, f.entity, f.message) for f in report.findings]

    live = findings(mlflow_uri=world.uri)
    assert findings(mlflow_snapshot=str(rules_snapshot)) == live
    assert len(live) > 10


def test_a_rule_reading_what_the_snapshot_did_not_record_is_one_line(
    rules_snapshot: Path, make_repo: Any
) -> None:
    from govcheck.check import CheckOptions, run

    policy = (
        "version: 1\nrules:\n  - id: TEAM-LR\n    name: runs-log-lr\n    title: t\n"
        "    resource: mlflow_run\n    require: {field: \"params['lr']\", exists: true}\n"
    )
    repo = make_repo({"team.yaml": policy})
    with pytest.raises(DataSourceError) as caught:
        run(
            CheckOptions(
                repo=str(repo), policies=("team.yaml",), mlflow_snapshot=str(rules_snapshot)
            )
        )
    message = (
        f"{rules_snapshot}: the MLflow snapshot does not record runs.params.lr, which rule "
        "TEAM-LR reads: record it again with these policies (govcheck snapshot)"
    )
    assert caught.value.lines() == [message]


def test_recording_the_same_content_leaves_the_file_alone(world: World, tmp_path: Path) -> None:
    out = tmp_path / "mlflow.json"
    _, first, unchanged = write_snapshot(world.uri, str(out), Scope(), builtin_fields())
    before = out.read_bytes()
    stamp = out.stat().st_mtime_ns
    time.sleep(1.1)  # recorded_at has whole seconds
    _, second, unchanged = write_snapshot(world.uri, str(out), Scope(), builtin_fields())
    assert unchanged and second == first
    assert out.read_bytes() == before and out.stat().st_mtime_ns == stamp
    # Another file recorded later differs only in recorded_at.
    other = tmp_path / "other.json"
    write_snapshot(world.uri, str(other), Scope(), builtin_fields())
    a, b = json.loads(before), json.loads(other.read_text())
    assert a.pop("recorded_at") != b.pop("recorded_at") and a == b


def test_a_snapshot_is_one_entity_per_line_in_a_stable_order(rules_snapshot: Path) -> None:
    lines = rules_snapshot.read_text().splitlines()
    runs = [json.loads(line.strip().rstrip(",")) for line in lines if line.startswith('  {"')]
    assert len(runs) == sum(COUNTS.values())
    keys = [list(item) for item in runs]
    assert all(k == sorted(k) for k in keys)


def test_gzip_snapshots_are_deterministic_and_read_like_plain_ones(
    world: World, tmp_path: Path, rules_snapshot: Path, facts_for: Any
) -> None:
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    write_snapshot(world.uri, str(first), Scope(), builtin_fields())
    write_snapshot(world.uri, str(second), Scope(), builtin_fields())
    plain = json.loads(gzip.decompress(first.read_bytes()))
    assert plain["snapshot_digest"] == json.loads(rules_snapshot.read_text())["snapshot_digest"]
    strip = {k: v for k, v in plain.items() if k != "recorded_at"}
    other = {
        k: v
        for k, v in json.loads(gzip.decompress(second.read_bytes())).items()
        if k != "recorded_at"
    }
    assert strip == other
    assert everything(facts_for(mlflow_snapshot=str(first))) == everything(
        facts_for(mlflow_snapshot=str(rules_snapshot))
    )


def test_a_snapshot_changed_after_recording_is_refused(
    rules_snapshot: Path, tmp_path: Path, facts_for: Any
) -> None:
    edited = tmp_path / "edited.json"
    edited.write_text(rules_snapshot.read_text().replace('"description":""', '"description":"x"'))
    assert edited.read_text() != rules_snapshot.read_text()
    with pytest.raises(DataSourceError) as caught:
        facts_for(mlflow_snapshot=str(edited)).resources("mlflow_registered_model")
    message = (
        f"{edited}: the MLflow snapshot was changed after it was recorded (its snapshot_digest "
        "does not match its content): record it again"
    )
    assert caught.value.lines() == [message]


def test_config_snapshot_is_read_relative_to_the_repo(snapshot_file: Path, make_repo: Any) -> None:
    root = make_repo({"recorded/mlflow.json": snapshot_file.read_text(encoding="utf-8")})
    facts = make_facts(root, mlflow={"snapshot": "recorded/mlflow.json"})
    assert len(facts.resources("mlflow_run")) == 7


def test_experiment_globs_narrow_a_snapshot_like_a_live_store(
    snapshot_file: Path, world: World, facts_for: Any
) -> None:
    scope = {"experiments": ["fraud-*", "Default"]}
    live = everything(facts_for(mlflow_uri=world.uri, mlflow=scope))
    recorded = everything(facts_for(mlflow_snapshot=str(snapshot_file), mlflow=scope))
    assert recorded == live
    assert [e[2]["name"] for e in live["mlflow_experiment"]] == ["Default", "fraud-detection"]
    assert {r[2]["experiment_name"] for r in live["mlflow_run"]} == {"Default", "fraud-detection"}


@pytest.fixture(scope="module")
def timed_store(store_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The world plus an experiment whose runs started 100, 40, 10 and 1 days ago (a copy
    of the session store: a new MLflow database would spend seconds on migrations)."""
    from mlflow import MlflowClient

    db = tmp_path_factory.mktemp("timed") / "mlflow.db"
    shutil.copyfile(store_db, db)
    uri = f"sqlite:///{db}"
    client = MlflowClient(uri)
    exp = client.create_experiment("timed")
    now = int(time.time() * 1000)
    for days in (100, 40, 10, 1):
        client.create_run(exp, start_time=now - days * 86_400_000, run_name=f"{days}-days-ago")
    return uri


def run_names(facts: Any) -> list[str]:
    runs = facts.resources("mlflow_run")
    return sorted(r.fields["run_name"] for r in runs if r.fields["experiment_name"] == "timed")


def test_runs_since_days_applies_to_a_snapshot_when_it_is_read(
    timed_store: str, tmp_path: Path, facts_for: Any
) -> None:
    out = tmp_path / "all.json"
    write_snapshot(timed_store, str(out), Scope())  # recorded without a time limit
    for days, names in (
        (30, ["1-days-ago", "10-days-ago"]),
        (60, ["1-days-ago", "10-days-ago", "40-days-ago"]),
    ):
        scope = {"runs_since_days": days}
        live = facts_for(mlflow_uri=timed_store, mlflow=scope)
        recorded = facts_for(mlflow_snapshot=str(out), mlflow=scope)
        assert run_names(live) == run_names(recorded) == names
        counts = {
            e.fields["name"]: e.fields["run_count"] for e in recorded.resources("mlflow_experiment")
        }
        assert counts["timed"] == len(names)
        assert recorded.notices == []


def test_a_snapshot_recorded_with_a_shorter_window_says_so(
    timed_store: str, tmp_path: Path, facts_for: Any
) -> None:
    out = tmp_path / "30.json"
    write_snapshot(timed_store, str(out), Scope(runs_since_days=30))
    since = json.loads(out.read_text())["runs_since"]
    recorded = facts_for(mlflow_snapshot=str(out), mlflow={"runs_since_days": 60})
    assert run_names(recorded) == ["1-days-ago", "10-days-ago"]
    assert recorded.notices == [f"MLflow snapshot {out} holds runs started since {since} only"]


def test_a_broken_snapshot_names_the_file_and_the_place(tmp_path: Path, facts_for: Any) -> None:
    bad = tmp_path / "snap.json"
    bad.write_text(json.dumps({"format": "govcheck-mlflow-snapshot", "version": 3}))
    with pytest.raises(DataSourceError, match=r"snap.json: not a govcheck MLflow snapshot: \$"):
        facts_for(mlflow_snapshot=str(bad)).resources("mlflow_run")
    with pytest.raises(DataSourceError, match="MLflow snapshot not found: .*gone.json"):
        facts_for(mlflow_snapshot=str(tmp_path / "gone.json")).resources("mlflow_run")


def test_a_mangled_snapshot_is_one_line_never_a_crash(
    rules_snapshot: Path, tmp_path: Path, ml_repo: Path
) -> None:
    """Values swapped for other types anywhere (the digest made to match): the check either
    reads it or stops with one line naming the file."""
    import random

    from govcheck.check import CheckOptions, run
    from govcheck.facts.snapshot_store import content_digest

    original = json.loads(rules_snapshot.read_text())
    swaps = [None, 7, -1.5, True, "", "x", [], ["a"], {}, {"k": "v"}, [{}]]
    rng = random.Random(13)

    def places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        out = [path]
        if isinstance(value, dict):
            for k, v in value.items():
                out += places(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value[:3]):
                out += places(v, (*path, i))
        return out

    spots = [p for p in places(original) if p and p[0] not in ("snapshot_digest",)]
    target = tmp_path / "mangled.json"
    outcomes = set()
    for _ in range(40):
        document = json.loads(json.dumps(original))
        spot = rng.choice(spots)
        parent = document
        for key in spot[:-1]:
            parent = parent[key]
        parent[spot[-1]] = rng.choice(swaps)
        if document.get("version") == 2 and isinstance(document.get("snapshot_digest"), str):
            document["snapshot_digest"] = content_digest(document)
        target.write_text(json.dumps(document))
        try:
            options = CheckOptions(select=MLFLOW_RULES, mlflow_snapshot=str(target))
            run(replace(options, repo=str(ml_repo)))
            outcomes.add("read")
        except DataSourceError as exc:
            assert len(exc.lines()) == 1 and str(target) in exc.lines()[0], (spot, exc.lines())
            outcomes.add("refused")
    assert outcomes == {"read", "refused"}
