"""Abuse limits on a live server: each abusive request is refused with a clear error and never executed.

Non-execution is proven on the probe server (same view, same limits as the app, resolvers that
count their calls); the same requests against the real app show the limits are wired into it.
"""

from __future__ import annotations

import json
import socket

import httpx
import pytest
from graphql import get_introspection_query

from tests.e2e.conftest import LiveServer, Probe, graphql_errors

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def nested(fields: list[str], leaf: str) -> str:
    """``{ a { b { leaf } } }`` for fields a, b."""
    return "{ " + " { ".join([*fields, leaf]) + " }" * len(fields) + " }"


COUNT = "{ count }"
VERSION = "{ version }"
ALIASES_200 = "{ " + " ".join(f"a{i}: count" for i in range(200)) + " }"
ALIASES_200_REAL = "{ " + " ".join(f"a{i}: version" for i in range(200)) + " }"
DUPLICATES_2000 = "{ " + "count " * 2000 + "}"
DUPLICATES_2000_REAL = "{ " + "version " * 2000 + "}"
DEPTH_10 = nested(["node", *["child"] * 9], "count")
DEPTH_11 = nested(["node", *["child"] * 10], "count")
# 15 levels of fields, circling through __Type.fields and __Field.type
CIRCULAR_INTROSPECTION = nested(["__schema", "types", *["fields", "type"] * 6], "name")
STANDARD_INTROSPECTION = get_introspection_query(descriptions=True, input_value_deprecation=True)
INTROSPECT_QUERY_TYPE = "{ __schema { queryType { name } } }"
BATCH_20 = [{"query": COUNT}] * 20
TOUCH = "mutation { touch }"
# refused for the method alone: whether the mutation exists or would validate does not matter
MUTATIONS_OVER_GET = [
    "mutation { __typename }",
    'mutation { createProject(input: {id: "x", title: "x", summary: "x"}) { __typename } }',
    "mutation Unknown { doesNotExist }",
]
MISSPELLED_FIELD = "{ versoin }"
MISSPELLED_ARGUMENT = '{ echo(txt: "hallo") }'
BODY_LIMIT = 100_000


def post(url: str, query: str, accept: str = GRAPHQL_RESPONSE_JSON) -> httpx.Response:
    return httpx.post(url, json={"query": query}, headers={"accept": accept}, timeout=60)


def raw_http(port: int, head: bytes, body_start: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a request head and only the start of its body, then read the whole response."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head + body_start)
        data = b""
        while chunk := conn.recv(65536):  # the server closes after refusing
            data += chunk
    head_bytes, _, content = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head_bytes.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, content


# -- validation limits: aliases, tokens, depth ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (ALIASES_200, "200 aliases found. Allowed: 30"),
        (DUPLICATES_2000, "Document contains more than 2000 tokens. Parsing aborted."),
        (DEPTH_11, "'anonymous' exceeds maximum operation depth of 10 (found 11)"),
        (CIRCULAR_INTROSPECTION, "'anonymous' exceeds maximum operation depth of 10 (found 14)"),
    ],
    ids=["200-aliases", "2000-duplicated-fields", "depth-11", "circular-introspection"],
)
def test_an_abusive_query_is_refused_before_execution(
    probe_server: LiveServer, probe: Probe, query: str, message: str
) -> None:
    # when the query is sent (introspection is on, as in development), and sent again (the server
    # keeps what it worked out per query text: the second answer comes from there)
    for _ in range(2):
        response = post(probe_server.graphql_url, query)

        # then it is refused as a request error naming the limit, both times ...
        assert response.status_code == 400
        assert "data" not in response.json()
        assert any(message in m for m in graphql_errors(response.json()))
    # ... and no resolver ran
    assert probe.resolved == 0


def test_the_depth_limit_allows_depth_10(probe_server: LiveServer, probe: Probe) -> None:
    # when a query exactly at the limit is sent
    response = post(probe_server.graphql_url, DEPTH_10)

    # then it runs: node, nine children and the count
    assert response.status_code == 200
    assert "errors" not in response.json()
    assert probe.resolved == 11


def test_the_depth_limit_allows_the_standard_introspection_query(dev_server: LiveServer) -> None:
    # when GraphiQL's introspection query is sent in development (ofType nests nine levels)
    response = post(dev_server.graphql_url, STANDARD_INTROSPECTION)

    # then it is answered
    assert response.status_code == 200
    assert "errors" not in response.json()
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (ALIASES_200_REAL, "200 aliases found. Allowed: 30"),
        (DUPLICATES_2000_REAL, "Document contains more than 2000 tokens. Parsing aborted."),
        (CIRCULAR_INTROSPECTION, "exceeds maximum operation depth of 10"),
    ],
    ids=["200-aliases", "2000-duplicated-fields", "circular-introspection"],
)
def test_the_app_applies_the_same_limits(dev_server: LiveServer, query: str, message: str) -> None:
    # when the abusive query is sent to the app itself
    response = post(dev_server.graphql_url, query)

    # then it is refused the same way
    assert response.status_code == 400
    assert any(message in m for m in graphql_errors(response.json()))


# -- HTTP limits: batches, form and multipart bodies, mutations over GET, body size --------------


def test_a_batch_of_20_operations_is_refused(probe_server: LiveServer, probe: Probe) -> None:
    # when twenty operations arrive in one JSON array
    response = httpx.post(probe_server.graphql_url, json=BATCH_20)

    # then none runs: batching is off
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"
    assert "one operation per request" in response.json()["errors"][0]["message"]
    assert probe.resolved == 0


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"query": COUNT}},
        {"data": {"operations": json.dumps({"query": COUNT})}, "files": {"0": ("a.txt", b"x", "text/plain")}},
        {"content": json.dumps({"query": COUNT}), "headers": {"content-type": "text/plain"}},
        {"content": json.dumps({"query": COUNT}), "headers": {"content-type": "application/json; charset=latin-1"}},
    ],
    ids=["form-encoded", "multipart", "text-plain", "latin-1"],
)
def test_a_post_body_other_than_json_is_refused(
    probe_server: LiveServer, probe: Probe, request_kwargs: dict[str, object]
) -> None:
    # when a query is posted in another format (a form, a multipart upload, …)
    response = httpx.post(probe_server.graphql_url, **request_kwargs)  # type: ignore[arg-type]

    # then it is refused with 415 and never runs
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "application/json" in response.json()["errors"][0]["message"]
    assert probe.resolved == 0


def test_a_mutation_over_get_is_refused_before_execution(probe_server: LiveServer, probe: Probe) -> None:
    # when a mutation is sent as a GET (a link or an <img> could trigger it)
    response = httpx.get(probe_server.graphql_url, params={"query": TOUCH})

    # then it is refused, pointing to POST, and nothing changed
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert probe.mutated == 0
    # while the same mutation over POST does run
    assert post(probe_server.graphql_url, TOUCH).json() == {"data": {"touch": 1}}


@pytest.mark.parametrize("mutation", MUTATIONS_OVER_GET)
def test_the_app_refuses_any_mutation_over_get(dev_server: LiveServer, mutation: str) -> None:
    # when any document whose operation is a mutation comes by GET, valid or not
    response = httpx.get(dev_server.graphql_url, params={"query": mutation})

    # then it is refused for its method, before validation
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_a_body_declared_too_large_is_refused_unread(probe_server: LiveServer, probe: Probe) -> None:
    # given a request that announces a body over the limit and sends only its start
    start = b'{"query": "{ count }", "padding": "'
    head = b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
        BODY_LIMIT + 1
    )

    # when the server answers
    status, headers, content = raw_http(probe_server.port, head, start)

    # then it refused at once with 413, without waiting for the rest
    assert status == 413
    assert json.loads(content)["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "x-request-id" in headers
    assert probe.resolved == 0


def test_a_streamed_body_is_refused_as_soon_as_it_is_too_large(probe_server: LiveServer, probe: Probe) -> None:
    # given a chunked upload without Content-Length that passes the limit and never ends
    chunk = b'{"query": "{ count }", "padding": "' + b"x" * BODY_LIMIT
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )

    # when the server answers (the final chunk is never sent)
    status, _, content = raw_http(probe_server.port, head, b"%x\r\n%s\r\n" % (len(chunk), chunk))

    # then it refused while the body was still streaming in
    assert status == 413
    assert f"larger than {BODY_LIMIT} bytes" in json.loads(content)["errors"][0]["message"]
    assert probe.resolved == 0


# -- introspection and suggestions ---------------------------------------------------------------


def test_introspection_is_answered_by_default(default_server: LiveServer) -> None:
    # when a client asks a server with the default settings for the schema
    response = post(default_server.graphql_url, INTROSPECT_QUERY_TYPE)

    # then it is answered: the API is public and its SDL is published anyway
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_introspection_is_refused_when_switched_off(closed_server: LiveServer) -> None:
    # when a client asks for the schema where the operator set SCHULE_INTROSPECTION=0
    response = post(closed_server.graphql_url, INTROSPECT_QUERY_TYPE)

    # then it is refused as a validation error
    assert response.status_code == 400
    assert "data" not in response.json()
    assert any("introspection has been disabled" in m for m in graphql_errors(response.json()))


@pytest.mark.parametrize(
    ("server_name", "query", "message"),
    [
        ("dev_server", MISSPELLED_FIELD, "Cannot query field 'versoin' on type 'Query'."),
        ("probe_server", MISSPELLED_ARGUMENT, "Unknown argument 'txt' on field 'ProbeQuery.echo'."),
    ],
    ids=["field", "argument"],
)
def test_errors_never_suggest_names(request: pytest.FixtureRequest, server_name: str, query: str, message: str) -> None:
    # given a server (development: the most talkative configuration)
    server: LiveServer = request.getfixturevalue(server_name)

    # when a name is misspelled
    response = post(server.graphql_url, query)

    # then the error says what is wrong but suggests no existing name
    assert message in graphql_errors(response.json())
    assert "Did you mean" not in response.text
