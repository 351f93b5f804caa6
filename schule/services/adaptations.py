"""Adoptions as records: a commune records "we are adopting X" (``record_adoption``) and later how
it went (``update_adoption``: status, outcome, dates, contact).

An adoption is reviewed like a project: a member records adoptions only for their own commune
(``access.communes_of``: the adopting commune, never the adopted project's), their record starts
``submitted`` (or ``draft``) with an id the server makes, and moderators publish it. A member's
change to a published adoption (a new status, an outcome) is a pending revision like any edit of
published text (``services.revisions``): the outcome is what other communes rely on when they ask
"did it work where others copied it?", so it is checked before it is shown.

``adapted_from`` links between projects stay as they are ("mere links"); the search ranking and
the recommendations count *done* adoption records (``done_adoptions``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from schule.auth.identity import Identity
from schule.domain import model
from schule.domain.model import AdaptationStatus, Kind, Rel
from schule.domain.problems import Code, Problem
from schule.services import access, projects
from schule.services.history import entity_fields
from schule.store.graph import CypherGraphStore

# the fields a member may change after recording (the adopted project and the commune stay)
UPDATABLE = ("project", "status", "outcome", "started", "ended", "contact", "source")


def record_adoption(
    store: CypherGraphStore, identity: Identity, data: Mapping[str, Any], *, draft: bool = False
) -> model.Adaptation:
    """Record that a commune adopts (or adopted) a project. ``data`` holds import-format fields
    (``adopts``, ``commune``, ``project``, ``status``, ``outcome``, ``started``, ``ended``, ``contact``)."""
    projects._require_member(identity, "record_adoption")
    fields = projects._given(data)
    if fields.get("adopts"):
        projects._visible(store, identity, str(fields["adopts"]), model.Project, "adopts")
    fields["id"] = projects._new_id(store, identity, {"id": fields.get("id"), "title": _title(fields)},
                                    "uebernahme", "record_adoption")
    record = projects._parse(Kind.ADAPTATION, fields)
    projects._require_new(store, record.id)
    projects._check(store, identity, record)
    _require_first(store, identity, str(fields["adopts"]), str(fields.get("commune") or ""))
    return projects._write(store, identity, record, None, "create", submit=not draft, cls=model.Adaptation)


def _require_first(store: CypherGraphStore, identity: Identity, adopts: str, commune: str) -> None:
    """One live record per commune and project: a second one would count the commune twice and split
    its story; its status and outcome belong in ``update_adoption``. A given-up (abandoned) or
    rejected record does not block a new attempt."""
    ids = [e.target for e in store.neighbours(Rel.ADOPTS, [adopts], incoming=True)]
    for other in access.visible(store, identity, ids).values():
        if (isinstance(other, model.Adaptation) and other.commune == commune
                and other.status != AdaptationStatus.ABANDONED and other.state != model.ReviewState.REJECTED):
            raise projects.Rejected([Problem(
                Code.DUPLICATE, "adopts",
                f"Diese Übernahme ist schon erfasst ({other.id!r}); Stand und Ergebnis bitte dort ändern.",
            )])


def update_adoption(
    store: CypherGraphStore, identity: Identity, adaptation_id: str, changes: Mapping[str, Any]
) -> model.Adaptation:
    """Change status, outcome, dates, contact or adopting project of an adoption (None clears a
    field). On a published adoption a member's change becomes a pending revision."""
    from schule.services import revisions

    projects._require_member(identity, "update_adoption")
    current = projects._visible(store, identity, adaptation_id, model.Adaptation, "id")
    fields = revisions.proposal_fields(store, identity, current, entity_fields(current))
    for name, value in changes.items():
        if name not in UPDATABLE:
            continue
        if value is None or value == []:
            fields.pop(name, None)
        else:
            fields[name] = value
    record = projects._parse(Kind.ADAPTATION, fields)
    projects._check(store, identity, record, current)
    return projects._write(store, identity, record, current, "update", submit=False, cls=model.Adaptation)


def done_adoptions(adaptations: list[model.Entity]) -> Counter[str]:
    """Per adopted project: how many distinct communes have a published adoption marked done."""
    communes: dict[str, set[str]] = {}
    for a in adaptations:
        if (isinstance(a, model.Adaptation) and a.state == model.ReviewState.PUBLISHED
                and a.status == AdaptationStatus.DONE):
            communes.setdefault(a.adopts, set()).add(a.commune)
    return Counter({project: len(c) for project, c in communes.items()})


def _title(fields: Mapping[str, Any]) -> str:
    return f"{fields.get('commune') or 'kommune'} {fields.get('adopts') or 'projekt'}"
