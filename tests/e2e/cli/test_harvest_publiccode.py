"""``schule harvest publiccode``: a mirror of ``publiccode.yml`` files from many public bodies
(``publiccode/``: versions 0.1 to 0.5, German and other languages, missing fields, broken YAML),
harvested through the command as the operator runs it, and read back through export and GraphQL.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli.helpers import run_schule
from tests.e2e.trust.test_auth_http import bearer, client_for

FIXTURES = Path(__file__).resolve().parent / "publiccode"
SOEST = "gitlab-opencode-de-stadt-soest-maengelmelder"
VALID = {
    "archiv-2018/bauantrag/publiccode.yml": "github-com-stadt-luedenscheid-bauantrag",
    "comune-di-roma/segnalazioni/publiccode.yml": "github-com-comune-di-roma-segnalazioni",
    "gemeente-voorbeeld/meldingen/publiccode.yml": "github-com-gemeente-voorbeeld-meldingen",
    "kreis-olpe/parkleitsystem/publiccode.yaml": "github-com-kreisstadt-olpe-parkleitsystem",
    "landkreis-beispiel/minimal/publiccode.yml": "github-com-landkreis-beispiel-terminvergabe",
    "opencode/dms/publiccode.yml": "gitlab-opencode-de-open-dms-dokumentenablage",
    "stadt-menden/hochwasser-pegel/publiccode.yml": "gitlab-opencode-de-stadt-menden-hochwasser-pegel",
    "stadt-soest/maengelmelder/publiccode.yml": SOEST,
    "windows-export/ratsinfo/publiccode.yml": "github-com-gemeinde-beispiel-ratsinfo",
}
# rejected file -> a word its reason must contain
REJECTED = {
    "kaputt/aliasse/publiccode.yml": "Aliasse",
    "kaputt/falsche-url/publiccode.yml": "url",
    "kaputt/leer/publiccode.yml": "leer",
    "kaputt/liste/publiccode.yml": "keine Zuordnung",
    "kaputt/ohne-beschreibung/publiccode.yml": "Beschreibung",
    "kaputt/ohne-url/publiccode.yml": "„url“ fehlt",
    "kaputt/tabulator/publiccode.yml": "Zeile 5",
    "zweitkopie/publiccode.yml": "dieselbe Software",
}
# What the files say about people (maintenance/contacts, contractors): never copied.
PERSONAL = ["Musterfrau", "musterfrau", "Mustermann", "Jan Jansen", "jansen@", "903-0", "dario.bianchi",
            "2921 103", "joerg.weissenfels@"]

PROJECT = """query($id: String!) { project(id: $id) { slug state title summary license status
  communes { slug } handlungsfelder { slug } adaptedFrom { slug } } }"""
QUEUE = "{ reviewQueueCount }"
UPDATE = """mutation($input: UpdateProjectInput!) { updateProject(input: $input) {
  __typename ... on ProjectPayload { project { slug title license } } } }"""


def seeded(path: Path) -> Path:
    done = run_schule("seed", data_dir=path)
    assert done.returncode == 0, done.stderr
    return path


def harvest(data_dir: Path, *paths: Path, publish: bool = False) -> tuple[int, dict[str, Any]]:
    args = ["harvest", "publiccode", *map(str, paths), "--json", *(["--publish"] if publish else [])]
    done = run_schule(*args, data_dir=data_dir)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def exported(data_dir: Path) -> dict[str, dict[str, Any]]:
    done = run_schule("export", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    return {r.get("id", ""): r for r in map(json.loads, done.stdout.splitlines())}


def stats(data_dir: Path) -> dict[str, int]:
    return json.loads(run_schule("stats", "--json", data_dir=data_dir).stdout)  # type: ignore[no-any-return]


def moderator_token(data_dir: Path, name: str = "harvest-mod") -> str:
    done = run_schule("user", "add", name, "--role", "moderator", "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["token"])


def graphql(data_dir: Path, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    with client_for(data_dir) as client:
        response = client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def rejected_files(report: dict[str, Any], root: Path) -> dict[str, str]:
    return {str(Path(r["file"]).relative_to(root)): r["reason"] for r in report["rejected"]}


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixtures that tests may change."""
    target = tmp_path_factory.mktemp("mirror") / "publiccode"
    shutil.copytree(FIXTURES, target)
    return target


def test_every_valid_file_becomes_a_submitted_project_and_every_other_is_rejected_with_its_reason(
    tmp_path: Path,
) -> None:
    data_dir = seeded(tmp_path / "data")
    token = moderator_token(data_dir)
    before, published_before = stats(data_dir), exported(data_dir)
    queue_before = graphql(data_dir, token, QUEUE)["reviewQueueCount"]

    status, report = harvest(data_dir, FIXTURES)

    assert status == 1  # some files were rejected, after all others were harvested
    assert (report["imported"], report["updated"], report["unchanged"]) == (len(VALID), 0, 0)
    reasons = rejected_files(report, FIXTURES)
    assert set(reasons) == set(REJECTED)
    for file, word in REJECTED.items():
        assert word in reasons[file], (file, reasons[file])
    assert stats(data_dir)["project"] == before["project"] + len(VALID)
    assert stats(data_dir)["person"] == before["person"]  # maintainers are not copied into people
    # not published: the moderators' queue holds them, the public export does not
    assert exported(data_dir) == published_before
    assert graphql(data_dir, token, QUEUE)["reviewQueueCount"] == queue_before + len(VALID)
    soest = graphql(data_dir, token, PROJECT, {"id": SOEST})["project"]
    assert soest["state"] == "SUBMITTED" and soest["license"] == "EUPL-1.2"

    # a second harvest of the same files changes nothing
    again_status, again = harvest(data_dir, FIXTURES)

    assert again_status == 1
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, len(VALID))
    assert rejected_files(again, FIXTURES) == reasons
    assert stats(data_dir) == {**before, "project": before["project"] + len(VALID)}
    assert graphql(data_dir, token, QUEUE)["reviewQueueCount"] == queue_before + len(VALID)


def test_published_harvest_maps_the_standards_fields(tmp_path: Path) -> None:
    data_dir = seeded(tmp_path / "data")
    people_before = stats(data_dir)["person"]

    _, report = harvest(data_dir, FIXTURES, publish=True)

    assert report["imported"] == len(VALID)
    projects = exported(data_dir)
    assert {VALID[f] for f in VALID} <= set(projects)
    soest = projects[SOEST]
    assert soest["title"] == "Mängelmelder"
    assert soest["summary"].startswith("Bürgerinnen und Bürger melden Schäden")
    assert soest["license"] == "EUPL-1.2" and soest["status"] == "operation"
    assert soest["communes"] == ["arnsberg", "soest"]  # usedBy "Stadt Soest", "Stadt Arnsberg"
    assert soest["handlungsfelder"] == ["buergerbeteiligung", "verwaltung"]  # digital-citizenship, local-authorities
    assert soest["links"] == ["https://gitlab.opencode.de/stadt-soest/maengelmelder", "https://www.soest.de/maengelmelder",
                              "https://www.soest.de/maengelmelder/hilfe"]
    # usedBy that is no commune stays as text; a known organisation under its stored name
    assert "Im Einsatz bei: Gemeinde Musterhausen, Südwestfalen Agentur" in soest["description"]
    assert "Version 2.3.1 vom 01.06.2021" in soest["description"]
    assert soest["source"].startswith("publiccode.yml: https://gitlab.opencode.de/stadt-soest/maengelmelder (geerntet ")
    # 0.4, Italian and English: the English text; isBasedOn the Soest software: adapted from it
    roma = projects["github-com-comune-di-roma-segnalazioni"]
    assert roma["summary"].startswith("Citizens report damage")
    assert roma["adapted_from"] == [SOEST] and roma["license"] == "AGPL-3.0-or-later"
    assert "communes" not in roma  # Comune di Roma is none of ours
    # 0.5, English under "de", Dutch under "nl": the English text
    assert projects["github-com-gemeente-voorbeeld-meldingen"]["summary"].startswith("Residents report problems")
    # German under "en": taken as the German text; a German date; a licence spelt out
    menden = projects["gitlab-opencode-de-stadt-menden-hochwasser-pegel"]
    assert menden["summary"].startswith("Pegelsensoren an der Hönne")
    assert menden["communes"] == ["menden"] and menden["license"] == "Apache-2.0"
    assert menden["handlungsfelder"] == ["daten-und-digitale-infrastruktur", "sicherheit", "umwelt"]
    assert "15.03.2023" in menden["description"]
    # 0.3 with unquoted version and date, "GPL v3", a category outside the standard
    olpe = projects["github-com-kreisstadt-olpe-parkleitsystem"]
    assert olpe["license"] == "GPL-3.0-only" and olpe["status"] == "implementation"
    assert olpe["communes"] == ["attendorn", "olpe"]
    assert "Version 1.10 vom 03.11.2022" in olpe["description"]  # 1.10, not the number 1.1
    assert "smart-parking" in olpe["tags"]
    # 0.1: old keys, ISO 639-2 language key
    legacy = projects["github-com-stadt-luedenscheid-bauantrag"]
    assert legacy["title"] == "Digitaler Bauantrag" and legacy["communes"] == ["luedenscheid"]
    assert legacy["handlungsfelder"] == ["verwaltung"] and legacy["license"] == "EUPL-1.2"
    # the least: an SSH address, no licence, no status
    minimal = projects["github-com-landkreis-beispiel-terminvergabe"]
    assert minimal["links"] == ["https://github.com/landkreis-beispiel/terminvergabe"]
    assert "license" not in minimal and "status" not in minimal
    # Windows-1252 instead of UTF-8
    assert projects["github-com-gemeinde-beispiel-ratsinfo"]["summary"].startswith("Sitzungen, Vorlagen und Beschlüsse")
    # a licence that is none is left out, the file still harvested
    assert "license" not in projects["gitlab-opencode-de-open-dms-dokumentenablage"]
    # no personal data of the files anywhere
    text = json.dumps(projects, ensure_ascii=False)
    assert not [p for p in PERSONAL if p in text]
    assert stats(data_dir)["person"] == people_before


def test_a_changed_file_updates_its_project_published_only_with_publish(tmp_path: Path, mirror: Path) -> None:
    data_dir = seeded(tmp_path / "data")
    harvest(data_dir, mirror, publish=True)
    soest_file = mirror / "stadt-soest" / "maengelmelder" / "publiccode.yml"
    original = soest_file.read_text(encoding="utf-8")
    soest_file.write_text(original.replace("softwareVersion: \"2.3.1\"", "softwareVersion: \"2.4.0\""),
                          encoding="utf-8")
    try:
        published = exported(data_dir)[SOEST]

        # without --publish the published project stays as it is
        _, held = harvest(data_dir, mirror)
        assert (held["imported"], held["updated"], held["unchanged"]) == (0, 0, len(VALID) - 1)
        reasons = rejected_files(held, mirror)
        assert "veröffentlicht" in reasons["stadt-soest/maengelmelder/publiccode.yml"]
        assert exported(data_dir)[SOEST] == published

        # with --publish the change is taken
        _, taken = harvest(data_dir, mirror, publish=True)
        assert (taken["imported"], taken["updated"], taken["unchanged"]) == (0, 1, len(VALID) - 1)
        updated = exported(data_dir)[SOEST]
        assert "Version 2.4.0 vom 01.06.2021" in updated["description"]
        assert updated["source"] != published["source"]
        assert {k: v for k, v in updated.items() if k not in ("description", "source")} == {
            k: v for k, v in published.items() if k not in ("description", "source")}
    finally:
        soest_file.write_text(original, encoding="utf-8")


def test_a_moderators_edit_stays_and_the_licence_survives_it(tmp_path: Path) -> None:
    data_dir = seeded(tmp_path / "data")
    token = moderator_token(data_dir)
    harvest(data_dir, FIXTURES / "stadt-soest", publish=True)

    edited = graphql(data_dir, token, UPDATE, {"input": {"id": SOEST, "title": "Mängelmelder Soest"}})

    assert edited["updateProject"]["project"] == {"slug": SOEST, "title": "Mängelmelder Soest", "license": "EUPL-1.2"}
    _, again = harvest(data_dir, FIXTURES / "stadt-soest")
    assert again["unchanged"] == 1
    assert graphql(data_dir, token, PROJECT, {"id": SOEST})["project"]["title"] == "Mängelmelder Soest"
    with client_for(data_dir) as client:  # the project page shows the licence to everyone
        page = client.get(f"/projekte/{SOEST}")
    assert page.status_code == 200
    assert "<dt>Lizenz</dt><dd>EUPL-1.2" in page.text


def test_text_output_names_each_file_and_notes_what_was_read_differently(tmp_path: Path) -> None:
    data_dir = seeded(tmp_path / "data")

    done = run_schule("harvest", "publiccode", str(FIXTURES / "kreis-olpe"), str(tmp_path / "fehlt.yml"),
                      data_dir=data_dir)

    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == f"abgelehnt    {tmp_path / 'fehlt.yml'}: Datei oder Ordner nicht gefunden"
    assert lines[1].startswith("importiert   ") and lines[1].endswith("→ github-com-kreisstadt-olpe-parkleitsystem")
    assert any("Hinweis: Lizenz 'GPL v3' als SPDX „GPL-3.0-only“ gelesen" in line for line in lines)
    assert lines[-1].startswith("1 importiert, 0 aktualisiert, 0 unverändert, 1 abgelehnt")
    assert done.stderr.strip() == "schule: 1 Datei(en) abgelehnt"
