"""Request ids: 32 hex digits that tie an answer (``X-Request-ID``, "Anfrage-ID" on error pages) to
its log lines.

Not ``uuid.uuid4()``: it reads ``os.urandom``, a system call that lets go of the GIL, and getting
the GIL back behind busy worker threads took 1.7 ms per call (measured with three busy threads),
on the event loop, twice per GraphQL request: every other request waited with it. An id only has
to be unique, not secret (it grants nothing), so the process's own generator (seeded from the
operating system when the process starts) is enough.
"""

from __future__ import annotations

import random

_ids = random.Random()  # noqa: S311 - unique, not secret (see above)


def new_request_id() -> str:
    return f"{_ids.getrandbits(128):032x}"
