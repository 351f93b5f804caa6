"""Export everything published in the import format; ``schule import`` reads it back.

Two promises, each held by a test:

* every line is one record, whatever the text holds: lines end at line feeds only, and the line
  breaks ``json.dumps`` would leave raw (U+0085, U+2028, U+2029) are escaped (``json_output``);
* an export never refers to a record it leaves out, so it imports on its own, into an empty store.
  It holds published entries only. Per reference to an entry that is not published (a project a
  member's edit sent back to review, a rejected one, a draft):

  - a lesson's ``project`` is required: the lesson is left out (it belongs to its project and
    comes back with it once the project is published again);
  - a membership's ``commune`` and ``network`` are required: the membership is left out;
  - every other reference is optional and is dropped from the record, which stays: a project's
    ``adapted_from``, ``contacts``, ``communes``, ``handlungsfelder``; a lesson's ``author`` and
    ``handlungsfelder``; a person's ``commune``/``organisation``; an event's ``organiser``; a
    Handlungsfeld's ``parent``.

Drafts, versions, the audit log and accounts are not part of an export: ``schule backup`` has them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from schule.json_output import json_line
from schule.services.atomic_file import write_atomically
from schule.store.graph import CypherGraphStore


def write_export(store: CypherGraphStore, out: TextIO) -> int:
    count = 0
    for record in store.iter_export():
        out.write(json_line(record))
        count += 1
    return count


def export_to_file(store: CypherGraphStore, path: Path) -> int:
    """Write atomically: a crash never leaves a half-written export under the target name."""
    return write_atomically(path, lambda out: write_export(store, out), prefix=".schule-export-")
