"""Mutations on adoptions: record one, update its status and outcome."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.domain.problems import Problem
from schule.graphql.adaptations.types import Adaptation, AdaptationStatus
from schule.graphql.context import Context
from schule.graphql.errors import UserErrors, user_errors
from schule.graphql.projects.mutations import MEMBER_IDS
from schule.services import adaptations as service
from schule.services.projects import Rejected

# GraphQL names the adopted project ``source``; the import format ``adopts`` (``source`` is provenance)
_INPUT_FIELDS = {"adopts": "source", "source": "provenance"}


@strawberry.type(description="Ergebnis einer erfolgreichen Änderung an einer Übernahme.")
class AdaptationPayload:
    adaptation: Adaptation = strawberry.field(
        description="Die Übernahme, wie sie jetzt gilt. Bei einer veröffentlichten Übernahme, die ein Mitglied "
        "ändert, ist das der veröffentlichte Stand; die Änderung wartet als `pendingRevision` auf die Moderation."
    )


@strawberry.input(description="Eine Übernahme erfassen: „wir übernehmen X“.")
class RecordAdoptionInput:
    id: str | None = strawberry.field(default=None, description=MEMBER_IDS)
    source: str = strawberry.field(description="ID des übernommenen Projekts (des Vorbilds).")
    commune: str = strawberry.field(
        description="ID der übernehmenden Kommune; Mitglieder erfassen nur Übernahmen ihrer eigenen Kommune."
    )
    project: str | None = strawberry.field(default=None, description="ID des eigenen Projekts, wenn es eins gibt.")
    status: AdaptationStatus | None = strawberry.field(default=None, description="Stand der Übernahme.")
    outcome: str | None = strawberry.field(default=None, description="Was funktioniert hat, was anders sein musste.")
    started: str | None = strawberry.field(default=None, description="Beginn (JJJJ, JJJJ-MM oder JJJJ-MM-TT).")
    ended: str | None = strawberry.field(default=None, description="Ende (JJJJ, JJJJ-MM oder JJJJ-MM-TT).")
    contact: str | None = strawberry.field(default=None, description="ID der Ansprechperson.")
    provenance: str | None = strawberry.field(default=None, description="Herkunft der Angaben.")
    draft: bool = strawberry.field(
        default=False,
        description="Als Entwurf speichern statt zur Prüfung einzureichen (nur für Mitglieder).",
    )


@strawberry.input(
    description="Änderungen an einer Übernahme: nur angegebene Felder ändern sich; ein leerer Text löscht "
    "ein Feld. Das übernommene Projekt und die Kommune bleiben."
)
class UpdateAdoptionInput:
    id: str = strawberry.field(description="ID (`slug`) der Übernahme.")
    project: str | None = strawberry.field(default=None, description="ID des eigenen Projekts.")
    status: AdaptationStatus | None = strawberry.field(default=None, description="Neuer Stand.")
    outcome: str | None = strawberry.field(default=None, description="Ergebnis: was funktioniert hat, was nicht.")
    started: str | None = strawberry.field(default=None, description="Beginn (JJJJ, JJJJ-MM oder JJJJ-MM-TT).")
    ended: str | None = strawberry.field(default=None, description="Ende (JJJJ, JJJJ-MM oder JJJJ-MM-TT).")
    contact: str | None = strawberry.field(default=None, description="ID der Ansprechperson.")
    provenance: str | None = strawberry.field(default=None, description="Herkunft der Angaben.")


AdaptationResult = Annotated[
    AdaptationPayload | UserErrors,
    strawberry.union("AdaptationResult", description="Die Übernahme, oder warum die Änderung abgelehnt wurde."),
]


def _errors(problems: Sequence[Problem]) -> UserErrors:
    renamed = [dataclasses.replace(p, field=_INPUT_FIELDS.get(p.field or "", p.field)) for p in problems]
    return user_errors(renamed)


@strawberry.type(description="Änderungen an Übernahmen.")
class AdaptationMutations:
    @strawberry.mutation(
        description="Eine Übernahme erfassen („wir übernehmen X“). Mitglieder erfassen Übernahmen ihrer eigenen "
        "Kommune; sie werden von der Moderation geprüft und sind erst nach der Freigabe für alle sichtbar."
    )
    async def record_adoption(
        self,
        info: Info[Context, None],
        input: Annotated[RecordAdoptionInput, strawberry.argument(description="Die Übernahme.")],  # noqa: A002
    ) -> AdaptationResult:
        ctx = info.context
        data: dict[str, Any] = {
            "id": input.id, "adopts": input.source, "commune": input.commune, "project": input.project,
            "status": input.status.value if input.status else None, "outcome": input.outcome,
            "started": input.started, "ended": input.ended, "contact": input.contact, "source": input.provenance,
        }
        try:
            entity = await run_in_threadpool(service.record_adoption, ctx.store, ctx.identity, data, draft=input.draft)
        except Rejected as e:
            return _errors(e.problems)
        return AdaptationPayload(adaptation=Adaptation.from_entity(entity))

    @strawberry.mutation(
        description="Stand, Ergebnis, Zeitraum oder Ansprechperson einer Übernahme ändern. Bei einer "
        "veröffentlichten Übernahme wird die Änderung eines Mitglieds zum Änderungsvorschlag, den die Moderation "
        "prüft; bis dahin bleibt der veröffentlichte Stand sichtbar."
    )
    async def update_adoption(
        self,
        info: Info[Context, None],
        input: Annotated[UpdateAdoptionInput, strawberry.argument(description="Die Änderungen.")],  # noqa: A002
    ) -> AdaptationResult:
        ctx = info.context
        given: dict[str, Any] = {
            "project": input.project, "status": input.status.value if input.status else None,
            "outcome": input.outcome, "started": input.started, "ended": input.ended, "contact": input.contact,
            "source": input.provenance,
        }
        # absent (None) keeps a field; an empty text clears it
        changes = {k: (None if v == "" else v) for k, v in given.items() if v is not None}
        try:
            entity = await run_in_threadpool(service.update_adoption, ctx.store, ctx.identity, input.id, changes)
        except Rejected as e:
            return _errors(e.problems)
        return AdaptationPayload(adaptation=Adaptation.from_entity(entity))
