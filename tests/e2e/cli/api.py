"""What CLI tests need from the API: accounts made with ``schule user add`` and GraphQL requests to the
app in-process (``client_for``) on the same data dir, to set up what a command then exports or backs up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.cli.helpers import run_schule
from tests.e2e.trust.test_auth_http import Client, bearer

RESULT = "__typename ... on UserErrors { errors { code message } }"
CREATE = f"""mutation($input: CreateProjectInput!) {{ createProject(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state }} }} }} }}"""
STEP = "ModerationPayload { state }"
APPROVE = f"mutation($id: String!) {{ approveEntry(id: $id) {{ {RESULT} ... on {STEP} }} }}"


def graphql(client: Client, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    """The data of a request that must succeed (HTTP 200 without errors)."""
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers=bearer(token) if token else {})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def add_user(data_dir: Path, name: str, role: str, *extra: str) -> str:
    """``schule user add NAME --role ROLE … --json``; returns the account's API token."""
    done = run_schule("user", "add", name, "--role", role, *extra, "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["token"])
