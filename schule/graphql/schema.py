"""The GraphQL schema: merges the domain packages' queries and mutations.

``build_schema(settings)`` is called once per app (never per request); the abuse limits and
caches come from ``limits.py``, errors are logged with the request id and masked (``errors.py``).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.types import ExecutionContext, Info

import schule
from schule.auth.ratelimit import RateLimiter
from schule.graphql.adaptations.mutations import AdaptationMutations
from schule.graphql.adaptations.queries import AdaptationQueries
from schule.graphql.adaptations.types import Adaptation
from schule.graphql.admin.mutations import AdminMutations
from schule.graphql.communes.queries import CommuneQueries
from schule.graphql.communes.types import Commune
from schule.graphql.context import Context, ProvideContext
from schule.graphql.errors import MaskUnexpectedErrors, annotate, is_unexpected
from schule.graphql.events.queries import EventQueries
from schule.graphql.events.types import Event
from schule.graphql.execution import PlainLeafExecutor, lean_resolvers
from schule.graphql.freshness.schema import FreshnessMutations, FreshnessQueries
from schule.graphql.handlungsfelder.queries import HandlungsfeldQueries
from schule.graphql.handlungsfelder.types import Handlungsfeld
from schule.graphql.lessons.mutations import LessonMutations
from schule.graphql.lessons.queries import LessonQueries
from schule.graphql.lessons.types import Lesson
from schule.graphql.limits import schema_config, schema_extensions
from schule.graphql.moderation.mutations import ModerationMutations
from schule.graphql.moderation.queries import ModerationQueries
from schule.graphql.networks.queries import NetworkQueries
from schule.graphql.networks.types import Membership, Network
from schule.graphql.organisations.queries import OrganisationQueries
from schule.graphql.organisations.types import Organisation
from schule.graphql.people.queries import PersonQueries
from schule.graphql.people.types import Person
from schule.graphql.projects.mutations import ProjectMutations
from schule.graphql.projects.queries import ProjectQueries
from schule.graphql.projects.types import Project
from schule.graphql.search.queries import SearchQuery
from schule.graphql.transfer.queries import TransferQueries
from schule.settings import Settings

log = logging.getLogger("schule.graphql")

NODE_TYPES = [Project, Commune, Person, Handlungsfeld, Network, Membership, Lesson, Event, Organisation, Adaptation]


@strawberry.type(
    description="Einstiegspunkt für Abfragen an den Wissensgraphen der Smart Cities: Schule. Für jede Art "
    "gibt es eine Einzelabfrage über unsere eigene ID (z. B. `project(id:)`) und eine Liste mit Filter, "
    "Sortierung und Blättern (z. B. `projects`). Listen zeigen nur Veröffentlichtes; Unveröffentlichtes "
    "sehen nur die Verfasserin bzw. der Verfasser (Einzelabfrage, `mySubmissions`) und die Moderation."
)
class Query(
    ProjectQueries,
    CommuneQueries,
    PersonQueries,
    HandlungsfeldQueries,
    NetworkQueries,
    LessonQueries,
    EventQueries,
    OrganisationQueries,
    SearchQuery,
    ModerationQueries,
    TransferQueries,
    AdaptationQueries,
    FreshnessQueries,
):
    @strawberry.field(description="Version des schule-Servers.")
    def version(self) -> str:
        return schule.__version__

    @strawberry.field(
        description="Ein beliebiger Eintrag über seine globale Relay-ID (das Feld `id` jedes Typs); "
        "null, wenn es ihn nicht gibt."
    )
    async def node(
        self,
        info: Info[Context, None],
        id: Annotated[  # noqa: A002
            relay.GlobalID, strawberry.argument(description="Globale Relay-ID, wie sie das Feld `id` liefert.")
        ],
    ) -> relay.Node | None:
        return await id.resolve_node(info, required=False)


@strawberry.type(
    description="Einstiegspunkt für Änderungen. Änderungen brauchen eine Anmeldung: den Kopf "
    "`Authorization: Bearer <Zugangsschlüssel>` (Konten vergibt `schule user add`) oder die Sitzung der "
    "Webseiten. Einträge von Mitgliedern werden von der Moderation geprüft, bevor alle sie sehen. "
    "Erwartete Fehler kommen als `UserErrors` zurück, nicht als GraphQL-Fehler."
)
class Mutation(
    ProjectMutations, LessonMutations, AdaptationMutations, FreshnessMutations, ModerationMutations, AdminMutations
):
    pass


NODE_DESCRIPTION = "Ein Eintrag mit global eindeutiger ID (Relay-Konvention), abrufbar mit `node(id:)`."
NODE_ID_DESCRIPTION = "Globale, undurchsichtige Relay-ID für `node(id:)`; unsere eigene ID steht in `slug`."


class SchuleSchema(strawberry.Schema):
    """Logs unexpected errors once, with the request id; the client sees them masked."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        context = execution_context.context if execution_context else None
        request_id = getattr(context, "request_id", None)
        for error in errors:
            annotate(error)
            if is_unexpected(error):
                log.error(
                    "unexpected error in GraphQL request %s at %s",
                    request_id,
                    error.path,
                    exc_info=error.original_error,
                )
            else:
                log.debug("GraphQL request %s: %s", request_id, error.message)


def build_schema(
    settings: Settings | None = None, *, queries: RateLimiter | None = None, fast_paths: bool = True
) -> strawberry.Schema:
    """``queries``: the per-client query rate limit (``create_app`` passes the app's). ``fast_paths``:
    plain leaves and links the cheaper way (``execution.py``); off only to compare against."""
    settings = settings or Settings()
    extensions: list[Any] = [ProvideContext, *schema_extensions(settings, queries), MaskUnexpectedErrors]
    schema = SchuleSchema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=extensions,
        config=schema_config(),
        execution_context_class=PlainLeafExecutor if fast_paths else None,
    )
    if fast_paths:
        lean_resolvers(schema)
    # Strawberry's built-in Node interface is described in English; our contract is German.
    node = schema._schema.type_map["Node"]
    node.description = NODE_DESCRIPTION
    node.fields["id"].description = NODE_ID_DESCRIPTION  # type: ignore[attr-defined]
    for type_ in schema._schema.type_map.values():
        fields = getattr(type_, "fields", None)
        if fields and "Node" in [i.name for i in getattr(type_, "interfaces", [])]:
            fields["id"].description = NODE_ID_DESCRIPTION
    return schema
