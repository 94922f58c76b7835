"""Parse a full check's files on every core before the rules ask for them.

A check over a large repository spends much of its time parsing YAML/JSON/TOML files and
markdown cards, one file at a time. Before the rules run, this hands the files whose
parsed facts the content cache does not hold yet to a pool of worker processes, which
parse them and send back the encoded facts (facts/encoded.py); the rules then find them
in the cache (filecache.py) exactly as if an earlier check had stored them. Only files
are parsed here; every notice, refusal and finding still comes from the check itself,
in the order its rules ask, so the report is the same with workers or without.

The pool starts only when it pays: a check limited to PATHs (pre-commit) never starts
one, nor does a repository with fewer than POOL_MIN_FILES files left to parse, a machine
with one core (or GOVCHECK_JOBS=1), or a platform without `fork` (starting interpreters
that import govcheck costs more than they would save).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable
from typing import Any

from govcheck.facts import encoded, markdown
from govcheck.facts.base import Facts
from govcheck.facts.files import MARKDOWN_SUFFIXES, FileFields
from govcheck.facts.parsing import data_format, parse_file
from govcheck.filecache import FileCache, encode
from govcheck.progress import Detail

POOL_MIN_FILES = 300  # below this many files to parse, workers cost more than they save
_CHUNKS_PER_WORKER = 4  # small enough to even out, large enough to keep messages few

# Resource kinds whose providers parse every data file, or every markdown file.
DATA_READERS = frozenset(
    {
        "data_reference",
        "experiment_reference",
        "monitor",
        "registered_model_reference",
        "model",
        "deployment",
        "dvc_file",
        "dvc_stage",
        "mlproject",
    }
)
CARD_READERS = frozenset({"model_card", "dataset_card", "model"})

Job = tuple[str, str, str, tuple[str, ...]]  # path, blob id, text, kinds of facts to make


def cores() -> int:
    """Worker processes to start: the cores this process may run on, or GOVCHECK_JOBS when
    set lower (a container's CPU quota is not visible in the affinity mask; 1 disables)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    asked = os.environ.get("GOVCHECK_JOBS", "").strip()
    if asked.isdigit() and int(asked) >= 1:
        n = min(n, int(asked))
    return n


def prefetch(facts: Facts, kinds: Iterable[str]) -> int:
    """Parse in workers what the rules over these resource kinds will read; returns how
    many files were handed to workers (0 when no pool was started)."""
    wanted = set(kinds)
    data, cards = bool(wanted & DATA_READERS), bool(wanted & CARD_READERS)
    if facts.context.paths is not None or not (data or cards):
        return 0
    # Listed now whether workers start or not: the listing's notices (symlinks skipped)
    # then come first on any machine, and the report does not depend on its core count.
    facts.resources("file")
    workers = cores()
    if workers < 2:
        return 0
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cache = facts.filecache or FileCache(None)
    jobs = _jobs(facts, cache, data, cards)
    if len(jobs) < POOL_MIN_FILES:
        return 0
    facts.filecache = cache  # --no-cache: entries for this check only
    facts.context.progress(Detail(f"parsing {len(jobs):,} files on {workers} cores"))
    size = max(1, len(jobs) // (workers * _CHUNKS_PER_WORKER))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for made in pool.imap(_work, chunks):  # in order: the cache fills the same way
            for path, blob, kind, raw in made:
                cache.put_encoded(cache.key(kind, path, blob), raw)
    return len(jobs)


def _jobs(facts: Facts, cache: FileCache, data: bool, cards: bool) -> list[Job]:
    jobs: list[Job] = []
    for res in facts.resources("file"):
        fields = res.fields
        if not isinstance(fields, FileFields):
            continue
        if data and data_format(res.id) is not None:
            kinds: tuple[str, ...] = ("parsed",)
        elif cards and fields.suffix in MARKDOWN_SUFFIXES:
            kinds = ("front", "scan")
        else:
            continue
        text = fields.quiet_text()
        blob = fields.blob if text is not None else None
        if text is None or blob is None:
            continue  # unreadable: the check says why, when a rule asks
        missing = tuple(k for k in kinds if not cache.has(cache.key(k, res.id, blob)))
        if missing:
            jobs.append((res.id, blob, text, missing))
    return jobs


Made = tuple[str, str, str, bytes]  # path, blob id, kind of facts, the facts encoded


def _work(chunk: list[Job]) -> list[Made]:
    """In a worker: parse each file and encode what it yields; a file that fails in any way
    is left to the check, which then meets the same failure itself."""
    out: list[Made] = []
    for path, blob, text, kinds in chunk:
        made: list[tuple[str, Any]] = []
        try:
            made = _made(path, text, kinds)
        except Exception:  # noqa: BLE001 - whatever it is, the check meets it again itself
            made = []
        out += [(path, blob, kind, encode(value)) for kind, value in made if value is not None]
    return out


def _made(path: str, text: str, kinds: tuple[str, ...]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if "parsed" in kinds:
        parsed = parse_file(path, text)
        if parsed is not None:
            out.append(("parsed", encoded.encode_parsed(parsed, path)))
    if "front" in kinds or "scan" in kinds:
        front = markdown.front_matter(text, path)
        if "front" in kinds:
            out.append(("front", encoded.encode_front(front, path)))
        if "scan" in kinds:
            out.append(("scan", encoded.encode_scan(markdown.scan_with(text, front))))
    return out
