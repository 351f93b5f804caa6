"""``bench/load/run.py`` as an operator runs it, small: every request of the mix must succeed.

The benchmark reports errors instead of failing, so when members were no longer allowed to choose
ids it went on measuring a mix whose every mutation was refused, and nobody noticed. This runs the
whole path once (its own data, ``schule import``, ``schule user add``, ``schule reindex``,
``schule serve``, the clients) and holds it to 0 errors; it asserts no timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_the_mixed_load_benchmark_runs_its_whole_mix_without_errors(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "load" / "run.py"), "--projects", "200", "--clients", "2",
         "--seconds", "3", "--warmup", "1", "--json", "--data-dir", str(tmp_path / "load")],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    by_type = figures["by_type"]
    assert set(by_type) == {"search", "list", "detail", "commune", "mutation"}
    assert figures["errors"] == 0, result.stdout[-3000:]
    assert all(t["requests"] > 0 for t in by_type.values())
    assert figures["requests"] == sum(t["requests"] for t in by_type.values())
