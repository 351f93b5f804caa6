"""Merging duplicates: every relationship moves to the surviving entry; the old id keeps resolving.

The duplicate is not deleted: it stays as a tombstone (state ``merged``, ``merged_into`` the
survivor) with no relationships. So its id can never be reused, ``store.get_resolved`` and
``access.visible`` answer the old id with the survivor, and the search index, which follows the
change log, drops the duplicate's document (it is no longer published). Entries merged into the
duplicate earlier are re-pointed to the survivor, so resolving is always one hop.
"""

from __future__ import annotations

from schule.auth.identity import Identity
from schule.domain.model import Entity, ReviewState
from schule.domain.problems import Code
from schule.domain.trust import FieldChange
from schule.services.access import TrustError, not_found, require_moderator
from schule.services.audit import audit_statements
from schule.services.history import version_statements
from schule.store.graph import CypherGraphStore, now_iso


def merge(
    store: CypherGraphStore, identity: Identity, survivor_id: str, duplicate_id: str, reason: str | None = None
) -> Entity:
    """Merge ``duplicate_id`` into ``survivor_id`` (same kind); returns the survivor."""
    operation = "merge"
    require_moderator(identity, operation)
    if survivor_id == duplicate_id:
        raise TrustError(Code.CONFLICT, "Ein Eintrag kann nicht mit sich selbst zusammengeführt werden.",
                         operation=operation, target=duplicate_id)
    found = store.get([survivor_id, duplicate_id])
    for entity_id in (survivor_id, duplicate_id):
        entity = found.get(entity_id)
        if entity is None:
            raise not_found(entity_id, operation)
        if entity.state == ReviewState.MERGED:
            raise TrustError(Code.CONFLICT, f"{entity_id!r} wurde schon in {entity.merged_into!r} überführt.",
                             operation=operation, target=entity_id)
    survivor, duplicate = found[survivor_id], found[duplicate_id]
    if survivor.kind != duplicate.kind:
        raise TrustError(Code.CONFLICT, f"{duplicate_id!r} ist ein {duplicate.kind.value}, {survivor_id!r} ein "
                         f"{survivor.kind.value}: nur Einträge derselben Art lassen sich zusammenführen.",
                         operation=operation, target=duplicate_id)
    touched = store.neighbour_ids(duplicate.id)
    now = now_iso()
    note = (reason or "").strip() or None
    statements = store.merge_statements(survivor, duplicate, touched, now)
    statements += version_statements(
        identity, entity_id=survivor.id, kind=survivor.kind, action="merge", state=survivor.state.value,
        changes=[FieldChange("merged_from", None, duplicate.id)], now=now, note=note,
    )
    statements += version_statements(
        identity, entity_id=duplicate.id, kind=duplicate.kind, action="merge", state=ReviewState.MERGED.value,
        changes=[FieldChange("state", duplicate.state.value, ReviewState.MERGED.value),
                 FieldChange("merged_into", None, survivor.id)], now=now, note=note,
    )
    statements += audit_statements(
        identity, operation, target=survivor.id, target_kind=survivor.kind.value, now=now, reason=note,
        details={"duplicate": duplicate.id, "relationships_of": sorted(touched)},
    )
    store.write(statements)
    merged = store.get([survivor.id]).get(survivor.id)
    assert merged is not None
    return merged


def resolve(store: CypherGraphStore, entity_id: str) -> str | None:
    """The id ``entity_id`` stands for now: itself, the survivor of a merge, or None if unknown."""
    return store.resolve_ids([entity_id]).get(entity_id)
