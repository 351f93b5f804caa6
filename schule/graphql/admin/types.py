"""Inputs and results of the administration mutations."""

from __future__ import annotations

import strawberry

from schule.domain import model
from schule.graphql.enums import MembershipBasis, MembershipRole
from schule.graphql.handlungsfelder.types import Handlungsfeld
from schule.graphql.networks.types import Membership, Network

DATE = "Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT"
ID_HELP = "Kleinbuchstaben, Ziffern und '-'"


@strawberry.input(
    description="Beitritt einer Kommune zu einem Netzwerk: mit Rolle, Grundlage (Letter of Intent oder "
    "Ratsbeschluss, bei Gründungsmitgliedern die Gründung), Datum und Beleg. Ist die Kommune schon Mitglied, "
    "werden Rolle, Grundlage, Datum und Beleg ersetzt."
)
class JoinNetworkInput:
    commune: str = strawberry.field(description="ID der Kommune, die beitritt, z. B. 'olpe'.")
    network: str = strawberry.field(
        description="ID des Netzwerks, dem sie beitritt, z. B. 'rahmenstrategie-suedwestfalen'."
    )
    role: MembershipRole = strawberry.field(description="Rolle der Kommune im Netzwerk, z. B. MITMACHER.")
    basis: MembershipBasis = strawberry.field(
        description="Grundlage des Beitritts: LETTER_OF_INTENT (Absichtserklärung der Verwaltungsspitze), "
        "COUNCIL_RESOLUTION (Ratsbeschluss) oder FOUNDING (Gründungsmitglied)."
    )
    since: str = strawberry.field(description=f"Datum des Beitritts bzw. des Beschlusses ({DATE}).")
    document: str = strawberry.field(
        description="Beleg des Beitritts, z. B. Titel, Aktenzeichen oder Adresse des Ratsbeschlusses bzw. "
        "des Letter of Intent (höchstens 1000 Zeichen)."
    )


@strawberry.input(
    description="Ein Handlungsfeld der Taxonomie, neu oder geändert. Gibt es die ID schon, wird das Handlungsfeld "
    "mit diesen Angaben überschrieben."
)
class SaveHandlungsfeldInput:
    id: str = strawberry.field(description=f"ID des Handlungsfelds ({ID_HELP}), z. B. 'energie'.")
    name: str = strawberry.field(description="Name, z. B. 'Energie'.")
    parent: str | None = strawberry.field(
        default=None, description="ID des übergeordneten Handlungsfelds; ohne Angabe eines der obersten Ebene."
    )
    description: str | None = strawberry.field(default=None, description="Was zu diesem Handlungsfeld gehört.")


@strawberry.input(
    description="Ein Netzwerk von Kommunen, neu oder geändert. Gibt es die ID schon, wird das Netzwerk mit diesen "
    "Angaben überschrieben; seine Mitgliedschaften bleiben."
)
class SaveNetworkInput:
    id: str = strawberry.field(description=f"ID des Netzwerks ({ID_HELP}), z. B. 'rahmenstrategie-suedwestfalen'.")
    name: str = strawberry.field(description="Name des Netzwerks.")
    description: str | None = strawberry.field(
        default=None, description="Beschreibung: Zweck, Träger, Bedingungen."
    )


@strawberry.type(description="Ergebnis eines erfassten Beitritts.")
class JoinNetworkPayload:
    membership: Membership = strawberry.field(
        description="Die Mitgliedschaft, wie sie jetzt gespeichert ist (mit Kommune und Netzwerk)."
    )


@strawberry.type(description="Ergebnis eines gespeicherten Handlungsfelds.")
class HandlungsfeldPayload:
    handlungsfeld: Handlungsfeld = strawberry.field(description="Das Handlungsfeld, wie es jetzt gespeichert ist.")


@strawberry.type(description="Ergebnis eines gespeicherten Netzwerks.")
class NetworkPayload:
    network: Network = strawberry.field(description="Das Netzwerk, wie es jetzt gespeichert ist.")


def membership_of(m: model.Membership) -> Membership:
    return Membership.from_edge(m.commune, m.network, {
        "role": m.role.value, "basis": m.basis.value if m.basis else None, "since": m.since,
        "document": m.document, "source": m.source,
    })
