"""Run the installed ``schule`` command the way a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCHULE = str(Path(sys.executable).with_name("schule"))


def run_schule(*args: str, data_dir: Path, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    full_env["SCHULE_DATA_DIR"] = str(data_dir)
    full_env.update(env or {})
    return subprocess.run([SCHULE, *args], capture_output=True, text=True, env=full_env, timeout=timeout,
                          stdin=subprocess.DEVNULL)
