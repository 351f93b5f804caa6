"""Open data over HTTP (``/daten``): the DCAT-AP.de catalogue parsed as JSON-LD with rdflib, the CSV
and JSON-LD files it points to, and what they must never hold: personal data without the
public-contact consent, and entries that are not published.

Given the seed data (people with e-mail and phone, some with the members-only consent), plus an
import with one public contact and a project whose text carries contact data, and a harvested
project still waiting for review; requests go to the real app in-process (ASGI), lifespan included.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from rdflib import RDF, Graph, Namespace, URIRef

from schule.app import create_app
from schule.settings import Settings
from tests.conftest import SEED_DIR
from tests.e2e.cli.helpers import run_schule
from tests.e2e.trust.test_auth_http import Client

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")
DL_BY = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
CC_BY = URIRef("http://dcat-ap.de/def/licenses/cc-by/4.0")
DATASETS = ["projekte", "erkenntnisse", "kommunen", "handlungsfelder", "mitgliedschaften", "ansprechpersonen"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
FIXTURES = Path(__file__).resolve().parent / "cli" / "publiccode"

PUBLIC = {"kind": "person", "id": "paula-offen", "name": "Paula Offen", "role": "Smart-City-Managerin",
          "commune": "olpe", "email": "paula.offen@olpe.example", "phone": "02761 555-01",
          "contact_consent": True, "public_contact": True}
MEMBERS_ONLY = {"kind": "person", "id": "max-intern", "name": "Max Intern", "commune": "olpe",
                "email": "max.intern@olpe.example", "phone": "02761 555-02", "contact_consent": True}
PROJECT = {"kind": "project", "id": "olpe-offene-daten-test", "title": "=HYPERLINK(\"https://evil.example\")",
           "summary": "Fragen an info.projekt@olpe.example oder Tel. 02761 555-99.", "communes": ["olpe"],
           "contacts": ["paula-offen", "max-intern"], "license": "EUPL-1.2",
           "links": ["https://www.olpe.de", "mailto:max.intern@olpe.example"]}
# rdflib's JSON-LD parser builds a ConjunctiveGraph internally, which rdflib itself deprecates (7.x)
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("open-data")
    assert run_schule("seed", data_dir=d).returncode == 0
    extra = d / "extra.jsonl"
    extra.write_text("\n".join(json.dumps(r) for r in (PUBLIC, MEMBERS_ONLY, PROJECT)) + "\n", encoding="utf-8")
    done = run_schule("import", str(extra), data_dir=d)
    assert done.returncode == 0, done.stderr
    harvested = run_schule("harvest", "publiccode", str(FIXTURES / "stadt-soest"), data_dir=d)  # submitted
    assert harvested.returncode == 0, harvested.stderr
    return d


@contextlib.contextmanager
def client_with(settings: Settings) -> Iterator[Client]:
    app = create_app(settings, seed=False)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        try:
            yield Client(portal, client)
        finally:
            portal.call(client.aclose)


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[Client]:
    with client_with(Settings(data_dir=data_dir, seed_dir=SEED_DIR)) as c:
        yield c


def seed_people() -> list[dict[str, object]]:
    lines = (SEED_DIR / "people.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def catalogue(client: Client) -> Graph:
    response = client.get("/daten/katalog.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    return Graph().parse(data=response.text, format="json-ld")


def test_the_catalogue_is_json_ld_with_a_catalogue_datasets_distributions_and_licences(client: Client) -> None:
    graph = catalogue(client)

    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert catalogues == [URIRef("http://testserver/daten/katalog.jsonld")]
    (cat,) = catalogues
    assert graph.value(cat, DCT.license) == DL_BY
    assert graph.value(graph.value(cat, DCT.publisher), FOAF.name) is not None
    datasets = set(graph.objects(cat, DCAT.dataset))
    assert datasets == set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(DATASETS)
    downloads = set()
    for dataset in datasets:
        assert graph.value(dataset, DCT.title) is not None
        assert graph.value(dataset, DCT.license) == DL_BY
        assert graph.value(dataset, DCT.publisher) is not None
        distributions = set(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) == 2
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            assert graph.value(distribution, DCT.license) == DL_BY
            downloads.add(str(graph.value(distribution, DCAT.downloadURL)))
    assert graph.value(URIRef("http://testserver/daten#datensatz-projekte"), DCT.modified) is not None
    assert downloads == {f"http://testserver/daten/{n}.{s}" for n in DATASETS for s in ("csv", "jsonld")}

    # every distribution is there, in its format
    for url in sorted(downloads):
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url
        if url.endswith(".csv"):
            assert response.headers["content-type"] == "text/csv; charset=utf-8"
            assert list(csv.reader(io.StringIO(response.text)))[0][0]  # a header row
        else:
            assert len(Graph().parse(data=response.text, format="json-ld")) >= 0
        assert response.headers["access-control-allow-origin"] == "*"


def test_no_file_holds_an_email_address_or_phone_number_of_people_without_public_consent(client: Client) -> None:
    people = [p for p in seed_people() if p.get("email") or p.get("phone")]
    assert people  # the seed has people with contact data (some with the members-only consent)
    secrets = [str(p[k]) for p in [*people, MEMBERS_ONLY] for k in ("email", "phone") if p.get(k)]

    for name in DATASETS:
        for suffix in ("csv", "jsonld"):
            text = client.get(f"/daten/{name}.{suffix}").text
            found = set(EMAIL.findall(text)) - {PUBLIC["email"]}
            assert not found, (name, suffix, found)
            digits = re.sub(r"\D", "", text)
            for secret in secrets:
                assert secret not in text, (name, suffix, secret)
                if "@" not in secret:
                    assert re.sub(r"\D", "", secret) not in digits, (name, suffix, secret)
            # no person but the public contact, in any file (free text may still quote a name)
            people_named = set(re.findall(r"/personen/([a-z0-9-]+)", text))
            assert people_named <= {PUBLIC["id"]}, (name, suffix, people_named)
    # nor in the columns that name people
    projects = {r["ID"]: r for r in csv.DictReader(io.StringIO(client.get("/daten/projekte.csv").text))}
    lessons = list(csv.DictReader(io.StringIO(client.get("/daten/erkenntnisse.csv").text)))
    assert {r["Ansprechpersonen"] for r in projects.values()} <= {"", PUBLIC["name"]}
    assert {r["Autorin oder Autor"] for r in lessons} == {""}
    # the phone number and e-mail address written into a project's summary are gone too
    assert projects["olpe-offene-daten-test"]["Kurzbeschreibung"] == "Fragen an [entfernt] oder [entfernt]."


def test_a_public_contact_appears_with_the_consent_and_only_then(client: Client) -> None:
    people = list(csv.DictReader(io.StringIO(client.get("/daten/ansprechpersonen.csv").text)))
    projects = {r["ID"]: r for r in csv.DictReader(io.StringIO(client.get("/daten/projekte.csv").text))}

    assert [(p["ID"], p["E-Mail"], p["Telefon"], p["Kommune-ID"]) for p in people] == [
        ("paula-offen", "paula.offen@olpe.example", "02761 555-01", "olpe")]
    project = projects["olpe-offene-daten-test"]
    assert (project["Ansprechpersonen"], project["Ansprechpersonen-ID"]) == ("Paula Offen", "paula-offen")
    assert project["Links"] == "https://www.olpe.de"  # the mailto: link is left out
    assert project["Lizenz"] == "EUPL-1.2"
    graph = Graph().parse(data=client.get("/daten/ansprechpersonen.jsonld").text, format="json-ld")
    person = URIRef("http://testserver/personen/paula-offen")
    assert (person, RDF.type, SCHEMA.Person) in graph
    assert str(graph.value(person, SCHEMA.email)) == "paula.offen@olpe.example"


def test_only_published_entries_appear(client: Client, data_dir: Path) -> None:
    projects = {r["ID"] for r in csv.DictReader(io.StringIO(client.get("/daten/projekte.csv").text))}
    exported = [json.loads(line) for line in run_schule("export", data_dir=data_dir).stdout.splitlines()]
    published = {r["id"] for r in exported if r["kind"] == "project"}

    assert projects == published
    for name in DATASETS:
        for suffix in ("csv", "jsonld"):
            assert "stadt-soest-maengelmelder" not in client.get(f"/daten/{name}.{suffix}").text


def test_a_cell_that_looks_like_a_formula_is_defused(client: Client) -> None:
    rows = list(csv.reader(io.StringIO(client.get("/daten/projekte.csv").text)))
    titles = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"https://evil.example\")" in titles
    assert not [t for t in titles if t.startswith("=")]


def test_the_page_explains_the_data_in_german_in_the_apps_layout(client: Client) -> None:
    response = client.get("/daten")

    assert response.status_code == 200
    page = response.text
    assert '<html lang="de">' in page and 'class="site-header"' in page
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in page
    assert 'href="/daten/katalog.jsonld"' in page
    for name in DATASETS:
        assert f'href="/daten/{name}.csv"' in page and f'href="/daten/{name}.jsonld"' in page
    assert "öffentliche Ansprechperson" in page
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_an_unchanged_file_is_not_sent_again(client: Client) -> None:
    first = client.get("/daten/kommunen.csv")

    again = client.get("/daten/kommunen.csv", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304 and again.content == b""


def test_the_licence_and_the_public_address_are_settings(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, seed_dir=SEED_DIR, open_data_license="cc-by-4.0",
                        public_url="https://schule.example.de")
    with client_with(settings) as other:
        graph = catalogue(other)
        page = other.get("/daten").text

    (cat,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert graph.value(cat, DCT.license) == CC_BY
    assert cat == URIRef("https://schule.example.de/daten/katalog.jsonld")
    assert URIRef("https://schule.example.de/daten/projekte.csv") in set(graph.objects(None, DCAT.downloadURL))
    assert "Creative Commons Namensnennung 4.0 International (CC BY 4.0)" in page
