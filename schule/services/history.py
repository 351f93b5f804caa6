"""Versions: every change to a project or lesson, with who, when and what changed.

A version is written in the same atomic batch as the change it describes, so there is no change
without its version. ``changes`` lists the import-format fields that differ (old and new value);
a workflow step records the ``state`` it moved from and to. An entry's history includes the versions
of the entries merged into it (``schule.services.merge``), each still naming the entry it was written for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from schule.auth.identity import Identity
from schule.domain.model import Entity, Kind
from schule.domain.records import SPEC
from schule.domain.trust import FieldChange, Version
from schule.services.access import get_visible
from schule.store.base import Statement
from schule.store.graph import CypherGraphStore

VERSIONED = (Kind.PROJECT, Kind.LESSON)


def entity_fields(entity: Entity | None) -> dict[str, Any]:
    """An entity as import-format fields (lists for lists, enum values as strings), Nones dropped."""
    if entity is None:
        return {}
    out: dict[str, Any] = {}
    for name in SPEC[entity.kind]:
        if not hasattr(entity, name) or name == "kind":
            continue
        value = getattr(entity, name)
        if isinstance(value, tuple):
            value = list(value)
        elif hasattr(value, "value"):
            value = value.value
        if value is not None and value != []:
            out[name] = value
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    changes = []
    for name in dict.fromkeys([*before, *after]):
        if name == "id":
            continue
        old, new = before.get(name), after.get(name)
        if isinstance(old, list) and isinstance(new, list) and sorted(map(str, old)) == sorted(map(str, new)):
            continue
        if old != new:
            changes.append(FieldChange(name, old, new))
    return changes


def version_statements(
    identity: Identity, *, entity_id: str, kind: Kind, action: str, state: str | None,
    changes: Sequence[FieldChange], now: str, note: str | None = None,
) -> list[Statement]:
    if kind not in VERSIONED:
        return []
    payload = json.dumps([{"field": c.field, "old": c.old, "new": c.new} for c in changes], ensure_ascii=False)
    return CypherGraphStore.version_statements(
        entity=entity_id, kind=kind.value, action=action, state=state, author=identity.account_id,
        author_name=identity.name, author_role=identity.role.value if identity.role else None,
        changes=payload, note=note, now=now,
    )


def history(store: CypherGraphStore, identity: Identity, entity_id: str) -> list[Version]:
    """The versions of an entry the caller may see and of the entries merged into it, oldest first
    (a merged-away id: the survivor's history, which holds the duplicate's versions and the merge)."""
    entity = get_visible(store, identity, entity_id, "history")
    return store.histories([entity.id])[entity.id]
