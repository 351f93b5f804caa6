"""The freshness fields every confirmable type (projects, lessons) shares."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

LAST_CONFIRMED_AT = (
    "Wann die Angaben zuletzt als zutreffend bestätigt wurden (JJJJ, JJJJ-MM oder JJJJ-MM-TT): durch ihre Quelle "
    "(z. B. „Stand: Nov. 2022“) oder mit `confirmEntry` durch ein Mitglied der Kommune oder die Moderation; "
    "null, wenn unbekannt. Anders als `updatedAt` (technisch: letzte Speicherung) sagt es, ob der Eintrag noch stimmt."
)
LAST_CONFIRMED_BY = (
    "Wer die Angaben zuletzt bestätigt hat, so wie die anfragende Person die Versionen sieht (Moderation, Name "
    "der Kommune oder, für Berechtigte, das Konto); null, wenn das Datum aus der Quelle stammt."
)


async def confirmed_by(info: Info[Any, None], entity_id: str, last_confirmed: str | None) -> str | None:
    """The author of the newest ``confirm`` version that set the current date (batched per request)."""
    if last_confirmed is None:
        return None
    for shown in reversed(await info.context.loaders.versions.load(entity_id)):
        v = shown.version
        if v.action == "confirm" and any(c.field == "last_confirmed" and c.new == last_confirmed for c in v.changes):
            return str(shown.author)
    return None
