"""Request ids are unique per request and per process (workers of ``serve --workers N`` included)."""

from __future__ import annotations

import re
import subprocess
import sys

from schule.request_ids import new_request_id

FIRST_ID = "from schule.request_ids import new_request_id; print(new_request_id())"


def test_ids_are_32_hex_digits_and_do_not_repeat() -> None:
    ids = [new_request_id() for _ in range(10_000)]

    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_every_process_starts_from_its_own_seed() -> None:
    firsts = {subprocess.run([sys.executable, "-c", FIRST_ID], capture_output=True, text=True, check=True)
              .stdout.strip() for _ in range(3)}

    assert len(firsts) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in firsts)
