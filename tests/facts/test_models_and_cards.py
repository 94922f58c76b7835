"""model, model_card, dataset_card and deployment resources over one repository laid out
the ways real ML repositories are (built once: these tests only read it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from govcheck.check import CheckOptions, load_rules, run
from govcheck.config import Config
from govcheck.facts.base import Facts
from govcheck.facts.cards import declared_license
from govcheck.facts.deployments import candidates
from govcheck.facts.discovery import path_matcher, scanned
from support import CARD, make_facts

HF_MODEL = "---\nlicense: mit\npipeline_tag: text-classification\nmodel_name: sentiment-v2\n---\n"
HF_DATASET = "---\nlicense: cc-by-4.0\ntask_categories: [text-classification]\n---\n# Reviews\n"
SPACE = "---\ntitle: Demo\nsdk: gradio\napp_file: app.py\nlicense: mit\n---\n# Demo\n"

FILES: dict[str, str] = {
    # the repository's own model: a root card, and its long form under docs/
    "MODEL_CARD.md": CARD,
    "docs/model_card.md": CARD,
    # a README that is only a project README, and one whose front matter is a model card's
    "README.md": "---\nlicense: mit\n---\n# Project\n",
    "hub/sentiment/README.md": HF_MODEL + "# Sentiment\n",
    # the same card twice in one folder (granite-geospatial-biomass)
    "granite/README.md": HF_MODEL.replace("sentiment-v2", "granite") + "# Granite\n",
    "granite/model-card.md": HF_MODEL.replace("sentiment-v2", "granite") + "# Granite\n",
    # several cards in one folder; a README beside named cards is not a card
    "models/acme3/MODEL_CARD.md": CARD,
    "models/acme3/Model-Card-Vision.md": CARD.replace("# M\n", "# Vision\n"),
    "models/acme3/README.md": "# How to run\n",
    # a card folder: one model per file, its README an index
    "model_cards/English/toxicity.md": CARD,
    "model_cards/README.md": "# Cards\n- [toxicity](English/toxicity.md)\n",
    # a models_glob folder without a card, and a Python package there
    "models/churn/train.py": "print(1)\n",
    "models/churn/monitoring.yaml": "model: churn\n",
    "models/churn/train.yaml": "epochs: 3\n",
    "models/layers/__init__.py": "",
    "models/resources/dog.jpg": "JFIF",  # example pictures (llama-models), not a model
    # a guide about model cards (huggingface_hub docs), not a card
    "docs/guides/model-cards.md": "# Model cards\n\nHow to write one.\n",
    "models/layers/conv.py": "x = 1\n",
    # a course repository's filled-in template, and a real unrendered template
    "starter/model_card_template.md": CARD,
    "lib/templates/modelcard_template.md": "# Model Card for {{ model_id }}\n",
    # a contributors' template with bracketed blanks (asteroid)
    "model_card_template.md": "# Model\nTrained by [your name] on [dataset_name].\n",
    # a Space and dataset cards
    "spaces/demo/README.md": SPACE,
    "data/reviews/README.md": HF_DATASET,
    "data/README.md": "# Data\nPut raw exports here.\n",
    "DATASET_CARD.md": "# Support tickets\n",
    # never scanned
    "node_modules/w/MODEL_CARD.md": CARD,
    "{{cookiecutter.repo_name}}/MODEL_CARD.md": CARD,
    "wandb/run-1/files/model_card.md": CARD,
    "policies/tests/GC-X-001/pass/MODEL_CARD.md": CARD,
    "policies/tests/GC-X-001/expected.yaml": "- {path: MODEL_CARD.md}\n",
    "snap/mlflow.json": json.dumps(
        {
            "format": "govcheck-mlflow-snapshot",
            "version": 1,
            "recorded_at": "2026-01-01T00:00:00Z",
            "tracking_uri": "sqlite:///mlflow.db",
            "scope": {"experiments": [], "runs_since_days": None},
            **{k: [] for k in ("experiments", "runs", "model_versions", "registered_models")},
        }
    ),
    # deployments
    "deploy/churn-online.yml": (
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: churn-ep\nmodel: azureml:churn@latest\n"
    ),
    "deploy/multi.yaml": (
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: serving}\n---\n"
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n"
        "metadata: {name: toxicity}\nspec: {predictor: {model: {storageUri: 'gs://b/tox'}}}\n"
    ),
    "deploy/broken.yml": "endpoint_name: {{ENDPOINT_NAME}}\nmodel: {{MODEL}}\nname: x\n",
    "infra/sagemaker.json": json.dumps(
        {
            "Resources": {
                "Cfg": {
                    "Type": "AWS::SageMaker::EndpointConfig",
                    "Properties": {"ProductionVariants": [{"ModelName": "sentiment-v2"}]},
                }
            }
        },
        indent=2,
    ),
    ".github/workflows/deploy.yml": "name: deploy\non: push\nendpoint_name: churn\nmodel: churn\n",
    "src/tests/fixtures/isvc.yaml": (
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: acme3}\n"
    ),
    "docs/serving.md": "```yaml\nkind: InferenceService\nmetadata: {name: churn}\n```\n",
}


def build(root: Path, files: dict[str, str]) -> Path:
    """A committed repository holding files (what make_repo does, for a module-wide one)."""
    root.mkdir(parents=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        [
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "layouts",
        ],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    root = build(tmp_path_factory.mktemp("layouts") / "acme", FILES)
    rules, params = load_rules(Config(path=None), root)
    del rules
    return make_facts(root, params, mlflow_snapshot=str(root / "snap/mlflow.json"))


def by_id(facts: Facts, kind: str) -> dict[str, Any]:
    return {r.id: r.fields for r in facts.resources(kind)}


def test_every_card_is_found_wherever_it_lives(facts: Facts) -> None:
    assert sorted(by_id(facts, "model_card")) == [
        "MODEL_CARD.md",
        "docs/model_card.md",
        "granite/README.md",  # granite/model-card.md repeats it word for word
        "hub/sentiment/README.md",
        "model_cards/English/toxicity.md",
        "models/acme3/MODEL_CARD.md",
        "models/acme3/Model-Card-Vision.md",
        "starter/model_card_template.md",
    ]
    assert sorted(by_id(facts, "dataset_card")) == ["DATASET_CARD.md", "data/reviews/README.md"]
    assert any("granite/model-card.md repeats granite/README.md" in n for n in facts.notices)
    assert any("model_card_template.md: an unfilled template" in n for n in facts.notices)
    assert any(
        "lib/templates/modelcard_template.md: an unfilled template" in n for n in facts.notices
    )


def test_never_scanned(facts: Facts) -> None:
    seen = set(scanned(facts))
    for hidden in (
        "node_modules/w/MODEL_CARD.md",
        "{{cookiecutter.repo_name}}/MODEL_CARD.md",
        "wandb/run-1/files/model_card.md",
        "policies/tests/GC-X-001/pass/MODEL_CARD.md",
        "snap/mlflow.json",
    ):
        assert hidden not in seen, hidden
    assert "MODEL_CARD.md" in seen and "deploy/multi.yaml" in seen


def test_models_group_what_belongs_together(facts: Facts) -> None:
    models = by_id(facts, "model")
    root = models["MODEL_CARD.md"]
    assert (root["name"], root["dir"], root["cards"]) == (
        "acme",
        "",
        ["MODEL_CARD.md", "docs/model_card.md"],
    )
    assert models["models/acme3"]["cards"] == ["models/acme3/MODEL_CARD.md"]
    vision = models["models/acme3/Model-Card-Vision.md"]
    assert (vision["name"], vision["dir"]) == ("acme3-vision", "models/acme3")
    assert models["model_cards/English/toxicity.md"]["name"] == "toxicity"
    assert models["hub/sentiment"]["names"] == ["sentiment-v2", "sentiment"]
    churn = models["models/churn"]
    assert churn["cards"] == [] and churn["card"] is None
    assert churn["monitoring"] == ["models/churn/monitoring.yaml"]
    assert churn["training_config"] == "models/churn/train.yaml"
    assert "models/layers" not in models  # a Python package is code
    assert "models/resources" not in models  # a folder of pictures


def test_deployment_signals_attach_to_the_models_they_name(facts: Facts) -> None:
    models = by_id(facts, "model")
    assert models["models/churn"]["deployed_by"] == [
        "azureml online deployment at deploy/churn-online.yml:4"
    ]
    assert models["model_cards/English/toxicity.md"]["deployed_by"] == [
        "kserve InferenceService at deploy/multi.yaml:6"
    ]
    assert models["hub/sentiment"]["deployed_by"] == [
        "sagemaker EndpointConfig at infra/sagemaker.json:4"
    ]
    for name in ("MODEL_CARD.md", "models/acme3", "granite"):
        assert models[name]["deployed"] is False, name
    deployments = by_id(facts, "deployment")
    # workflows, markdown snippets, test fixtures and an unparseable template are no manifests
    assert sorted(deployments) == [
        "deploy/churn-online.yml:4",
        "deploy/multi.yaml:6",
        "infra/sagemaker.json:4",
    ]
    assert deployments["deploy/multi.yaml:6"]["models"] == ["toxicity"]


def test_card_fields(facts: Facts) -> None:
    cards = by_id(facts, "model_card")
    assert cards["hub/sentiment/README.md"]["license"] == "mit"
    assert cards["hub/sentiment/README.md"]["model"] == "sentiment-v2"
    assert cards["models/acme3/MODEL_CARD.md"]["title"] == "M"
    assert cards["MODEL_CARD.md"]["kind"] == "model"
    datasets = by_id(facts, "dataset_card")
    assert datasets["data/reviews/README.md"]["dataset"] == "reviews"


@pytest.mark.parametrize(
    ("text", "licence"),
    [
        ("---\nlicense: other\nlicense_name: acme-1.0\n---\n", "acme-1.0"),
        ("---\nlicense: [mit, apache-2.0]\n---\n", "mit, apache-2.0"),
        ("---\nlicense: '[More Information Needed]'\n---\n", None),
        ("# C\n## License\n\nApache 2.0, see LICENSE.\n", "Apache 2.0, see LICENSE."),
        ("# C\n## Licensing Information\n\n[Needs More Information]\n", None),
        ("# C\n- **License:** CreativeML Open RAIL++-M\n", "CreativeML Open RAIL++-M"),
        ("# C\n**License** A custom commercial license\n", "A custom commercial license"),
        ("# C\n| License | MIT |\n", "MIT"),
        ("# C\nTrained on Wikipedia text (CC-BY-SA license).\n", None),  # the data's licence
        ("# C\nLicense plate recognition for parking lots.\n", None),
        ("# C\n<!-- License: MIT -->\n", None),
        ("---\ntags: [x]  # license: mit\n---\n# C\n", None),
    ],
)
def test_declared_license(text: str, licence: str | None) -> None:
    from govcheck.facts import markdown

    fields = {
        "front_matter": markdown.front_matter(text).data,
        "sections": markdown.sections(text),
        "lines": markdown.lines(text),
    }
    assert declared_license(fields) == licence


def test_a_dataset_card_may_name_its_licence_in_a_sentence() -> None:
    from govcheck.facts import markdown

    text = "# Data\n\n1. **Under which license?**\n\n\tThe CC0 1.0 license.\n"
    fields = {
        "front_matter": {},
        "sections": markdown.sections(text),
        "lines": markdown.lines(text),
    }
    assert declared_license(fields, loose=True) == "CC0"
    assert declared_license(fields) is None


def test_card_files_globs_are_case_insensitive_and_name_globs_match_at_any_depth() -> None:
    match = path_matcher(["MODEL_CARD*.md", "model[-_]card*.md", "**/model[-_]cards/**/*.md"])
    assert match("a/b/Model-Card.md") and match("MODEL_CARD_VISION.md")
    assert match("x/model_cards/en/tox.md") and not match("x/model_cards.md/readme.txt")
    assert not match("CARD.md") and not match("model_cardx.txt")


def test_candidate_names_of_model_references() -> None:
    assert candidates("azureml:fraud-model:3") == {"fraud-model"}
    assert candidates("models:/fraud_model@champion") == {"fraud-model"}
    assert candidates("gs://acme/models/fraud/v3") == {"acme", "fraud"}
    assert candidates("main.ml.fraud_detector") == {"main.ml.fraud-detector", "fraud-detector"}
    assert candidates("${var.catalog}.ml.x") == set()


def test_a_changed_manifest_rechecks_its_model(facts: Facts) -> None:
    root = facts.context.root
    report = run(
        CheckOptions(
            repo=str(root),
            paths=(str(root / "deploy/churn-online.yml"),),
            select=("GC-MON-001",),
            no_mlflow=True,
        )
    )
    assert [c.resource_id for c in report.checked] == ["models/churn"]


def test_a_serving_alias_in_mlflow_deploys_a_model(tmp_path: Path) -> None:
    snapshot = {
        "format": "govcheck-mlflow-snapshot",
        "version": 1,
        "recorded_at": "2026-01-01T00:00:00Z",
        "tracking_uri": "sqlite:///mlflow.db",
        "scope": {"experiments": [], "runs_since_days": None},
        "experiments": [],
        "runs": [],
        "model_versions": [],
        "registered_models": [
            {"name": "churn", "description": "d", "tags": {}, "aliases": ["champion"]},
            {"name": "ranker", "description": "d", "tags": {}, "aliases": ["staging"]},
        ],
    }
    root = build(
        tmp_path / "repo",
        {
            "models/churn/MODEL_CARD.md": CARD,
            "models/ranker/MODEL_CARD.md": CARD,
            "mlflow.json": json.dumps(snapshot),
        },
    )
    report = run(CheckOptions(repo=str(root), mlflow_snapshot=str(root / "mlflow.json")))
    served = [f for f in report.findings if f.rule_id == "GC-MON-001"]
    assert [
        (f.resource_id, "mlflow:registered_model/churn behind alias champion" in f.message)
        for f in served
    ] == [("models/churn", True)]


def test_report_each_is_capped_per_resource_with_a_notice(tmp_path: Path) -> None:
    card = "# C\n" + "".join(f"## S{i}\n[More Information Needed]\n" for i in range(25))
    root = build(tmp_path / "repo", {"MODEL_CARD.md": card})
    report = run(CheckOptions(repo=str(root), select=("GC-CARD-004",), no_mlflow=True))
    assert len(report.findings) == 20
    assert [f.location.line for f in report.findings if f.location][:2] == [3, 5]
    assert "GC-CARD-004: 25 findings in MODEL_CARD.md, the first 20 reported" in report.notices


def test_a_registered_model_finds_its_card_by_name_or_the_nearest_card(tmp_path: Path) -> None:
    register = 'import mlflow\nmlflow.register_model("runs:/a/model", "{name}")\n'
    root = build(
        tmp_path / "repo",
        {
            "MODEL_CARD.md": CARD,  # the repository's own card: the nearest for src/
            "src/train.py": register.format(name="scorer"),
            "models/fraud/README.md": CARD,
            "jobs/fraud.py": register.format(name="fraud"),
            "services/other/register.py": register.format(name="other"),
        },
    )
    report = run(CheckOptions(repo=str(root), select=("GC-REG-004",), no_mlflow=True))
    assert {c.resource_id.split(":")[0]: c.status for c in report.checked} == {
        "jobs/fraud.py": "passed",  # by name: models/fraud
        "services/other/register.py": "passed",  # the root card is around every file
        "src/train.py": "passed",
    }
    without = build(tmp_path / "bare", {"src/train.py": register.format(name="scorer")})
    report = run(CheckOptions(repo=str(without), select=("GC-REG-004",), no_mlflow=True))
    (finding,) = report.findings
    assert "'scorer' is registered here" in finding.message
    assert "card_files: model[-_]card.md" in finding.message


def test_a_snapshot_records_what_deciding_deployed_reads_and_not_the_repository_field() -> None:
    from govcheck.check import rule_reads
    from govcheck.facts.mlflow_fieldset import record_paths, uncovered

    rules, _ = load_rules(Config(path=None), Path.cwd())
    reads = rule_reads(rules)
    recorded = record_paths(reads)
    # GC-MON-001 (over models) needs the aliases; GC-REG-003's model.cards is computed
    # from the repository, so a snapshot neither records nor misses it.
    assert recorded["registered_models"] == ["aliases", "description", "name"]
    assert uncovered(recorded, reads) is None


def test_a_licence_file_beside_a_card_is_its_licence(make_repo: Any) -> None:
    root = make_repo(
        {
            "model-card.md": "# Model Card: Parrot\n## Model Details\nx\n",
            "LICENSE": "MIT License\n",
            "models/fraud/MODEL_CARD.md": "# Fraud\n## Model Details\nx\n",
            "models/fraud/license_check.py": "print('ok')\n",  # a script, not a licence
            "models/churn/MODEL_CARD.md": "# Churn\n## Model Details\nx\n",
            "models/churn/LICENCE.txt": "Proprietary\n",
        }
    )
    _, params = load_rules(Config(path=None), root)
    cards = {r.id: r.fields for r in make_facts(root, params).resources("model_card")}
    assert cards["model-card.md"]["license"] == "LICENSE (license file)"
    assert (
        cards["models/churn/MODEL_CARD.md"]["license"] == "models/churn/LICENCE.txt (license file)"
    )
    # The repository's licence may cover only its code: a card elsewhere declares its own.
    assert cards["models/fraud/MODEL_CARD.md"]["license"] is None


def test_a_readme_is_a_dataset_card_by_two_different_card_sections(make_repo: Any) -> None:
    root = make_repo(
        {
            # A serving sample: three "Use case" headings are one kind of section.
            "docs/samples/gpu/README.md": "# GPU serving\n## Use case\na\n## Use case\nb\n"
            "## Use case\nc\n",
            # A bias detector's README: two headings of the same kind.
            "python/fairness/README.md": "# Model Fairness / Bias Detection\n## Build a bias "
            "detector image\nx\n",
            "data/reviews/README.md": "# Reviews\n## Source Data\nscraped\n## Uses\nsentiment\n",
        }
    )
    _, params = load_rules(Config(path=None), root)
    cards = [r.id for r in make_facts(root, params).resources("dataset_card")]
    assert cards == ["data/reviews/README.md"]
