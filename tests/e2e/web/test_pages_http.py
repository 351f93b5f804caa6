"""The pages over plain HTTP (no browser): status codes, escaping, headers, forms without CSRF."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.web.conftest import MEMBER_PASSWORD, WebServer


@pytest.fixture(scope="module")
def client(web_server: WebServer) -> httpx.Client:
    with httpx.Client(base_url=web_server.base_url, timeout=30) as c:
        yield c


def test_a_query_with_markup_is_shown_escaped(client: httpx.Client) -> None:
    response = client.get("/", params={"q": '<script>alert("x")</script>'})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert" in response.text


def test_unknown_and_malformed_ids_are_404_pages_in_german(client: httpx.Client) -> None:
    for path in ("/projekte/gibt-es-nicht", "/kommunen/NICHT%20G%C3%9CLTIG", "/personen/" + "a" * 300):
        response = client.get(path)
        assert response.status_code == 404, path
        assert '<html lang="de">' in response.text
        assert "Nicht gefunden" in response.text


def test_pages_carry_security_headers_and_their_server_time(client: httpx.Client) -> None:
    response = client.get("/kommunen/olpe")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["server-timing"].startswith("app;dur=")


def test_static_files_ship_inside_the_package_with_long_caching(client: httpx.Client) -> None:
    page = client.get("/").text
    css = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    response = client.get(css)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "immutable" in response.headers["cache-control"]
    assert "http://" not in page and "https://cdn" not in page


def test_a_form_post_without_csrf_token_is_refused(client: httpx.Client) -> None:
    response = client.post("/einreichen/projekt", data={"title": "X", "summary": "Y"})
    # not signed in: sent to the sign-in page before anything is read
    assert response.status_code == 303
    assert response.headers["location"].startswith("/anmelden")


def test_a_signed_in_form_post_without_the_csrf_token_is_refused(web_server: WebServer, member: str) -> None:
    with httpx.Client(base_url=web_server.base_url, timeout=30) as browser:
        # given a member signed in through the sign-in form
        form = browser.get("/anmelden").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        signed_in = browser.post("/signin", data={"csrf_token": token, "name": member, "password": MEMBER_PASSWORD})
        assert signed_in.status_code == 303
        page = browser.get("/einreichen/projekt").text
        session_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

        # when a post arrives without the token, or with the pre-sign-in one
        for data in ({"title": "X", "summary": "Y"}, {"title": "X", "summary": "Y", "csrf_token": token}):
            refused = browser.post("/einreichen/projekt", data=data)
            # then nothing is created
            assert refused.status_code == 403
            assert "Formular abgelaufen" in refused.text
        assert session_token != token
