"""Storage of `--memory`: a throw-away SQLite file in RAM-backed temporary storage.

A true `:memory:` database lives in one connection, so every request used to queue on one
process-wide lock for it. A WAL file on tmpfs (`/dev/shm` where there is one) keeps state in RAM
just the same, yet gives each thread its own connection, readers that never wait for a writer,
and the exact semantics of a database file. The file goes when its `Database` is collected or
the process exits; files left by a killed process are swept by the next one that starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

PREFIX = "lms-emulator-memory-"
_OWNED = re.compile(re.escape(PREFIX) + r"(\d+)-")


def _directory() -> Path:
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep(directory: Path) -> None:
    for path in directory.glob(f"{PREFIX}*"):
        owner = _OWNED.match(path.name)
        if owner is not None and not _alive(int(owner.group(1))):
            remove(path)


def create() -> Path:
    """A new empty database file for one in-memory `Database`."""
    directory = _directory()
    _sweep(directory)
    fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=".db", dir=directory)
    os.close(fd)
    return Path(name)


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")
