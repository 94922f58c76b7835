"""The verdict on one data reference, wherever it was found (a config value, a call in
code): is it data at all, is it pinned, and if not, what pins it. Shared by the config and
code readers so a path reads the same in `train.yaml` and in `pd.read_csv(...)`.

Statuses: `pinned`, `unpinned`, `unknown` (an interpolation or template only the run can
resolve: cannot be verified, not a finding) and `not-data` (with the classifier's reason).
A local path is pinned by DVC (see dvc_pins) or by git holding it; a folder git holds only a
`.gitkeep` in is not data in git.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from govcheck.facts.base import Facts
from govcheck.facts.datarefs import UriPin, classify_uri, revision_pin, uri_path
from govcheck.facts.dvc_pins import dvc_pins
from govcheck.facts.nondata import Classifier, classifier, extension
from govcheck.model import Location, Resource

# A scheme and nothing after it names no data: `gs://`, `s3://`, `hf://`.
_BARE_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:/*")

_NOT_PATHS = frozenset({"", ".", "./", "none", "null", "auto", "default", "true", "false", "???"})
_PATH_CHARS = re.compile(r"^[\w@%+=,.~/-]+$")
_HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")
_HF_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*$")
_FOLDER_KEY = re.compile(r"(dir|root|path|folder)$", re.IGNORECASE)
_PLACEHOLDERS = frozenset({".gitkeep", ".keep", ".gitignore", ".placeholder"})
HF_BUILDERS = frozenset(
    {
        "csv",
        "json",
        "text",
        "parquet",
        "arrow",
        "pandas",
        "imagefolder",
        "audiofolder",
        "videofolder",
        "webdataset",
        "xml",
        "sql",
        "generator",
    }
)


@dataclass(frozen=True)
class Verdict:
    scheme: str
    status: str  # pinned | unpinned | unknown | not-data
    pin: str | None = None
    hint: str = ""  # why it is not pinned, and the fix
    reason: str = ""  # why it is not data, or cannot be verified
    asset: str = "data"  # data | model
    uri: str | None = None  # the reference as judged, when it differs from the value
    floating: bool = False  # names a moving ref (a branch, @latest, an alias)


def _unpinned(scheme: str, hint: str, asset: str = "data") -> Verdict:
    return Verdict(scheme, "unpinned", hint=hint, asset=asset)


class Judge:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.cls: Classifier = classifier(facts)
        # "data/" for data_dirs' "data": asked of every config value that looks like a path
        self._data_prefixes = tuple(d + "/" for d in self.cls.data_dirs)

    # -- what a value is -----------------------------------------------------------------

    def local_path(self, value: str, key: Any, base: str, by_context: bool = False) -> str | None:
        """The repo-relative path a value names, when it names local data: under a data
        dir, under a data key, or read by a data call (`by_context`)."""
        text = value.strip()
        if text != value or text.lower() in _NOT_PATHS or not _PATH_CHARS.match(text):
            return None
        if text.startswith(("/", "~")) or "://" in text or text[:1].isdigit() and "/" not in text:
            return None
        path = posixpath.normpath(text)
        if path.startswith("../") or path == "..":
            joined = posixpath.normpath(posixpath.join(base, path)) if base else path
            if joined.startswith("../") or joined == "..":
                return None
            path = joined
        if path.startswith(self._data_prefixes):
            return path
        if by_context:
            return path  # read by a data call: whatever its name
        if not isinstance(key, str) or not self.cls.data_keys.match(key):
            return None
        # A bare name (`train.tsv`, `features`) is usually joined to a folder by the code
        # that reads it; only under a key naming a folder does it name one itself.
        if "/" in text.rstrip("/") or _FOLDER_KEY.search(key):
            return path
        return None

    def hf_id(self, value: str, key: Any, by_context: bool = False) -> bool:
        """Whether a value names a Hugging Face repository (`org/name`)."""
        if not by_context:
            if not isinstance(key, str) or not self.cls.hf_keys.match(key):
                return False
            bare_ok = key.lower().endswith("_name_or_path")
        else:
            bare_ok = True
        if not (_HF_ID.match(value) or bare_ok and _HF_NAME.match(value)):
            return False
        first = value.split("/", 1)[0]
        if first in self.cls.data_dirs or first in (".", "..") or extension(value):
            return False
        return not self.facts.exists(value)

    # -- verdicts ------------------------------------------------------------------------

    def uri(self, value: str, key: Any, parent: Any, by_context: bool = False) -> Verdict | None:
        """A URI with a data scheme, or an http(s) URL of a data file (any URL a data call
        reads, `by_context`); None if neither."""
        found = classify_uri(value)
        if found is None or _BARE_SCHEME.fullmatch(value.strip()):
            return None  # `prefix: gs://` declares a scheme (KServe storage containers)
        if found.scheme in ("http", "https"):
            host = self.cls.host_not_data(value)
            if host:
                return Verdict(found.scheme, "not-data", reason=host)
            if not by_context and not self.cls.is_data_url(value):
                return None  # a page or a download of code, not a data file
        # An hf:// URI names a Hub repository whatever its key says (base_model: hf://...).
        own_key = None if found.scheme == "hf" else key
        reason = self.cls.not_data(own_key, parent, uri_path(value))
        if reason:
            return Verdict(found.scheme, "not-data", reason=reason)
        verdict = self._verdict(found)
        if found.scheme == "hf" and ("model" in str(key).lower() or "/datasets/" not in value):
            verdict = replace(verdict, asset="model")
        return verdict

    @staticmethod
    def _verdict(found: UriPin) -> Verdict:
        if found.pin:
            return Verdict(found.scheme, "pinned", found.pin)
        return Verdict(found.scheme, "unpinned", hint=found.hint, floating=found.floating)

    def local(self, path: str, key: Any, parent: Any, base: str) -> Verdict:
        reason = self.cls.not_data(key, parent, path)
        if reason:
            return Verdict("local", "not-data", reason=reason)
        candidates = _candidates(path, base, self.facts.tracked_set())
        pins = dvc_pins(self.facts)
        for candidate in candidates:
            entry = pins.lookup(candidate)
            if entry is not None:
                if entry.pin:
                    return Verdict("local", "pinned", entry.pin)
                return _unpinned("local", entry.reason)
        for candidate in candidates:
            if self._in_git(candidate):
                return Verdict("local", "pinned", "git-tracked")
        if self.facts.in_worktree(path):
            hint = (
                f"neither committed nor tracked by DVC: `dvc add {path}` and commit the .dvc file"
            )
        else:
            hint = (
                "not in the repository and not tracked by DVC (fetched or made at run time?): "
                f"track it with `dvc add {path}` or `dvc import-url`"
            )
        return _unpinned("local", hint)

    def hf(self, name: str, revision: str | None, asset: str) -> Verdict:
        if revision is not None and re.fullmatch(r"[0-9a-fA-F]{40}", revision):
            return Verdict("hf", "pinned", "hf-revision", asset=asset)
        what = f"revision {revision!r} can move" if revision else "no revision: the latest commit"
        return _unpinned("hf", f'{what}; pin a commit: revision="<40-hex sha>"', asset)

    def hf_config(self, parent: Any, own_key: Any, asset: str) -> Verdict:
        pin = revision_pin(parent, own_key) if isinstance(parent, Mapping) else None
        if pin:
            return Verdict("hf", "pinned", pin, asset=asset)
        return _unpinned(
            "hf",
            "no revision (the latest commit); add a sibling revision: <40-hex commit sha>",
            asset,
        )

    def _in_git(self, path: str) -> bool:
        tracked = self.facts.tracked_set()
        if path in tracked:
            return True
        if path not in self.facts.dir_set():
            return False
        prefix = path.rstrip("/") + "/"
        return any(
            p.startswith(prefix) and p.rsplit("/", 1)[-1] not in _PLACEHOLDERS for p in tracked
        )


_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "MLproject", "dvc.yaml")


def _candidates(path: str, base: str, tracked: set[str]) -> list[str]:
    """Where a relative path may point: from the repository root, from the folder of the
    file that names it, or from a project folder above it (a subproject's conf/base names
    data/ from the folder holding its pyproject.toml)."""
    out = [path]
    folder = base
    while folder and folder != ".":
        first = folder == base
        if first or any(posixpath.join(folder, m) in tracked for m in _PROJECT_MARKERS):
            joined = posixpath.normpath(posixpath.join(folder, path))
            if joined not in out:
                out.append(joined)
        folder = posixpath.dirname(folder)
    return out


def judge(facts: Facts) -> Judge:
    return facts.shared("judge", lambda: Judge(facts))


def reference(
    file: str, line: int, column: int, value: str, key: Any, source: str, verdict: Verdict
) -> Resource:
    uri = verdict.uri or value
    fields = {
        "uri": uri,
        "written": value,
        "scheme": verdict.scheme,
        "file": file,
        "line": line,
        "column": column,
        "key": key if isinstance(key, str) else None,
        "source": source,
        "status": verdict.status,
        "pinned": verdict.status == "pinned",
        "pin": verdict.pin,
        "pin_hint": verdict.hint or None,
        "reason": verdict.reason or None,
        "asset": verdict.asset,
    }
    return Resource(
        "data_reference",
        f"{file}:{line}:{column}",
        fields,
        Location(file, line, column, snippet=value),
        touches=(file,),
    )
