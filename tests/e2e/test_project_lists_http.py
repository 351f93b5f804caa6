"""The projects list over HTTP on a running server: after its start the server builds the lists'
facts in the background, and from then on lists are answered from them (no graph list query);
a project another process publishes is in the list at once (the graph answers until the facts are
built again) and stays there when the facts answer again."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from schule.app import create_app
from schule.services.transfer.facts import facts_if_current
from schule.settings import Settings
from tests.conftest import SEED_DIR
from tests.e2e.cli.helpers import run_schule
from tests.e2e.conftest import LiveServer, serve

LIST = """query($kreis: String!) {
  projects(first: 50, filter: {kreise: [$kreis]}, sort: TITLE_ASC) { totalCount nodes { slug title } }
}"""
KREIS = "Kreis Olpe"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("lists-data")
    settings = Settings.from_env({"SCHULE_DATA_DIR": str(data_dir), "SCHULE_SEED_DIR": str(SEED_DIR)})
    with serve(create_app(settings)) as live:
        yield live


def projects(server: LiveServer) -> dict[str, Any]:
    response = httpx.post(server.graphql_url, json={"query": LIST, "variables": {"kreis": KREIS}}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"]["projects"])


def facts_ready(server: LiveServer, timeout_s: float = 30.0) -> None:
    store = server.app.state.schule.store
    deadline = time.monotonic() + timeout_s
    while facts_if_current(store) is None:
        assert time.monotonic() < deadline, "the server did not build the lists' facts"
        time.sleep(0.1)


def without_graph_lists(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    store = server.app.state.schule.store

    def not_asked(*args: object) -> None:
        raise AssertionError(f"the graph was asked for a list: {args}")

    for name in ("list_page", "list_page_counted", "count_matching"):
        monkeypatch.setattr(store, name, not_asked)


def test_lists_come_from_the_facts_and_follow_another_processs_write(
    server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a server that has built its lists' facts after the start
    facts_ready(server)
    before = projects(server)
    assert before["totalCount"] == len(before["nodes"]) > 0
    # when another process publishes a project in that Kreis
    record = {"kind": "project", "id": "dorfladen-wenden", "title": "Dorfladen Wenden",
              "summary": "Ein digitaler Dorfladen.", "commune": "wenden", "handlungsfelder": ["mobilitaet"]}
    (tmp_path / "one.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    imported = run_schule("import", str(tmp_path / "one.jsonl"),
                          data_dir=server.app.state.schule.settings.data_dir)
    assert imported.returncode == 0, imported.stderr
    # then the next list has it at once (the graph answers until the facts are built again)
    after = projects(server)
    titles = [p["title"].lower() for p in after["nodes"]]
    assert "dorfladen-wenden" in [p["slug"] for p in after["nodes"]] and titles == sorted(titles)
    assert after["totalCount"] == before["totalCount"] + 1 == len(titles)
    # and once the server has built them (within a second or two), the facts answer the same
    facts_ready(server)
    with monkeypatch.context() as m:
        without_graph_lists(server, m)
        assert projects(server) == after
