"""Freshness: is this entry still true?

A project or lesson carries ``last_confirmed``: the date its facts were last confirmed. Seed and
imported records keep the date their source gives (``source_date``: the newest date named in the
``source`` text, e.g. "…, 2.11.2022" or "Stand: Nov. 2022"), never the import time; ``created_at``
and ``updated_at`` stay technical. Members of the owning commune (a project's communes, a lesson's
project's) and moderators confirm an entry (``confirm``): that sets today's date, writes a
``Version`` (action ``confirm``, so the history says who confirmed it and when) and, for
moderators, an audit entry; it changes no text, so it is no revision and the entry stays published.

``stale`` lists the published entries not confirmed for ``Settings.stale_after_months`` (default
12, ``SCHULE_STALE_AFTER_MONTHS``), oldest first: a member sees those of their commune, moderators
all (or one commune's).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from schule.auth.identity import Identity
from schule.domain.model import Entity, Kind, ReviewState
from schule.domain.problems import Code
from schule.domain.trust import FieldChange
from schule.services.access import (
    TrustError,
    entity_communes,
    get_visible,
    require_member,
    require_write,
)
from schule.services.audit import audit_statements
from schule.services.history import version_statements
from schule.store.graph import CypherGraphStore, now_iso

CONFIRMABLE = (Kind.PROJECT, Kind.LESSON)
MONTHS = {
    "jan": 1, "feb": 2, "mär": 3, "mrz": 3, "apr": 4, "mai": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "okt": 10, "nov": 11, "dez": 12,
}
_DAY = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")[a-zä]*\.?\s+(\d{4})\b", re.IGNORECASE)


def source_date(source: str | None) -> str | None:
    """The newest date a source text names (``D.M.YYYY`` as ``YYYY-MM-DD``, "Nov. 2022" as
    ``YYYY-MM``), or None: a date without a year ("bis zum 15. Oktober") is no date of the source."""
    if not source:
        return None
    found: list[str] = []
    for d, m, y in _DAY.findall(source):
        try:
            found.append(date(int(y), int(m), int(d)).isoformat())
        except ValueError:
            continue
    for name, y in _MONTH.findall(source):
        found.append(f"{y}-{MONTHS[name.lower()[:3]]:02d}")
    # '2022-11' < '2022-11-02': a day within the month is the more precise, newer statement
    return max(found) if found else None


def cutoff(today: date, months: int) -> str:
    """The date ``months`` months before ``today`` (the day clamped to the month's length)."""
    total = today.year * 12 + today.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for day in range(today.day, 0, -1):
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")


def confirm(store: CypherGraphStore, identity: Identity, entity_id: str) -> Entity:
    """Confirm that a published project or lesson is still true, as of today (UTC)."""
    operation = "confirm_entry"
    entity = get_visible(store, identity, entity_id, operation)
    if entity.kind not in CONFIRMABLE:
        raise TrustError(Code.INVALID, "Bestätigen lassen sich nur Projekte und Erkenntnisse.",
                         operation=operation, target=entity.id, field="id")
    require_write(identity, operation, communes=entity_communes(store, entity), before=entity, target=entity.id)
    if entity.state != ReviewState.PUBLISHED:
        raise TrustError(Code.INVALID_STATE, "Bestätigen lassen sich nur veröffentlichte Einträge.",
                         operation=operation, target=entity.id)
    now = now_iso()
    today = datetime.now(UTC).date().isoformat()
    before = getattr(entity, "last_confirmed", None)
    changes = [FieldChange("last_confirmed", before, today)]
    statements = store.confirm_statements(entity, today, now)
    statements += version_statements(identity, entity_id=entity.id, kind=entity.kind, action="confirm",
                                     state=entity.state.value, changes=changes, now=now)
    if identity.is_moderator:
        statements += audit_statements(identity, "confirm", target=entity.id, target_kind=entity.kind.value, now=now,
                                       details={"fields": ["last_confirmed"]})
    store.write(statements)
    written = store.get([entity.id]).get(entity.id)
    assert written is not None, f"{entity.id} was just confirmed"
    return written


def stale_scope(identity: Identity, commune: str | None) -> str | None:
    """Whose stale entries ``identity`` may list: moderators any commune's or all (None), members
    only their own commune's (asking for another's is refused)."""
    require_member(identity, "stale_entries")
    if identity.is_moderator:
        return commune
    if not identity.commune_id:
        raise TrustError(Code.FORBIDDEN, "Veraltete Einträge sehen Mitglieder einer Kommune und die Moderation.",
                         operation="stale_entries")
    if commune is not None and commune != identity.commune_id:
        raise TrustError(Code.FORBIDDEN, "Mitglieder sehen nur die veralteten Einträge ihrer eigenen Kommune.",
                         operation="stale_entries", field="commune")
    return identity.commune_id


def stale_cutoff(months: int) -> str:
    return cutoff(datetime.now(UTC).date(), months)
