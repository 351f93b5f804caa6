"""Mutations of the administration: a commune joins a network, the Handlungsfeld taxonomy, networks.

Every rule (only admins; valid basis, date and document; existing references) lives in
``schule.services.membership``; a refusal (``TrustError``) comes back as ``UserErrors`` with its
code, never as a GraphQL error.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.domain.model import Handlungsfeld as HandlungsfeldEntity
from schule.domain.model import Kind
from schule.domain.model import Network as NetworkEntity
from schule.graphql.admin.types import (
    HandlungsfeldPayload,
    JoinNetworkInput,
    JoinNetworkPayload,
    NetworkPayload,
    SaveHandlungsfeldInput,
    SaveNetworkInput,
    membership_of,
)
from schule.graphql.context import Context
from schule.graphql.errors import UserErrors, trust_errors
from schule.graphql.handlungsfelder.types import Handlungsfeld
from schule.graphql.networks.types import Network
from schule.services import membership
from schule.services.access import TrustError

ONLY_ADMINS = " Nur für die Administration; jede Änderung steht im Prüfprotokoll (`auditLog`)."

JoinNetworkResult = Annotated[
    JoinNetworkPayload | UserErrors,
    strawberry.union("JoinNetworkResult", description="Die erfasste Mitgliedschaft, oder warum sie abgelehnt wurde."),
]
SaveHandlungsfeldResult = Annotated[
    HandlungsfeldPayload | UserErrors,
    strawberry.union(
        "SaveHandlungsfeldResult", description="Das gespeicherte Handlungsfeld, oder warum es abgelehnt wurde."
    ),
]
SaveNetworkResult = Annotated[
    NetworkPayload | UserErrors,
    strawberry.union("SaveNetworkResult", description="Das gespeicherte Netzwerk, oder warum es abgelehnt wurde."),
]


@strawberry.type(description="Änderungen der Administration: Beitritte zu Netzwerken, Handlungsfelder, Netzwerke.")
class AdminMutations:
    @strawberry.mutation(
        description="Festhalten, dass eine Kommune einem Netzwerk beigetreten ist: per Letter of Intent "
        "(Absichtserklärung der Verwaltungsspitze) oder Ratsbeschluss, mit Datum und Beleg. Danach steht sie "
        "mit dieser Rolle in `members` des Netzwerks." + ONLY_ADMINS
    )
    async def join_network(
        self,
        info: Info[Context, None],
        input: Annotated[JoinNetworkInput, strawberry.argument(description="Der Beitritt.")],  # noqa: A002
    ) -> JoinNetworkResult:
        ctx = info.context
        try:
            joined = await run_in_threadpool(
                lambda: membership.join_network(
                    ctx.store, ctx.identity, commune=input.commune, network=input.network,
                    role=str(input.role.value), basis=str(input.basis.value), since=input.since,
                    document=input.document,
                )
            )
        except TrustError as e:
            return trust_errors(e)
        return JoinNetworkPayload(membership=membership_of(joined))

    @strawberry.mutation(
        description="Ein Handlungsfeld der Taxonomie anlegen oder ändern, auch seine Stellung im Baum (`parent`)."
        + ONLY_ADMINS
    )
    async def save_handlungsfeld(
        self,
        info: Info[Context, None],
        input: Annotated[SaveHandlungsfeldInput, strawberry.argument(description="Das Handlungsfeld.")],  # noqa: A002
    ) -> SaveHandlungsfeldResult:
        ctx = info.context
        fields = {"id": input.id, "name": input.name, "parent": input.parent, "description": input.description}
        try:
            entity = await run_in_threadpool(
                membership.save_reference_entry, ctx.store, ctx.identity, Kind.HANDLUNGSFELD, fields
            )
        except TrustError as e:
            return trust_errors(e)
        assert isinstance(entity, HandlungsfeldEntity)
        return HandlungsfeldPayload(handlungsfeld=Handlungsfeld.from_entity(entity))

    @strawberry.mutation(description="Ein Netzwerk von Kommunen anlegen oder ändern." + ONLY_ADMINS)
    async def save_network(
        self,
        info: Info[Context, None],
        input: Annotated[SaveNetworkInput, strawberry.argument(description="Das Netzwerk.")],  # noqa: A002
    ) -> SaveNetworkResult:
        ctx = info.context
        fields = {"id": input.id, "name": input.name, "description": input.description}
        try:
            entity = await run_in_threadpool(
                membership.save_reference_entry, ctx.store, ctx.identity, Kind.NETWORK, fields
            )
        except TrustError as e:
            return trust_errors(e)
        assert isinstance(entity, NetworkEntity)
        return NetworkPayload(network=Network.from_entity(entity))
