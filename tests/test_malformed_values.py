"""Values the 10,000-case fuzz campaign (tests/test_fuzz.py, seed 7) found escaping as
internal errors: each is now a finding, a notice or a plain value, never a traceback."""

from __future__ import annotations

import pytest

from govcheck import urls
from govcheck.facts import datarefs, nondata
from govcheck.facts.mlproject import _plain_load
from govcheck.redact import bare_remote_uri, redact_url
from govcheck.yamlsrc import YAMLSourceError, load_all


@pytest.mark.parametrize("value", ["!!int ''", "!!float ''", "!!bool ''"])
def test_an_empty_tagged_scalar_is_a_parse_error_at_its_line(value: str) -> None:
    with pytest.raises(YAMLSourceError) as caught:
        load_all(f"a: 1\nb: {value}\n", "conf.yaml")
    assert caught.value.mark is not None and caught.value.mark.line == 2


@pytest.mark.parametrize(
    "value",
    ["!!bool string", "!!int 'python train.py'", "!!float x", "!!int " + "9" * 5000, "!!int ''"],
)
def test_mlflows_loader_failing_on_a_tag_is_an_error_of_the_mlproject(value: str) -> None:
    data, error = _plain_load(f"name: {value}\nentry_points: {{}}\n")
    assert data is None and error is not None
    assert error["message"].startswith("invalid YAML: a tagged value PyYAML cannot construct")


@pytest.mark.parametrize(
    "text", ["s3://[*a]/data.csv?versionId=1", "http://[::1/x.csv", "s3://b]/x"]
)
def test_a_url_with_a_broken_bracketed_host_is_judged_not_raised(text: str) -> None:
    parts = urls.split(text)
    assert parts.scheme in ("s3", "http")
    datarefs.classify_uri(text)  # a verdict or None, without an exception
    classifier = nondata.Classifier.from_params({})
    assert classifier.is_data_url(text) == (".csv" in text)


def test_a_broken_bracketed_host_keeps_its_secret_out() -> None:
    shown = redact_url("https://alice:s3cret@[*a]/repo.git")
    assert "s3cret" not in shown
    assert "s3cret" not in bare_remote_uri("https://alice:s3cret@[*a]/repo.git")


def test_template_variables_are_found_without_scanning_brace_runs_to_the_end() -> None:
    from govcheck.facts import variables

    assert variables.has_variables("{{ model_name }}")
    assert variables.has_variables("churn-${{ inputs.env }}")
    assert variables.has_variables("a {{ b }} c {{ d }}")
    # A 2,000,000-character run of braces (fuzz cases 5753, 6472, 9146) holds none; every
    # "{{" used to be scanned to the end for a "}}".
    assert not variables.has_variables("{{" * 1_000_000 + "}")
    assert not variables.has_variables("${{" * 300_000)


def test_a_stage_command_longer_than_any_real_one_is_not_split() -> None:
    from govcheck.facts import dvc_scripts

    assert list(dvc_scripts._segments("python train.py && bash run.sh")) == [
        ["python", "train.py"],
        ["bash", "run.sh"],
    ]
    huge = "python train.py " + "{" * (dvc_scripts.MAX_COMMAND_CHARS + 1)
    assert list(dvc_scripts._segments(huge)) == []  # fuzz cases 2910, 2989


def test_names_are_cut_beside_variables_in_linear_time() -> None:
    from govcheck.facts import variables
    from govcheck.facts.registered_models import own_name

    assert (
        variables.masked("/Users/${var.user}/{{ env }}/churn")
        == "/Users/" + "x" * 11 + "/" + "x" * 9 + "/churn"
    )
    assert own_name("main.ml.churn") == "churn"
    assert own_name("${var.catalog}.ml.{{ a.b }}") == "{{ a.b }}"
    assert variables.masked("{{" * 1_000_000) == "{{" * 1_000_000  # fuzz case 6472
