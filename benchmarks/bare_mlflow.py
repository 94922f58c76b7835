"""The baseline for the MLflow rules: page through the same runs with MlflowClient, nothing else.

usage: python bare_mlflow.py TRACKING_URI [--registry] [--like PATTERN] [--since-ms MILLIS]
Searches the active experiments, then their runs (1,000 per page, 100 experiments per
request, as govcheck does); with --registry also the registered models and versions.
A scoped check's searches: --like narrows experiments by a `name LIKE` filter, --since-ms
runs by start time (as `mlflow.experiments` and `runs_since_days` do).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

PAGE = 1000


def pages(fetch: Callable[[str | None], Any]) -> Iterator[Any]:
    token = None
    while True:
        page = fetch(token)
        yield from page
        token = page.token
        if not token:
            return


def main(uri: str, registry: bool, like: str | None = None, since_ms: int | None = None) -> int:
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    from mlflow.entities import ViewType

    from mlflow import MlflowClient

    client = MlflowClient(uri, registry_uri=uri)
    ids = [
        e.experiment_id
        for e in pages(
            lambda t: client.search_experiments(
                view_type=ViewType.ACTIVE_ONLY,
                max_results=PAGE,
                page_token=t,
                filter_string=f"name LIKE '{like}'" if like else None,
            )
        )
    ]
    runs = 0
    since = f"attributes.start_time >= {since_ms}" if since_ms is not None else ""
    for start in range(0, len(ids), 100):
        batch = ids[start : start + 100]
        runs += sum(
            1
            for _ in pages(
                lambda t, b=batch: client.search_runs(
                    b, filter_string=since, max_results=PAGE, page_token=t
                )
            )
        )
    out = f"runs: {runs}"
    if registry:
        models = sum(
            1
            for _ in pages(
                lambda t: client.search_registered_models(max_results=PAGE, page_token=t)
            )
        )
        versions = sum(
            1 for _ in pages(lambda t: client.search_model_versions(max_results=PAGE, page_token=t))
        )
        out += f", models: {models}, versions: {versions}"
    print(out)
    return 0


def _option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


if __name__ == "__main__":
    rest = sys.argv[2:]
    since = _option(rest, "--since-ms")
    sys.exit(
        main(
            sys.argv[1],
            "--registry" in rest,
            _option(rest, "--like"),
            int(since) if since is not None else None,
        )
    )
