"""Public-sector basics and accounts over HTTP (in-process, ``httpx.ASGITransport``, real store):
the legal pages from the operator settings, German error pages for every web path, sources as
people read them, password change and an admin's reset."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from schule.app import create_app
from schule.auth.ratelimit import Limits, RateLimiter
from schule.errors import ConfigError
from schule.settings import Settings
from tests.conftest import SEED_DIR

MEMBER, MEMBER_PASSWORD = "basis-olpe", "Olpe hat ein Passwort"
ADMIN, ADMIN_PASSWORD = "basis-admin", "Die Verwaltung hat eins"
OPERATOR = {
    "operator_name": "Stadt Olpe", "operator_address": "Franziskanerstraße 6, 57462 Olpe",
    "operator_email": "digital@olpe.example", "operator_phone": "+49 2761 83-0",
    "operator_representative": "Der Bürgermeister", "content_responsible": "Erika Muster, Rathaus Olpe",
    "privacy_officer": "Datenschutzbeauftragte, datenschutz@olpe.example", "accessibility_date": "2026-11-30",
}
LEGAL_PAGES = ("/impressum", "/datenschutz", "/barrierefreiheit")


def schule(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    return subprocess.run([sys.executable, "-m", "schule.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, env={**env, "SCHULE_DATA_DIR": str(data_dir), "SCHULE_SEED_DIR": str(SEED_DIR)})


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("public-basics")
    assert schule(d, "seed").returncode == 0
    for name, role, password in ((MEMBER, "member", MEMBER_PASSWORD), (ADMIN, "admin", ADMIN_PASSWORD)):
        done = schule(d, "user", "add", name, "--role", role, "--commune", "olpe", "--password-stdin",
                      stdin=password + "\n")
        assert done.returncode == 0, done.stderr
    return d


class Browser:
    """One client (own cookies) of the app on a blocking portal."""

    def __init__(self, portal: BlockingPortal, app: Any) -> None:
        transport = httpx.ASGITransport(app=app, client=("192.0.2.1", 40000), raise_app_exceptions=False)
        self.portal = portal
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(functools.partial(self.http.get, url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(functools.partial(self.http.post, url, **kwargs))

    def sign_in(self, name: str, password: str) -> httpx.Response:
        return self.post("/signin", data={"name": name, "password": password,
                                          "csrf_token": csrf_token(self.get("/anmelden"))})


class App:
    def __init__(self, portal: BlockingPortal, app: Any) -> None:
        self.portal, self.app = portal, app
        self.browsers: list[Browser] = []

    def browser(self) -> Browser:
        self.browsers.append(Browser(self.portal, self.app))
        return self.browsers[-1]


@contextlib.contextmanager
def app_for(data_dir: Path, limits: Limits | None = None, **settings: Any) -> Iterator[App]:
    limits = limits or Limits(sign_in=RateLimiter(1000, 10.0), mutations=RateLimiter(1000, 10.0))
    app = create_app(Settings(data_dir=data_dir, seed_dir=SEED_DIR, **settings), seed=False, limits=limits)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        running = App(portal, app)
        try:
            yield running
        finally:
            for b in running.browsers:
                portal.call(b.http.aclose)


def csrf_token(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def h1(page: httpx.Response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
    assert match, page.text[:500]
    return match.group(1).strip()


def signed_in(response: httpx.Response) -> bool:
    return response.status_code == 303 and "schule_session=" in response.headers.get("set-cookie", "")


# -- legal pages -------------------------------------------------------------------------------------


def test_the_legal_pages_show_the_operator_from_the_settings(data_dir: Path) -> None:
    with app_for(data_dir, **OPERATOR) as app:
        browser = app.browser()
        for path in LEGAL_PAGES:
            page = browser.get(path)
            assert page.status_code == 200, path
            assert "Stadt Olpe" in page.text and "Franziskanerstraße 6, 57462 Olpe" in page.text, path
            assert '<a href="mailto:digital@olpe.example">' in page.text, path
            assert "nicht angegeben" not in page.text, path
        assert "Erika Muster, Rathaus Olpe" in browser.get("/impressum").text
        assert "§ 5 Digitale-Dienste-Gesetz" in browser.get("/impressum").text
        privacy = browser.get("/datenschutz").text
        assert "datenschutz@olpe.example" in privacy and "Kein Tracking" in privacy and "schule_session" in privacy
        accessibility = browser.get("/barrierefreiheit").text
        assert "30. November 2026" in accessibility and "Schlichtungsstelle" in accessibility
        # every page links to them
        footer = browser.get("/").text.split('class="site-footer"', 1)[1]
        assert all(f'href="{path}"' in footer for path in LEGAL_PAGES)


def test_without_operator_settings_the_pages_say_so_and_invent_nothing(data_dir: Path) -> None:
    with app_for(data_dir) as app:
        browser = app.browser()
        for path in LEGAL_PAGES:
            page = browser.get(path)
            assert page.status_code == 200, path
            assert 'data-testid="unconfigured"' in page.text, path
            assert "vom Betreiber nicht angegeben (Einstellung <code>SCHULE_OPERATOR_NAME</code>)" in page.text, path
            assert "mailto:" not in page.text and "tel:" not in page.text, path
        assert "SCHULE_ACCESSIBILITY_DATE" in browser.get("/barrierefreiheit").text


@pytest.mark.parametrize(("variable", "bad"), [
    ("SCHULE_OPERATOR_EMAIL", "kontakt at olpe.de"), ("SCHULE_OPERATOR_EMAIL", "a@b"),
    ("SCHULE_OPERATOR_PHONE", "ruf an"), ("SCHULE_ACCESSIBILITY_DATE", "30.11.2026"),
    ("SCHULE_OPERATOR_NAME", "x" * 501),
])
def test_bad_operator_settings_are_refused_with_the_variables_name(variable: str, bad: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: bad})


def test_operator_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"SCHULE_OPERATOR_NAME": "  Stadt   Olpe ", "SCHULE_OPERATOR_EMAIL": "a@olpe.de",
                                  "SCHULE_OPERATOR_PHONE": "", "SCHULE_ACCESSIBILITY_DATE": "2026-11-30"})
    assert (settings.operator_name, settings.operator_email, settings.operator_phone) == ("Stadt Olpe", "a@olpe.de",
                                                                                           None)


# -- error pages -------------------------------------------------------------------------------------


def test_unknown_routes_get_a_german_page_and_api_paths_keep_their_answers(data_dir: Path) -> None:
    with app_for(data_dir) as app:
        browser = app.browser()
        for path in ("/impressum-gibt-es-nicht", "/projekte/x/y", "/einreichen"):
            page = browser.get(path)
            assert page.status_code == 404, path
            assert '<html lang="de">' in page.text and h1(page) == "Seite nicht gefunden", path
            assert '<a href="/">Zur Startseite und Suche</a>' in page.text, path
        expired = browser.post("/signout", data={})
        assert expired.status_code == 403 and h1(expired) == "Formular abgelaufen"
        assert '<html lang="de">' in expired.text
        wrong_method = browser.post("/impressum")
        assert wrong_method.status_code == 405 and '<html lang="de">' in wrong_method.text
        # machines keep machine answers
        assert browser.get("/graphql/unbekannt").headers["content-type"].startswith("text/plain")
        assert browser.get("/daten/gibt-es-nicht.csv").headers["content-type"].startswith("text/plain")
        api = browser.post("/graphql", json={"query": "{ nope }"})
        assert api.headers["content-type"].startswith("application/") and "errors" in api.json()


def test_too_many_sign_ins_get_a_german_page_with_the_wait_in_words(data_dir: Path) -> None:
    # given sign-in failures limited to one, then one every two minutes
    limits = Limits(sign_in=RateLimiter(1, 1 / 120), mutations=RateLimiter(1000, 10.0))
    with app_for(data_dir, limits) as app:
        browser = app.browser()
        # when the wrong password is tried twice
        first = browser.sign_in(MEMBER, "falsch falsch falsch")
        second = browser.sign_in(MEMBER, "falsch falsch falsch")
    # then the first goes back to the form, the second is refused with the wait time
    assert first.status_code == 303
    assert second.status_code == 429
    assert 119 <= int(second.headers["retry-after"]) <= 120
    assert '<html lang="de">' in second.text and h1(second) == "Zu viele Anfragen"
    assert "Bitte warten Sie 2 Minuten" in second.text


def test_a_failing_database_gets_german_500_and_503_pages(data_dir: Path) -> None:
    with app_for(data_dir) as app:
        browser = app.browser()
        token = csrf_token(browser.get("/anmelden"))
        connection = app.app.state.schule.store.engine.db.connection
        # given a database that refuses writes (out of memory)
        connection.config_set("maxmemory", "1")
        try:
            # when a sign-in (which writes the session) is posted
            failed = browser.post("/signin", data={"name": MEMBER, "password": MEMBER_PASSWORD, "csrf_token": token})
        finally:
            connection.config_set("maxmemory", "0")
        # then the answer is the German 500 page with an error number
        assert failed.status_code == 500
        assert '<html lang="de">' in failed.text and h1(failed) == "Ein Fehler ist aufgetreten"
        assert "Fehlernummer: " in failed.text

        # given a database that is gone, when a signed-in browser asks for a page
        assert signed_in(browser.sign_in(MEMBER, MEMBER_PASSWORD))
        app.app.state.schule.store.close()
        down = browser.get("/kommunen/olpe")
        # then a German 503 page in the layout, with a time to come back
        assert down.status_code == 503 and h1(down) == "Vorübergehend nicht erreichbar"
        assert down.headers["retry-after"] == "60" and '<html lang="de">' in down.text


# -- sources -----------------------------------------------------------------------------------------


def test_sources_are_shown_as_people_cite_them(data_dir: Path) -> None:
    with app_for(data_dir) as app:
        browser = app.browser()
        lesson = browser.get("/erkenntnisse/anschluss-kostenlos-per-loi-oder-ratsbeschluss").text
        commune = browser.get("/kommunen/olpe").text
    assert "seeds/" not in lesson
    assert ("<li>„Bis zum 15. Oktober als Kommune mitmachen und profitieren“, Rouven Theiß, 25. August 2021</li>"
            in lesson)
    assert "„Geplante Neuauflage der Smart Cities Rahmenstrategie für Südwestfalen“, Katharina Hogrebe, 20. Juli 2021" \
        in lesson
    assert "Quelle:</span> Statistisches Bundesamt, Gemeindeverzeichnis (GV-ISys)" in commune


# -- accounts ----------------------------------------------------------------------------------------


def test_a_member_changes_the_password_and_other_sessions_end(data_dir: Path) -> None:
    new_password = "Olpe hat ein neues Passwort"
    with app_for(data_dir) as app:
        here, elsewhere = app.browser(), app.browser()
        assert signed_in(here.sign_in(MEMBER, MEMBER_PASSWORD))
        assert signed_in(elsewhere.sign_in(MEMBER, MEMBER_PASSWORD))
        form = here.get("/konto/passwort")
        assert form.status_code == 200 and h1(form) == "Passwort ändern"
        token = csrf_token(form)

        # when the current password is wrong, or the new ones differ, or the new one is short
        wrong = here.post("/konto/passwort", data={"csrf_token": token, "current": "falsch falsch falsch",
                                                   "new": new_password, "repeat": new_password})
        differ = here.post("/konto/passwort", data={"csrf_token": token, "current": MEMBER_PASSWORD,
                                                    "new": new_password, "repeat": new_password + "!"})
        short = here.post("/konto/passwort", data={"csrf_token": token, "current": MEMBER_PASSWORD,
                                                   "new": "kurz", "repeat": "kurz"})
        # then German errors, and nothing changed
        assert "Das bisherige Passwort stimmt nicht." in wrong.text
        assert "Die beiden neuen Passwörter stimmen nicht überein." in differ.text
        assert "mindestens 12" in short.text
        assert signed_in(app.browser().sign_in(MEMBER, MEMBER_PASSWORD))

        # when it is changed properly
        changed = here.post("/konto/passwort", data={"csrf_token": token, "current": MEMBER_PASSWORD,
                                                     "new": new_password, "repeat": new_password})
        assert changed.status_code == 303
        # then the old password no longer works, the new one does; this browser stays signed in,
        # the other one is signed out
        assert not signed_in(app.browser().sign_in(MEMBER, MEMBER_PASSWORD))
        assert signed_in(app.browser().sign_in(MEMBER, new_password))
        assert here.get("/konto/passwort?geaendert=1").status_code == 200
        assert elsewhere.get("/konto/passwort").status_code == 303  # to the sign-in page
        # put it back for the other tests
        back = here.post("/konto/passwort", data={"csrf_token": token, "current": new_password,
                                                  "new": MEMBER_PASSWORD, "repeat": MEMBER_PASSWORD})
        assert back.status_code == 303


def test_wrong_current_passwords_are_limited_like_sign_ins(data_dir: Path) -> None:
    limits = Limits(sign_in=RateLimiter(2, 1 / 600), mutations=RateLimiter(1000, 10.0))
    with app_for(data_dir, limits) as app:
        browser = app.browser()
        assert signed_in(browser.sign_in(MEMBER, MEMBER_PASSWORD))
        token = csrf_token(browser.get("/konto/passwort"))
        statuses = [browser.post("/konto/passwort", data={
            "csrf_token": token, "current": f"geraten {i} geraten", "new": "ganz neues Passwort",
            "repeat": "ganz neues Passwort"}).status_code for i in range(3)]
        assert statuses == [200, 200, 429]


def test_an_admin_resets_a_password_and_the_members_sessions_end(data_dir: Path) -> None:
    with app_for(data_dir) as app:
        member, admin = app.browser(), app.browser()
        assert signed_in(member.sign_in(MEMBER, MEMBER_PASSWORD))
        # a member cannot see the account page
        assert member.get("/konten").status_code == 404
        assert signed_in(admin.sign_in(ADMIN, ADMIN_PASSWORD))
        page = admin.get("/konten")
        assert page.status_code == 200 and f"<th scope=\"row\">{MEMBER}</th>" in page.text

        # when the admin resets the member's password
        reset = admin.post("/konten", data={"csrf_token": csrf_token(page), "name": MEMBER})
        # then a new password is shown once
        shown = re.search(r'<code class="secret">([^<]+)</code>', reset.text)
        assert reset.status_code == 200 and shown
        assert "secret" not in admin.get("/konten").text
        # and the member's session has ended, the old password fails, the new one works
        assert member.get("/konto/passwort").status_code == 303
        assert not signed_in(app.browser().sign_in(MEMBER, MEMBER_PASSWORD))
        assert signed_in(app.browser().sign_in(MEMBER, shown.group(1)))
    # put the password back with the command line
    done = schule(data_dir, "user", "reset-password", MEMBER, "--password-stdin", stdin=MEMBER_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr


def test_the_command_line_resets_passwords_and_ends_sessions(data_dir: Path) -> None:
    with app_for(data_dir) as app:
        browser = app.browser()
        assert signed_in(browser.sign_in(MEMBER, MEMBER_PASSWORD))
        # when the operator generates a new password
        generated = schule(data_dir, "user", "reset-password", MEMBER)
        assert generated.returncode == 0, generated.stderr
        password = generated.stdout.split("): ", 1)[1].splitlines()[0].strip()
        # then the session has ended and only the new password works
        assert browser.get("/konto/passwort").status_code == 303
        assert not signed_in(app.browser().sign_in(MEMBER, MEMBER_PASSWORD))
        assert signed_in(app.browser().sign_in(MEMBER, password))
        # a password from stdin, and a short one refused in German without a traceback
        short = schule(data_dir, "user", "reset-password", MEMBER, "--password-stdin", stdin="kurz\n")
        assert short.returncode != 0 and "mindestens 12 Zeichen" in short.stderr and "Traceback" not in short.stderr
        unknown = schule(data_dir, "user", "reset-password", "niemand", "--password-stdin", stdin="x" * 20 + "\n")
        assert unknown.returncode != 0 and "Kein Konto" in unknown.stderr
        done = schule(data_dir, "user", "reset-password", MEMBER, "--password-stdin", stdin=MEMBER_PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
        assert signed_in(app.browser().sign_in(MEMBER, MEMBER_PASSWORD))
