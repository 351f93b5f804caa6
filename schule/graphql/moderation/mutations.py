"""Mutations of the review workflow: submit, approve, reject, request changes, retag, merge.

Every rule lives in the services (``schule.services.moderation`` and ``merge``); a refusal
(``TrustError``) comes back as ``UserErrors`` with its code, never as a GraphQL error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.domain.model import Entity
from schule.graphql.context import Context
from schule.graphql.enums import ReviewState
from schule.graphql.errors import UserErrors, trust_errors
from schule.graphql.moderation.types import EntryRevision, ModerationPayload
from schule.graphql.registry import to_node
from schule.services import merge, moderation
from schule.services.access import TrustError

ModerationResult = Annotated[
    ModerationPayload | UserErrors,
    strawberry.union(
        "ModerationResult", description="Der Eintrag nach dem Schritt der Moderation, oder warum er abgelehnt wurde."
    ),
]

ID = strawberry.argument(description="Unsere eigene ID (`slug`) des Projekts oder der Erkenntnis.")
REASON = strawberry.argument(
    description="Begründung für die Verfasserin bzw. den Verfasser (Pflicht); erscheint in `reviewNote`."
)


async def _step(info: Info[Context, None], fn: Callable[..., Entity], *args: Any, field: str | None = "id") -> Any:
    ctx = info.context
    try:
        entity = await run_in_threadpool(fn, ctx.store, ctx.identity, *args)
    except TrustError as e:
        return trust_errors(e, field)
    return ModerationPayload(entry=to_node(entity), state=ReviewState(entity.state.value))


async def _decision(info: Info[Context, None], step: str, entity_id: str, reason: str | None) -> Any:
    """approve / reject / request_changes: of the entry's open revision if it has one, else of the entry."""
    ctx = info.context
    try:
        outcome = await run_in_threadpool(moderation.decide, ctx.store, ctx.identity, entity_id, step, reason)
    except TrustError as e:
        return trust_errors(e, "id")
    revision = EntryRevision.of(outcome.revision, outcome.entity, ctx.identity) if outcome.revision else None
    return ModerationPayload(entry=to_node(outcome.entity), state=ReviewState(outcome.entity.state.value),
                             revision=revision)


ON_REVISION = (
    " Hat der Eintrag einen offenen Änderungsvorschlag eines Mitglieds (`pendingRevision`), gilt der Schritt "
    "diesem Vorschlag; der veröffentlichte Eintrag bleibt dabei veröffentlicht, und `revision` im Ergebnis "
    "zeigt die Entscheidung."
)


@strawberry.type(
    description="Schritte der Moderation: einreichen, freigeben, ablehnen, zurückgeben, umordnen, zusammenführen."
)
class ModerationMutations:
    @strawberry.mutation(
        description="Einen eigenen Entwurf (oder einen zur Überarbeitung zurückgegebenen Eintrag) zur Prüfung "
        "einreichen. Mitglieder reichen Einträge ihrer Kommune ein; danach sieht ihn die Moderation in der Prüfliste."
    )
    async def submit_entry(self, info: Info[Context, None], id: Annotated[str, ID]) -> ModerationResult:  # noqa: A002
        return await _step(info, moderation.submit, id)

    @strawberry.mutation(
        description="Eine eigene Einreichung zurückziehen: ein eingereichter Eintrag wird wieder zum Entwurf "
        "(er verschwindet aus der Prüfliste, bleibt aber gespeichert und kann bearbeitet und erneut eingereicht "
        "werden); bei einem veröffentlichten Eintrag wird der eigene offene Änderungsvorschlag zurückgezogen "
        "(`revision` im Ergebnis), der veröffentlichte Eintrag bleibt, wie er ist. Gelöscht wird nichts."
    )
    async def withdraw_entry(self, info: Info[Context, None], id: Annotated[str, ID]) -> ModerationResult:  # noqa: A002
        ctx = info.context
        try:
            outcome = await run_in_threadpool(moderation.withdraw, ctx.store, ctx.identity, id)
        except TrustError as e:
            return trust_errors(e, "id")
        revision = EntryRevision.of(outcome.revision, outcome.entity, ctx.identity) if outcome.revision else None
        return ModerationPayload(entry=to_node(outcome.entity), state=ReviewState(outcome.entity.state.value),
                                 revision=revision)

    @strawberry.mutation(
        description="Einen eingereichten Eintrag freigeben: er wird veröffentlicht und ist ab dann für alle "
        "sichtbar und in der Suche zu finden. Einen Änderungsvorschlag freigeben heißt: ihn übernehmen (Eintrag, "
        "Version und Prüfprotokoll in einem Schritt)." + ON_REVISION + " Nur für Moderation und Administration."
    )
    async def approve_entry(
        self,
        info: Info[Context, None],
        id: Annotated[str, ID],  # noqa: A002
        note: Annotated[str | None, strawberry.argument(description="Optionaler Hinweis an die Verfasserin "
                                                                    "bzw. den Verfasser.")] = None,
    ) -> ModerationResult:
        return await _decision(info, "approve", id, note)

    @strawberry.mutation(
        description="Einen Eintrag ablehnen, mit Begründung: er wird nicht (mehr) veröffentlicht und erscheint nie "
        "in der Suche." + ON_REVISION + " Nur für Moderation und Administration."
    )
    async def reject_entry(
        self, info: Info[Context, None], id: Annotated[str, ID], reason: Annotated[str, REASON]  # noqa: A002
    ) -> ModerationResult:
        return await _decision(info, "reject", id, reason)

    @strawberry.mutation(
        description="Einen eingereichten Eintrag zur Überarbeitung zurückgeben, mit Begründung; die Verfasserin "
        "bzw. der Verfasser ändert ihn und reicht ihn neu ein." + ON_REVISION
        + " Nur für Moderation und Administration."
    )
    async def request_changes(
        self, info: Info[Context, None], id: Annotated[str, ID], reason: Annotated[str, REASON]  # noqa: A002
    ) -> ModerationResult:
        return await _decision(info, "request_changes", id, reason)

    @strawberry.mutation(
        description="Einen Eintrag anderen Handlungsfeldern zuordnen (ersetzt die bisherigen). "
        "Nur für Moderation und Administration."
    )
    async def retag_entry(
        self,
        info: Info[Context, None],
        id: Annotated[str, ID],  # noqa: A002
        handlungsfelder: Annotated[list[str], strawberry.argument(description="IDs der neuen Handlungsfelder.")],
    ) -> ModerationResult:
        return await _step(info, moderation.retag, id, handlungsfelder, field="handlungsfelder")

    @strawberry.mutation(
        description="Eine Dublette in einen anderen Eintrag derselben Art überführen: alle Beziehungen gehen auf "
        "den verbleibenden Eintrag über, die alte ID führt künftig zu ihm. Die Versionen der Dublette gehören "
        "danach zu seiner Geschichte (`history`, über beide IDs), seine Quelle (`source`) nennt beide Quellen; "
        "das Prüfprotokoll hält fest, wer zusammengeführt hat und warum. Nur für Moderation und Administration."
    )
    async def merge_entries(
        self,
        info: Info[Context, None],
        duplicate: Annotated[str, strawberry.argument(description="ID der Dublette, die aufgeht.")],
        survivor: Annotated[str, strawberry.argument(description="ID des Eintrags, der bleibt.")],
        reason: Annotated[str | None, strawberry.argument(
            description="Optionale Begründung (höchstens 2000 Zeichen); steht im Prüfprotokoll und in der "
            "Version der Zusammenführung.")] = None,
    ) -> ModerationResult:
        ctx = info.context
        try:
            entity = await run_in_threadpool(merge.merge, ctx.store, ctx.identity, survivor, duplicate, reason)
        except TrustError as e:
            field = "duplicate" if e.target == duplicate else "survivor" if e.target == survivor else None
            return trust_errors(e, field)
        return ModerationPayload(entry=to_node(entity), state=ReviewState(entity.state.value))
