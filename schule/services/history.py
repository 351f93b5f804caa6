"""Versions: every change to a project or lesson, with who, when and what changed.

A version is written in the same atomic batch as the change it describes, so there is no change
without its version. ``changes`` lists the import-format fields that differ (old and new value);
a workflow step records the ``state`` it moved from and to. An entry's history includes the versions
of the entries merged into it (``schule.services.merge``), each still naming the entry it was written for.

Who sees which versions (``history`` and ``shown_versions``, behind the API's ``history`` fields):

* moderators and admins: every version, with account name and role, the moderation's notes,
  drafts and submissions;
* members of a commune the entry belongs to (a project's ``communes``, a lesson's project's; for a
  shared project every commune it lists, so the owning and the partner communes alike): the same;
* anonymous readers and members of other communes: only versions after which the entry was
  published, with the author as "Moderation" (steps of moderators and admins) or the name of the
  member's commune; no account name or role, no notes of the moderation.

Everyone sees the history only of entries they may see at all (``access.can_view``): another
commune's draft has none. So the public never sees text that was never published: a version after
which the entry was published holds published values (unpublished steps in between only change
the state), and the moderation's notes, which are addressed to the authors, are left out.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schule.auth.identity import Identity
from schule.domain.model import Adaptation, Commune, Entity, Kind, Lesson, Project, ReviewState
from schule.domain.records import SPEC, Record
from schule.domain.trust import FieldChange, Role, Version
from schule.services.access import get_visible
from schule.store.base import Statement
from schule.store.graph import CypherGraphStore, entity_from_row

VERSIONED = (Kind.PROJECT, Kind.LESSON, Kind.ADAPTATION)
MODERATION = "Moderation"
A_MEMBER = "Mitglied einer Kommune"  # a member whose commune is no longer known
INTERNAL_FIELDS = ("review_note",)  # the moderation's notes to the authors


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


def record_fields(store: CypherGraphStore, record: Record) -> dict[str, Any]:
    """``entity_fields`` of the entity ``record`` will be once written (for a field-by-field diff)."""
    targets = [t for ts in record.refs.values() for t in ts]
    kinds = store.kinds_of(targets)
    refs = [[rel.value, kinds[t].value, t] for rel, ts in record.refs.items() for t in ts if t in kinds]
    return entity_fields(entity_from_row({**record.props, "kind": record.kind}, refs))


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
    """One version of ``entity_id`` written by ``identity`` (for members with their commune, which
    the public history names instead of the account)."""
    if kind not in VERSIONED:
        return []
    payload = json.dumps([{"field": c.field, "old": c.old, "new": c.new} for c in changes], ensure_ascii=False)
    return CypherGraphStore.version_statements(
        entity=entity_id, kind=kind.value, action=action, state=state, author=identity.account_id,
        author_name=identity.name, author_role=identity.role.value if identity.role else None,
        author_commune=identity.commune_id if not identity.is_moderator else None,
        changes=payload, note=note, now=now,
    )


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownVersion:
    """A version as one reader may see it: ``version`` without what they may not see (account,
    role, notes), and ``author`` as they may see it (an account name, "Moderation" or a commune)."""

    version: Version
    author: str
    complete: bool  # False: a reader outside the entry's communes (the public view)


def sees_everything(identity: Identity, communes: Iterable[str]) -> bool:
    """Does ``identity`` see every version of an entry of ``communes``?"""
    if identity.is_moderator:
        return True
    return identity.authenticated and identity.commune_id is not None and identity.commune_id in set(communes)


def history(store: CypherGraphStore, identity: Identity, entity_id: str) -> list[ShownVersion]:
    """The versions of an entry the caller may see and of the entries merged into it, oldest first
    (a merged-away id: the survivor's history, which holds the duplicate's versions and the merge),
    as the caller may see them."""
    entity = get_visible(store, identity, entity_id, "history")
    return shown_versions(store, identity, {entity.id: entity}, store.histories([entity.id]))[entity.id]


def shown_versions(
    store: CypherGraphStore, identity: Identity, entities: Mapping[str, Entity],
    histories: Mapping[str, Sequence[Version]],
) -> dict[str, list[ShownVersion]]:
    """The ``histories`` (``store.histories``) of ``entities``, which ``identity`` may see, as
    ``identity`` may see them, per entity id, in their order."""
    communes = _communes(store, entities)
    complete = {i: sees_everything(identity, communes.get(i, ())) for i in entities}
    public = [v for i in entities if not complete[i] for v in histories.get(i, ()) if _published(v)]
    labels = _public_labels(store, public)
    return {
        i: [ShownVersion(v, v.author_name or v.author or MODERATION, True) for v in histories.get(i, ())]
        if complete[i] else
        [ShownVersion(_redacted(v), labels[id(v)], False) for v in histories.get(i, ()) if _published(v)]
        for i in entities
    }


def _published(v: Version) -> bool:
    return v.state == ReviewState.PUBLISHED.value


def _redacted(v: Version) -> Version:
    return dataclasses.replace(
        v, author=None, author_name=None, author_role=None, author_commune=None, note=None,
        changes=tuple(c for c in v.changes if c.field not in INTERNAL_FIELDS),
    )


def _communes(store: CypherGraphStore, entities: Mapping[str, Entity]) -> dict[str, set[str]]:
    """The communes each entry belongs to: a project's own, a lesson's project's."""
    projects = {e.project for e in entities.values() if isinstance(e, Lesson)}
    found = store.get(sorted(projects)) if projects else {}
    out: dict[str, set[str]] = {}
    for i, e in entities.items():
        if isinstance(e, Project):
            out[i] = set(e.communes)
        elif isinstance(e, Lesson):
            project = found.get(e.project)
            out[i] = set(project.communes) if isinstance(project, Project) else set()
        elif isinstance(e, Adaptation):
            out[i] = {e.commune}
    return out


def _public_labels(store: CypherGraphStore, versions: Sequence[Version]) -> dict[int, str]:
    """Per version (by ``id()``): "Moderation", or the name of the author's commune."""
    members = [v for v in versions if v.author_role == Role.MEMBER.value]
    unknown = sorted({v.author for v in members if not v.author_commune and v.author})
    accounts = store.accounts_by_id(unknown) if unknown else {}
    commune_of = {id(v): v.author_commune or getattr(accounts.get(v.author or ""), "commune", None) for v in members}
    wanted = sorted({c for c in commune_of.values() if c})
    names = {i: e.name for i, e in (store.get(wanted) if wanted else {}).items() if isinstance(e, Commune)}
    out = {}
    for v in versions:
        if v.author_role != Role.MEMBER.value:
            out[id(v)] = MODERATION
        else:
            commune = commune_of.get(id(v))
            out[id(v)] = names.get(commune or "", A_MEMBER)
    return out
