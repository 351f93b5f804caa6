"""GraphiQL at ``/graphql`` in a real browser: it loads from this server only and runs a query, with
no console error and no Content-Security-Policy violation (the ``page`` fixture fails on any)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import WebServer

pytestmark = pytest.mark.browser

# Runs before the page's own scripts, outside its CSP (Playwright injects it): records violations.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def test_graphiql_loads_and_runs_a_query_under_the_csp(
    web_server: WebServer, page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    # given a browser that records every request and every CSP violation
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    # when it opens /graphql (default settings: GraphiQL on) and runs the example query
    response = page.goto(web_server.url("/graphql"))
    assert response is not None and response.status == 200
    run = page.locator(".graphiql-execute-button")
    expect(run).to_be_visible()
    run.click()

    # then the result pane shows the search result from the server
    result = page.locator(".graphiql-response")
    expect(result).to_contain_text('"total"', timeout=30_000)
    expect(result).to_contain_text('"hits"')
    screenshot(page, "graphiql")
    # and everything came from this server (or data: URLs), nothing was blocked by the policy
    foreign = [u for u in requested if not u.startswith(web_server.base_url) and not u.startswith("data:")]
    assert foreign == []
    assert page.evaluate("window.__cspViolations") == []
    assert any(u.startswith(web_server.url("/graphql")) for u in requested if "/static/" not in u)


def test_graphiql_documentation_explorer_opens_under_the_csp(web_server: WebServer, page: Page) -> None:
    # given GraphiQL, which fetched the schema by introspection
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.goto(web_server.url("/graphql"))

    # when the documentation explorer and the settings dialog are opened
    page.get_by_role("button", name="Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    expect(docs).to_contain_text("Query", timeout=30_000)
    page.get_by_role("button", name="Open settings dialog").click()
    expect(page.get_by_role("dialog")).to_be_visible()

    # then nothing was blocked by the policy
    assert page.evaluate("window.__cspViolations") == []
