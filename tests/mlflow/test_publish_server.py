"""`govcheck publish` against a real `mlflow server --app-name basic-auth`: the verdicts land
as govcheck.* tags on the judged versions and their registered models, a second publish
writes nothing, a dry run writes nothing, and a read-only user gets exit 3 with nothing
written. Writes are counted by a loopback proxy that records every request's method.

The CLI runs in-process (cli.main): each subprocess would import MLflow again (seconds).
Credentials go only through MLFLOW_TRACKING_USERNAME/PASSWORD, as a user gives them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mlflow_servers import AUTH_PASSWORD, AUTH_USER, READER, READER_PASSWORD, CountingProxy

from govcheck.cli import main

pytestmark = pytest.mark.slow

# The registry and lineage rules: fraud-detector's serving versions pass them all (a
# described model with a card and monitoring, versions traced to the repository's commit).
SELECT = "GC-REG,GC-RUN,GC-MON-010"
ADMIN = {"MLFLOW_TRACKING_USERNAME": AUTH_USER, "MLFLOW_TRACKING_PASSWORD": AUTH_PASSWORD}
READ_ONLY = {"MLFLOW_TRACKING_USERNAME": READER, "MLFLOW_TRACKING_PASSWORD": READER_PASSWORD}


@pytest.fixture
def proxy(publish_server: str) -> Iterator[CountingProxy]:
    counting = CountingProxy(publish_server)
    yield counting
    counting.close()


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def publish(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Done]:
    def run(repo: Path, url: str, env: dict[str, str], *args: str) -> Done:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
        capsys.readouterr()
        code = main(
            ["publish", "--repo", str(repo), "--mlflow-uri", url, "--select", SELECT, *args]
        )
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def govcheck_tags(url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str]]:
    """Every govcheck.* tag in the registry, by `name` or `name/version`, read as admin."""
    from mlflow import MlflowClient

    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", AUTH_USER)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", AUTH_PASSWORD)
    client = MlflowClient(url)
    out: dict[str, dict[str, str]] = {}
    for model in client.search_registered_models():
        out[model.name] = {k: v for k, v in model.tags.items() if k.startswith("govcheck.")}
    for v in client.search_model_versions():
        out[f"{v.name}/{v.version}"] = {
            k: val for k, val in v.tags.items() if k.startswith("govcheck.")
        }
    return out


def test_a_dry_run_and_a_read_only_user_write_nothing(
    ml_repo: Path,
    publish_server: str,
    proxy: CountingProxy,
    publish: Callable[..., Done],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = govcheck_tags(publish_server, monkeypatch)
    dry = publish(ml_repo, proxy.url, ADMIN, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert any(
        line.startswith("would set model version churn-model/1: ")
        and "govcheck.status=fail" in line
        for line in lines
    ), dry.stdout
    assert lines[-1].startswith("dry run: would write ") and lines[-1].endswith("nothing written")
    assert proxy.writes() == []

    denied = publish(ml_repo, proxy.url, READ_ONLY)
    assert denied.returncode == 3, denied.stderr
    assert denied.stderr.splitlines() == [
        (
            f"MLflow at {proxy.url} does not let these credentials write tags on registered "
            "model 'churn-model' (EDIT permission needed): nothing was written"
        )
    ]
    # The one write-shaped request was the refused permission probe; no tag was set.
    assert [w.split("?")[0] for w in proxy.writes()] == [
        "DELETE /api/2.0/mlflow/registered-models/delete-tag"
    ]
    assert govcheck_tags(publish_server, monkeypatch) == before
    for done in (dry, denied):
        assert AUTH_PASSWORD not in done.stdout + done.stderr
        assert READER_PASSWORD not in done.stdout + done.stderr


def test_publish_sets_the_verdicts_and_a_second_run_writes_nothing(
    ml_repo: Path,
    good_sha: str,
    publish_server: str,
    proxy: CountingProxy,
    publish: Callable[..., Done],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = publish(ml_repo, proxy.url, ADMIN, "--report-url", "https://ci.example/r/1?token=t0p")
    assert first.returncode == 0, first.stderr
    assert "token=***" in first.stdout and "t0p" not in first.stdout
    tags = govcheck_tags(publish_server, monkeypatch)
    champion = tags["fraud-detector/1"]
    assert {k: v for k, v in champion.items() if k != "govcheck.checked_at"} == {
        "govcheck.status": "pass",
        "govcheck.errors": "0",
        "govcheck.warnings": "0",
        "govcheck.commit": good_sha,
        "govcheck.policy_hash": champion["govcheck.policy_hash"],
        "govcheck.report_url": "https://ci.example/r/1?token=t0p",
    }
    assert len(champion["govcheck.policy_hash"]) == 64
    assert champion["govcheck.checked_at"].endswith("Z")
    assert tags["fraud-detector/2"]["govcheck.status"] == "pass"
    assert tags["fraud-detector/3"] == {}  # behind no alias: no rule judged it
    churn = tags["churn-model/1"]
    assert churn["govcheck.status"] == "fail" and int(churn["govcheck.errors"]) >= 2
    assert tags["fraud-detector"]["govcheck.serving"] == "champion=1:pass,production=2:pass"
    assert tags["fraud-detector"]["govcheck.status"] == "pass"
    assert tags["churn-model"]["govcheck.status"] == "fail"
    # One request per tag written, each a set-tag (the probes deleted a key no one sets).
    written = int(first.stdout.splitlines()[-1].split()[1])
    assert len([w for w in proxy.writes() if "/set-tag" in w]) == written
    assert written == sum(len(t) for t in tags.values())

    proxy.paths.clear()
    proxy.methods.clear()
    second = publish(ml_repo, proxy.url, ADMIN, "--report-url", "https://ci.example/r/2")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == [
        f"MLflow at {proxy.url} already holds the verdicts of 3 model version(s): nothing written"
    ]
    assert proxy.writes() == []
    assert govcheck_tags(publish_server, monkeypatch) == tags  # checked_at and report_url too
