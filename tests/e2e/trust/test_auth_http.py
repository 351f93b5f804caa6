"""Accounts from the real CLI, then the real app over HTTP (in-process, lifespan included):
a token per role, 401 for bad/expired/revoked tokens, 429 for too many mutations or sign-ins,
password sign-in with an HttpOnly SameSite cookie, and CSRF on form posts."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from schule.app import create_app
from schule.auth.ratelimit import Limits, RateLimiter
from schule.settings import Settings
from tests.conftest import SEED_DIR
from tests.e2e.cli.helpers import SCHULE, run_schule

TYPENAME = {"query": "{ __typename }"}
MUTATION = {"query": "mutation { __typename }"}
ROLES = {"member": ["--commune", "olpe"], "moderator": [], "admin": []}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("trust-e2e")
    seeded = run_schule("seed", data_dir=d)
    assert seeded.returncode == 0, seeded.stderr
    return d


@pytest.fixture(scope="module")
def tokens(data_dir: Path) -> dict[str, str]:
    """``schule user add NAME --role ROLE --json`` for every role, as a user runs it."""
    out = {}
    for role, extra in ROLES.items():
        done = run_schule("user", "add", f"e2e-{role}", "--role", role, *extra, "--json", data_dir=data_dir)
        assert done.returncode == 0, done.stderr
        created = json.loads(done.stdout)
        assert re.fullmatch(r"acct-[0-9a-f]{16}", created["id"]) and created["token"].startswith("schule_")
        out[role] = created["token"]
    return out


class Client:
    """A blocking facade over ``httpx.AsyncClient`` on ``ASGITransport`` (the app runs in-process)."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self.portal = portal
        self.client = client

    def get(self, url: str, **kwargs: object) -> httpx.Response:
        return self.portal.call(functools.partial(self.client.get, url, **kwargs))  # type: ignore[arg-type]

    def post(self, url: str, **kwargs: object) -> httpx.Response:
        return self.portal.call(functools.partial(self.client.post, url, **kwargs))  # type: ignore[arg-type]


@contextlib.contextmanager
def client_for(data_dir: Path, limits: Limits | None = None, base_url: str = "http://testserver") -> Iterator[Client]:
    """The app as ``create_app`` builds it, lifespan included (store, search), on ``data_dir``."""
    app = create_app(Settings(data_dir=data_dir, seed_dir=SEED_DIR), seed=False, limits=limits)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        try:
            yield Client(portal, client)
        finally:
            portal.call(client.aclose)


@pytest.fixture
def client(data_dir: Path, tokens: dict[str, str]) -> Iterator[Client]:
    with client_for(data_dir) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_roles_token_from_the_cli_is_accepted(client: Client, tokens: dict[str, str], role: str) -> None:
    response = client.post("/graphql", json=TYPENAME, headers=bearer(tokens[role]))
    assert response.status_code == 200
    assert client.get("/auth/session", headers=bearer(tokens[role])).json()["role"] == role


@pytest.mark.parametrize("header", ["Bearer schule_not-a-real-token", "Bearer ", "Basic dXNlcjpwdw==", "Bearer x y"])
def test_a_bad_token_gets_401(client: Client, header: str) -> None:
    response = client.post("/graphql", json=TYPENAME, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_no_token_is_anonymous_not_401(client: Client) -> None:
    assert client.post("/graphql", json=TYPENAME).status_code == 200
    assert client.get("/auth/session").json()["authenticated"] is False


def test_an_expired_token_gets_401(client: Client, data_dir: Path) -> None:
    done = run_schule("user", "add", "e2e-kurz", "--role", "moderator", "--days", "0", "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert client.post("/graphql", json=TYPENAME, headers=bearer(json.loads(done.stdout)["token"])).status_code == 401


def test_a_revoked_token_gets_401(client: Client, data_dir: Path) -> None:
    done = run_schule("user", "add", "e2e-weg", "--role", "moderator", "--json", data_dir=data_dir)
    token = json.loads(done.stdout)["token"]
    assert client.post("/graphql", json=TYPENAME, headers=bearer(token)).status_code == 200
    revoked = run_schule("user", "revoke", "e2e-weg", data_dir=data_dir)
    assert revoked.returncode == 0, revoked.stderr
    assert client.post("/graphql", json=TYPENAME, headers=bearer(token)).status_code == 401


def test_user_list_shows_accounts_without_secrets(data_dir: Path, tokens: dict[str, str]) -> None:
    listed = run_schule("user", "list", "--json", data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    names = {a["name"]: a for a in json.loads(listed.stdout)}
    assert {"e2e-member", "e2e-moderator", "e2e-admin"} <= set(names)
    assert names["e2e-member"]["commune"] == "olpe"
    assert all(t not in listed.stdout for t in tokens.values())


def test_too_many_mutations_get_429_per_account_and_per_address(data_dir: Path, tokens: dict[str, str]) -> None:
    limits = Limits(sign_in=RateLimiter(5, 1e-9), mutations=RateLimiter(2, 1e-9))
    with client_for(data_dir, limits) as c:
        statuses = [c.post("/graphql", json=MUTATION, headers=bearer(tokens["member"])).status_code
                    for _ in range(3)]
        assert 429 not in statuses[:2] and statuses[2] == 429
        refused = c.post("/graphql", json=MUTATION, headers=bearer(tokens["member"]))
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        # queries are not limited
        assert c.post("/graphql", json=TYPENAME, headers=bearer(tokens["member"])).status_code == 200


def sign_in_form(c: Client) -> str:
    # /anmelden is the one sign-in page; /signin only redirects there
    assert c.get("/signin").headers["location"] == "/anmelden"
    page = c.get("/anmelden")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


@pytest.fixture(scope="module")
def password_account(data_dir: Path) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    done = subprocess.run(
        [SCHULE, "user", "add", "e2e-web", "--role", "member", "--commune", "soest", "--password-stdin"],
        input="ein sehr gutes Passwort\n", capture_output=True, text=True, timeout=120,
        env={**env, "SCHULE_DATA_DIR": str(data_dir)},
    )
    assert done.returncode == 0, done.stderr
    return "e2e-web", "ein sehr gutes Passwort"


def test_password_sign_in_sets_an_httponly_samesite_cookie(
    data_dir: Path, password_account: tuple[str, str]
) -> None:
    name, password = password_account
    with client_for(data_dir) as c:
        token = sign_in_form(c)
        # without the CSRF token the form is refused: back to the sign-in page, with a German message
        refused = c.post("/signin", data={"name": name, "password": password}, follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"] == "/anmelden?fehler=formular"
        assert c.get("/auth/session").json()["authenticated"] is False
        # a wrong password is refused the same way
        wrong = c.post("/signin", data={"name": name, "password": "falsch", "csrf_token": token},
                       follow_redirects=False)
        assert wrong.status_code == 303 and wrong.headers["location"] == "/anmelden?fehler=anmeldung"
        assert "Konto oder Passwort stimmt nicht." in c.get(wrong.headers["location"]).text
        done = c.post("/signin", data={"name": name, "password": password, "csrf_token": token},
                      follow_redirects=False)
        assert done.status_code == 303
        cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and "schule_session=" in v)
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        session = c.get("/auth/session").json()
        assert session["authenticated"] and session["name"] == name and session["commune"] == "soest"
        # signing out is a form post: CSRF is required
        assert c.post("/signout", data={}, follow_redirects=False).status_code == 403
        out = c.post("/signout", data={"csrf_token": session["csrfToken"]}, follow_redirects=False)
        assert out.status_code == 303
        assert c.get("/auth/session").json()["authenticated"] is False


def test_the_cookie_is_secure_behind_tls(data_dir: Path, password_account: tuple[str, str]) -> None:
    name, password = password_account
    with client_for(data_dir, base_url="https://testserver") as c:
        token = sign_in_form(c)
        done = c.post("/signin", data={"name": name, "password": password, "csrf_token": token},
                      follow_redirects=False)
        cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and "schule_session=" in v)
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_too_many_sign_ins_get_429(data_dir: Path, password_account: tuple[str, str]) -> None:
    name, _ = password_account
    limits = Limits(sign_in=RateLimiter(3, 1e-9), mutations=RateLimiter(100, 1.0))
    with client_for(data_dir, limits) as c:
        token = sign_in_form(c)
        statuses = [c.post("/signin", data={"name": name, "password": "falsch", "csrf_token": token},
                           follow_redirects=False).status_code for _ in range(4)]
        assert statuses == [303, 303, 303, 429]


def test_the_legacy_write_token_still_passes_the_middleware(data_dir: Path) -> None:
    # SCHULE_WRITE_TOKEN is the operator's token: it acts as an admin identity
    app = create_app(Settings(data_dir=data_dir, seed_dir=SEED_DIR, write_token="geheimes-schreibtoken"), seed=False)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        c = Client(portal, client)
        try:
            assert c.post("/graphql", json=TYPENAME, headers=bearer("geheimes-schreibtoken")).status_code == 200
            assert c.post("/graphql", json=TYPENAME, headers=bearer("falsch")).status_code == 401
        finally:
            portal.call(client.aclose)
