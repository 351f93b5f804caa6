"""Transferability as search facets, over HTTP: a member looking for something she can copy filters the
search by what projects state about their transfer (open source, costs, funding, prerequisites, documents,
adopted) and by standard; projects that state nothing have no transfer facet value (never guessed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.adoption.conftest import Api
from tests.e2e.cli.helpers import run_schule

# Three projects about the same thing ("Mängelmelder"), differing only in what they say about transfer.
PROJECTS = [
    {"kind": "project", "id": "maengelmelder-quelloffen", "title": "Mängelmelder quelloffen",
     "summary": "Ein Mängelmelder für Bürgerinnen und Bürger.", "communes": ["olpe"],
     "transfer": {"repository": "https://gitlab.opencode.de/olpe/maengelmelder", "standards": ["Open311"],
                  "costs_yearly": {"max": 3000}}},
    {"kind": "project", "id": "maengelmelder-gefoerdert", "title": "Mängelmelder gefördert",
     "summary": "Ein Mängelmelder mit Förderung.", "communes": ["soest"],
     "transfer": {"funding": [{"programme": "Modellprojekte Smart Cities", "share": 65}],
                  "standards": ["Open311", "OParl"],
                  "documents": [{"title": "Leistungsbeschreibung", "url": "https://www.soest.de/lb.pdf"}],
                  "prerequisites": [{"type": "staff", "text": "Eine Stelle im Bürgerbüro"}]}},
    {"kind": "project", "id": "maengelmelder-ohne-angaben", "title": "Mängelmelder ohne Angaben",
     "summary": "Ein Mängelmelder, über dessen Übernahme nichts bekannt ist.", "communes": ["menden"]},
]
SEARCH = """query($filter: SearchFilter) { search(query: "Mängelmelder", filter: $filter, first: 20) {
  total hits { id } facets { name values { value label count } } } }"""


@pytest.fixture(scope="module")
def imported(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    file = tmp_path_factory.mktemp("transfer-search") / "maengelmelder.jsonl"
    file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PROJECTS), "utf-8")
    done = run_schule("import", str(file), data_dir=data_dir)
    assert done.returncode == 0, done.stderr


def _search(api: Api, filter: dict[str, object] | None = None) -> dict[str, object]:
    return api.data(SEARCH, {"filter": filter})["search"]  # type: ignore[no-any-return]


def _ids(result: dict[str, object]) -> set[str]:
    return {h["id"] for h in result["hits"]}  # type: ignore[attr-defined,index]


def _facet(result: dict[str, object], name: str) -> dict[str, tuple[str, int]]:
    facet = next(f for f in result["facets"] if f["name"] == name)  # type: ignore[attr-defined,index]
    return {v["value"]: (v["label"], v["count"]) for v in facet["values"]}


def test_transfer_and_standard_facets_count_what_projects_state(imported: None, api: dict[str, Api]) -> None:
    everything = _search(api["anonymous"])
    assert {"maengelmelder-quelloffen", "maengelmelder-gefoerdert", "maengelmelder-ohne-angaben"} <= _ids(everything)
    transfer = _facet(everything, "TRANSFER")
    assert transfer["open_source"] == ("Open Source", 1)
    assert transfer["costs"] == ("Aufwand und Kosten angegeben", 1)
    assert transfer["funding"] == ("Förderung angegeben", 1)
    assert transfer["documents"] == ("mit Unterlagen", 1)
    assert transfer["prerequisites"] == ("Voraussetzungen beschrieben", 1)
    assert "adopted" not in transfer  # no done adoption record anywhere among the hits
    assert _facet(everything, "STANDARD") == {"Open311": ("Open311", 2), "OParl": ("OParl", 1)}


def test_filtering_by_transfer_features_and_standards(imported: None, api: dict[str, Api]) -> None:
    anonymous = api["anonymous"]
    assert _ids(_search(anonymous, {"transfer": ["OPEN_SOURCE"]})) == {"maengelmelder-quelloffen"}
    # several values of one facet: either is enough
    both = _search(anonymous, {"transfer": ["OPEN_SOURCE", "FUNDING"]})
    assert _ids(both) == {"maengelmelder-quelloffen", "maengelmelder-gefoerdert"}
    # between facets: both must hold
    assert _ids(_search(anonymous, {"transfer": ["DOCUMENTS"], "standards": ["Open311"]})) == {
        "maengelmelder-gefoerdert"}
    assert _ids(_search(anonymous, {"standards": ["Open311"]})) == {
        "maengelmelder-quelloffen", "maengelmelder-gefoerdert"}
    assert _search(anonymous, {"transfer": ["ADOPTED"]})["total"] == 0


def test_a_bad_transfer_value_is_a_client_error(imported: None, api: dict[str, Api]) -> None:
    response = api["anonymous"].client.post("/graphql", json={"query": SEARCH, "variables": {
        "filter": {"transfer": ["BILLIG"]}}})
    body = response.json()
    # a variable that cannot be coerced is a request error: no data, the value named in the message
    assert "data" not in body, body
    assert "BILLIG" in body["errors"][0]["message"]


def test_the_search_page_offers_the_transfer_facet(imported: None, api: dict[str, Api]) -> None:
    client = api["anonymous"].client
    page = client.get("/", params={"q": "Mängelmelder"})
    assert page.status_code == 200
    assert "Übertragbarkeit" in page.text and "Open Source" in page.text
    assert "Standards und Schnittstellen" in page.text
    filtered = client.get("/", params={"q": "Mängelmelder", "uebertragbar": "open_source"})
    assert filtered.status_code == 200
    assert "/projekte/maengelmelder-quelloffen" in filtered.text
    assert "/projekte/maengelmelder-gefoerdert" not in filtered.text
    # a value the API does not know is dropped from the filter, not an error page
    unknown = client.get("/", params={"q": "Mängelmelder", "uebertragbar": "billig"})
    assert unknown.status_code == 200
    assert "/projekte/maengelmelder-ohne-angaben" in unknown.text
