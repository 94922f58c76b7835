"""Which fields a rule reads, noted while it is built (what MLflow snapshots record)."""

from __future__ import annotations

from pathlib import Path

from govcheck.check import load_rules, rule_reads
from govcheck.config import Config
from govcheck.facts.mlflow_fieldset import needed, parse_path, path_text, prune, record_paths

from .lang import reads


def test_field_conditions_read_their_path_and_presence_operators_only_presence() -> None:
    assert reads("{field: \"tags['owner']\", matches: x}") == {(("tags", "owner"), False)}
    assert reads("{field: run, empty: false}") == {(("run",), True)}
    assert reads("{git_commit_exists: \"run.tags['c']\"}") == {(("run", "tags", "c"), False)}
    # An operand naming another field reads that one too.
    assert reads("{field: end_time, after: {field: start_time, days: 1}}") == {
        (("end_time",), False),
        (("start_time",), False),
    }


def test_every_reads_item_fields_below_the_list_and_the_names_failures_show() -> None:
    found = reads("{every: datasets, require: {field: digest, empty: false}}")
    assert (("datasets", None, "digest"), True) in found
    assert (("datasets", None, "name"), False) in found  # "[0] 'raw-dump': ..."
    assert (("datasets",), True) in found


def test_conditions_on_another_file_are_not_reads_of_the_resource() -> None:
    found = reads("{file: 'models/{name}/card.md', require: {sections: [Uses]}}")
    assert found == {(("name",), False)}  # the path template, not the card's headings
    assert reads(
        "{file_exists: '{registered_model_dir}/m.yaml'}", {"registered_model_dir": "models/{name}"}
    ) == {(("name",), False)}


def test_what_the_built_in_rules_need_recorded() -> None:
    rules, _ = load_rules(Config(path=None), Path.cwd())
    fields = record_paths(rule_reads(rules))
    assert fields["model_versions"] == [
        "aliases", "creation_time", "key", "name", "run.artifacts[*]", "run.metrics",
        "run.run_id", "run.start_time", "run.tags['mlflow.source.git.commit']", "value",
        "version",
    ]  # fmt: skip
    # GC-EXP-010 reads run_count, counted from the runs: runs are recorded for it.
    assert "run_count" not in fields["experiments"] and "runs" in fields
    assert not any(p.startswith(("params", "metrics")) for p in fields["runs"])


def test_presence_of_a_nested_run_is_its_id_and_of_a_list_its_items() -> None:
    assert needed("model_versions", [(("run",), True)]) == {("run", "run_id")}
    assert needed("runs", [(("datasets",), True), (("datasets", None, "digest"), False)]) == {
        ("datasets", None, "digest")
    }
    assert needed("runs", [(("tags",), True), (("tags", "owner"), False)]) == {
        ("tags",),
        ("tags", "owner"),
    }  # a map's emptiness needs all of it


def test_pruning_keeps_list_items_and_only_named_keys() -> None:
    run = {
        "run_id": "r",
        "tags": {"owner": "a", "x": "y"},
        "datasets": [{"name": "d", "digest": ""}, {}],
    }
    paths = [parse_path(p) for p in ("run_id", "tags.owner", "datasets[*].digest")]
    assert prune(run, paths) == {
        "run_id": "r",
        "tags": {"owner": "a"},
        "datasets": [{"digest": ""}, {}],
    }
    assert prune({"run": None}, [("run", "run_id")]) == {"run": None}


def test_paths_round_trip_through_their_text() -> None:
    for text in ("run.tags['mlflow.source.git.commit']", "datasets[*].digest", "a[0].b", "."):
        assert path_text(parse_path(text)) == text
    assert parse_path("tags['it\\'s']") == ("tags", "it's")
    assert path_text(("tags", "it's")) == "tags['it\\'s']"


def test_a_joined_field_is_a_read_of_the_mlflow_kind_it_joins() -> None:
    """A model's `serving` is a version of MLflow: a rule reading it reads the version's
    fields below it and what picks the version (its aliases and creation time)."""
    rules, _ = load_rules(Config(path=None), Path.cwd())
    (fresh,) = [r for r in rules if r.id == "GC-FRESH-001"]
    # (and, as every rule over models, the registered models' aliases: `deployed`)
    (reads,) = [r for r in rule_reads([fresh]) if r.kind == "mlflow_model_version"]
    assert {path for path, _ in reads.reads} == {
        ("aliases",),
        ("creation_time",),
        ("name",),
        ("version",),
    }
    assert record_paths([reads]) == {
        "model_versions": ["aliases", "creation_time", "name", "version"]
    }


def test_entries_of_a_mapping_are_recorded_as_the_whole_mapping() -> None:
    assert needed("model_versions", [(("run", "metrics", None, "key"), False)]) == {
        ("run", "metrics")
    }
    assert prune({"m": {"a": 1, "b": 2}}, [("m", None, "value")]) == {"m": {"a": 1, "b": 2}}
