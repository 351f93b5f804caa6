"""Database rows to domain objects, shared by the store modules."""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, datetime
from typing import Any

from schule.domain.model import (
    ENTITY_TYPES,
    AdaptationStatus,
    Entity,
    Kind,
    LessonKind,
    ProjectStatus,
    Rel,
    ReviewState,
)
from schule.domain.records import SPEC

_ENUM_FIELDS: dict[tuple[Kind, str], type] = {
    (Kind.PROJECT, "status"): ProjectStatus,
    (Kind.LESSON, "type"): LessonKind,
    (Kind.ADAPTATION, "status"): AdaptationStatus,
}
_TUPLE_FIELDS = {"tags", "links", "expertise"}
_RELS = frozenset(Rel.__members__.values())


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def refs_by_rel(refs: list[list[str]]) -> dict[Rel, list[tuple[str, str]]]:
    out: dict[Rel, list[tuple[str, str]]] = {}
    for rel_type, kind, target in refs:
        if rel_type in _RELS:
            out.setdefault(Rel(rel_type), []).append((kind, target))
    return out


@functools.cache
def _shape(kind: Kind) -> tuple[type[Entity], dict[str, Any], tuple[tuple[str, Rel, tuple[str, ...], bool], ...]]:
    """Per kind (computed once): the class, a converter (or None) per stored property it takes,
    and the reference fields as (name, relationship, target kinds, is a list)."""
    cls = ENTITY_TYPES[kind]
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    converters: dict[str, Any] = {}
    for name in names:
        if name in _TUPLE_FIELDS:
            converters[name] = tuple
        elif (kind, name) in _ENUM_FIELDS:
            converters[name] = _ENUM_FIELDS[(kind, name)]
        elif name == "state":
            converters[name] = ReviewState
        else:
            converters[name] = None
    references = tuple(
        (name, spec.rel, tuple(spec.targets), spec.type == "reflist")
        for name, spec in SPEC[kind].items()
        if spec.rel is not None and name in converters
    )
    return cls, converters, references


def entity_from_row(props: dict[str, Any], refs: list[list[str]]) -> Entity:
    """Build the domain object from node properties and outgoing references."""
    cls, converters, references = _shape(Kind(props["kind"]))
    values: dict[str, Any] = {}
    for key, value in props.items():
        if value is None or key not in converters:
            continue
        convert = converters[key]
        values[key] = value if convert is None else convert(value)
    by_rel = refs_by_rel(refs)
    for name, rel, targets, is_list in references:
        ids = sorted(t for k, t in by_rel.get(rel, []) if k in targets)
        if is_list:
            values[name] = tuple(ids)
        elif ids:
            values[name] = ids[0]
    return cls(**values)
