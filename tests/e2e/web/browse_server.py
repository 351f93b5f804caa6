"""A served app whose store holds the seed plus enough entries to browse (``browse_server``).

The seed has 9 projects and 11 lessons, fewer than one list page (20); ``BROWSE_DATA`` adds 30
projects in the Kreis Steinfurt communes (Mobilität, alternating stands, started 2011–2040, every
third tagged "Testreihe"), 22 lessons from them, and adoptions of seed projects (Stadtlabor Soest in
two communes, the data platform in one), imported with ``schule import`` by a second process as an
administrator would. A server of its own: the shared ``web_server`` keeps the plain seed that other
tests count on. Import it in a test module as a fixture (``from … import browse_server``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from schule.app import create_app
from schule.auth.ratelimit import Limits, RateLimiter
from schule.settings import Settings
from tests.conftest import SEED_DIR
from tests.e2e.web.conftest import START_TIMEOUT_S, WebServer, serve

STEINFURT = ["rheine", "recke", "ibbenbueren", "greven", "emsdetten"]
STATUSES = ["idea", "planning", "implementation", "operation", "completed", "stopped"]
EXTRA_PROJECTS = 30
EXTRA_LESSONS = 22


def browse_data() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in range(EXTRA_PROJECTS):
        rows.append({
            "kind": "project", "id": f"testprojekt-{n:02d}", "title": f"Testprojekt {n:02d} Verkehrszählung",
            "summary": f"Zählung Nummer {n} für die Liste.", "commune": STEINFURT[n % len(STEINFURT)],
            "handlungsfelder": ["mobilitaet"], "status": STATUSES[n % len(STATUSES)],
            "started": str(2011 + n), **({"tags": ["Testreihe"]} if n % 3 == 0 else {}),
        })
    for n in range(EXTRA_LESSONS):
        rows.append({"kind": "lesson", "id": f"testerkenntnis-{n:02d}", "project": f"testprojekt-{n:02d}",
                     "title": f"Testerkenntnis {n:02d}", "text": "Früh mit dem Ordnungsamt sprechen.",
                     "type": ["success", "pitfall", "recommendation"][n % 3]})
    rows += [
        {"kind": "adaptation", "id": "uebernahme-stadtlabor-olpe", "adopts": "stadtlabor-soest", "commune": "olpe",
         "status": "done"},
        {"kind": "adaptation", "id": "uebernahme-stadtlabor-menden", "adopts": "stadtlabor-soest",
         "commune": "menden", "status": "planned"},
        {"kind": "adaptation", "id": "uebernahme-stadtlabor-olpe-2", "adopts": "stadtlabor-soest", "commune": "olpe",
         "status": "in_progress"},
        {"kind": "adaptation", "id": "uebernahme-plattform-attendorn", "adopts": "offene-regionale-datenplattform",
         "commune": "attendorn", "status": "done"},
    ]
    return rows


@pytest.fixture(scope="session")
def browse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data_dir = tmp_path_factory.mktemp("browse-data")
    env = {"SCHULE_DATA_DIR": str(data_dir), "SCHULE_SEED_DIR": str(SEED_DIR), "SCHULE_ENV": "production"}
    # The tests read every page of several lists in a burst, far more than a person would (a list page
    # costs ~1,300 query units; the default allows 20,000 at once); the limits have tests of their own.
    limits = Limits(sign_in=RateLimiter(capacity=1000, per_second=10.0), mutations=RateLimiter(1000, 10.0),
                    queries=RateLimiter(capacity=10_000_000, per_second=1_000_000))
    app = create_app(Settings.from_env(env), limits=limits)
    with serve(app) as base:
        extra = data_dir / "browse.jsonl"
        extra.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in browse_data()), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "schule.cli", "import", str(extra)], env={**os.environ, **env},
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        # the search index (facet counts, search feed) follows the graph's change log: wait for it
        deadline = time.monotonic() + START_TIMEOUT_S
        while "testprojekt-29" not in httpx.get(base + "/?q=Testprojekt+29", timeout=30).text:
            if time.monotonic() > deadline:
                pytest.fail("the search index did not take up the imported projects")
            time.sleep(0.2)
        yield WebServer(base, data_dir, env)
