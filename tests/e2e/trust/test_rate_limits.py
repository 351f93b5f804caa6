"""Rate limits through the app as ``create_app`` builds it (in-process over ``httpx.ASGITransport``,
each client with its own address): queries charged by cost, web forms under the mutation limit,
sign-in failures counted per account and address, ``X-Forwarded-For`` only from trusted proxies."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import subprocess
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
from tests.e2e.cli.helpers import SCHULE, run_schule

NEVER = 1e-9  # a bucket that does not refill during a test
PAGE_OF_PROJECTS = "{ projects(first: 100) { nodes { slug title } } }"  # costs 10 + 100 x 2 = 210
VERSION = "{ version }"  # costs 1
MY_PROJECTS = "{ mySubmissions(first: 100) { __typename ... on Project { title } } }"
PASSWORD = "ein sehr gutes Passwort"
A, B = "192.0.2.10", "198.51.100.20"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("rate-limits")
    seeded = run_schule("seed", data_dir=d)
    assert seeded.returncode == 0, seeded.stderr
    return d


@pytest.fixture(scope="module")
def member(data_dir: Path) -> tuple[str, str]:
    """A member of Olpe with a password and a token, made with the CLI as an admin would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    done = subprocess.run(
        [SCHULE, "user", "add", "limit-olpe", "--role", "member", "--commune", "olpe", "--password-stdin", "--json"],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=120,
        env={**env, "SCHULE_DATA_DIR": str(data_dir)},
    )
    assert done.returncode == 0, done.stderr
    return "limit-olpe", json.loads(done.stdout)["token"]


class App:
    """The app on a blocking portal; ``client(address)`` is a browser or script at that address."""

    def __init__(self, portal: BlockingPortal, app: Any) -> None:
        self.portal, self.app = portal, app
        self._clients: list[httpx.AsyncClient] = []

    def client(self, address: str) -> Client:
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self._clients.append(client)
        return Client(self.portal, client)

    def close(self) -> None:
        for client in self._clients:
            self.portal.call(client.aclose)


class Client:
    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self.portal, self.http = portal, client

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(functools.partial(self.http.get, url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(functools.partial(self.http.post, url, **kwargs))

    def query(self, query: str, **kwargs: Any) -> httpx.Response:
        return self.post("/graphql", json={"query": query}, **kwargs)


@contextlib.contextmanager
def app_for(data_dir: Path, limits: Limits | None, **settings: Any) -> Iterator[App]:
    app = create_app(Settings(data_dir=data_dir, seed_dir=SEED_DIR, **settings), seed=False, limits=limits)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        running = App(portal, app)
        try:
            yield running
        finally:
            running.close()


def limits(**changes: RateLimiter) -> Limits:
    return Limits(**{"sign_in": RateLimiter(1000, 10.0), "mutations": RateLimiter(1000, 10.0), **changes})


def csrf_token(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def sign_in(client: Client, name: str, password: str) -> httpx.Response:
    token = csrf_token(client.get("/anmelden"))
    return client.post("/signin", data={"name": name, "password": password, "csrf_token": token},
                       follow_redirects=False)


def signed_in(response: httpx.Response) -> bool:
    return response.status_code == 303 and "schule_session=" in response.headers.get("set-cookie", "")


# -- queries ------------------------------------------------------------------------------------------


def test_queries_are_charged_their_cost_per_address_and_per_account(data_dir: Path, member: tuple[str, str]) -> None:
    # given a query budget of 1000 cost units per client that does not refill during the test
    with app_for(data_dir, limits(queries=RateLimiter(1000, NEVER))) as app:
        anonymous_a, anonymous_b = app.client(A), app.client(B)

        # when an anonymous client at address A asks for a page of 100 projects (cost 210) five times
        statuses = [anonymous_a.query(PAGE_OF_PROJECTS).status_code for _ in range(5)]

        # then the fifth is refused with 429, a German message and when to come back
        assert statuses == [200, 200, 200, 200, 429]
        refused = anonymous_a.query(PAGE_OF_PROJECTS, headers={"accept": "application/graphql-response+json"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        [error] = refused.json()["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfter"] == int(refused.headers["retry-after"])
        assert "Zu viele Abfragen" in error["message"]
        # a cheap query still fits into what is left (160): the limit is on cost, not on count
        assert anonymous_a.query(VERSION).status_code == 200
        # the web pages draw on the same budget: a project page (~400) is refused with a German page
        page = anonymous_a.get("/projekte/offene-regionale-datenplattform")
        assert page.status_code == 429 and int(page.headers["retry-after"]) >= 1
        assert "Zu viele Anfragen" in page.text
        # another address is not affected
        assert anonymous_b.query(PAGE_OF_PROJECTS).status_code == 200
        # nor is an account at the same address: accounts are limited as themselves
        _, token = member
        assert anonymous_a.query(PAGE_OF_PROJECTS, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_query_rate_comes_from_the_settings(data_dir: Path) -> None:
    # given an app built with SCHULE_QUERY_RATE=10 (bursts of 100 cost units) and one with the default
    with app_for(data_dir, None, query_rate=10.0) as slow, app_for(data_dir, None) as default:
        # when a client asks for a page of 100 projects (cost 210) twice
        strict = [slow.client(A).query(PAGE_OF_PROJECTS).status_code for _ in range(2)]
        generous = [default.client(A).query(PAGE_OF_PROJECTS).status_code for _ in range(2)]
    # then the low rate refuses the second (the first may take the whole burst), the default does not
    assert strict == [200, 429]
    assert generous == [200, 200]


def test_rates_are_read_from_the_environment_and_checked() -> None:
    settings = Settings.from_env({"SCHULE_QUERY_RATE": "1000000", "SCHULE_MUTATION_RATE": "50"})
    assert (settings.query_rate, settings.mutation_rate) == (1_000_000, 50)
    for bad in ("0", "-1", "nan", "viel"):
        with pytest.raises(ConfigError, match="SCHULE_QUERY_RATE"):
            Settings.from_env({"SCHULE_QUERY_RATE": bad})


# -- web forms -------------------------------------------------------------------------------------------


def test_web_form_submissions_take_from_the_mutation_limit(data_dir: Path, member: tuple[str, str]) -> None:
    name, token = member
    # given a mutation limit of two per client that does not refill during the test
    with app_for(data_dir, limits(mutations=RateLimiter(2, NEVER))) as app:
        browser = app.client(A)
        assert signed_in(sign_in(browser, name, PASSWORD))
        form = csrf_token(browser.get("/einreichen/projekt"))

        # when the submission form is posted three times in a row
        statuses = []
        for i in range(3):
            posted = browser.post("/einreichen/projekt", follow_redirects=False, data={
                "csrf_token": form, "title": f"Flut {i}", "summary": "Eine von vielen Einreichungen.",
                "communes": "olpe"})
            statuses.append(posted.status_code)

        # then the third is refused with 429 and a German page, as a third mutation to /graphql would be
        assert statuses == [303, 303, 429]
        assert int(posted.headers["retry-after"]) >= 1
        assert "Zu viele Anfragen" in posted.text
        # and only two were stored
        mine = browser.query(MY_PROJECTS).json()["data"]["mySubmissions"]
        assert sorted(p["title"] for p in mine if p["title"].startswith("Flut")) == ["Flut 0", "Flut 1"]
        # the API shares the bucket: the same account gets no third mutation there either
        api = browser.post("/graphql", json={"query": "mutation { __typename }"},
                           headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 429


# -- sign-in -----------------------------------------------------------------------------------------------


def test_successful_sign_ins_do_not_count_against_the_address(data_dir: Path, member: tuple[str, str]) -> None:
    name, _ = member
    # given the default limits, and a town hall where everybody signs in from one address
    with app_for(data_dir, Limits.default()) as app:
        # when twelve browsers there sign in with the right password
        results = [signed_in(sign_in(app.client(A), name, PASSWORD)) for _ in range(12)]

        # then every sign-in succeeds
        assert all(results)


def test_wrong_passwords_do_not_lock_the_right_one_out_elsewhere(data_dir: Path, member: tuple[str, str]) -> None:
    name, _ = member
    with app_for(data_dir, Limits.default()) as app:
        guesser, owner = app.client(A), app.client(B)

        # when somebody at A tries five wrong passwords for the account
        wrong = [sign_in(guesser, name, "falsch").status_code for _ in range(5)]
        assert wrong == [303] * 5

        # then A is refused further tries, even with the right password ...
        again = sign_in(guesser, name, PASSWORD)
        assert again.status_code == 429 and int(again.headers["retry-after"]) >= 1
        assert not signed_in(again)
        # ... while the owner, from another address, still signs in
        assert signed_in(sign_in(owner, name, PASSWORD))


def test_an_address_has_a_looser_cap_on_failures_across_accounts(data_dir: Path, member: tuple[str, str]) -> None:
    name, _ = member
    with app_for(data_dir, limits(sign_in=RateLimiter(5, NEVER), sign_in_address=RateLimiter(8, NEVER))) as app:
        guesser, other = app.client(A), app.client(B)

        # when one address tries eight different account names, once each
        assert [sign_in(guesser, f"konto-{i}", "falsch").status_code for i in range(8)] == [303] * 8

        # then it is refused a ninth, for any name, while other addresses are not
        assert sign_in(guesser, "konto-neu", "falsch").status_code == 429
        assert signed_in(sign_in(other, name, PASSWORD))


# -- forwarded addresses -----------------------------------------------------------------------------------


def test_forwarded_addresses_count_only_from_trusted_proxies(data_dir: Path, member: tuple[str, str]) -> None:
    name, _ = member
    pair_of_two = limits(sign_in=RateLimiter(2, NEVER))
    with app_for(data_dir, pair_of_two, trusted_proxies=("10.0.0.0/8",)) as app:
        proxy, stranger = app.client("10.1.2.3"), app.client(A)

        # when the trusted proxy forwards three clients' failed sign-ins (two each)
        via_proxy = []
        for client_address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            for _ in range(2):
                token = csrf_token(proxy.get("/anmelden"))
                via_proxy.append(proxy.post(
                    "/signin", data={"name": name, "password": "falsch", "csrf_token": token},
                    headers={"X-Forwarded-For": client_address}, follow_redirects=False).status_code)

        # then each forwarded client has its own count
        assert via_proxy == [303] * 6

        # but from anybody else the header changes nothing: the connection's address counts
        spoofed = []
        for i in range(3):
            token = csrf_token(stranger.get("/anmelden"))
            spoofed.append(stranger.post(
                "/signin", data={"name": name, "password": "falsch", "csrf_token": token},
                headers={"X-Forwarded-For": f"203.0.113.{100 + i}"}, follow_redirects=False).status_code)
        assert spoofed == [303, 303, 429]
