"""Write a report so that readers see the old file or the whole new one, never half of it,
and never replace what is not a report file.

`--output` may name a device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO a CI step
reads): the report is written into it, since replacing it with a regular file would, as
root, turn /dev/null into a file. A symlink is kept and the file it points to is
replaced. A directory is an error. Only a regular file (or a new path) gets the atomic
temporary-file-and-rename, and temporary files a killed run left behind are removed.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

_STALE_SECONDS = 3600  # a temporary file this old is stale even if its pid was reused
_STREAM_ROOTS = ("/dev/", "/proc/")  # /dev/stdout, /proc/self/fd/1: streams, not files


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write text (UTF-8, newlines as given; or bytes as they are) to path.

    A regular file or a new path is written through a temporary file in the same directory
    and a rename (os.replace is only atomic within one filesystem); an error, or SIGTERM,
    leaves the previous file untouched and no temporary file. A device or FIFO is written
    into; a symlink's target is replaced, the link kept; a directory raises
    IsADirectoryError.
    """
    target = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        st: os.stat_result | None = os.stat(target)  # follows symlinks
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    if (st is not None and not stat.S_ISREG(st.st_mode)) or str(target).startswith(_STREAM_ROOTS):
        with open(target, "wb") as stream:
            stream.write(data)
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))  # replace what the link names, keep the link
    _replace(target, data)


def _replace(target: Path, data: bytes) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    prefix = f".{target.name}."
    remove_stale(directory, prefix)
    with _terminate_cleanly():
        fd, tmp_name = tempfile.mkstemp(
            prefix=f"{prefix}{os.getpid()}.", suffix=".tmp", dir=directory
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            # mkstemp creates the file 0600; a report should get the usual umask-based mode.
            os.chmod(tmp_name, 0o666 & ~_current_umask())
            os.replace(tmp_name, target)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise


def remove_stale(directory: Path, prefix: str) -> None:
    """Remove `.NAME.<pid>.XXXX.tmp` files whose writer is gone (killed before its rename):
    its pid no longer runs, or the file is over an hour old."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid_text = name[len(prefix) :].split(".", 1)[0]
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > _STALE_SECONDS
            if old or not (pid_text.isdigit() and _alive(int(pid_text))):
                os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


@contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """While a temporary file exists, SIGTERM (a CI timeout, a Ctrl-C'd parent) exits
    through Python so the file is removed; SIGKILL cannot be caught, which is what
    remove_stale is for."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _current_umask() -> int:
    # The umask can only be read by setting it; set it straight back.
    mask = os.umask(0)
    os.umask(mask)
    return mask
