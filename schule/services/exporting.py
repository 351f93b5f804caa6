"""Export everything published in the import format (it round-trips through ``import``)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TextIO

from schule.errors import SchuleError
from schule.store.graph import CypherGraphStore


def write_export(store: CypherGraphStore, out: TextIO) -> int:
    count = 0
    for record in store.iter_export():
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count


def export_to_file(store: CypherGraphStore, path: Path) -> int:
    """Write atomically: a crash never leaves a half-written export under the target name."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise SchuleError(f"{path}: Ordner {directory} existiert nicht")
    fd, tmp = tempfile.mkstemp(prefix=".schule-export-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            count = write_export(store, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
