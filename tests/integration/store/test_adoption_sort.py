"""The ``adoptions_desc`` list sort: by the number of communes with a published adaptation record
(``Project.adoptionSummary.communes``), ties by title, the same on an unfiltered page (split by
in-degree) and a filtered one (counted after the candidates are collected)."""

from __future__ import annotations

from schule.domain.model import Kind
from schule.domain.records import parse_record
from schule.services import moderation
from schule.store import CypherGraphStore
from tests.integration.trust.world import build_world

ADAPTATIONS = [
    # Parkplatzsensoren: twice by Soest (one commune), once by Menden -> 2 communes
    {"kind": "adaptation", "id": "parken-soest-1", "adopts": "olpe-parken", "commune": "soest", "status": "planned"},
    {"kind": "adaptation", "id": "parken-soest-2", "adopts": "olpe-parken", "commune": "soest", "status": "done"},
    {"kind": "adaptation", "id": "parken-menden", "adopts": "olpe-parken", "commune": "menden", "status": "done"},
    # Funknetz: once by Soest -> 1 commune
    {"kind": "adaptation", "id": "funk-soest", "adopts": "gemeinsam-funk", "commune": "soest", "status": "done"},
]
MORE_PROJECTS = [
    {"kind": "project", "id": f"olpe-{name}", "title": title, "summary": "Noch nicht übernommen.", "commune": "olpe",
     "handlungsfelder": ["mobilitaet"]}
    for name, title in (("zaehlung", "Zählstellen für Radverkehr"), ("ampel", "Ampeln mit Vorrang für Busse"))
]


def test_most_adopted_first_counts_communes_with_published_adaptations(store: CypherGraphStore) -> None:
    world = build_world(store)
    store.upsert([parse_record(r) for r in MORE_PROJECTS + ADAPTATIONS])
    # a member's adaptation that is only submitted, not published, counts for nothing
    for _ in range(3):
        moderation.create_entry(store, world.member_b, Kind.ADAPTATION,
                                {"adopts": "olpe-ampel", "commune": "soest"}, submit=True)

    unfiltered = [e.id for e in store.list_page(Kind.PROJECT, {}, "adoptions_desc", 0, 10)]
    filtered, total = store.list_page_counted(Kind.PROJECT, {"handlungsfelder": ["mobilitaet"]},
                                              "adoptions_desc", 0, 10)

    expected = ["olpe-parken", "gemeinsam-funk", "olpe-ampel", "olpe-zaehlung"]  # 2, 1, then 0 by title
    assert unfiltered == expected
    assert [e.id for e in filtered] == expected and total == 4
    # pages continue the order
    assert [e.id for e in store.list_page(Kind.PROJECT, {}, "adoptions_desc", 1, 2)] == expected[1:3]
