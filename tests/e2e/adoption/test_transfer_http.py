"""Transferability (``Project.transfer``) over HTTP on the seeded app: the moderation records what a
commune needs to take the Stadtlabor Soest over; readers see it in the API and on the project page;
bad parts are refused by name; export and import carry it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.adoption.conftest import Api
from tests.e2e.cli.helpers import run_schule

RESULT = "__typename ... on UserErrors { errors { code field message } }"
UPDATE = f"""mutation($input: UpdateProjectInput!) {{ updateProject(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug }} }} }} }}"""
TRANSFER = """query($id: String!) { project(id: $id) { license transfer {
  prerequisites { type text } effortDays { min max } costsOnce { min max } costsYearly { min max }
  funding { programme share } repository publiccode standards
  partners { role organisation { slug } } documents { title url } } } }"""
GIVEN = {
    "prerequisites": [{"type": "STAFF", "text": "Eine halbe Stelle für die Betreuung"},
                      {"type": "COUNCIL_DECISION", "text": "Beschluss des Rats über den Standort"}],
    "effortDays": {"min": 20, "max": 40},
    "costsYearly": {"max": 12000},
    "funding": [{"programme": "Modellprojekte Smart Cities", "share": 65}],
    "standards": ["LoRaWAN", "OParl"],
    "partners": [{"organisation": "suedwestfalen-agentur", "role": "SERVICE_PROVIDER"}],
    "documents": [{"title": "Ratsbeschluss", "url": "https://www.soest.de/ratsbeschluss.pdf"}],
}


def test_transferability_is_recorded_shown_refused_when_bad_and_round_tripped(
    api: dict[str, Api], data_dir: Path, tmp_path: Path,
) -> None:
    # nothing known yet: empty, never guessed
    assert api["anonymous"].data(TRANSFER, {"id": "stadtlabor-soest"})["project"]["transfer"] is None
    # when the moderation records it
    done = api["pruefer"].data(UPDATE, {"input": {"id": "stadtlabor-soest", "transfer": GIVEN}})["updateProject"]
    assert done == {"__typename": "ProjectPayload", "project": {"slug": "stadtlabor-soest"}}
    # then everyone reads it back, unknown parts empty
    shown = api["anonymous"].data(TRANSFER, {"id": "stadtlabor-soest"})["project"]["transfer"]
    assert shown["prerequisites"] == GIVEN["prerequisites"]
    assert shown["effortDays"] == {"min": 20, "max": 40} and shown["costsYearly"] == {"min": None, "max": 12000}
    assert shown["costsOnce"] is None and shown["repository"] is None
    assert shown["funding"] == [{"programme": "Modellprojekte Smart Cities", "share": 65.0}]
    assert shown["partners"] == [{"role": "SERVICE_PROVIDER", "organisation": {"slug": "suedwestfalen-agentur"}}]
    # and a search for a standard finds the project
    hits = api["anonymous"].data('{ search(query: "OParl", first: 10) { hits { id } } }')["search"]["hits"]
    assert {"id": "stadtlabor-soest"} in hits
    # and the project page shows it
    page = api["anonymous"].client.get("/projekte/stadtlabor-soest")
    assert page.status_code == 200
    assert "Was braucht es für die Übernahme?" in page.text and "20 – 40 Personentage" in page.text
    assert "Modellprojekte Smart Cities (65" in page.text and "Dienstleister" in page.text

    # bad parts are refused by name, nothing changes
    bad = dict(GIVEN, effortDays={"min": 50, "max": 10})
    refused = api["pruefer"].data(UPDATE, {"input": {"id": "stadtlabor-soest", "transfer": bad}})["updateProject"]
    assert refused["__typename"] == "UserErrors"
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", ["input", "transfer"])]
    assert "effort_days" in refused["errors"][0]["message"]
    unknown = dict(GIVEN, partners=[{"organisation": "gibt-es-nicht", "role": "OPERATOR"}])
    refused = api["pruefer"].data(UPDATE, {"input": {"id": "stadtlabor-soest", "transfer": unknown}})["updateProject"]
    assert refused["__typename"] == "UserErrors" and refused["errors"][0]["code"] == "NOT_FOUND"
    assert api["anonymous"].data(TRANSFER, {"id": "stadtlabor-soest"})["project"]["transfer"] == shown

    # export writes it as an object, and an import into an empty store reads it back unchanged
    out = tmp_path / "a.jsonl"
    assert run_schule("export", str(out), data_dir=data_dir).returncode == 0
    record = next(r for r in map(json.loads, out.read_text("utf-8").splitlines()) if r.get("id") == "stadtlabor-soest")
    assert record["transfer"]["effort_days"] == {"min": 20, "max": 40}
    assert record["transfer"]["partners"] == [{"organisation": "suedwestfalen-agentur", "role": "service_provider"}]
    fresh = tmp_path / "fresh"
    imported = run_schule("import", str(out), data_dir=fresh)
    assert imported.returncode == 0, imported.stderr
    again = tmp_path / "b.jsonl"
    assert run_schule("export", str(again), data_dir=fresh).returncode == 0
    assert sorted(out.read_text("utf-8").splitlines()) == sorted(again.read_text("utf-8").splitlines())
