"""What every entity type shares: the Relay node id, our own id (``slug``), provenance, batching."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Entity, Kind, Rel
from schule.domain.model import ReviewState as DomainReviewState
from schule.domain.problems import Code
from schule.errors import refuse
from schule.graphql.enums import ReviewState
from schule.graphql.registry import to_node

# a dict, not ReviewState(value): every project and lesson node asks (module imports, not imports in
# the functions: an import statement in a function runs on every call, ~0.5 µs each)
_REVIEW_STATES = {state: ReviewState(state.value) for state in DomainReviewState}

SLUG = (
    "Unsere eigene, stabile ID (Kleinbuchstaben, Ziffern und '-', z. B. 'stadtlabor-soest'): "
    "dieselbe wie in Importdateien und URLs, und die, die die Abfragen `project(id:)`, `commune(id:)` usw. "
    "erwarten. `id` dagegen ist die globale Relay-ID für `node(id:)`."
)
CREATED_AT = "Zeitpunkt der ersten Speicherung (ISO 8601, UTC)."
UPDATED_AT = "Zeitpunkt der letzten Änderung (ISO 8601, UTC)."
REVIEW_STATE = (
    "Prüfstand in der Moderation. Alle sehen nur Veröffentlichtes (PUBLISHED); andere Stände sehen nur "
    "die Verfasserin bzw. der Verfasser und die Moderation."
)
REVIEW_NOTE = "Hinweis der Moderation zum aktuellen Prüfstand, z. B. der Grund einer Ablehnung oder Rückgabe."
HISTORY = (
    "Die Versionen dieses Eintrags, älteste zuerst: wer wann welche Felder geändert hat "
    "(alter → neuer Wert), einschließlich der Schritte der Moderation. Was sichtbar ist, hängt von der "
    "anfragenden Person ab: Moderation und Administration sowie Mitglieder einer Kommune des Eintrags (bei "
    "gemeinsamen Projekten jeder beteiligten Kommune; bei Erkenntnissen der Kommunen ihres Projekts) sehen "
    "jede Version, auch Entwürfe, mit Kontoname, Rolle und Hinweisen der Moderation. Alle anderen (ohne "
    "Anmeldung oder aus anderen Kommunen) sehen nur Versionen, nach denen der Eintrag veröffentlicht war, mit "
    "`author` 'Moderation' oder dem Namen der Kommune und ohne Kontonamen, Rollen und Hinweise."
)
PENDING_REVISION = (
    "Der offene Änderungsvorschlag eines Mitglieds zu diesem veröffentlichten Eintrag (wartet auf Prüfung oder "
    "ist zur Überarbeitung zurückgegeben), mit den Feldänderungen gegenüber dem veröffentlichten Stand; null, "
    "wenn es keinen gibt oder die anfragende Person ihn nicht sehen darf. Sehen dürfen ihn die Moderation und "
    "Mitglieder der Kommunen des Eintrags. Die Felder des Eintrags selbst zeigen immer den veröffentlichten Stand."
)
OWN_REVISION = (
    "Der neueste Änderungsvorschlag der anfragenden Person zu diesem Eintrag, in jedem Stand (wartet, "
    "zurückgegeben mit `note`, abgelehnt, übernommen); null ohne eigenen Vorschlag oder ohne Anmeldung."
)
REVISIONS = (
    "Alle Änderungsvorschläge von Mitgliedern zu diesem Eintrag, neueste zuerst (offene, zurückgegebene, "
    "abgelehnte, übernommene). Sichtbar wie `pendingRevision`; für alle anderen leer."
)
SOURCE = "Herkunft der Angaben, z. B. ein Zeitungsartikel, ein Blogbeitrag oder ein amtliches Verzeichnis."


def common(entity: Entity) -> dict[str, Any]:
    """Constructor arguments every node type takes."""
    return {
        "key": entity.id,
        "slug": entity.id,
        "created_at": entity.created_at,
        "updated_at": entity.updated_at,
        "source": entity.source,
        "entity": entity,
    }


def review(entity: Entity) -> dict[str, Any]:
    """Constructor arguments of the reviewed types (projects, lessons): state and the moderator's note."""
    return {"state": _REVIEW_STATES[entity.state], "review_note": entity.review_note}


async def entry_history(info: Info[Any, Any], entity_id: str) -> list[Any]:
    """The versions of an entry the caller already sees (batched per request)."""
    from schule.graphql.moderation.types import EntryVersion

    return [EntryVersion.of(v) for v in await info.context.loaders.versions.load(entity_id)]


async def resolve_nodes(
    cls: Any, kind: Kind, info: Info[Any, Any], node_ids: Iterable[str], required: bool
) -> list[Any]:
    """Relay ``resolve_nodes`` for a node type: batched through the entity loader."""
    entities = await info.context.loaders.entity.load_many(list(node_ids))
    out = [cls.from_entity(e) if e is not None and e.kind == kind else None for e in entities]
    if required and any(node is None for node in out):
        raise refuse(Code.NOT_FOUND, "Mindestens eine angefragte ID gibt es nicht.", "ids")
    return out


def field(description: str, **kwargs: Any) -> Any:
    return strawberry.field(description=description, **kwargs)


async def lookup(info: Info[Any, Any], kind: Kind, entity_id: str) -> Any | None:
    """The published entity of ``kind`` with our own id, as its GraphQL type, or None."""
    entity = await info.context.loaders.entity.load(entity_id)
    return to_node(entity) if entity is not None and entity.kind == kind else None


ID_ARG = strawberry.argument(description="Unsere eigene ID (das Feld `slug`), z. B. 'stadtlabor-soest'.")
FILTER_ARG = strawberry.argument(description="Filter; alle angegebenen Bedingungen müssen zutreffen.")
SORT_ARG = strawberry.argument(description="Sortierung.")


def linked_nodes(info: Info[Any, Any], ids: Sequence[str], kind: Kind) -> Any:
    """The nodes of linked entries: a plain list when the request has loaded (or a list page has
    primed) them all, else an awaitable of it. A resolver returning this is a plain ``def``:
    graphql-core completes a plain list without the task, gather and futures an ``async def``
    costs per call (a 20-card list page asks for 40 such lists)."""
    loaders = info.context.loaders
    now = loaders.cached(ids, kind)
    if now is not None:
        return [to_node(e) for e in now]

    async def later() -> list[Any]:
        return [to_node(e) for e in await loaders.entities(ids, kind)]

    return later()


def related_nodes(info: Info[Any, Any], rel: Rel, key: str, *, incoming: bool, kind: Kind) -> Any:
    """The nodes at the other end of ``rel`` edges of ``key``, as ``linked_nodes`` gives them: a plain
    list when the request has them already (a detail page's ``read_around`` primed them), else an
    awaitable of it."""
    loaders = info.context.loaders
    now = loaders.cached_related(rel, key, incoming=incoming, kind=kind)
    if now is not None:
        return [to_node(e) for e in now]

    async def later() -> list[Any]:
        return [to_node(e) for e in await loaders.related(rel, [key], incoming=incoming, kind=kind)]

    return later()


def linked_node(info: Info[Any, Any], entity_id: str | None, kind: Kind | None = None) -> Any:
    """One linked entry's node (or None), as ``linked_nodes`` gives a list of them."""
    if entity_id is None:
        return None
    loaders = info.context.loaders
    now = loaders.cached([entity_id], kind)
    if now is not None:
        return to_node(now[0]) if now else None

    async def later() -> Any:
        found = await loaders.entities([entity_id], kind)
        return to_node(found[0]) if found else None

    return later()
