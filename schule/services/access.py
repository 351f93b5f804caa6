"""Who may see and do what: the rules, once, for GraphQL, the CLI and the web pages alike.

* Anonymous callers see published knowledge only, and no person's e-mail or phone.
* Signed-in members see e-mail and phone of people who consented; they write drafts and
  submissions for their own commune, and see their own unpublished entries.
* Moderators (and admins) see and review everything, edit, retag and merge.
* Admins also manage accounts, the Handlungsfeld taxonomy and networks.

An entry someone may not see is reported as not found, so ids of other communes' drafts reveal
nothing. Every refusal is an ``AccessDenied`` (a ``PermissionDenied``) with the operation's name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TypeVar

from schule.auth.identity import Identity
from schule.domain.model import Adaptation, Entity, Kind, Lesson, Person, Project, ReviewState
from schule.domain.problems import Code, Problem
from schule.errors import PermissionDenied, ProblemError
from schule.store.graph import CypherGraphStore

E = TypeVar("E", bound=Entity)


class TrustError(ProblemError):
    """A refused trust operation: one problem (``code``, ``field``, message); ``operation`` says what
    was tried, ``target`` on which entry."""

    def __init__(
        self, code: Code, message: str, *, operation: str = "", target: str | None = None, field: str | None = None
    ) -> None:
        self.operation = operation
        self.target = target
        super().__init__([Problem(code, field, message)])

    @classmethod
    def of(cls, problems: Sequence[Problem], *, operation: str = "") -> TrustError:
        """A refusal for several problems at once (e.g. every bad field of an entry)."""
        first = problems[0]
        error = cls(first.code, first.message, operation=operation, field=first.field)
        ProblemError.__init__(error, problems)
        return error


class AccessDenied(TrustError, PermissionDenied):
    def __init__(self, operation: str, message: str, target: str | None = None) -> None:
        super().__init__(Code.FORBIDDEN, message, operation=operation, target=target)


def not_found(entity_id: str, operation: str = "") -> TrustError:
    return TrustError(Code.NOT_FOUND, f"Kein Eintrag mit der ID {entity_id!r}.", operation=operation,
                      target=entity_id)


# -- roles ----------------------------------------------------------------------------------------

def require_member(identity: Identity, operation: str) -> None:
    if not identity.authenticated:
        raise AccessDenied(operation, "Dafür ist eine Anmeldung nötig.")


def require_moderator(identity: Identity, operation: str) -> None:
    require_member(identity, operation)
    if not identity.is_moderator:
        raise AccessDenied(operation, "Das dürfen nur Moderatorinnen und Moderatoren.")


def require_admin(identity: Identity, operation: str) -> None:
    require_member(identity, operation)
    if not identity.is_admin:
        raise AccessDenied(operation, "Das dürfen nur Administratorinnen und Administratoren.")


# -- reading --------------------------------------------------------------------------------------

def can_view(identity: Identity, entity: Entity) -> bool:
    """Published entries: everyone. Unpublished: moderators and the account that created them."""
    if entity.state == ReviewState.PUBLISHED:
        return True
    if entity.state == ReviewState.MERGED:
        return False  # callers resolve a merged id to its survivor first
    if identity.is_moderator:
        return True
    return identity.authenticated and entity.created_by is not None and entity.created_by == identity.account_id


def can_see_contact(identity: Identity, person: Person) -> bool:
    """E-mail and phone: only for signed-in members, and only if the person consented."""
    return identity.authenticated and bool(person.contact_consent)


def redact(identity: Identity, entity: E) -> E:
    """The entity as ``identity`` may see it: a person without contact data unless allowed."""
    if isinstance(entity, Person) and not can_see_contact(identity, entity) and (entity.email or entity.phone):
        return dataclasses.replace(entity, email=None, phone=None)
    return entity


def visible(store: CypherGraphStore, identity: Identity, ids: Sequence[str]) -> dict[str, Entity]:
    """The entities with these ids that ``identity`` may see (a merged-away id yields its
    survivor), redacted for ``identity``; the others are absent."""
    return screen(store, identity, store.get_resolved(list(ids)))


def screen(store: CypherGraphStore, identity: Identity, found: dict[str, Entity]) -> dict[str, Entity]:
    """``visible`` for entities already fetched by id (``store.get`` or a query that returns nodes
    with their ids): a merged-away id yields its survivor, the rest is filtered and redacted for
    ``identity``. Only merged ids cost another store call."""
    merged = {i for i, e in found.items() if e.merged_into}
    if merged:
        survivors = store.get_resolved(sorted(merged))
        found = {i: survivors[i] if i in merged else e for i, e in found.items() if i not in merged or i in survivors}
    return {i: redact(identity, e) for i, e in found.items() if can_view(identity, e)}


def get_visible(store: CypherGraphStore, identity: Identity, entity_id: str, operation: str = "") -> Entity:
    entity = visible(store, identity, [entity_id]).get(entity_id)
    if entity is None:
        raise not_found(entity_id, operation)
    return entity


# -- writing --------------------------------------------------------------------------------------

def communes_of(store: CypherGraphStore, kind: Kind, communes: Iterable[str], project: str | None) -> set[str]:
    """The communes an entry belongs to: a project's own, a lesson's project's, an adoption's
    adopting commune (never the adopted project's: a commune records only its own adoptions)."""
    if kind in (Kind.PROJECT, Kind.ADAPTATION):
        return set(communes)
    if kind == Kind.LESSON and project:
        found = store.get_resolved([project]).get(project)
        return set(found.communes) if isinstance(found, Project) else set()
    return set()


def entity_communes(store: CypherGraphStore, entity: Entity) -> set[str]:
    if isinstance(entity, Project):
        return communes_of(store, Kind.PROJECT, entity.communes, None)
    if isinstance(entity, Lesson):
        return communes_of(store, Kind.LESSON, (), entity.project)
    if isinstance(entity, Adaptation):
        return {entity.commune}
    return set()


def require_write(
    identity: Identity, operation: str, *, communes: set[str], before: Entity | None, target: str
) -> None:
    """Members write projects and lessons of their own commune (and only their own unpublished
    entries); moderators and admins write everything."""
    require_member(identity, operation)
    if identity.is_moderator:
        return
    if before is not None and not can_view(identity, before):
        raise not_found(target, operation)
    if not identity.commune_id or identity.commune_id not in communes:
        raise AccessDenied(
            operation, "Mitglieder bearbeiten nur Einträge ihrer eigenen Kommune.", target=target
        )
