"""Property: any text the API accepts survives API -> export -> import.

Entries are written through the real GraphQL endpoint (the app in-process over ``httpx.ASGITransport``,
on its own embedded store), exported with the export service and imported with the import service
into a second, real store (both engines when ``NEO4J_URI`` is set). Each example must come out of
the second store exactly as the API stored it, and the export must be one record per line for
every reader (``str.splitlines`` included)."""

from __future__ import annotations

import functools
import io
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from schule.app import create_app
from schule.auth.identity import Identity
from schule.auth.ratelimit import Limits, RateLimiter
from schule.domain.model import Lesson, Project
from schule.services import accounts
from schule.services.exporting import write_export
from schule.services.importing import import_files
from schule.settings import Settings
from schule.store import CypherGraphStore
from tests.conftest import SEED_DIR

# Characters that broke or could break a line-based format or its readers, drawn often; all other
# text the API takes is drawn too (everything but NUL and lone surrogates, which it refuses).
HOSTILE = ["\u2028", "\u2029", "\u0085", "\f", "\v", "\x1c", "\x1d", "\x1e", "\r", "\n", "\t", " ", '"',
           "\\", "ä", "ß", "\ufeff", "\u200b", "\x7f", "\x01", "\U0001f600", "'", "}", "$", "`"]
CHARS = st.one_of(st.sampled_from(HOSTILE), st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
TEXT = st.text(CHARS, min_size=1, max_size=40).filter(lambda s: bool(s.strip()))
LINK_PATH = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), max_size=20)

PROJECT = "title summary description tags links"
CREATE = f"""mutation($input: CreateProjectInput!) {{ createProject(input: $input) {{ __typename
  ... on UserErrors {{ errors {{ message }} }} ... on ProjectPayload {{ project {{ slug {PROJECT} }} }} }} }}"""
ADD_LESSON = """mutation($input: AddLessonInput!) { addLesson(input: $input) {
  __typename ... on UserErrors { errors { message } } ... on LessonPayload { lesson { slug title text } } } }"""
_numbers = itertools.count(1)


class Api:
    """The app with its lifespan (store, search) and an admin's token."""

    def __init__(self, post: Any, store: CypherGraphStore, token: str) -> None:
        self._post, self.store, self.token = post, store, token

    def mutate(self, query: str, field: str, payload: str, **variables: Any) -> dict[str, Any]:
        response = self._post("/graphql", json={"query": query, "variables": variables},
                              headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200, response.text
        result = response.json()["data"][field]
        assert result["__typename"] != "UserErrors", result  # the inputs are all acceptable
        return result[payload]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data_dir = tmp_path_factory.mktemp("export-property")
    unlimited = Limits(sign_in=RateLimiter(10, 1.0), mutations=RateLimiter(10**6, 10**6))  # hypothesis is quick
    app = create_app(Settings(data_dir=data_dir, seed_dir=SEED_DIR), seed=False, limits=unlimited)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        store: CypherGraphStore = app.state.schule.store
        _, token = accounts.add_account(store, Identity.system(), "adam", "admin")
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        try:
            yield Api(lambda *a, **kw: portal.call(functools.partial(client.post, *a, **kw)), store, token)
        finally:
            portal.call(client.aclose)


def export_text(store: CypherGraphStore) -> str:
    out = io.StringIO()
    write_export(store, out)
    return out.getvalue()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=TEXT, summary=TEXT, description=TEXT, tags=st.lists(TEXT, max_size=3),
       link=LINK_PATH, lesson_title=TEXT, lesson_text=TEXT)
@example(title="Zeilen\u2028trenner", summary="eins\u0085zwei\fdrei", description="\u2029", tags=["a\x1eb"],
         link="pfad", lesson_title="vier\vfünf", lesson_text="\r\n sechs \x1c")
def test_any_text_the_api_accepts_survives_export_and_import(
    api: Api, store: CypherGraphStore, tmp_path: Path, title: str, summary: str, description: str,
    tags: list[str], link: str, lesson_title: str, lesson_text: str,
) -> None:
    # Hypothesis seeds the global `random` alike for every example; Whoosh names index segments with
    # it, so the app's search follower (a thread of this process) would reuse a segment name and fail.
    random.seed()
    # given a project and a lesson written through the API with these texts
    slug = f"p{next(_numbers)}"
    project = api.mutate(CREATE, "createProject", "project", input={
        "id": slug, "title": title, "summary": summary, "description": description, "tags": tags,
        "links": [f"https://example.org/{link}"]})
    lesson = api.mutate(ADD_LESSON, "addLesson", "lesson",
                        input={"id": f"{slug}-l", "project": slug, "title": lesson_title, "text": lesson_text})

    # when everything is exported and the export imported into another store
    text = export_text(api.store)
    path = tmp_path / f"{slug}.jsonl"
    path.write_text(text, encoding="utf-8")
    import_files(store, [path])

    # then every reader sees one record per line
    assert text.splitlines() == text.split("\n")[:-1]
    # and the entries come out of the other store exactly as the API stored them
    got = store.get([slug, f"{slug}-l"])
    stored_project, stored_lesson = got[slug], got[f"{slug}-l"]
    assert isinstance(stored_project, Project) and isinstance(stored_lesson, Lesson)
    assert {"slug": stored_project.id, "title": stored_project.title, "summary": stored_project.summary,
            "description": stored_project.description, "tags": list(stored_project.tags),
            "links": list(stored_project.links)} == project
    assert {"slug": stored_lesson.id, "title": stored_lesson.title, "text": stored_lesson.text} == lesson
    # and exporting the other store gives the same file
    assert export_text(store) == text
