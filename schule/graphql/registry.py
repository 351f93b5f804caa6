"""Which GraphQL type shows which domain entity: each domain package registers its node type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from schule.domain.model import Entity, Kind

C = TypeVar("C")
_NODE_TYPES: dict[Kind, Any] = {}


def node_type(kind: Kind) -> Callable[[C], C]:
    """Class decorator: this strawberry type (with ``from_entity``) shows entities of ``kind``."""

    def register(cls: C) -> C:
        _NODE_TYPES[kind] = cls
        return cls

    return register


def to_node(entity: Entity) -> Any:
    return _NODE_TYPES[entity.kind].from_entity(entity)


def type_for(kind: Kind) -> Any:
    return _NODE_TYPES[kind]
