"""Root query fields of moderation: the review queue (and its count, which frontends poll), the
caller's own submissions, the versions of an entry and the audit log.

Who may ask is decided by the services (``schule.services.moderation``, ``audit``, ``history``);
a refusal is a GraphQL error with ``extensions.code`` ``FORBIDDEN`` (not masked: it is expected).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.domain.model import Kind
from schule.domain.problems import Code
from schule.errors import refuse
from schule.graphql.context import Context
from schule.graphql.enums import ReviewState
from schule.graphql.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from schule.graphql.moderation.types import AuditEntry, EntryVersion, ReviewEntry
from schule.graphql.pagination import After, Connection, Edge, PageInfo, decode_cursor, encode_cursor
from schule.graphql.registry import to_node
from schule.services import audit, history, moderation
from schule.services.access import TrustError

T = TypeVar("T")


@strawberry.enum(description="Art eines Eintrags, den die Moderation prüft.")
class ReviewKind(enum.Enum):
    PROJECT = strawberry.enum_value("project", description="Projekte.")
    LESSON = strawberry.enum_value("lesson", description="Erkenntnisse (Lessons Learned).")
    ADAPTATION = strawberry.enum_value("adaptation", description="Übernahmen eines Projekts durch eine Kommune.")


REVIEW_KINDS = (Kind.PROJECT, Kind.LESSON, Kind.ADAPTATION)

KINDS_ARG = strawberry.argument(description="Nur Einträge dieser Arten; ohne Angabe beide.")
FIRST_ARG = strawberry.argument(
    description=f"So viele Einträge ab `after` (höchstens {MAX_PAGE_SIZE}; ohne Angabe {DEFAULT_PAGE_SIZE})."
)


def denied(error: TrustError) -> TrustError:
    """A refusal as a request error (``extensions.code`` from its ``Code``, see ``graphql.errors``)."""
    return error


def _kinds(kinds: list[ReviewKind] | None) -> list[Kind] | None:
    return [Kind(str(k.value)) for k in kinds] if kinds else None


def _window(first: int | None, after: str | None) -> tuple[int, int]:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise refuse(Code.INVALID, f"`first` muss zwischen 0 und {MAX_PAGE_SIZE} liegen.", "first")
    return (decode_cursor(after) + 1 if after else 0), size


async def _page(
    fetch: Callable[[int, int], list[Any]], count: Callable[[], int], convert: Callable[[Any], T],
    start: int, size: int,
) -> Connection[T]:
    """A connection over a service's skip/limit list; one row more says whether there is a next page."""
    rows = await run_in_threadpool(fetch, start, size + 1) if size else []
    edges = [Edge(cursor=encode_cursor(start + i), node=convert(r)) for i, r in enumerate(rows[:size])]
    counted: list[int] = []

    async def total() -> int:
        if not counted:
            counted.append(await run_in_threadpool(count))
        return counted[0]

    page_info = PageInfo(
        has_next_page=len(rows) > size, has_previous_page=start > 0,
        start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, count=total)


@strawberry.type(description="Abfragen der Moderation und der eigenen Einreichungen.")
class ModerationQueries:
    @strawberry.field(
        description="Die Prüfliste: eingereichte Projekte und Erkenntnisse, und veröffentlichte mit einem "
        "Änderungsvorschlag eines Mitglieds (`pendingRevision`: die Feldänderungen gegenüber dem veröffentlichten "
        "Stand), die älteste Einreichung bzw. der älteste Vorschlag zuerst. Nur für Moderation und Administration."
    )
    async def review_queue(
        self,
        info: Info[Context, None],
        kinds: Annotated[list[ReviewKind] | None, KINDS_ARG] = None,
        first: Annotated[int | None, FIRST_ARG] = None,
        after: After = None,
    ) -> Connection[ReviewEntry]:
        ctx = info.context
        wanted = _kinds(kinds)
        start, size = _window(first, after)
        try:
            moderation.review_queue_count(ctx.store, ctx.identity)  # the permission check, before any data
        except TrustError as e:
            raise denied(e) from None
        return await _page(
            lambda skip, limit: moderation.review_queue(ctx.store, ctx.identity, kinds=wanted, skip=skip, limit=limit),
            lambda: moderation.review_queue_count(ctx.store, ctx.identity, wanted),
            to_node, start, size,
        )

    @strawberry.field(
        description="Wie viele Einträge auf Prüfung warten (Einreichungen und Änderungsvorschläge). Oberflächen "
        "fragen das regelmäßig ab: so erfährt die Moderation von neuen Einreichungen. Nur für Moderation und "
        "Administration."
    )
    async def review_queue_count(
        self, info: Info[Context, None], kinds: Annotated[list[ReviewKind] | None, KINDS_ARG] = None
    ) -> int:
        ctx = info.context
        wanted = _kinds(kinds)
        try:
            return await run_in_threadpool(moderation.review_queue_count, ctx.store, ctx.identity, wanted)
        except TrustError as e:
            raise denied(e) from None

    @strawberry.field(
        description="Die eigenen Einträge des angemeldeten Kontos in jedem Prüfstand (Entwurf, eingereicht, "
        "veröffentlicht, zur Überarbeitung, abgelehnt), mit `state` und dem Hinweis der Moderation "
        "(`reviewNote`), und die veröffentlichten Einträge, zu denen es Änderungen vorgeschlagen hat (deren Stand "
        "in `revisions`, die eigenen mit `own`); zuletzt geänderte zuerst. Ohne Anmeldung leer."
    )
    async def my_submissions(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, FIRST_ARG] = None,
        offset: Annotated[int, strawberry.argument(description="Wie viele Einträge übersprungen werden.")] = 0,
    ) -> list[ReviewEntry]:
        ctx = info.context
        start, size = _window(first, None)
        entities = await run_in_threadpool(moderation.my_entries, ctx.store, ctx.identity, max(0, offset) + start,
                                           size)
        return [to_node(e) for e in entities if e.kind in REVIEW_KINDS]

    @strawberry.field(
        description="Die Versionen eines Projekts oder einer Erkenntnis, älteste zuerst: wer wann welche Felder "
        "von welchem auf welchen Wert geändert hat. null, wenn es den Eintrag nicht gibt oder er für die "
        "anfragende Person nicht sichtbar ist. Enthält die Versionen der in den Eintrag überführten Dubletten "
        "(`slug` sagt, zu welchem Eintrag eine Version gehört); eine überführte ID liefert die Geschichte des "
        "verbleibenden Eintrags. Wer was sieht, steht beim Feld `history` von `Project`: ohne Anmeldung und für "
        "Mitglieder anderer Kommunen nur veröffentlichte Versionen, ohne Kontonamen."
    )
    async def history(
        self,
        info: Info[Context, None],
        id: Annotated[str, strawberry.argument(description="Unsere eigene ID (`slug`) des Eintrags.")],  # noqa: A002
    ) -> list[EntryVersion] | None:
        ctx = info.context
        try:
            versions = await run_in_threadpool(history.history, ctx.store, ctx.identity, id)
        except TrustError:
            return None
        return [EntryVersion.of(v) for v in versions]

    @strawberry.field(
        description="Das Prüfprotokoll: jede Handlung der Moderation und Administration, neueste zuerst. "
        "Nur für Moderation und Administration."
    )
    async def audit_log(
        self,
        info: Info[Context, None],
        target: Annotated[str | None, strawberry.argument(description="Nur Einträge zu dieser ID.")] = None,
        first: Annotated[int | None, FIRST_ARG] = None,
        after: After = None,
    ) -> Connection[AuditEntry]:
        ctx = info.context
        start, size = _window(first, after)
        try:
            audit.audit_count(ctx.store, ctx.identity, target=target)
        except TrustError as e:
            raise denied(e) from None
        return await _page(
            lambda skip, limit: audit.audit_log(ctx.store, ctx.identity, target=target, skip=skip, limit=limit),
            lambda: audit.audit_count(ctx.store, ctx.identity, target=target),
            AuditEntry.of, start, size,
        )


__all__ = ["ModerationQueries", "ReviewKind", "ReviewState"]
