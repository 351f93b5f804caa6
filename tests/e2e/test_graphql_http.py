"""GraphQL over HTTP on a live server: the graphql-http audit, media types, status codes, masking.

The abuse limits (what is refused and never executed) are in ``test_graphql_limits.py``.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

import schule
from tests.e2e.conftest import LiveServer, Probe, graphql_errors

AUDIT_DIR = Path(__file__).resolve().parent / "graphql_http_audit"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

VERSION = "{ version }"
NAMED_OPERATIONS = "query First { version } query Second { __typename }"
UNKNOWN_FIELD = "{ doesNotExist }"
PARSE_ERROR = "{ version"
BAD_VARIABLES = "query Coerce($id: ID!) { __typename }"
BOOM = "{ boom }"
SLOW = "{ slow }"
INTROSPECT_QUERY_TYPE = "{ __schema { queryType { name } } }"


def post(url: str, query: str, accept: str | None = None, **extra: object) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return httpx.post(url, json={"query": query, **extra}, headers=headers, timeout=60)


# -- the graphql-http audit -----------------------------------------------------------------------


def run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=AUDIT_DIR, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_graphql_http_audit_finds_no_must_or_should_failure(default_server: LiveServer) -> None:
    # given the audit suite, installed from the committed lock file if needed, and a server with the
    # default settings (several audits query __type: introspection must be on out of the box)
    assert shutil.which("node") and shutil.which("npm"), "node and npm are needed for the graphql-http audit"
    if not (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        run(["npm", "ci", "--no-audit", "--no-fund"], timeout=600)

    # when it audits the live server
    summary = json.loads(run(["node", "audit.mjs", default_server.graphql_url], timeout=300).stdout)

    # then no MUST ("error") and no SHOULD ("warn") audit fails
    failures = [f for f in summary["failures"] if f["status"] in ("error", "warn")]
    assert not failures, "\n".join(
        f"{f['name']} [{f['id']}] (HTTP {f.get('responseStatus')}): {f['reason']}" for f in failures
    )
    assert summary["passed"]["MUST"] > 0 and summary["passed"]["SHOULD"] > 0


# -- requests and media types ----------------------------------------------------------------------


def test_get_runs_a_query_with_operation_name_and_variables(dev_server: LiveServer) -> None:
    # given a GET with two named operations, the one to run and (unused) variables in the URL
    params = {"query": NAMED_OPERATIONS, "operationName": "First", "variables": "{}"}

    # when it is sent
    response = httpx.get(dev_server.graphql_url, params=params)

    # then the named operation ran, answered as legacy JSON (no Accept header), with a request id
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    assert response.json() == {"data": {"version": schule.__version__}}
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, {JSON};q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"{JSON}, {GRAPHQL_RESPONSE_JSON};q=0.5", JSON),
        (JSON, JSON),
        ("*/*", JSON),
        (None, JSON),
    ],
)
def test_the_response_media_type_follows_accept(dev_server: LiveServer, accept: str | None, media_type: str) -> None:
    # when a query is posted with this Accept header
    response = post(dev_server.graphql_url, VERSION, accept)

    # then it is answered in the media type the client prefers
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.json() == {"data": {"version": schule.__version__}}


def test_an_accept_header_without_json_gets_406(dev_server: LiveServer) -> None:
    # when a client accepts only XML
    response = post(dev_server.graphql_url, VERSION, "application/xml")

    # then it is told what this endpoint can answer
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


@pytest.mark.parametrize("query", [PARSE_ERROR, UNKNOWN_FIELD, BAD_VARIABLES], ids=["parse", "validation", "variables"])
@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE_JSON, 400), (JSON, 200)])
def test_a_request_error_has_no_data_and_the_status_of_its_media_type(
    dev_server: LiveServer, query: str, accept: str, status: int
) -> None:
    # when a request fails before execution (no document, an invalid one, or bad variables)
    response = post(dev_server.graphql_url, query, accept, variables={"id": None})

    # then 400 under the new media type, the legacy 200 under application/json; never a data entry
    assert response.status_code == status
    assert "data" not in response.json()
    assert graphql_errors(response.json())


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_methods_other_than_get_and_post_get_405(dev_server: LiveServer, method: str) -> None:
    # when another method is used
    response = httpx.request(method, dev_server.graphql_url, json={"query": VERSION})

    # then it is refused and the allowed ones are named
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


# -- errors during execution ----------------------------------------------------------------------


def test_an_execution_error_is_200_with_data_under_graphql_response_json(
    probe_server: LiveServer, probe: Probe
) -> None:
    # when a resolver of a non-null field fails, which nulls the whole data
    response = post(probe_server.graphql_url, BOOM, GRAPHQL_RESPONSE_JSON)

    # then execution ran: 200 with a data entry (null) and the field's error
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["path"] == ["boom"]
    assert probe.resolved == 1


def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    probe_server: LiveServer, probe: Probe, caplog: pytest.LogCaptureFixture
) -> None:
    # given a resolver that crashes with internals in its message
    caplog.set_level(logging.ERROR, logger="schule.graphql")

    # when it is queried
    response = post(probe_server.graphql_url, BOOM)

    # then the client sees neither message nor stack trace, only a request id to report
    request_id = response.headers["x-request-id"]
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "10.1.2.3" not in response.text and "Traceback" not in response.text
    # and the log has the real error, findable by that id
    logged = [r for r in caplog.records if r.name == "schule.graphql" and request_id in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].exc_info is not None and "10.1.2.3" in str(logged[0].exc_info[1])


def test_an_operation_over_the_time_limit_is_cancelled(probe_server: LiveServer, probe: Probe) -> None:
    # when a resolver never finishes by itself
    response = post(probe_server.graphql_url, SLOW, GRAPHQL_RESPONSE_JSON)

    # then the client gets a timeout error (no data: nothing completed) ...
    assert response.status_code == 503
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {"code": "TIMEOUT", "requestId": response.headers["x-request-id"]}
    # ... and the work was abandoned: the resolver was cancelled, it did not run on
    assert probe.slow_started.is_set()
    assert probe.slow_cancelled.wait(timeout=30)
    assert not probe.slow_finished


# -- GraphiQL ---------------------------------------------------------------------------------------

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Assets(HTMLParser):
    """The URLs a page loads scripts, styles and icons from."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def test_graphiql_is_served_by_default_from_bundled_assets(default_server: LiveServer) -> None:
    # when a browser opens /graphql on a server with the default settings
    page = httpx.get(default_server.graphql_url, headers=BROWSER)

    # then it gets GraphiQL ...
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()
    # ... whose scripts and styles all come from this server (no CDN), ...
    parser = Assets()
    parser.feed(page.text)
    scripts = [u for u in parser.urls if u.endswith(".js") or ".js?" in u]
    assert len(scripts) >= 3 and any("graphiql" in u for u in scripts)
    assert "https://" not in page.text and "http://" not in page.text
    for url in parser.urls:
        assert url.startswith("/static/"), url
        asset = httpx.get(default_server.base_url + url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript",
                                                                 "text/css", "image/svg+xml"), url
    # ... under a policy that allows this server only
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "connect-src 'self';" in csp and "default-src 'none';" in csp
    assert "http" not in csp and "unsafe-eval" not in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    # only <style> elements may be inline (GraphiQL's dialogs write one, see graphiql.py)
    assert directives["style-src-elem"] == "'self' 'unsafe-inline'"


def test_graphiql_is_off_when_introspection_is_switched_off(closed_server: LiveServer) -> None:
    # when a browser opens /graphql where the operator set SCHULE_INTROSPECTION=0
    page = httpx.get(closed_server.graphql_url, headers=BROWSER)

    # then there is no GraphiQL: a GET without a query is a bad request
    assert page.status_code == 400
    assert page.headers["content-type"] == JSON
    assert "graphiql" not in page.text.lower()
