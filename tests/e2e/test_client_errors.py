"""Client mistakes over real HTTP: a clear error with its code, never a 5xx, never a logged traceback.

Each case was answered "Internal server error" (or HTTP 500) before the error model: the message
the code meant to show was masked because the view passed only some exception classes, and deeply
nested JSON raised RecursionError. Every case goes through the served app (uvicorn, the real view,
the real embedded store), as a client would send it.
"""

from __future__ import annotations

import base64
import json
import logging

import httpx
import pytest

from tests.e2e.conftest import LiveServer

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def gid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


NODE = '{{ node(id: "{}") {{ id }} }}'

# (name, query, expected extensions.code, expected field, a German word of the message)
EXECUTION_ERRORS = [
    ("first over the page limit", "{ projects(first: 101) { totalCount } }", "INVALID", "first", "höchstens"),
    ("negative first", "{ communes(first: -1) { totalCount } }", "INVALID", "first", "negativ"),
    ("negative last", "{ communes(last: -5) { totalCount } }", "INVALID", "last", "negativ"),
    ("garbage cursor", '{ projects(after: "garbage") { totalCount } }', "INVALID", "after", "Cursor"),
    ("cursor without our prefix", '{ projects(after: "MQ==") { totalCount } }', "INVALID", "after", "Cursor"),
    ("bad date in a filter", '{ projects(filter: {started: {from: "2021-13"}}) { totalCount } }', "INVALID",
     "started", "Datum"),
    ("search page too large", '{ search(query: "Parken", first: 500) { total } }', "INVALID", "first", "zwischen"),
    ("forged relay id of a non-node type", NODE.format(gid("Account:x")), "INVALID", "id", "globale ID"),
    ("forged relay id of an unknown type", NODE.format(gid("Nope:x")), "INVALID", "id", "globale ID"),
    ("relay id that is no base64", '{ node(id: "%%%") { id } }', "INVALID", "id", "globale ID"),
]

# (name, query): refused before execution, under the new media type with 400
REQUEST_ERRORS = [
    ("NUL in an id literal", '{ project(id: "a\\u0000b") { title } }'),
    ("lone surrogate escape in a literal", '{ project(id: "a\\ud800b") { title } }'),
]


@pytest.fixture
def errors_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


def assert_nothing_logged(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


def post(server: LiveServer, body: object | bytes, accept: str = GRAPHQL_RESPONSE_JSON) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(server.graphql_url, content=content, timeout=30,
                      headers={"Content-Type": "application/json", "Accept": accept})


@pytest.mark.parametrize(("name", "query", "code", "field", "word"), EXECUTION_ERRORS,
                         ids=[c[0] for c in EXECUTION_ERRORS])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_client_mistake_gets_its_code_and_message_over_http(
    prod_server: LiveServer, errors_logged: pytest.LogCaptureFixture, method: str,
    name: str, query: str, code: str, field: str, word: str,
) -> None:
    # when a client sends the mistake over GET or POST
    if method == "GET":
        response = httpx.get(prod_server.graphql_url, params={"query": query}, timeout=30,
                             headers={"Accept": GRAPHQL_RESPONSE_JSON})
    else:
        response = post(prod_server, {"query": query})

    # then execution ran (200) and the error says what to fix, with its code and the argument
    assert response.status_code == 200, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code, error
    assert error["extensions"]["field"] == field
    assert word in error["message"]
    assert "Internal" not in response.text and "INTERNAL_SERVER_ERROR" not in response.text
    # and no traceback was logged for it
    assert_nothing_logged(errors_logged)


# ``a`` fails (``similar(first: 500)``) while its ``communes`` wait for the same loader result as ``b``'s
SHARED_LOOKUP = """{
  a: project(id: "stadtlabor-soest") { communes { name } handlungsfelder { name } similar(first: 500) { id } }
  b: project(id: "stadtlabor-soest") { communes { name } handlungsfelder { name } }
}"""


def test_a_mistake_in_one_part_of_a_query_leaves_the_other_parts_their_answers(
    prod_server: LiveServer, errors_logged: pytest.LogCaptureFixture
) -> None:
    """graphql-core cancels the siblings of a field whose error nulls their parent. One of them waited
    on the DataLoader result that ``b`` waits on too, and asyncio cancelled it for both: ``b`` got
    ``CancelledError``, and the whole request was an HTTP 500 with a logged traceback (``sharing.py``).
    A moderator's review queue failed like this when any one entry failed."""
    # when a query asks for one project twice, once with a mistake
    response = post(prod_server, {"query": SHARED_LOOKUP})

    # then the mistake is reported where it is, and the other part has its answer
    assert response.status_code == 200, response.text
    body = response.json()
    [error] = body["errors"]
    assert error["path"] == ["a", "similar"]
    assert error["extensions"]["code"] == "INVALID"
    assert body["data"]["a"] is None
    assert body["data"]["b"]["communes"] == [{"name": "Soest"}]
    assert {f["name"] for f in body["data"]["b"]["handlungsfelder"]} == {"Bildung", "Bürgerbeteiligung"}
    assert_nothing_logged(errors_logged)


@pytest.mark.parametrize(("name", "query"), REQUEST_ERRORS, ids=[c[0] for c in REQUEST_ERRORS])
def test_a_string_the_store_cannot_take_is_refused_before_execution(
    prod_server: LiveServer, errors_logged: pytest.LogCaptureFixture, name: str, query: str
) -> None:
    response = post(prod_server, {"query": query})

    assert response.status_code == 400, response.text
    assert "data" not in response.json()
    assert response.json()["errors"][0]["message"]
    assert_nothing_logged(errors_logged)


@pytest.mark.parametrize(
    "body",
    [
        # nested 40,000 deep: inside the 100 KB body limit, past Python's recursion limit
        b'{"query":"query($v: String) { __typename }","variables":{"v":' + b"[" * 40_000 + b"]" * 40_000 + b"}}",
        b'{"query":"{ project(id: \\"\\ud800\\") { title } }"}',
        b'{"query":"{ project(id: \\"a\\u0000b\\") { title } }"}',
        b'{"query":"{ communes(first: 1) { totalCount } }","variables":{"n":' + b"9" * 5001 + b"}}",
    ],
    ids=["deeply nested variables", "lone surrogate in JSON", "NUL in JSON", "5,001-digit number"],
)
def test_json_the_server_cannot_process_is_a_400_over_post(
    prod_server: LiveServer, errors_logged: pytest.LogCaptureFixture, body: bytes
) -> None:
    response = post(prod_server, body)

    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert_nothing_logged(errors_logged)


def test_deeply_nested_variables_over_get_are_a_400(
    prod_server: LiveServer, errors_logged: pytest.LogCaptureFixture
) -> None:
    variables = "[" * 5000 + "]" * 5000
    response = httpx.get(prod_server.graphql_url, params={"query": "{ __typename }", "variables": variables},
                         headers={"Accept": GRAPHQL_RESPONSE_JSON}, timeout=30)

    assert response.status_code == 400, response.text
    assert "verschachtelt" in response.json()["errors"][0]["message"]
    assert_nothing_logged(errors_logged)


def test_a_legacy_json_client_gets_the_same_codes(prod_server: LiveServer) -> None:
    response = post(prod_server, {"query": "{ projects(first: 101) { totalCount } }"}, accept="application/json")

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/kommunen/olpe?nach=MQ==", 400), ("/kommunen/gibt-es-nicht", 404)],
)
def test_a_web_page_with_a_bad_address_gets_a_clear_german_page(
    prod_server: LiveServer, errors_logged: pytest.LogCaptureFixture, path: str, status: int
) -> None:
    response = httpx.get(prod_server.base_url + path, timeout=30)

    assert response.status_code == status
    assert 'lang="de"' in response.text
    assert "Fehlernummer" not in response.text  # that is the wording of the internal-error page
    assert_nothing_logged(errors_logged)


# (name, body, expected extensions.code): a broken query or variables that do not fit the schema
SPEC_ERRORS = [
    ("syntax error", {"query": "{ projects(first: 1) { totalCount }"}, "GRAPHQL_PARSE_FAILED"),
    ("unknown field", {"query": "{ projects(first: 1) { totalCont } }"}, "GRAPHQL_VALIDATION_FAILED"),
    ("missing required argument", {"query": "{ project { title } }"}, "GRAPHQL_VALIDATION_FAILED"),
    ("unknown enum value in a variable",
     {"query": 'query($f: SearchFilter) { search(query: "x", filter: $f) { total } }',
      "variables": {"f": {"transfer": ["BILLIG"]}}}, "GRAPHQL_VALIDATION_FAILED"),
    ("variable of the wrong type",
     {"query": "query($n: Int) { projects(first: $n) { totalCount } }", "variables": {"n": "zehn"}},
     "GRAPHQL_VALIDATION_FAILED"),
]


@pytest.mark.parametrize(("name", "body", "code"), SPEC_ERRORS, ids=[c[0] for c in SPEC_ERRORS])
def test_a_query_that_does_not_fit_the_schema_gets_a_code_too(
    prod_server: LiveServer, errors_logged: pytest.LogCaptureFixture, name: str, body: dict[str, object], code: str
) -> None:
    response = post(prod_server, body)

    # refused before execution (400 under the GraphQL media type), with a code a client can switch on
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code, error
    assert error["extensions"]["requestId"]
    assert error["message"]
    assert_nothing_logged(errors_logged)
