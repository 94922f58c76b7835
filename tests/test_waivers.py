"""Waivers as SPEC section 3 has them, through the real command on real repositories:
config waivers (code or name, path glob or MLflow entity, expiry), inline ones in YAML and
markdown, how waived findings show in every report, and stale waivers."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from support import CARD, GOOD_MODEL, TEAM_POLICY, govcheck, registry_snapshot

MakeRepo = Callable[..., Path]

# Two unpinned references (lines 1 and 2) and a model directory with neither card nor config;
# the config lists the model as deployed, so it needs a monitoring config.
PLANTED = {
    **GOOD_MODEL,
    "configs/data.yaml": "train: s3://bucket/train.csv\neval: s3://bucket/eval.csv\n",
    "models/legacy/train.py": "print(1)\n",
}
TODAY = dt.date.today()


def config(*waivers: str, policies: str = "") -> str:
    deployed = "params: {deployed_models: [legacy]}\n"  # last: waiver lines stay put
    return "version: 1\n" + policies + "waivers:\n" + "".join(waivers) + deployed


def waiver(
    rule: str,
    target: str,
    expires: str = "2099-12-31",
    reason: str = "legacy, removed in Q1",
    extra: str = "",
) -> str:
    return (
        f'  - rule: {rule}\n    target: {target}\n    reason: "{reason}"\n'
        f"    expires: {expires}\n{extra}"
    )


def report(repo: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    done = govcheck("check", "--no-mlflow", "--format", "json", *args, cwd=repo)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def states(data: dict) -> dict[tuple[str, str], bool]:  # type: ignore[type-arg]
    """(rule, file or model directory) -> suppressed."""
    return {
        (
            f["rule_id"],
            f["resource_id"]
            if f["resource_kind"] in ("directory", "model")
            else f"{f['location']['path']}:{f['location']['line']}",
        ): f["suppressed"]
        for f in data["findings"]
    }


# --- config waivers ---------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["GC-DATA-001", "data-reference-pinned"])
def test_a_config_waiver_by_code_or_name_suppresses(make_repo: MakeRepo, rule: str) -> None:
    repo = make_repo(
        {
            **PLANTED,
            ".govcheck.yaml": config(
                waiver(rule, "configs/*.yaml"),
                waiver("model-card-present", "models/legacy"),
                waiver("GC-MON-001", "models/legacy/"),
            ),
        }
    )
    code, data = report(repo)
    assert states(data) == {
        ("GC-DATA-001", "configs/data.yaml:1"): True,
        ("GC-DATA-001", "configs/data.yaml:2"): True,
        ("GC-CARD-001", "models/legacy"): True,
        ("GC-MON-001", "models/legacy"): True,
    }
    assert code == 0
    assert data["counts"] == {
        "error": 0,
        "warning": 0,
        "note": 0,
        "suppressed": 4,
        "baselined": 0,
        "absent": 0,
    }
    first = data["findings"][0]["waiver"]
    assert first["kind"] == "external" and first["reason"] == "legacy, removed in Q1"


def test_a_waiver_for_another_target_or_rule_does_not_suppress(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            **PLANTED,
            ".govcheck.yaml": config(
                waiver("GC-DATA-001", "models/**"), waiver("GC-CARD-002", "models/legacy")
            ),
        }
    )
    code, data = report(repo)
    assert code == 1 and not any(states(data).values())


def test_a_waiver_holds_through_its_expiry_date_and_then_stops(make_repo: MakeRepo) -> None:
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    repo = make_repo(
        {
            **PLANTED,
            ".govcheck.yaml": config(
                waiver("GC-CARD-001", "models/legacy", expires=TODAY.isoformat()),
                waiver("GC-MON-001", "models/legacy", expires=yesterday),
                waiver("GC-DATA-001", "configs/data.yaml", expires="2020-01-31"),
            ),
        }
    )
    code, data = report(repo)
    assert code == 1
    assert states(data) == {
        ("GC-CARD-001", "models/legacy"): True,
        ("GC-MON-001", "models/legacy"): False,
        ("GC-DATA-001", "configs/data.yaml:1"): False,
        ("GC-DATA-001", "configs/data.yaml:2"): False,
    }
    expired = {
        f["rule_id"]: f["expired_waiver"]["expires"]
        for f in data["findings"]
        if not f["suppressed"] and f.get("expired_waiver")
    }
    assert expired == {"GC-MON-001": yesterday, "GC-DATA-001": "2020-01-31"}
    text = govcheck("check", "--no-mlflow", cwd=repo).stdout
    # said once per finding, not in the message and again in a note
    assert text.count("Waiver expired on 2020-01-31 (legacy, removed in Q1); not suppressed.") == 2
    assert "[waiver expired on" not in text
    # An expired waiver still matched: it is not also reported as unused.
    assert "unused waiver" not in text


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("    expires: 2099-01-01\n", ".govcheck.yaml:3:5: missing required key 'reason'"),
        ("    reason: '  '\n    expires: 2099-01-01\n", ".govcheck.yaml:5:13: 'reason' value"),
        ("    reason: gone\n", ".govcheck.yaml:3:5: missing required key 'expires'"),
        (
            "    reason: gone\n    expires: 2099-13-45\n",
            ".govcheck.yaml:6:14: '2099-13-45' is not a 'date'",
        ),
        (
            "    reason: gone\n    expires: someday\n",
            ".govcheck.yaml:6:14: 'someday' is not a 'date'",
        ),
    ],
)
def test_a_waiver_without_reason_or_expiry_is_exit_2_at_its_line(
    make_repo: MakeRepo, body: str, error: str
) -> None:
    text = "version: 1\nwaivers:\n  - rule: GC-DATA-001\n    target: configs/data.yaml\n" + body
    repo = make_repo({**PLANTED, ".govcheck.yaml": text})
    done = govcheck("check", cwd=repo)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[0].startswith(error)
    assert "Traceback" not in done.stderr


def test_a_waiver_can_target_an_mlflow_entity(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            **GOOD_MODEL,
            "team.yaml": TEAM_POLICY,
            "mlflow.json": registry_snapshot({"churn": "", "fraud": ""}),
            ".govcheck.yaml": config(
                waiver(
                    "TEAM-001", "mlflow:registered_model/churn", extra="    approved_by: jane.doe\n"
                ),
                policies="policies: [team.yaml]\n",
            ),
        }
    )
    done = govcheck("check", "--mlflow-snapshot", "mlflow.json", "--format", "sarif", cwd=repo)
    assert done.returncode == 1, done.stderr  # fraud is still undescribed
    results = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r
        for r in json.loads(done.stdout)["runs"][0]["results"]
    }
    assert set(results) == {"mlflow:registered_model/churn", "mlflow:registered_model/fraud"}
    (suppression,) = results["mlflow:registered_model/churn"]["suppressions"]
    assert suppression["kind"] == "external" and suppression["justification"].startswith("legacy")
    assert suppression["properties"] == {"expires": "2099-12-31", "approvedBy": "jane.doe"}
    region = suppression["location"]["physicalLocation"]
    assert region["artifactLocation"]["uri"] == ".govcheck.yaml"
    assert region["region"]["startLine"] == 4
    assert "suppressions" not in results["mlflow:registered_model/fraud"]


# --- inline waivers ---------------------------------------------------------------------

INLINE_DATA = """# govcheck: ignore[GC-DATA-001] public benchmark, immutable by contract
bench: s3://public/bench.csv
train: s3://bucket/train.csv  # govcheck: ignore[data-reference-pinned] mirrored nightly
other: s3://bucket/other.csv
"""
INLINE_CARD = CARD.replace(
    "## Limitations\nd\n",
    """## Limitations
<!-- govcheck: ignore[GC-CARD-004] filled in by the release job -->
[More Information Needed]
""",
)


def test_inline_waivers_in_yaml_and_markdown(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {**GOOD_MODEL, "configs/data.yaml": INLINE_DATA, "models/m/MODEL_CARD.md": INLINE_CARD}
    )
    code, data = report(repo)
    assert states(data) == {
        ("GC-DATA-001", "configs/data.yaml:2"): True,
        ("GC-DATA-001", "configs/data.yaml:3"): True,
        # a trailing comment covers its own line, not the next one
        ("GC-DATA-001", "configs/data.yaml:4"): False,
        ("GC-CARD-004", "models/m/MODEL_CARD.md:13"): True,  # at the placeholder's line
    }
    assert code == 1
    reasons = {f["location"]["line"]: (f["waiver"] or {}).get("reason") for f in data["findings"]}
    assert reasons[2] == "public benchmark, immutable by contract"
    assert reasons[3] == "mirrored nightly" and reasons[13] == "filled in by the release job"
    assert all(f["waiver"]["kind"] == "inSource" for f in data["findings"] if f["suppressed"])


def test_an_inline_waiver_for_another_rule_does_not_suppress(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            **GOOD_MODEL,
            "configs/data.yaml": "# govcheck: ignore[GC-EXP-001] not this rule\n"
            "train: s3://bucket/train.csv\n",
        }
    )
    code, data = report(repo)
    assert code == 1 and states(data) == {("GC-DATA-001", "configs/data.yaml:2"): False}


@pytest.mark.parametrize(
    ("path", "text", "error"),
    [
        (
            "configs/data.yaml",
            "train: s3://bucket/train.csv  # govcheck: ignore[GC-DATA-001]\n",
            "configs/data.yaml:1:33: inline waiver without a reason",
        ),
        (
            "models/m/MODEL_CARD.md",
            INLINE_CARD.replace(" filled in by the release job", ""),
            "models/m/MODEL_CARD.md:12:6: inline waiver without a reason",
        ),
    ],
)
def test_an_inline_waiver_without_a_reason_is_exit_2(
    make_repo: MakeRepo, path: str, text: str, error: str
) -> None:
    repo = make_repo({**GOOD_MODEL, path: text})
    done = govcheck("check", cwd=repo)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(error)


# --- waived findings in every report ----------------------------------------------------


def test_waived_findings_stay_in_every_report_without_failing(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    data = INLINE_DATA.replace("other: s3://bucket/other.csv\n", "")
    repo = make_repo(
        {
            **GOOD_MODEL,
            "configs/data.yaml": data,
            "models/legacy/train.py": "print(1)\n",
            ".govcheck.yaml": config(
                waiver("GC-CARD-001", "models/legacy"), waiver("GC-MON-001", "models/legacy")
            ),
        }
    )
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("sarif", "junit", "markdown", "json")}
    args = [f"--{fmt}-output={path}" for fmt, path in out.items()]
    done = govcheck("check", "--no-mlflow", "--fail-on", "note", *args, cwd=repo)
    assert done.returncode == 0, done.stderr  # waived findings never fail, whatever fail-on
    assert "No findings (4 suppressed)." in done.stdout
    assert "suppressed: legacy, removed in Q1 (config waiver, expires 2099-12-31)" in done.stdout
    assert "suppressed: mirrored nightly (inline waiver)" in done.stdout

    results = json.loads(out["sarif"].read_text())["runs"][0]["results"]
    kinds = sorted(r["suppressions"][0]["kind"] for r in results)
    assert kinds == ["external", "external", "inSource", "inSource"]
    assert all(r["suppressions"][0]["status"] == "accepted" for r in results)

    junit = ET.parse(out["junit"]).getroot()
    waived = [
        s.get("message")
        for s in junit.findall(".//testcase/skipped")
        if s.get("message", "").startswith("waived: ")
    ]
    assert len(waived) == 4 and not junit.findall(".//failure")
    assert "waived: legacy, removed in Q1" in waived

    markdown = out["markdown"].read_text()
    assert "**No findings (4 suppressed).**" in markdown and "### Suppressed" in markdown
    assert "| `GC-DATA-001` | data-reference-pinned | error | 0 | 2 |" in markdown
    assert json.loads(out["json"].read_text())["counts"]["suppressed"] == 4


# --- stale waivers ----------------------------------------------------------------------

STALE = config(
    waiver("GC-CARD-001", "models/gone"),
    waiver("model-card-presnt", "models/m"),
    waiver("TEAM-001", "mlflow:registered_model/churn"),
)


def test_a_waiver_matching_nothing_is_reported_as_a_note(make_repo: MakeRepo) -> None:
    repo = make_repo({**GOOD_MODEL, ".govcheck.yaml": STALE})
    done = govcheck("check", "--no-mlflow", cwd=repo)
    assert done.returncode == 0
    notices = done.stdout.split("Notices:\n", 1)[1]
    assert (
        "unused waiver: GC-CARD-001 on models/gone (.govcheck.yaml:3) matches no finding; "
        "remove it if the problem is fixed"
    ) in notices
    assert "unused waiver: model-card-presnt (.govcheck.yaml:7) names no rule" in notices
    assert "unused waiver: TEAM-001" in notices  # no rule of that code is loaded
    sarif = json.loads(govcheck("check", "--no-mlflow", "--format", "sarif", cwd=repo).stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["level"] == "note" and "models/gone" in n["message"]["text"] for n in notes)
    github = govcheck("check", "--no-mlflow", "--format", "github", cwd=repo).stdout
    assert "::notice title=govcheck::unused waiver: GC-CARD-001 on models/gone" in github


def test_a_narrowed_check_does_not_call_waivers_unused(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            **GOOD_MODEL,
            "team.yaml": TEAM_POLICY,
            ".govcheck.yaml": config(
                waiver("GC-CARD-001", "models/gone"),
                waiver("TEAM-001", "mlflow:registered_model/x"),
                policies="policies: [builtin:all, team.yaml]\n",
            ),
        }
    )
    narrowed = govcheck("check", "--no-mlflow", "models/m/MODEL_CARD.md", cwd=repo)
    assert narrowed.returncode == 0 and "unused waiver" not in narrowed.stdout
    # The full check sees models/gone is stale; TEAM-001 did not run (--no-mlflow), so not it.
    full = govcheck("check", "--no-mlflow", cwd=repo)
    assert "unused waiver: GC-CARD-001 on models/gone" in full.stdout
    assert "TEAM-001" not in full.stdout.split("Notices:", 1)[1]


# --- the inline scan is linear in the text ----------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "# " + "govcheck: ignore[" * 20_000,  # 340 kB that never closes: took 23 s
        "# govcheck: ignore[GC-DATA-001] a" + " " * 40_000 + "b",  # blanks in the reason
        " " * 40_000 + "x # govcheck: ignore[GC-DATA-001] why",  # blanks before the comment
        "# govcheck: ignore[" + "GC-DATA-001," * 3_000 + "] why",
    ],
)
def test_inline_waiver_scan_is_linear(line: str) -> None:
    import time

    from govcheck.waivers import inline_waivers

    started = time.perf_counter()
    found = inline_waivers("configs/data.yaml", f"train: s3://b/t.csv\n{line}\n")
    assert time.perf_counter() - started < 3.0  # well under 0.1 s; a loaded CI is slower
    assert all(w.rule == "GC-DATA-001" for w, _ in found)


def test_inline_waiver_closers_and_openers_still_read() -> None:
    from govcheck.waivers import inline_waivers

    text = "<!--   govcheck: ignore[GC-CARD-004]  release job   -->\nx: 1 # govcheck: ignore[A] b\n"
    found = [(w.rule, w.reason, lines) for w, lines in inline_waivers("c.md", text)]
    assert found == [("GC-CARD-004", "release job", (1, 2)), ("A", "b", (2,))]
