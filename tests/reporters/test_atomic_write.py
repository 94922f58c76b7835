from __future__ import annotations

import os
from pathlib import Path

import pytest

from govcheck.atomic import write_atomic


def test_writes_exact_text(tmp_path: Path) -> None:
    target = tmp_path / "r.sarif"
    write_atomic(target, "a\r\nb\nü")
    assert target.read_bytes() == "a\r\nb\nü".encode()
    assert os.listdir(tmp_path) == ["r.sarif"]


def test_replaces_and_uses_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "r.xml"
    target.write_text("old")
    old = os.umask(0o022)
    try:
        write_atomic(str(target), "new")
    finally:
        os.umask(old)
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o644


def test_failure_keeps_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "bad \udc80 surrogate")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["r.json"]


def test_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "nope" / "r.json", "x")
