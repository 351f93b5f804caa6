"""A small world for trust tests: three communes, a network, a Handlungsfeld, a consenting person,
a published project of Olpe, a published project shared by Olpe and Menden, and accounts for every
role (a member of Olpe, of Menden (Olpe's partner in the shared project), of Soest (unrelated),
a moderator, an admin)."""

from __future__ import annotations

from dataclasses import dataclass

from schule.auth.identity import ANONYMOUS, Identity
from schule.domain.records import parse_record
from schule.services import accounts
from schule.store import CypherGraphStore

RECORDS = [
    {"kind": "commune", "id": "olpe", "name": "Olpe", "kreis": "Kreis Olpe"},
    {"kind": "commune", "id": "soest", "name": "Soest", "kreis": "Kreis Soest"},
    {"kind": "commune", "id": "menden", "name": "Menden (Sauerland)"},
    {"kind": "network", "id": "suedwestfalen", "name": "5 für Südwestfalen"},
    {"kind": "membership", "commune": "olpe", "network": "suedwestfalen", "role": "pioneer", "basis": "founding"},
    {"kind": "handlungsfeld", "id": "mobilitaet", "name": "Mobilität"},
    {"kind": "handlungsfeld", "id": "bildung", "name": "Bildung"},
    {"kind": "person", "id": "erika", "name": "Erika Muster", "commune": "olpe", "email": "erika@olpe.de",
     "phone": "02761 0000", "contact_consent": True},
    {"kind": "project", "id": "olpe-parken", "title": "Parkplatzsensoren in Olpe",
     "summary": "Sensoren zeigen freie Stellplätze.", "commune": "olpe", "handlungsfelder": ["mobilitaet"],
     "contacts": ["erika"]},
    {"kind": "project", "id": "gemeinsam-funk", "title": "Gemeinsames Funknetz Olpe und Menden",
     "summary": "Olpe und Menden teilen sich ein LoRaWAN-Netz.", "communes": ["olpe", "menden"],
     "handlungsfelder": ["mobilitaet"]},
    {"kind": "lesson", "id": "olpe-parken-funk", "project": "olpe-parken", "title": "Funkabdeckung prüfen",
     "text": "Vorher die LoRaWAN-Abdeckung messen."},
]


@dataclass
class World:
    store: CypherGraphStore
    member_a: Identity      # member of Olpe (author of drafts)
    member_b: Identity      # member of Soest (no project in common with Olpe)
    moderator: Identity
    admin: Identity
    member_partner: Identity  # member of Menden, Olpe's partner in the shared project

    def role(self, name: str) -> Identity:
        return {
            "anonymous": ANONYMOUS, "member-own-commune": self.member_a, "member-partner-commune": self.member_partner,
            "member-other-commune": self.member_b, "moderator": self.moderator, "admin": self.admin,
        }[name]


def build_world(store: CypherGraphStore) -> World:
    store.upsert([parse_record(r) for r in RECORDS])
    operator = Identity.system()
    ids = {}
    for name, role, commune in [("anna", "member", "olpe"), ("bernd", "member", "soest"),
                                ("mona", "moderator", None), ("adam", "admin", None), ("mia", "member", "menden")]:
        _, token = accounts.add_account(store, operator, name, role, commune=commune)
        identity = accounts.identity_for_token(store, token)
        assert identity is not None
        ids[name] = identity
    return World(store, ids["anna"], ids["bernd"], ids["mona"], ids["adam"], ids["mia"])


ROLES = ["anonymous", "member-own-commune", "member-partner-commune", "member-other-commune", "moderator", "admin"]
SHARED = "gemeinsam-funk"  # published, of Olpe and Menden
NEW_PROJECT = {"title": "Digitale Schulwegsicherung", "summary": "Sensoren und Karte für sichere Schulwege.",
               "communes": ["olpe"], "handlungsfelder": ["mobilitaet"]}
