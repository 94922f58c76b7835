"""A synthetic ML repository as a real git repository, deterministic for a given size.

One tenth of the files sit in model directories (a card, a monitoring config and a
training config with data references and an experiment name each); the rest is filler of
the kinds an ML repository holds: Python modules, YAML/JSON/TOML configs, docs, small data
files and .env files. A few per cent of everything is planted wrong (missing sections, an
invalid monitoring config, unpinned data, a bad experiment name), so the check does the
work of reporting findings too.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

GENERATOR_VERSION = 2  # bump when the content changes, so cached repositories are rebuilt
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


def _yaml(doc: object) -> str:
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)


FILLER = (  # (share of filler files, directory, suffix, generator)
    (0.50, "src/pipeline", ".py", python_module),
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
    }
    n_models = n_files // 10
    for i in range(n_models):
        base = f"models/model-{i:04d}"
        files[f"{base}/MODEL_CARD.md"] = model_card(rng, i)
        files[f"{base}/monitoring.yaml"] = monitoring(rng, i)
        files[f"{base}/train.yaml"] = training(rng, i)
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
