"""Project list pages from the facts in memory (``schule.services.project_lists``) say exactly what the
graph query says: the same projects in the same order and the same total, for every filter and sort
the API offers, on a store with ties, umlauts, missing dates, sub-fields, adoptions and networks; and
they follow every change at once."""

from __future__ import annotations

import random
from typing import Any

import pytest

from schule.auth.identity import Identity
from schule.domain.model import Kind
from schule.domain.records import parse_record
from schule.services import accounts, moderation, project_lists
from schule.services.project_lists import ProjectLists, Unanswerable, _candidates, _index
from schule.services.seeding import seed
from schule.services.transfer.facts import CommuneFact, Facts, ProjectFact, facts_for, facts_if_current
from schule.store import CypherGraphStore
from schule.store.cypher import LIST_SORTS
from tests.conftest import SEED_DIR

WORDS = ["Ärztehaus", "ärztehaus", "Apfel", "apfel", "Zebra", "Öko", "über", "Straße", "STRASSE", "Bürger",
         "Digital", "digital", "Ökologie", "Zukunft", "Mobil", "10", "2"]
STATUS = ["idea", "planning", "implementation", "operation", "completed", "stopped"]
TAGS = ["open-data", "lora", "app", "sensor"]


def _dataset(store: CypherGraphStore, rng: random.Random) -> dict[str, list[str]]:
    seed(store, SEED_DIR)
    communes = [e.id for e in store.iter_entities(Kind.COMMUNE)]
    fields = [e.id for e in store.iter_entities(Kind.HANDLUNGSFELD)]
    records: list[dict[str, Any]] = []
    for i in range(240):
        record: dict[str, Any] = {
            "kind": "project", "id": f"p-{i:03d}", "summary": "Zum Vergleich.",
            # few words, so that many titles are equal or equal but for case
            "title": " ".join(rng.sample(WORDS, rng.choice([1, 1, 2]))),
            "communes": rng.sample(communes, rng.choice([1, 1, 2, 3])),
            "handlungsfelder": rng.sample(fields, rng.choice([1, 2])),
        }
        if rng.random() < 0.8:
            record["status"] = rng.choice(STATUS)
        if rng.random() < 0.7:
            record["started"] = rng.choice(["2019", "2020-03", "2020-03-15", "2021", "2022-11", "2024"])
        if rng.random() < 0.3 and record.get("started", "") < "2022":
            record["ended"] = rng.choice(["2022", "2023-06", "2025"])
        if rng.random() < 0.4:
            record["tags"] = rng.sample(TAGS, rng.choice([1, 2]))
        records.append(record)
    for i in range(60):
        records.append({"kind": "adaptation", "id": f"a-{i:03d}", "adopts": f"p-{rng.randrange(240):03d}",
                        "commune": rng.choice(communes), "status": rng.choice(["planned", "done"])})
    store.upsert([parse_record(r) for r in records])
    project_lists.warm(store)  # as the app does after a start and after changes
    kreise = sorted({e.kreis for e in store.iter_entities(Kind.COMMUNE) if getattr(e, "kreis", None)})
    regions = sorted({e.region for e in store.iter_entities(Kind.COMMUNE) if getattr(e, "region", None)})
    networks = [e.id for e in store.iter_entities(Kind.NETWORK)]
    return {"communes": communes, "fields": fields, "kreise": kreise, "regions": regions, "networks": networks}


def _filters(rng: random.Random, values: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every filter alone, then random combinations (some matching nothing)."""
    alone: list[dict[str, Any]] = [
        {},
        {"communes": rng.sample(values["communes"], 3)},
        {"kreise": [values["kreise"][0]]},
        {"kreise": values["kreise"][:3]},
        {"regions": [values["regions"][0]]},
        {"regions": ["Nirgendwo"]},
        {"handlungsfelder": ["mobilitaet"]},  # a field with sub-fields
        {"handlungsfelder": [rng.choice(values["fields"])]},
        {"handlungsfelder": ["gibt-es-nicht"]},
        {"status": ["idea", "operation"]},
        {"tags": ["lora", "app"]},
        {"started_from": "2020-03", "started_to": "2021"},
        {"started_from": "2022"},
        {"ended_to": "2023"},
        {"ended_from": "2023-06", "ended_to": "2025"},
        {"network": values["networks"][0], "network_roles": None},
        {"network": values["networks"][0], "network_roles": ["pioneer"]},
        {"network": values["networks"][0], "network_roles": ["mitmacher", "supporter"]},
    ]
    combined = []
    for _ in range(25):
        f: dict[str, Any] = {}
        for part in rng.sample(alone[1:], rng.choice([2, 3])):
            f.update(part)
        combined.append(f)
    return alone + combined


def _same_answers(store: CypherGraphStore, lists: ProjectLists, filters: dict[str, Any], sort: str) -> None:
    for skip, limit in ((0, 21), (20, 21), (5, 3)):
        expected, expected_total = store.list_page_counted(Kind.PROJECT, filters, sort, skip, limit)
        counted = store.count_matching(Kind.PROJECT, filters)
        with pytest.MonkeyPatch.context() as m:  # the facts answer: the graph's list queries are not asked
            for name in ("list_page", "list_page_counted", "count_matching"):
                m.setattr(store, name, _not_asked)
            got, total = lists.list_page_counted(Kind.PROJECT, filters, sort, skip, limit)
            assert lists.count_matching(Kind.PROJECT, filters) == counted
        assert [e.id for e in got] == [e.id for e in expected], (filters, sort, skip)
        assert got == expected, (filters, sort, skip)  # the entities themselves, too
        if expected_total is not None:  # the store leaves an unfiltered total to a count of its own
            assert total == expected_total, (filters, sort, skip)
        assert total == counted, (filters, sort, skip)


def _not_asked(*args: object) -> None:
    pytest.fail(f"the graph was asked for a list the facts know: {args}")


def test_every_filter_and_sort_gives_the_graph_querys_page_and_total(store: CypherGraphStore) -> None:
    rng = random.Random(14)
    values = _dataset(store, rng)
    lists = ProjectLists(store)
    filters = _filters(rng, values)
    # the dataset has what makes the comparison hard
    titles = [e.title for e in store.iter_entities(Kind.PROJECT)]
    assert len({t.lower() for t in titles}) < len(set(titles)) < len(titles)  # equal but for case, and equal
    for f in filters:
        for sort in LIST_SORTS[Kind.PROJECT]:
            _same_answers(store, lists, f, sort)
    # and the filters find something: the comparison is not one of empty lists
    assert sum(1 for f in filters if lists.count_matching(Kind.PROJECT, f) > 0) > len(filters) // 2


def test_lists_follow_every_change_at_once(store: CypherGraphStore) -> None:
    rng = random.Random(7)
    values = _dataset(store, rng)
    lists = ProjectLists(store)
    kreis = values["kreise"][0]
    before, total = lists.list_page_counted(Kind.PROJECT, {"kreise": [kreis]}, "title_asc", 0, 500)
    assert total == len(before) > 0
    # a new project, one moved to another Kreis, one renamed
    commune_in_kreis = next(e.id for e in store.iter_entities(Kind.COMMUNE) if getattr(e, "kreis", None) == kreis)
    other = next(e.id for e in store.iter_entities(Kind.COMMUNE)
                 if getattr(e, "kreis", None) not in (None, kreis))
    moved, renamed = before[0], before[1]
    store.upsert([parse_record(r) for r in [
        {"kind": "project", "id": "neu", "title": "AAA Neu", "summary": "Neu.", "commune": commune_in_kreis,
         "handlungsfelder": ["mobilitaet"]},
        {"kind": "project", "id": moved.id, "title": moved.title, "summary": "Umgezogen.", "commune": other,
         "handlungsfelder": list(moved.handlungsfelder)},
        {"kind": "project", "id": renamed.id, "title": "zzz umbenannt", "summary": "Umbenannt.",
         "communes": list(renamed.communes), "handlungsfelder": list(renamed.handlungsfelder)},
    ]])
    # at once, before the facts are built again: the graph answers (and is counted for /metrics)
    counted = project_lists.answered(store)
    check_changed(store, lists, kreis, before, total, moved.id, renamed.id)
    assert project_lists.answered(store) == {**counted, "graph": counted["graph"] + 1}
    # once they are (the app does it within a second), the facts answer the same
    project_lists.warm(store)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(store, "list_page_counted", _not_asked)
        check_changed(store, lists, kreis, before, total, moved.id, renamed.id)
    assert project_lists.answered(store) == {"graph": counted["graph"] + 1, "facts": counted["facts"] + 1}


def check_changed(store: CypherGraphStore, lists: ProjectLists, kreis: str, before: list[Any], total: int,
                  moved: str, renamed: str) -> None:
    after, total_after = lists.list_page_counted(Kind.PROJECT, {"kreise": [kreis]}, "title_asc", 0, 500)
    ids = [e.id for e in after]
    still_there = kreis in _kreise_of(store, moved)
    assert "neu" in ids and (moved in ids) == still_there
    assert total_after == total + 1 - (0 if still_there else 1) == len(ids)
    assert next(e.title for e in after if e.id == renamed) == "zzz umbenannt"
    assert ids.index(renamed) > ids.index("neu") and ids != [e.id for e in before]
    assert ids == [e.id for e in store.list_page(Kind.PROJECT, {"kreise": [kreis]}, "title_asc", 0, 500)]


def test_a_draft_moves_the_facts_on_without_building_them_again(store: CypherGraphStore) -> None:
    rng = random.Random(3)
    _dataset(store, rng)
    before = facts_for(store)
    # a member's draft is no fact: the lists' facts move on to it, and what was derived stays
    operator = Identity.system()
    _, token = accounts.add_account(store, operator, "olpe-digital", "member", commune="olpe")
    member = accounts.identity_for_token(store, token)
    assert member is not None
    moderation.create_entry(store, member, Kind.PROJECT, {
        "title": "Entwurf", "summary": "Noch nicht veröffentlicht.", "communes": ["olpe"],
        "handlungsfelder": ["mobilitaet"]})
    moved_on = facts_if_current(store)
    assert moved_on is not None and moved_on.seq > before.seq and moved_on.same_content(before)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(store, "list_page_counted", _not_asked)
        page, _ = ProjectLists(store).list_page_counted(Kind.PROJECT, {"communes": ["olpe"]}, "title_asc", 0, 50)
    assert "Entwurf" not in [e.title for e in page]
    # a published change is a fact: not at hand until a snapshot is built
    store.upsert([parse_record({"kind": "project", "id": "p-000", "title": "Geändert", "summary": "s",
                                "commune": "olpe", "handlungsfelder": ["mobilitaet"]})])
    assert facts_if_current(store) is None
    rebuilt = facts_for(store)
    assert not rebuilt.same_content(before) and rebuilt.projects["p-000"].title == "Geändert"


def _kreise_of(store: CypherGraphStore, project: str) -> set[str]:
    p = store.get([project])[project]
    communes = store.get(list(p.communes))  # type: ignore[attr-defined]
    return {c.kreis for c in communes.values() if getattr(c, "kreis", None)}  # type: ignore[attr-defined]


@pytest.mark.parametrize("filters", [{"kreise": ["Kreis Soest"]}, {"regions": ["Südwestfalen"]},
                                     {"network": "netz", "network_roles": None}])
def test_a_project_in_a_commune_the_facts_do_not_know_is_left_to_the_graph(filters: dict[str, Any]) -> None:
    # a commune that is no published fact: its Kreis and region are unknown to the facts
    facts = Facts.of(communes=[CommuneFact("soest", "Soest", "Kreis Soest", "Südwestfalen")],
                     projects=[ProjectFact("a", "A", communes=("soest",)),
                               ProjectFact("b", "B", communes=("entwurf",))],
                     networks={"netz": "Netz"})
    with pytest.raises(Unanswerable):
        _candidates(facts, _index(facts), filters)
    # without a filter that needs the commune's facts, the facts answer
    assert _candidates(facts, _index(facts), {"communes": ["entwurf"]}) == {"b"}
