"""HTTP caching and persisted queries of ``/graphql`` on a live server with the default settings.

* ``ETag``/``Cache-Control`` and 304 for anonymous GET queries only (``schule/graphql/http_cache.py``);
* automatic persisted queries, Apollo's protocol (``schule/graphql/persisted.py``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest

import schule
from tests.e2e.cli.helpers import run_schule
from tests.e2e.conftest import LiveServer

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

VERSION = "{ version }"
PROJECT = '{ project(id: "offene-regionale-datenplattform") { slug title } }'
TOO_LARGE_PAGE = "{ projects(first: 101) { totalCount } }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def persisted(digest: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def get(server: LiveServer, query: str | None = None, headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None) -> httpx.Response:
    params = {}
    if query is not None:
        params["query"] = query
    if extensions is not None:
        params["extensions"] = json.dumps(extensions)
    return httpx.get(server.graphql_url, params=params, headers=headers or {}, timeout=60)


def post(server: LiveServer, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(server.graphql_url, json=body, headers=headers or {}, timeout=60)


def vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",")}


@pytest.fixture(scope="module")
def member_token(default_server: LiveServer) -> str:
    data_dir = default_server.app.state.schule.settings.data_dir
    added = run_schule("user", "add", "cache-mitglied", "--role", "member", "--commune", "olpe", "--json",
                       data_dir=data_dir)
    assert added.returncode == 0, added.stderr
    return str(json.loads(added.stdout)["token"])


# -- ETag, Cache-Control, 304 ----------------------------------------------------------------------


def test_an_anonymous_get_query_carries_an_etag_and_is_public(default_server: LiveServer) -> None:
    # when an anonymous client sends a query with GET
    response = get(default_server, PROJECT)

    # then the answer may be cached by anyone for a short while, and revalidated by its tag
    assert response.status_code == 200
    assert response.json()["data"]["project"]["slug"] == "offene-regionale-datenplattform"
    assert response.headers["etag"].startswith('"') and response.headers["etag"].endswith('"')
    assert response.headers["cache-control"] == "public, max-age=60"
    assert {"accept", "authorization", "cookie"} <= vary(response)


def test_if_none_match_with_the_current_tag_gets_304_without_a_body(default_server: LiveServer) -> None:
    # given the tag of an answer
    first = get(default_server, PROJECT)
    tag = first.headers["etag"]

    # when the client asks again with that tag (among others, weak or not)
    again = get(default_server, PROJECT, {"if-none-match": f'"other", W/{tag}'})

    # then nothing changed: 304, no body, the same tag and caching headers
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == "public, max-age=60"
    assert {"accept", "authorization", "cookie"} <= vary(again)


def test_another_query_or_media_type_has_another_tag(default_server: LiveServer) -> None:
    # given the tag of one answer
    tag = get(default_server, PROJECT).headers["etag"]

    # when another query, or the same one in the other media type, is asked with that tag
    other_query = get(default_server, VERSION, {"if-none-match": tag})
    other_type = get(default_server, PROJECT, {"if-none-match": tag, "accept": GRAPHQL_RESPONSE_JSON})

    # then each is answered in full, with a tag of its own
    assert other_query.status_code == 200 and other_query.json() == {"data": {"version": schule.__version__}}
    assert other_type.status_code == 200 and other_type.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert len({tag, other_query.headers["etag"], other_type.headers["etag"]}) == 3


def test_a_signed_in_get_is_never_cacheable(default_server: LiveServer, member_token: str) -> None:
    # given the tag the anonymous answer has
    tag = get(default_server, PROJECT).headers["etag"]

    # when a signed-in member asks the same query with GET, even naming that tag
    response = get(default_server, PROJECT, {"authorization": f"Bearer {member_token}", "if-none-match": tag})

    # then the answer is theirs: in full, without a tag, not to be stored
    assert response.status_code == 200
    assert response.json()["data"]["project"]["slug"] == "offene-regionale-datenplattform"
    assert "etag" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    assert {"authorization", "cookie"} <= vary(response)


def test_errors_and_posts_are_not_cacheable(default_server: LiveServer) -> None:
    # when a GET query fails, and a query is sent with POST
    failed = get(default_server, TOO_LARGE_PAGE)
    posted = post(default_server, {"query": PROJECT})

    # then neither gets a tag or a public Cache-Control
    assert failed.status_code == 200 and failed.json()["errors"]
    assert "etag" not in failed.headers and failed.headers["cache-control"] == "no-store"
    assert posted.status_code == 200 and "errors" not in posted.json()
    assert "etag" not in posted.headers and "cache-control" not in posted.headers


def test_a_mutation_with_get_is_refused_and_not_cacheable(default_server: LiveServer) -> None:
    response = get(default_server, "mutation { __typename }")

    assert response.status_code == 405
    assert "etag" not in response.headers and response.headers["cache-control"] == "no-store"


# -- automatic persisted queries -------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE_JSON, 400), (JSON, 200)])
def test_an_unknown_hash_is_persisted_query_not_found(default_server: LiveServer, accept: str, status: int) -> None:
    # when a client sends only the hash of a query the server has never seen
    unknown = sha256(f"{{ version }} # {uuid.uuid4()}")
    response = get(default_server, headers={"accept": accept}, extensions=persisted(unknown))

    # then it is told so in Apollo's words, as a request error, and nothing is cached
    assert response.status_code == status
    body = response.json()
    assert "data" not in body
    assert body["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
    assert response.headers["cache-control"] == "no-store"


def test_a_query_is_registered_by_its_hash_and_then_runs_from_the_hash_alone(default_server: LiveServer) -> None:
    # given a query the server has not seen (a unique comment makes it unique)
    query = f"{PROJECT} # {uuid.uuid4()}"
    digest = sha256(query)
    assert get(default_server, extensions=persisted(digest)).json()["errors"][0]["message"] == "PersistedQueryNotFound"

    # when the client sends it with its hash, as Apollo's client does after PersistedQueryNotFound
    registered = post(default_server, {"query": query, "extensions": persisted(digest)})

    # then it runs, and from now on the hash alone runs it, with GET, cacheable like any anonymous GET
    assert registered.status_code == 200
    expected = {"data": {"project": {"slug": "offene-regionale-datenplattform",
                                     "title": registered.json()["data"]["project"]["title"]}}}
    assert registered.json() == expected
    reused = get(default_server, extensions=persisted(digest))
    assert reused.status_code == 200 and reused.json() == expected
    assert reused.headers["cache-control"] == "public, max-age=60" and reused.headers["etag"]
    by_post = post(default_server, {"extensions": persisted(digest)})
    assert by_post.json() == expected


def test_a_wrong_hash_is_refused_and_nothing_runs_or_is_kept(default_server: LiveServer) -> None:
    # when a client sends a query with a hash that is not the query's
    query = f"{VERSION} # {uuid.uuid4()}"
    wrong = sha256(query + " ")
    response = post(default_server, {"query": query, "extensions": persisted(wrong)},
                    {"accept": GRAPHQL_RESPONSE_JSON})

    # then it is refused as a request error that says what to fix
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_HASH_MISMATCH"}
    assert "SHA-256" in body["errors"][0]["message"]
    # and neither hash was registered for that query
    for digest in (wrong, sha256(query)):
        assert get(default_server, extensions=persisted(digest)).json()["errors"][0]["message"] == (
            "PersistedQueryNotFound")


@pytest.mark.parametrize(
    ("extension", "code"),
    [
        ({"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}, "PERSISTED_QUERY_NOT_SUPPORTED"),
        ({"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}}, "BAD_REQUEST"),
        ({"persistedQuery": "yes"}, "PERSISTED_QUERY_NOT_SUPPORTED"),
    ],
    ids=["version-2", "malformed-hash", "not-an-object"],
)
def test_a_malformed_persisted_query_extension_is_refused(
    default_server: LiveServer, extension: dict[str, Any], code: str
) -> None:
    response = post(default_server, {"extensions": extension}, {"accept": GRAPHQL_RESPONSE_JSON})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": code}


def test_a_mutation_runs_with_its_hash_but_is_never_kept(default_server: LiveServer) -> None:
    # given a mutation sent with its text and hash (the mutation rate limit reads the text)
    mutation = f"mutation {{ __typename }} # {uuid.uuid4()}"
    digest = sha256(mutation)
    ran = post(default_server, {"query": mutation, "extensions": persisted(digest)})
    assert ran.json() == {"data": {"__typename": "Mutation"}}

    # when the hash alone is sent
    response = post(default_server, {"extensions": persisted(digest)})

    # then the server does not know it: a mutation always comes as text, past the rate limit
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"


def test_an_invalid_query_is_not_kept(default_server: LiveServer) -> None:
    # given a query that does not pass validation, sent with its correct hash
    query = f"{{ doesNotExist }} # {uuid.uuid4()}"
    digest = sha256(query)
    refused = post(default_server, {"query": query, "extensions": persisted(digest)})
    assert refused.json()["errors"]

    # then its hash is unknown
    assert post(default_server, {"extensions": persisted(digest)}).json()["errors"][0]["message"] == (
        "PersistedQueryNotFound")
