"""Browser tests of the web app: Debian's chromium driven by Playwright, against a real server.

* ``web_server``: ``create_app`` as ``schule serve`` builds it (seeded embedded store on a temporary
  ``SCHULE_DATA_DIR``), served by uvicorn on 127.0.0.1 and a free port in a thread of this process.
* ``browser``: one headless chromium per session. Chromium missing: skipped on a developer
  machine, a failure when ``CI`` is set (``.ci/run`` installs it).
* ``page``: a fresh browser context per test that records console errors and uncaught page
  errors; a test fails at teardown if there were any.
* ``axe(page)``: the axe-core violations of the page (``tests/e2e/web/axe``, installed by ``.ci/run``
  with ``npm ci``; or ``SCHULE_AXE``: the path of ``axe.min.js``). Missing: skipped on a developer
  machine, a failure when ``CI`` is set. The page's context needs ``bypass_csp=True``: axe is injected
  as an inline script, which the pages' CSP rightly forbids.
* ``screenshot(page, name)``: writes ``tests/e2e/screenshots/<name>.png`` (git-ignored) for people
  to look at; nothing compares them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from schule.app import create_app
from schule.auth.ratelimit import Limits, RateLimiter
from schule.settings import Settings
from tests.conftest import REPO, SEED_DIR

CHROMIUM = Path(os.environ.get("SCHULE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = REPO / "tests" / "e2e" / "screenshots"
AXE = Path(os.environ.get("SCHULE_AXE", str(REPO / "tests" / "e2e" / "web" / "axe" / "node_modules" / "axe-core"
                                                / "axe.min.js")))
START_TIMEOUT_S = 120
MEMBER, MEMBER_PASSWORD = "mitglied-olpe", "Olpe-Parkt-2024!"


@dataclass(frozen=True)
class WebServer:
    base_url: str
    data_dir: Path
    env: dict[str, str]

    def url(self, path: str) -> str:
        return self.base_url + path

    def schule(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run the ``schule`` command line on this server's data dir (a second process, like an admin would)."""
        return subprocess.run(
            [sys.executable, "-m", "schule.cli", *args], input=stdin,
            env={**os.environ, **self.env}, capture_output=True, text=True, timeout=120, check=False,
        )

    def add_moderator(self, name: str, password: str) -> str:
        """A moderator account with ``password``, made with ``schule user add``; returns its name."""
        result = self.schule("user", "add", name, "--role", "moderator", "--password-stdin", stdin=password + "\n")
        assert result.returncode == 0, result.stderr
        return name


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data_dir = tmp_path_factory.mktemp("web-data")
    env = {"SCHULE_DATA_DIR": str(data_dir), "SCHULE_SEED_DIR": str(SEED_DIR), "SCHULE_ENV": "production"}
    # Several accounts sign in from 127.0.0.1 in one session, and every browser test's pages spend the
    # one address's query budget: the default limits (5 sign-ins, then one a minute; 20,000 cost units,
    # then 2,000 a second) would refuse them; the limits themselves are tested in tests/e2e/trust/.
    limits = Limits(sign_in=RateLimiter(capacity=1000, per_second=10.0), mutations=RateLimiter(1000, 10.0),
                    queries=RateLimiter(10_000_000, 1_000_000.0))
    with serve(create_app(Settings.from_env(env), limits=limits)) as base_url:
        yield WebServer(base_url, data_dir, env)


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 and a free port in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_config=None, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"web-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            pytest.fail(f"the web test server on port {port} did not start (see the log above)")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()


# Package scope, not session: Playwright's sync API keeps an event loop running in this thread
# until it stops, and later tests (in-process GraphQL) call asyncio.run().
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        message = f"chromium is not installed ({CHROMIUM}); apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or "")
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class ConsoleLog:
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


def _new_page(browser: Browser, console: ConsoleLog, **context_args: Any) -> Page:
    context = browser.new_context(locale="de-DE", **context_args)
    page = context.new_page()
    page.on("console", lambda m: console.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.errors.append(f"page error: {e}"))
    page.on(
        "response",
        lambda r: console.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 500 else None,
    )
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def new_page(browser: Browser, console: ConsoleLog) -> Iterator[Callable[..., Page]]:
    """``new_page(viewport=…)``: a page in a context of its own (its own cookies: another user)."""
    pages: list[Page] = []

    def make(**context_args: Any) -> Page:
        page = _new_page(browser, console, **context_args)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()
    assert console.errors == [], "the browser reported errors"


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page(viewport={"width": 1280, "height": 900})


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page: Page, web_server: WebServer, name: str, password: str) -> None:
    """Sign in on ``/anmelden`` as a person would, and wait until the page offers "Abmelden"."""
    page.goto(web_server.url("/anmelden"))
    page.get_by_label("Konto").fill(name)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


@pytest.fixture(scope="session")
def member(web_server: WebServer) -> str:
    """A member account of Olpe with a password (``MEMBER_PASSWORD``), made with ``schule user add``."""
    result = web_server.schule("user", "add", MEMBER, "--role", "member", "--commune", "olpe",
                               "--password-stdin", stdin=MEMBER_PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    return MEMBER


Violation = dict[str, Any]


@pytest.fixture(scope="session")
def axe() -> Callable[[Page], list[Violation]]:
    """``axe(page)``: axe-core's violations on the page as it is now (every rule axe runs by default:
    WCAG 2.x A and AA and best practices)."""
    if not AXE.is_file():
        message = f"axe-core is not installed ({AXE}); npm ci --prefix tests/e2e/web/axe"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def run(page: Page) -> list[Violation]:
        page.add_script_tag(path=str(AXE))
        violations: list[Violation] = page.evaluate("async () => (await axe.run(document)).violations")
        return violations

    return run


def describe(violations: list[Violation]) -> str:
    """Violations as people read them: rule, impact, help and the offending elements."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)
