"""``confirmEntry`` and ``staleEntries``: is this entry still true?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.graphql.context import Context
from schule.graphql.errors import UserErrors, trust_errors
from schule.graphql.pagination import After, Connection
from schule.graphql.registry import to_node
from schule.services import freshness
from schule.services.access import TrustError

if TYPE_CHECKING:
    from schule.graphql.lessons.types import Lesson
    from schule.graphql.projects.types import Project

ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]
LessonRef = Annotated["Lesson", strawberry.lazy("schule.graphql.lessons.types")]

ConfirmableEntry = Annotated[
    ProjectRef | LessonRef,
    strawberry.union("ConfirmableEntry",
                     description="Ein Eintrag, der bestätigt werden kann: Projekt oder Erkenntnis."),
]


@strawberry.type(description="Ergebnis einer Bestätigung: der Eintrag mit dem neuen Datum `lastConfirmedAt`.")
class ConfirmPayload:
    entry: ConfirmableEntry = strawberry.field(description="Der bestätigte Eintrag.")


ConfirmResult = Annotated[
    ConfirmPayload | UserErrors,
    strawberry.union("ConfirmResult",
                     description="Der bestätigte Eintrag, oder warum die Bestätigung abgelehnt wurde."),
]


@strawberry.type(description="Bestätigen, dass ein Eintrag noch stimmt.")
class FreshnessMutations:
    @strawberry.mutation(
        description="Bestätigen, dass ein veröffentlichtes Projekt oder eine Erkenntnis noch stimmt: setzt "
        "`lastConfirmedAt` auf heute und schreibt eine Version (Aktion 'confirm'). Ändert keinen Text, der Eintrag "
        "bleibt veröffentlicht. Erlaubt für Mitglieder der Kommune des Eintrags und die Moderation."
    )
    async def confirm_entry(
        self,
        info: Info[Context, None],
        id: Annotated[str, strawberry.argument(description="Unsere eigene ID (`slug`) des Eintrags.")],  # noqa: A002
    ) -> ConfirmResult:
        ctx = info.context
        try:
            entity = await run_in_threadpool(freshness.confirm, ctx.store, ctx.identity, id)
        except TrustError as e:
            return trust_errors(e, "id")
        return ConfirmPayload(entry=to_node(entity))


@strawberry.type(description="Veraltete Einträge.")
class FreshnessQueries:
    @strawberry.field(
        description="Veröffentlichte Projekte und Erkenntnisse, die länger als die eingestellte Frist (Standard: "
        "12 Monate, Einstellung SCHULE_STALE_AFTER_MONTHS) nicht bestätigt wurden oder nie, das älteste Datum "
        "zuerst. Mitglieder sehen die Einträge ihrer Kommune, die Moderation alle (oder mit `commune` die einer "
        "Kommune). Ohne Anmeldung ein Fehler FORBIDDEN."
    )
    async def stale_entries(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description="So viele Einträge ab `after`.")] = None,
        after: After = None,
        commune: Annotated[
            str | None, strawberry.argument(description="Nur Einträge dieser Kommune (ID); Mitglieder: die eigene.")
        ] = None,
    ) -> Connection[ConfirmableEntry]:
        from schule.graphql.moderation.queries import _page, _window

        ctx = info.context
        scope = freshness.stale_scope(ctx.identity, commune)  # a refusal is a request error with its code
        start, size = _window(first, after)
        cutoff = freshness.stale_cutoff(ctx.settings.stale_after_months)
        store = ctx.store

        def fetch(skip: int, limit: int) -> list[Any]:
            return store.stale_entries(cutoff, scope, skip, limit)

        return await _page(fetch, lambda: store.stale_entries_count(cutoff, scope), to_node, start, size)
