"""A synthetic ML repository as a real git repository, deterministic for a given size.

One tenth of the files sit in model directories (a card, a monitoring config and a
training config with data references and an experiment name each). About a tenth are
what the real-repository readers look into: DVC projects (`.dvc` files, `dvc.yaml` with
`foreach` and `matrix` stages, `dvc.lock`, `params.yaml`), MLflow `MLproject` files,
platform monitors (AzureML `create_monitor` schedules, SageMaker monitoring schedules in
CloudFormation, Databricks bundle quality monitors), cards in every layout the card
readers know (the root card, `docs/model_card.md`, several cards in `model_cards/`,
Hugging Face READMEs with front matter) and notebooks that read data and set an
experiment. The rest is filler of the kinds an ML repository holds: Python modules (some
reading data, setting experiments, registering models), YAML/JSON/TOML configs, docs,
small data files and .env files. A few per cent of everything is planted wrong (missing
sections, an invalid monitoring config, unpinned data, a bad experiment name), so the
check does the work of reporting findings too.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

GENERATOR_VERSION = 3  # bump when the content changes, so cached repositories are rebuilt
FILES_PER_MODEL = 3
CARD_SECTIONS = (
    "Intended Use",
    "Training Data",
    "Evaluation Results",
    "Limitations",
    "Ethical Considerations",
)
_WORDS = (
    "model",
    "feature",
    "drift",
    "threshold",
    "customer",
    "fraud",
    "latency",
    "label",
    "batch",
    "window",
    "score",
    "baseline",
    "segment",
    "region",
    "holdout",
    "recall",
)


def _sentence(rng: random.Random, words: int = 12) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def model_card(rng: random.Random, i: int) -> str:
    front = "---\nlicense: apache-2.0\nlanguage: en\ntags: [tabular, classification]\n---\n"
    if i % 20 == 7:
        front = "---\nlanguage: en\n---\n"  # planted: no license
    sections = [s for k, s in enumerate(CARD_SECTIONS) if not (i % 25 == 3 and k == 3)]
    body = [f"# Model {i:04d}\n", _paragraph(rng, 2) + "\n"]
    for name in sections:
        body.append(f"## {name}\n\n{_paragraph(rng)}\n")
    if i % 33 == 5:
        body.append("## Caveats\n\nTBD\n")
    return front + "\n".join(body)


def monitoring(rng: random.Random, i: int) -> str:
    doc = {
        "model": f"model-{i:04d}",
        "alias": "champion",
        "owner": f"team-{i % 17}@example.com",
        "schedule": rng.choice(["hourly", "daily", "0 * * * *", "30 2 * * 1"]),
        "baseline": {"dataset": f"s3://ml-data/model-{i:04d}/train.parquet?versionId=v{i:06d}x"},
        "metrics": [
            {"name": "auc", "threshold": {"min": round(0.7 + rng.random() / 5, 3)}},
            {"name": "feature_drift", "method": "psi", "threshold": {"max": 0.2}},
        ],
        "alerts": [{"channel": "slack", "target": f"#model-{i:04d}-alerts"}],
    }
    if i % 20 == 11:
        del doc["alerts"]  # planted: nobody is alerted
    if i % 40 == 13:
        doc["metrics"][0]["threshold"] = {}  # planted: a threshold without a bound
    return _yaml(doc)


def training(rng: random.Random, i: int) -> str:
    pinned = i % 20 != 2
    doc = {
        "experiment_name": "Default" if i % 50 == 9 else f"team-{i % 17}/model-{i:04d}",
        "data": {
            "train": f"s3://ml-data/model-{i:04d}/train.parquet"
            + (f"?versionId=v{i:06d}t" if pinned else ""),
            "eval": f"gs://ml-data/model-{i:04d}/eval.parquet#{1712345678901234 + i}",
            "features": {"path": f"s3://ml-features/model-{i:04d}.parquet", "version": f"{i:06d}f"},
        },
        "hyperparameters": {
            "learning_rate": round(rng.random() / 10, 4),
            "max_depth": rng.randint(3, 12),
            "n_estimators": rng.choice([100, 200, 500]),
            "features": [f"f_{rng.randint(0, 999)}" for _ in range(8)],
        },
        "trainer": {"epochs": rng.randint(5, 50), "seed": i, "early_stopping": True},
    }
    return _yaml(doc)


def python_module(rng: random.Random, k: int) -> str:
    lines = ['"""Feature pipeline step."""', "", "import math", ""]
    if k % 20 == 0:
        lines += ["import mlflow", "", f'mlflow.set_experiment("pipelines/step-{k}")', ""]
    if k % 5 == 1:  # reads data: a pinned or an unpinned remote table, a local sample
        pin = f"?versionId=v{k:06d}p" if k % 15 != 1 else ""
        lines += [
            "import pandas as pd",
            "",
            f'RAW = "s3://ml-data/raw/part-{k:05d}.parquet{pin}"',
            "",
            "def load():",
            "    frame = pd.read_parquet(RAW)",
            f'    extra = pd.read_csv("data/samples/sample_{k:05d}.csv")',
            "    return frame.join(extra)",
            "",
        ]
    if k % 40 == 3:
        lines += [
            "import mlflow",
            "",
            "def publish(run_id):",
            f'    mlflow.register_model(f"runs:/{{run_id}}/model", "pipeline-step-{k}")',
            "",
        ]
    for f in range(rng.randint(4, 9)):
        lines += [
            f"def step_{f}(rows, weight={rng.random():.3f}):",
            f'    """{_sentence(rng, 8)}"""',
            "    total = 0.0",
            "    for row in rows:",
            f"        total += math.log1p(abs(row)) * weight + {rng.randint(0, 99)}",
            "    return total",
            "",
        ]
    return "\n".join(lines) + "\n"


def yaml_config(rng: random.Random, k: int) -> str:
    doc = {
        "name": f"job-{k}",
        "resources": {"cpu": rng.randint(1, 16), "memory": f"{rng.randint(1, 64)}Gi"},
        "steps": [
            {
                "name": f"step-{s}",
                "image": f"registry.example.com/step:{s}",
                "args": [f"--flag-{a}" for a in range(3)],
            }
            for s in range(rng.randint(2, 5))
        ],
        "inputs": {"table": f"warehouse.table_{k}", "sample": rng.random() < 0.5},
    }
    if k % 10 == 0:
        doc["inputs"]["path"] = f"s3://ml-data/jobs/{k}/input.csv"  # an unpinned reference
    return _yaml(doc)


def json_config(rng: random.Random, k: int) -> str:
    doc = {
        "id": k,
        "enabled": rng.random() < 0.8,
        "labels": {f"l{j}": _sentence(rng, 3) for j in range(5)},
        "thresholds": [round(rng.random(), 3) for _ in range(10)],
    }
    return json.dumps(doc, indent=2) + "\n"


def toml_config(rng: random.Random, k: int) -> str:
    return (
        f'[tool.step{k}]\nname = "step-{k}"\nretries = {rng.randint(0, 5)}\n'
        f'source = "gs://ml-data/tool/{k}.parquet#{1700000000000000 + k}"\n'
        f'\n[tool.step{k}.limits]\ncpu = {rng.randint(1, 8)}\nmemory = "4Gi"\n'
    )


def doc_page(rng: random.Random, k: int) -> str:
    return f"# Notes {k}\n\n{_paragraph(rng, 6)}\n\n## Details\n\n{_paragraph(rng, 5)}\n"


def notebook(rng: random.Random, k: int) -> str:
    """An nbformat 4 notebook: markdown, code reading data and setting an experiment, and
    an output (which readers must skip)."""
    pin = f"?versionId=v{k:06d}n" if k % 9 != 4 else ""
    cells = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": [f"# Exploration {k}\n", _sentence(rng)],
        },
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": ["%pip install -q pandas\n", "import mlflow\n", "import pandas as pd"],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}],
            "source": [
                f'mlflow.set_experiment("notebooks/exploration-{k}")\n',
                f'df = pd.read_parquet("s3://ml-data/notebooks/{k}.parquet{pin}")\n',
                "df.describe()",
            ],
        },
    ]
    for c in range(rng.randint(1, 4)):
        cells.append(
            {
                "cell_type": "code",
                "execution_count": 3 + c,
                "metadata": {},
                "outputs": [],
                "source": [
                    f"score_{c} = df['value'].mean() * {rng.random():.3f}\n",
                    f"print(score_{c})",
                ],
            }
        )
    doc = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1) + "\n"


def dvc_project(rng: random.Random, p: int) -> dict[str, str]:
    """A DVC project folder: data tracked by `.dvc` files, a pipeline with `foreach` and
    `matrix` stages, its lock file and params; one in seven has an unpinned `.dvc` output."""
    base = f"projects/dvc-{p:03d}"
    md5 = lambda n: f"{(p * 7919 + n) * 2654435761 % (1 << 128):032x}"
    files = {
        f"{base}/params.yaml": _yaml(
            {"prepare": {"split": 0.2, "seed": p}, "train": {"n_est": 50, "min_split": 2}}
        ),
        f"{base}/data/raw.csv.dvc": _yaml(
            {"outs": [{"md5": md5(1), "size": 1024 + p, "hash": "md5", "path": "raw.csv"}]}
        ),
        f"{base}/data/images.dvc": _yaml(
            {
                "outs": [
                    {"path": "images"}
                    if p % 7 == 3  # planted: an output without a hash
                    else {"md5": md5(2) + ".dir", "size": 99 + p, "nfiles": 12, "path": "images"}
                ]
            }
        ),
        f"{base}/dvc.yaml": _yaml(
            {
                "stages": {
                    "prepare": {
                        "cmd": "python src/prepare.py data/raw.csv",
                        "deps": ["data/raw.csv", "src/prepare.py"],
                        "params": ["prepare.split", "prepare.seed"],
                        "outs": ["data/prepared"],
                    },
                    "featurize": {
                        "foreach": ["train", "test"],
                        "do": {
                            "cmd": "python src/featurize.py ${item}",
                            "deps": ["data/prepared"],
                            "outs": ["data/features/${item}.pkl"],
                        },
                    },
                    "train": {
                        "matrix": {"model": ["xgb", "rf"], "depth": [3, 5]},
                        "cmd": "python src/train.py ${item.model} ${item.depth}",
                        "deps": ["data/features"],
                        "params": ["train.n_est"],
                        "outs": ["models/${item.model}-${item.depth}.pkl"],
                    },
                }
            }
        ),
    }
    lock: dict[str, object] = {"schema": "2.0", "stages": {}}
    stages = lock["stages"]
    assert isinstance(stages, dict)
    stages["prepare"] = {
        "cmd": "python src/prepare.py data/raw.csv",
        "deps": [{"path": "data/raw.csv", "md5": md5(3), "size": 1024}],
        "params": {"params.yaml": {"prepare.split": 0.2, "prepare.seed": p}},
        "outs": [{"path": "data/prepared", "md5": md5(4) + ".dir", "size": 512, "nfiles": 2}],
    }
    for n, item in enumerate(("train", "test")):
        stages[f"featurize@{item}"] = {
            "cmd": f"python src/featurize.py {item}",
            "deps": [{"path": "data/prepared", "md5": md5(4) + ".dir", "size": 512}],
            "outs": [{"path": f"data/features/{item}.pkl", "md5": md5(5 + n), "size": 64}],
        }
    files[f"{base}/dvc.lock"] = _yaml(lock)
    files[f"{base}/src/prepare.py"] = (
        "import pandas as pd\n\n\ndef main(path):\n    return pd.read_csv(path)\n"
    )
    return files


def mlproject(rng: random.Random, p: int) -> dict[str, str]:
    base = f"projects/mlflow-{p:03d}"
    entry = {
        "parameters": {
            "alpha": {"type": "float", "default": 0.5},
            "data": {"type": "uri", "default": f"s3://ml-data/mlp/{p}.csv"},
        },
        "command": "python train.py --alpha {alpha} --data {data}",
    }
    if p % 6 == 2:
        entry["command"] = "python train.py --alpha {alpha} --l1 {l1_ratio}"  # planted
    return {
        f"{base}/MLproject": _yaml(
            {
                "name": f"project-{p}",
                "python_env": "python_env.yaml",
                "entry_points": {"main": entry},
            }
        ),
        f"{base}/python_env.yaml": _yaml(
            {"python": "3.11", "dependencies": ["mlflow==2.16.0", "scikit-learn==1.5.1"]}
        ),
    }


def platform_monitors(rng: random.Random, p: int) -> dict[str, str]:
    """One monitor of each platform shape the monitor readers read, watching model p."""
    files = {
        f"monitoring/azureml/monitor-{p:03d}.yaml": _yaml(
            {
                "name": f"monitor_{p}",
                "trigger": {"type": "recurrence", "frequency": "day", "interval": 1},
                "create_monitor": {
                    "monitoring_target": {
                        "ml_task": "classification",
                        "endpoint_deployment_id": f"azureml:endpoint-{p}:main",
                    },
                    "monitoring_signals": {
                        "drift": {
                            "type": "data_drift",
                            "metric_thresholds": {"numerical": {"jensen_shannon_distance": 0.05}},
                        }
                    },
                    **(
                        {}
                        if p % 5 == 1  # planted: nobody is told
                        else {"alert_notification": {"emails": [f"team-{p}@example.com"]}}
                    ),
                },
            }
        ),
        f"infra/sagemaker/monitor-{p:03d}.yml": (
            'AWSTemplateFormatVersion: "2010-09-09"\n'
            "Resources:\n"
            "  QualityJob:\n"
            "    Type: AWS::SageMaker::ModelQualityJobDefinition\n"
            "    Properties:\n"
            "      ModelQualityJobInput:\n"
            f"        EndpointInput: {{EndpointName: scoring-{p}, LocalPath: /opt/ml/input}}\n"
            "      ModelQualityBaselineConfig:\n"
            f"        ConstraintsResource: {{S3Uri: s3://ml-monitoring/{p}/constraints.json}}\n"
            "  QualitySchedule:\n"
            "    Type: AWS::SageMaker::MonitoringSchedule\n"
            "    Properties:\n"
            f"      MonitoringScheduleName: scoring-{p}-quality\n"
            "      MonitoringScheduleConfig:\n"
            "        MonitoringJobDefinitionName: !GetAtt QualityJob.JobDefinitionName\n"
            "        MonitoringType: ModelQuality\n"
            '        ScheduleConfig: {ScheduleExpression: "cron(0 0 ? * * *)"}\n'
        ),
        f"bundles/bundle-{p:03d}/databricks.yml": _yaml(
            {"bundle": {"name": f"pricing-{p}"}, "include": ["resources/*.yml"]}
        ),
        f"bundles/bundle-{p:03d}/resources/monitoring.yml": _yaml(
            {
                "resources": {
                    "quality_monitors": {
                        f"pricing_{p}": {
                            "table_name": f"main.pricing.predictions_{p}",
                            "output_schema_name": "main.pricing",
                            "assets_dir": f"/Workspace/Shared/pricing-{p}",
                            "snapshot": {},
                        }
                    },
                    "alerts": {
                        f"drift_{p}": {
                            "display_name": "Pricing drift",
                            "query_text": "SELECT max(js_distance) AS js FROM "
                            f"main.pricing.predictions_{p}_drift_metrics",
                            "evaluation": {
                                "comparison_operator": "GREATER_THAN",
                                "source": {"name": "js", "aggregation": "MAX"},
                                "threshold": {"value": {"double_value": 0.25}},
                            },
                        }
                    },
                }
            }
        ),
    }
    return files


def card_layouts(rng: random.Random, p: int) -> dict[str, str]:
    """Cards in the layouts other than models/*/MODEL_CARD.md: several cards in one
    `model_cards/` folder, a `docs/model_card.md`, a Hugging Face README with front matter."""
    hf_front = (
        "---\nlicense: mit\nlibrary_name: transformers\npipeline_tag: text-classification\n"
        "datasets: [imdb]\n---\n"
    )
    files = {
        f"model_cards/group-{p:03d}/classifier.md": model_card(rng, p).replace(
            f"# Model {p:04d}", f"# Classifier {p}"
        ),
        f"model_cards/group-{p:03d}/ranker.md": model_card(rng, p + 1).replace(
            f"# Model {p + 1:04d}", f"# Ranker {p}"
        ),
        f"services/hf-{p:03d}/README.md": hf_front
        + f"# hf-model-{p}\n\n"
        + "\n".join(
            f"## {name}\n\n{_paragraph(rng, 2)}\n"
            for k, name in enumerate(CARD_SECTIONS)
            if not (p % 4 == 1 and k == 2)
        ),
        f"tools/tool-{p:03d}/docs/model_card.md": model_card(rng, p + 2),
    }
    return files


# Folders of files the real-repository readers look into, made per unit (about a tenth of
# the repository): (files per unit, generator).
PROJECTS = (dvc_project, mlproject, platform_monitors, card_layouts)
_PROJECT_FILES = 6 + 2 + 4 + 4


def _yaml(doc: object) -> str:
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)


FILLER = (  # (share of filler files, directory, suffix, generator)
    (0.44, "src/pipeline", ".py", python_module),
    (0.06, "notebooks", ".ipynb", notebook),
    (0.20, "configs/jobs", ".yaml", yaml_config),
    (0.10, "configs/labels", ".json", json_config),
    (0.05, "configs/tools", ".toml", toml_config),
    (0.10, "docs", ".md", doc_page),
)


def layout(n_files: int) -> dict[str, str]:
    """Every file of a repository with n_files tracked files: path -> content."""
    rng = random.Random(n_files)
    files: dict[str, str] = {
        ".govcheck.yaml": "version: 1\npolicies: [builtin:all]\nfail_on: error\n",
        "README.md": "# Synthetic ML repository\n\nGenerated by benchmarks/gen_repo.py.\n",
        "MODEL_CARD.md": model_card(rng, 9999),  # the root card
    }
    n_models = n_files // 10
    for i in range(n_models):
        base = f"models/model-{i:04d}"
        files[f"{base}/MODEL_CARD.md"] = model_card(rng, i)
        files[f"{base}/monitoring.yaml"] = monitoring(rng, i)
        files[f"{base}/train.yaml"] = training(rng, i)
    for p in range(n_files // 10 // _PROJECT_FILES):
        for make_project in PROJECTS:
            files.update(make_project(rng, p))
    filler = n_files - len(files)
    k = 0
    for share, folder, suffix, make in FILLER:
        for _ in range(int(filler * share)):
            files[f"{folder}/part-{k // 100:03d}/item_{k:05d}{suffix}"] = make(rng, k)
            k += 1
    while len(files) < n_files:  # the rest: small data files and .env files
        if k % 7 == 0:
            files[f"services/svc-{k:05d}/.env"] = (
                f"MLFLOW_EXPERIMENT_NAME=services/svc-{k}\nPORT=80\n"
            )
        else:
            files[f"data/samples/sample_{k:05d}.csv"] = "id,value\n" + "".join(
                f"{r},{rng.random():.5f}\n" for r in range(20)
            )
        k += 1
    return files


def generate(root: Path, n_files: int) -> Path:
    """Write and commit the repository at root (replacing nothing: root must not exist)."""
    root.mkdir(parents=True)
    for rel, text in layout(n_files).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    commit = ["-c", "commit.gpgsign=false", "commit", "-q"]
    for args in (
        ["init", "-q", "-b", "main"],
        [*commit, "--allow-empty", "-m", "root"],
        ["add", "-A"],
        [*commit, "-m", "synthetic ML repository"],
    ):
        subprocess.run(["git", *args], cwd=root, env=GIT_ENV, check=True, capture_output=True)
    return root


# Fixed identity and dates: the empty root commit has the same sha in every generated
# repository, so the MLflow store's runs can name a commit that exists in all of them.
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
}


def root_commit(repo: Path) -> str:
    done = subprocess.run(
        ["git", "rev-list", "--max-parents=0", "HEAD"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()[0]


def cached(cache: Path, n_files: int) -> Path:
    """The repository of n_files files under cache/, generated on first use."""
    root = cache / f"repo-{n_files}-v{GENERATOR_VERSION}"
    if not (root / ".git").is_dir():
        if root.exists():
            import shutil

            shutil.rmtree(root)  # a half-written repository from an interrupted run
        tmp = root.with_name(root.name + ".tmp")
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp)
        generate(tmp, n_files)
        tmp.rename(root)
    return root
