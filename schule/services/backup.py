"""Backup: everything a store holds, in one file that ``schule restore`` puts back into an empty store.

``schule export`` writes what is published, for other systems; a backup is for getting this system
back. It holds every node and relationship with all their properties: entries in every review state
(drafts, submissions, rejected ones, merge tombstones and their ``merged_into`` redirects), versions,
the audit log and its counter, accounts with their password hashes, API tokens and web sessions (as
SHA-256 hashes, so tokens made before the backup work after a restore), memberships and every other
relationship, and the change log's counter. It leaves out the change log's entries: they only tell
search indexes what to apply next, and a restore rebuilds the search index; the counter is kept, so
sequence numbers go on from where they were.

The file is JSON Lines (``json_output``): a header line, then one line per node, then one line per
relationship::

    {"format": "schule-backup", "version": 1, "created_at": "…", "engine": "falkordb",
     "nodes": {"Project": 9, …}, "relationships": {"LOCATED_IN": 48, …}}
    {"node": "Project", "props": {"id": "olpe-parksensoren", "kind": "project", "state": "published", …}}
    {"node": "Account", "props": {"id": "acct-…", "name": "anna", "password_hash": "$argon2id$…", …}}
    {"rel": "LOCATED_IN", "from": "olpe-parksensoren", "to": "olpe", "props": {}}

Labels are ``cypher_backup.NODE_KEYS`` (an entity's label is its kind's, :Entity is implied).

* A backup is written atomically (temporary file, fsync, rename), readable by its owner only. If
  anything was written while it read (the counts and counters before and after differ), it starts
  again, up to ``ATTEMPTS`` times: a backup is one consistent state.
* ``schule.services.restore`` reads it back into an empty store, after checking all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from schule.domain.model import Rel
from schule.errors import SchuleError
from schule.json_output import json_line
from schule.services.atomic_file import write_atomically
from schule.store.backup import BACKUP_PAGE, Inventory
from schule.store.cypher_backup import ENTITY_LABELS, NODE_KEYS
from schule.store.graph import CypherGraphStore
from schule.store.rows import now_iso

FORMAT = "schule-backup"
VERSION = 1
ATTEMPTS = 3


@dataclass(frozen=True)
class Summary:
    """How many nodes per label and relationships per type a backup holds."""

    nodes: dict[str, int]
    relationships: dict[str, int]

    def describe(self) -> str:
        nodes = sum(self.nodes.values())
        relationships = sum(self.relationships.values())
        details = ", ".join(f"{label}: {n}" for label, n in self.nodes.items() if n)
        return f"{nodes} Knoten ({details}), {relationships} Beziehungen"


# -- backup ---------------------------------------------------------------------------------------


class _ChangedMeanwhile(Exception):
    """Something was written while the backup read: its pages may not fit together."""


def _state(store: CypherGraphStore) -> tuple[Inventory, int, list[dict[str, Any]]]:
    """Counts by label and type plus both counters: every write of entries, versions, audit entries,
    accounts, tokens or sessions changes one of them."""
    inventory = store.inventory()
    if inventory.unknown:
        raise SchuleError("Sicherung abgebrochen: der Graph enthält, was eine Sicherung nicht kennt: "
                          + "; ".join(inventory.unknown))
    return inventory, store.last_change(), list(store.iter_backup_nodes("AuditCounter"))


def write_backup(store: CypherGraphStore, out: TextIO) -> Summary:
    """Write a backup of ``store`` to ``out``; raises ``_ChangedMeanwhile`` if the store changed."""
    before = _state(store)
    inventory = before[0]
    out.write(json_line({
        "format": FORMAT, "version": VERSION, "created_at": now_iso(), "engine": store.engine.name,
        "nodes": inventory.nodes, "relationships": inventory.relationships,
    }))
    nodes = {label: 0 for label in NODE_KEYS}
    relationships = {rel.value: 0 for rel in Rel}
    entity_ids: list[str] = []
    for label in NODE_KEYS:
        for props in store.iter_backup_nodes(label):
            out.write(json_line({"node": label, "props": props}))
            nodes[label] += 1
            if label in ENTITY_LABELS:
                entity_ids.append(props["id"])
    for start in range(0, len(entity_ids), BACKUP_PAGE):
        for rel, source, target, props in store.relationships_from(entity_ids[start:start + BACKUP_PAGE]):
            out.write(json_line({"rel": rel, "from": source, "to": target, "props": props}))
            relationships[rel] = relationships.get(rel, 0) + 1
    if _state(store) != before or nodes != inventory.nodes or relationships != inventory.relationships:
        raise _ChangedMeanwhile()
    return Summary(nodes, relationships)


def backup_to_file(store: CypherGraphStore, path: Path) -> Summary:
    """Write a backup atomically; a crash or a failure leaves no half-written file under ``path``."""
    for _ in range(ATTEMPTS):
        try:
            return write_atomically(path, lambda out: write_backup(store, out), prefix=".schule-backup-")
        except _ChangedMeanwhile:
            continue
    raise SchuleError(f"Sicherung abgebrochen: während des Lesens wurde {ATTEMPTS}-mal geschrieben; "
                      "bitte in einer ruhigeren Minute wiederholen")
