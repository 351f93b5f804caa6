"""Merging duplicates: every relationship moves to the surviving entry; the old id keeps resolving.

The duplicate is not deleted: it stays as a tombstone (state ``merged``, ``merged_into`` the
survivor) with no relationships. So its id can never be reused, ``store.get_resolved`` and
``access.visible`` answer the old id with the survivor, and the search index, which follows the
change log, drops the duplicate's document (it is no longer published). Entries merged into the
duplicate earlier are re-pointed to the survivor, so resolving is always one hop.

Nothing the duplicate knew is lost: its versions stay as they were written (its id, its numbers) and
belong to the survivor's history (``store.histories``: an entry's versions and those of the entries
merged into it), which both ids answer with; the survivor's ``source`` names both sources (the
merge's version records the change); the version and the audit entry record who merged and why.
"""

from __future__ import annotations

from schule.auth.identity import Identity
from schule.domain.model import Entity, ReviewState
from schule.domain.problems import Code
from schule.domain.records import COMMON
from schule.domain.trust import FieldChange
from schule.services.access import TrustError, not_found, require_moderator
from schule.services.audit import audit_statements
from schule.services.history import version_statements
from schule.store.graph import CypherGraphStore, now_iso

MAX_REASON = 2000  # as for the reasons of the review workflow (moderation.MAX_REASON)
SOURCE_SEPARATOR = "; "


def combined_source(survivor: str | None, duplicate: str | None) -> str | None:
    """Both sources, the survivor's first, each part once (a source may already list several,
    separated by ``SOURCE_SEPARATOR``)."""
    parts = [p.strip() for text in (survivor, duplicate) for p in (text or "").split(SOURCE_SEPARATOR)]
    return SOURCE_SEPARATOR.join(dict.fromkeys(p for p in parts if p)) or None


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
    note = (reason or "").strip() or None
    if note is not None and len(note) > MAX_REASON:
        raise TrustError(Code.INVALID, f"Die Begründung ist länger als {MAX_REASON} Zeichen; bitte kürzen.",
                         operation=operation)
    source = combined_source(survivor.source, duplicate.source)
    limit = COMMON["source"].max_length
    if source is not None and len(source) > limit:
        # the combined text would not pass import validation (export must round-trip): refuse
        # rather than cut either source short
        raise TrustError(Code.INVALID, f"Die Quellen beider Einträge ergeben zusammen {len(source)} Zeichen, "
                         f"erlaubt sind {limit}: bitte zuerst die Quelle eines der beiden Einträge kürzen.",
                         operation=operation, target=duplicate_id)
    touched = store.neighbour_ids(duplicate.id)
    now = now_iso()
    statements = store.merge_statements(survivor, duplicate, touched, now, source)
    survivor_changes = [FieldChange("merged_from", None, duplicate.id)]
    if source != survivor.source:
        survivor_changes.append(FieldChange("source", survivor.source, source))
    statements += version_statements(
        identity, entity_id=survivor.id, kind=survivor.kind, action="merge", state=survivor.state.value,
        changes=survivor_changes, now=now, note=note,
    )
    statements += version_statements(
        identity, entity_id=duplicate.id, kind=duplicate.kind, action="merge", state=ReviewState.MERGED.value,
        changes=[FieldChange("state", duplicate.state.value, ReviewState.MERGED.value),
                 FieldChange("merged_into", None, survivor.id)], now=now, note=note,
    )
    statements += audit_statements(
        identity, operation, target=survivor.id, target_kind=survivor.kind.value, now=now, reason=note,
        details={"duplicate": duplicate.id, "relationships_of": sorted(touched),
                 "source": {"survivor": survivor.source, "duplicate": duplicate.source, "merged": source}},
    )
    store.write(statements)
    merged = store.get([survivor.id]).get(survivor.id)
    assert merged is not None
    return merged


def resolve(store: CypherGraphStore, entity_id: str) -> str | None:
    """The id ``entity_id`` stands for now: itself, the survivor of a merge, or None if unknown."""
    return store.resolve_ids([entity_id]).get(entity_id)
