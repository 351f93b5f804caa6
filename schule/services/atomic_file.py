"""Writing a file so that a crash never leaves a half-written one under its name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

from schule.errors import SchuleError

T = TypeVar("T")


def write_atomically(path: Path, write: Callable[[TextIO], T], *, prefix: str) -> T:
    """Call ``write`` with a temporary file beside ``path`` (mode 0600: backups hold password hashes),
    fsync it and rename it to ``path``; if ``write`` raises, the temporary file goes and ``path`` is
    left as it was. Returns what ``write`` returned."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise SchuleError(f"{path}: Ordner {directory} existiert nicht")
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            result = write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)
    return result


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (it lives in the directory's entries)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
