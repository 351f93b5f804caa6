"""The seeded app over HTTP (ASGI, lifespan included) with accounts made by the real CLI: a member of
Herscheid, one of Soest, a moderator. One data dir per test module."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli.helpers import SCHULE, run_schule
from tests.e2e.trust.test_auth_http import Client, bearer, client_for

PASSWORD = "ein sehr gutes Passwort"
ACCOUNTS = {"herscheid-mitglied": ("member", "herscheid"), "soest-mitglied": ("member", "soest"),
            "pruefer": ("moderator", None)}

@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("adoptions")
    seeded = run_schule("seed", data_dir=d)
    assert seeded.returncode == 0, seeded.stderr
    return d


@pytest.fixture(scope="module")
def tokens(data_dir: Path) -> dict[str, str]:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    out = {}
    for name, (role, commune) in ACCOUNTS.items():
        extra = ["--commune", commune] if commune else []
        done = subprocess.run(
            [SCHULE, "user", "add", name, "--role", role, *extra, "--password-stdin", "--json"],
            input=PASSWORD + "\n", capture_output=True, text=True, timeout=120,
            env={**clean_env, "SCHULE_DATA_DIR": str(data_dir)},
        )
        assert done.returncode == 0, done.stderr
        out[name] = json.loads(done.stdout)["token"]
    return out


@pytest.fixture(scope="module")
def client(data_dir: Path, tokens: dict[str, str]) -> Iterator[Client]:
    with client_for(data_dir) as c:
        yield c


class Api:
    def __init__(self, client: Client, token: str | None) -> None:
        self.client, self.token = client, token

    def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                    headers=bearer(self.token) if self.token else {})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture(scope="module")
def api(client: Client, tokens: dict[str, str]) -> dict[str, Api]:
    return {"anonymous": Api(client, None), **{name: Api(client, token) for name, token in tokens.items()}}
