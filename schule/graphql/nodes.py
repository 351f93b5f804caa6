"""What every entity type shares: the Relay node id, our own id (``slug``), provenance, batching."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Entity, Kind
from schule.graphql.errors import ClientError

SLUG = (
    "Unsere eigene, stabile ID (Kleinbuchstaben, Ziffern und '-', z. B. 'stadtlabor-soest'): "
    "dieselbe wie in Importdateien und URLs, und die, die die Abfragen `project(id:)`, `commune(id:)` usw. "
    "erwarten. `id` dagegen ist die globale Relay-ID für `node(id:)`."
)
CREATED_AT = "Zeitpunkt der ersten Speicherung (ISO 8601, UTC)."
UPDATED_AT = "Zeitpunkt der letzten Änderung (ISO 8601, UTC)."
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


async def resolve_nodes(
    cls: Any, kind: Kind, info: Info[Any, Any], node_ids: Iterable[str], required: bool
) -> list[Any]:
    """Relay ``resolve_nodes`` for a node type: batched through the entity loader."""
    entities = await info.context.loaders.entity.load_many(list(node_ids))
    out = [cls.from_entity(e) if e is not None and e.kind == kind else None for e in entities]
    if required and any(node is None for node in out):
        raise ClientError("Mindestens eine angefragte ID gibt es nicht.")
    return out


def field(description: str, **kwargs: Any) -> Any:
    return strawberry.field(description=description, **kwargs)


async def lookup(info: Info[Any, Any], kind: Kind, entity_id: str) -> Any | None:
    """The published entity of ``kind`` with our own id, as its GraphQL type, or None."""
    from schule.graphql.registry import to_node

    entity = await info.context.loaders.entity.load(entity_id)
    return to_node(entity) if entity is not None and entity.kind == kind else None


ID_ARG = strawberry.argument(description="Unsere eigene ID (das Feld `slug`), z. B. 'stadtlabor-soest'.")
FILTER_ARG = strawberry.argument(description="Filter; alle angegebenen Bedingungen müssen zutreffen.")
SORT_ARG = strawberry.argument(description="Sortierung.")
