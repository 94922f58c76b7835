"""Stores written by other MLflow versions, and an MLflow client at govcheck's lower bound.

Each MLflow version gets a throwaway virtualenv under DIR; `world_writer.py` runs in it and
writes the test world into DIR/mlflow-<label>.db (its ids in world-<label>.json), naming
as good commit the one `fixed_repo()` always produces. The client virtualenv installs
`govcheck[mlflow]` with mlflow-skinny pinned to the declared lower bound, proving the
range resolves. The tests read DIR from GOVCHECK_MLFLOW_STORES and never build anything:

    python tests/mlflow/versioned_stores.py DIR     # .ci/run does this, then sets the variable

Everything is cached: a store is rebuilt only when its spec or the writer changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ENV_VAR = "GOVCHECK_MLFLOW_STORES"
# label -> what the writer's virtualenv installs. MLflow 2.x's store code needs
# SQLAlchemy < 2.1 (it imports a pool class 2.1 removed).
WRITERS = {
    "2.22": ["mlflow-skinny==2.22.*", "sqlalchemy>=2.0,<2.1", "alembic"],
    "3.16": ["mlflow-skinny==3.16.*", "sqlalchemy>=2.0", "alembic"],
}
CLIENT_LOWER_BOUND = "2.4.0"  # pyproject: govcheck[mlflow] = mlflow-skinny>=2.4
REPO_FILES = {
    "models/fraud-detector/MODEL_CARD.md": "# fraud-detector\n\n## Intended Use\nFraud scoring.\n",
    "models/fraud-detector/monitoring.yaml": "model: fraud-detector\nalias: champion\n",
    "README.md": "# ML repo\n",
}
_FIXED = {
    "GIT_AUTHOR_NAME": "Test User",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00+00:00",
    "GIT_COMMITTER_NAME": "Test User",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00+00:00",
}


def fixed_repo(root: Path) -> str:
    """A git repository whose one commit has the same SHA wherever it is made."""
    env = {**os.environ, **_FIXED}

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", *args],
            cwd=root, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip()

    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main")
    for rel, text in REPO_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode("utf-8"))
    git("add", "--", *REPO_FILES)
    git("commit", "-q", "-m", "models")
    return git("rev-parse", "HEAD")


def _stamp(*parts: str) -> str:
    writer = (HERE / "world_writer.py").read_bytes()
    return hashlib.sha256(writer + "\0".join(parts).encode()).hexdigest()[:16]


def _venv(path: Path, requirements: list[str]) -> Path:
    python = path / "bin" / "python"
    marker = path / "requirements.txt"
    if marker.is_file() and marker.read_text() == "\n".join(requirements):
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-compile", *requirements],
        check=True,
    )  # fmt: skip
    marker.write_text("\n".join(requirements))
    return python


def build_store(out: Path, label: str, good_sha: str) -> float:
    """DIR/mlflow-<label>.db written by that MLflow; returns the seconds it took."""
    started = time.monotonic()
    db, world = out / f"mlflow-{label}.db", out / f"world-{label}.json"
    stamp = out / f"mlflow-{label}.stamp"
    wanted = _stamp(label, *WRITERS[label], good_sha)
    if db.is_file() and world.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return 0.0
    python = _venv(out / f"venv-{label}", WRITERS[label])
    db.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as scratch:  # MLflow makes ./mlruns in its cwd
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env.pop("PYTHONPATH", None)
        subprocess.run(
            [str(python), str(HERE / "world_writer.py"), f"sqlite:///{db}", good_sha, str(world)],
            cwd=scratch, env=env, check=True,
        )  # fmt: skip
    stamp.write_text(wanted)
    return time.monotonic() - started


def build_client(out: Path) -> float:
    """DIR/venv-client: govcheck[mlflow] with mlflow-skinny at the declared lower bound."""
    started = time.monotonic()
    _venv(out / "venv-client", [f"{ROOT}[mlflow]", f"mlflow-skinny=={CLIENT_LOWER_BOUND}"])
    return time.monotonic() - started


def client_python(out: Path) -> Path:
    return out / "venv-client" / "bin" / "python"


def main(argv: list[str]) -> int:
    out = Path(argv[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        good_sha = fixed_repo(Path(scratch) / "repo")
    # pip spends most of its time waiting on small files: the builds overlap well.
    with ThreadPoolExecutor(max_workers=len(WRITERS) + 1) as pool:
        futures = {label: pool.submit(build_store, out, label, good_sha) for label in WRITERS}
        futures["client"] = pool.submit(build_client, out)
        for name, future in futures.items():
            print(f"{ENV_VAR}: {name} ready ({future.result():.0f} s)", file=sys.stderr)
    (out / "commit.json").write_text(json.dumps({"good_sha": good_sha}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
