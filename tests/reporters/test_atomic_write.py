"""Reports written whole or not at all, and never over what is not a report file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from govcheck.atomic import write_atomic

SRC = str(Path(__file__).resolve().parents[2] / "src")
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])),
}


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


# --- what is not a report file is never replaced -----------------------------------------


def test_a_fifo_is_written_into_and_kept(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "report\n")
    reader.join(timeout=10)
    assert received == [b"report\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_character_device_is_written_into_and_kept(tmp_path: Path) -> None:
    # As root, replacing /dev/null turned it into a regular file for the whole machine.
    if os.geteuid() == 0:
        device = tmp_path / "null"  # a private /dev/null: the real one is never at risk
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    else:
        device = Path("/dev/null")
    write_atomic(device, "report\n")
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert not any(p.name.endswith(".tmp") for p in device.parent.iterdir())


def test_dev_stdout_writes_into_the_stream() -> None:
    code = "from govcheck.atomic import write_atomic; write_atomic('/dev/stdout', 'to the pipe\\n')"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=ENV
    )
    assert (done.returncode, done.stdout) == (0, "to the pipe\n"), done.stderr


def test_a_symlink_is_kept_and_its_target_written(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "r.sarif"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.sarif"
    os.symlink(real, link)
    write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    dangling = tmp_path / "next.sarif"
    os.symlink("reports/next-real.sarif", dangling)
    write_atomic(dangling, "created")
    assert dangling.is_symlink() and (tmp_path / "reports" / "next-real.sarif").read_text() == (
        "created"
    )


def test_a_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, "x")


def test_a_directory_output_is_one_line_exit_2(make_repo, capsys) -> None:  # type: ignore[no-untyped-def]
    from govcheck.cli import main

    repo = make_repo({"a.txt": "a"})
    (repo / "out").mkdir()
    code = main(["check", "--repo", str(repo), "--no-mlflow", "--output", str(repo / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == [f"cannot write report {repo / 'out'}: is a directory"]


def test_temporary_files_of_a_killed_writer_are_removed_on_the_next_write(
    tmp_path: Path,
) -> None:
    target = tmp_path / "r.json"
    code = (
        "import os, time, sys\n"
        "from govcheck import atomic\n"
        "os.replace = lambda *a: (print('written', flush=True), time.sleep(60))\n"
        f"atomic.write_atomic({str(target)!r}, 'x' * 100000)\n"
    )
    for signum, left in ((signal.SIGKILL, 1), (signal.SIGTERM, 0)):
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=ENV
        )
        assert proc.stdout is not None and proc.stdout.readline() == "written\n"
        proc.send_signal(signum)
        proc.wait(timeout=120)  # a loaded CI machine schedules it late
        temps = [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
        assert len(temps) == left, (signum, temps)  # SIGTERM cleans up at once
    (tmp_path / ".r.json.abc123.tmp").write_text("an older govcheck's leftover")
    os.utime(tmp_path / ".r.json.abc123.tmp", (0, 0))
    write_atomic(target, "fresh")
    assert os.listdir(tmp_path) == ["r.json"] and target.read_text() == "fresh"
