"""Database rows to domain objects, shared by the store modules."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from schule.domain.model import ENTITY_TYPES, Entity, Kind, LessonKind, ProjectStatus, Rel, ReviewState
from schule.domain.records import SPEC

_ENUM_FIELDS: dict[tuple[Kind, str], type] = {
    (Kind.PROJECT, "status"): ProjectStatus,
    (Kind.LESSON, "type"): LessonKind,
}
_TUPLE_FIELDS = {"tags", "links", "expertise"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def refs_by_rel(refs: list[list[str]]) -> dict[Rel, list[tuple[str, str]]]:
    out: dict[Rel, list[tuple[str, str]]] = {}
    for rel_type, kind, target in refs:
        if rel_type in Rel.__members__.values():
            out.setdefault(Rel(rel_type), []).append((kind, target))
    return out


def entity_from_row(props: dict[str, Any], refs: list[list[str]]) -> Entity:
    """Build the domain object from node properties and outgoing references."""
    kind = Kind(props["kind"])
    cls = ENTITY_TYPES[kind]
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    values: dict[str, Any] = {}
    for key, value in props.items():
        if key not in names or value is None:
            continue
        if key in _TUPLE_FIELDS:
            value = tuple(value)
        elif (kind, key) in _ENUM_FIELDS:
            value = _ENUM_FIELDS[(kind, key)](value)
        elif key == "state":
            value = ReviewState(value)
        values[key] = value
    by_rel = refs_by_rel(refs)
    for name, spec in SPEC[kind].items():
        if spec.rel is None or name not in names:
            continue
        ids = sorted(t for k, t in by_rel.get(spec.rel, []) if k in spec.targets)
        if spec.type == "reflist":
            values[name] = tuple(ids)
        elif ids:
            values[name] = ids[0]
    return cls(**values)
