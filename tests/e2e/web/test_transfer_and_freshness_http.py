"""Member forms for transfer and freshness, over HTTP against the served app: the project form takes
the transferability (what another commune needs), the project page shows it, a bad number is explained
in German with everything typed kept; ``/veraltet`` lists the commune's unconfirmed entries and confirms
one."""

from __future__ import annotations

import re

import httpx

from tests.e2e.web.conftest import MEMBER_PASSWORD, WebServer

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(web_server: WebServer, member: str) -> tuple[httpx.Client, str]:
    browser = httpx.Client(base_url=web_server.base_url, timeout=30)
    token = TOKEN.search(browser.get("/anmelden").text).group(1)  # type: ignore[union-attr]
    assert browser.post("/signin", data={"csrf_token": token, "name": member, "password": MEMBER_PASSWORD}
                        ).status_code == 303
    return browser, TOKEN.search(browser.get("/einreichen/projekt").text).group(1)  # type: ignore[union-attr]


def test_a_member_submits_a_project_with_its_transferability(web_server: WebServer, member: str) -> None:
    browser, token = signed_in(web_server, member)
    try:
        form = {"csrf_token": token, "title": "Digitale Bürgersprechstunde", "summary": "Per Video ins Rathaus.",
                "communes": "olpe", "transfer_staff": "Eine Person im Bürgerbüro",
                "transfer_effortDays_min": "20", "transfer_effortDays_max": "40",
                "transfer_programme": "Modellprojekte Smart Cities", "transfer_share": "65",
                "transfer_standards": "WebRTC, OZG", "transfer_document_title": "Ratsbeschluss",
                "transfer_document_url": "https://www.olpe.de/ratsbeschluss.pdf"}
        # a bad number: explained, nothing created, what was typed is kept
        bad = browser.post("/einreichen/projekt", data=dict(form, transfer_costsOnce_min="15.000 €"))
        assert bad.status_code == 200 and "Bitte nur ganze Zahlen" in bad.text
        assert 'value="15.000 €"' in bad.text and 'value="Eine Person im Bürgerbüro"' in bad.text
        # a good form: submitted, and the page shows what it takes
        done = browser.post("/einreichen/projekt", data=form)
        assert done.status_code == 303, done.text
        page = browser.get(done.headers["location"]).text
        assert "Was braucht es für die Übernahme?" in page
        assert "Eine Person im Bürgerbüro" in page and "20 – 40 Personentage" in page
        assert "Modellprojekte Smart Cities (65" in page and "WebRTC, OZG" in page
    finally:
        browser.close()


def test_a_member_confirms_an_entry_of_their_commune_on_the_stale_page(web_server: WebServer, member: str) -> None:
    browser, _ = signed_in(web_server, member)
    try:
        # given the Olpe member's list of entries not confirmed for a year (seed dates are from 2020-2022)
        page = browser.get("/veraltet").text
        assert "Noch aktuell?" in page
        listed = re.findall(r'name="id" value="([a-z0-9-]+)"', page)
        assert listed, page  # Olpe's seed projects date from 2020-2022
        # (other tests of this server may add Olpe to a project; Steinfurt's are never Olpe's)
        assert "smart-region-kreis-steinfurt-workshopreihe" not in listed
        token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
        # when the member confirms one
        done = browser.post("/veraltet", data={"csrf_token": token, "id": listed[0]})
        # then it is thanked for and no longer listed
        assert done.status_code == 303
        after = browser.get(done.headers["location"]).text
        assert "als aktuell bestätigt" in after
        assert listed[0] not in re.findall(r'name="id" value="([a-z0-9-]+)"', after)
    finally:
        browser.close()
