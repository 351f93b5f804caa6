"""Links accept only https:, http: and mailto: (issue: ``javascript:``, ``data:`` and ``vbscript:`` were
stored and rendered; the CSP blocked them in Chromium, but that is the last line, not the first)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from schule.domain.model import Kind, Rel
from schule.domain.records import Record
from schule.settings import Settings
from schule.store import open_store
from tests.conftest import SEED_DIR
from tests.e2e.cli.helpers import run_schule
from tests.e2e.trust.test_auth_http import Client, bearer, client_for

CREATE = """mutation($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename
    ... on ProjectPayload { project { slug links } }
    ... on UserErrors { errors { code field message } }
  }
}"""

HOSTILE = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<b>x</b>",
           "vbscript:msgbox(1)", "//evil.example/x", "https://", "ftp://example.org/datei"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("links-e2e")
    assert run_schule("seed", data_dir=d).returncode == 0
    return d


@pytest.fixture(scope="module")
def moderator(data_dir: Path) -> str:
    done = run_schule("user", "add", "links-mod", "--role", "moderator", "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["token"])


@pytest.fixture
def client(data_dir: Path, moderator: str) -> Iterator[Client]:
    with client_for(data_dir) as c:
        yield c


def create(client: Client, token: str, slug: str, links: list[str]) -> dict[str, object]:
    variables = {"input": {"id": slug, "title": f"Link-Test {slug}", "summary": "Kurz", "communes": ["olpe"],
                           "links": links}}
    response = client.post("/graphql", json={"query": CREATE, "variables": variables}, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()["data"]["createProject"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("link", HOSTILE)
def test_a_link_with_another_scheme_is_refused_on_its_field(client: Client, moderator: str, link: str) -> None:
    result = create(client, moderator, "link-boese", ["https://www.olpe.de", link])

    assert result["__typename"] == "UserErrors"
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID", ["input", "links"])]  # type: ignore[index]
    assert "https://" in result["errors"][0]["message"]  # type: ignore[index]


def test_https_http_and_mailto_links_are_stored(client: Client, moderator: str) -> None:
    links = ["https://www.olpe.de/parken", "http://example.org", "mailto:smartcity@olpe.de"]

    result = create(client, moderator, "link-gut", links)

    assert result["__typename"] == "ProjectPayload"
    assert result["project"]["links"] == links  # type: ignore[index]


def test_a_bad_link_stored_before_validation_is_shown_as_text_not_as_a_link(data_dir: Path, client: Client) -> None:
    # given a project whose links were stored before links were checked (written past the validation)
    store = open_store(Settings(data_dir=data_dir, seed_dir=SEED_DIR))
    try:
        props = {"id": "alt-link", "title": "Altlast", "summary": "Alt", "state": "published",
                 "links": ["javascript:alert(document.cookie)", "https://www.olpe.de"]}
        store.upsert([Record(Kind.PROJECT.value, "alt-link", props, {Rel.LOCATED_IN: ["olpe"]})])
    finally:
        store.close()

    # when its page is shown
    page = client.get("/projekte/alt-link")

    # then the bad address is text, the good one a link
    assert page.status_code == 200
    assert 'href="javascript:' not in page.text
    assert "javascript:alert(document.cookie)" in page.text
    assert 'href="https://www.olpe.de"' in page.text
