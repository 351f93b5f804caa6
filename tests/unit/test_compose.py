"""The production deployment files: docker-compose.yml, Dockerfile, .dockerignore.

No Docker engine exists on our machines, so these tests check the files themselves: the compose
file against the official compose-spec JSON schema (vendored in tests/unit/data, see the README
there), and the properties operators rely on, read from the parsed YAML and the Dockerfile text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.validators import validator_for

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
COMPOSE_SCHEMA = Path(__file__).resolve().parent / "data" / "compose-spec.json"

NEO4J = "neo4j"
SCHULE = "schule"

# A pinned tag of the Neo4j 5.26 LTS line, optionally with a digest: neo4j:5.26.28-community.
PINNED_NEO4J_IMAGE = re.compile(r"^neo4j:5\.26\.\d+(-community|-enterprise)?(@sha256:[0-9a-f]{64})?$")
# A compose interpolation that fails without the variable, or takes it as is, but never a default.
PASSWORD_INTERPOLATION = re.compile(r"\$\{NEO4J_PASSWORD(:?\?[^}]*)?\}")
INTERPOLATION = re.compile(r"\$\{[^}]*\}")
SECRET_KEY = re.compile(r"PASSWORD|AUTH|SECRET|TOKEN", re.IGNORECASE)
# Anything after "password:" / "password=" on the same line, once interpolations are removed.
LITERAL_SECRET_IN_TEXT = re.compile(r"(password|passwd|pwd)[ \t]*[:=][ \t]*[^\s#]+", re.IGNORECASE)
LOOPBACK_PORT = re.compile(r"^127\.0\.0\.1:\d+:\d+$")
NAMED_VOLUME_MOUNT = re.compile(r"^(?P<source>[a-zA-Z0-9][a-zA-Z0-9_.-]*):(?P<target>/[^:]*)(:(ro|rw))?$")

SCHULE_ENVIRONMENT = {
    "SCHULE_STORE": "neo4j",
    "NEO4J_URI": "bolt://neo4j:7687",
    "NEO4J_USER": "neo4j",
    "NEO4J_DATABASE": "neo4j",
}
SERVE_COMMAND = ["schule", "serve", "--host", "0.0.0.0", "--port", "8000"]
ROOT_USERS = {"root", "0"}
DOCKERIGNORED = {".venv", ".git", "data", "node_modules"}

MISSPELT_KEY_COMPOSE = {"services": {"web": {"image": "nginx:1.27", "restrat": "always"}}}


# --- helpers ----------------------------------------------------------------------------------


def load_compose() -> dict[str, Any]:
    with COMPOSE_FILE.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    assert isinstance(document, dict)
    return document


def compose_validator() -> Any:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def schema_errors(document: dict[str, Any]) -> list[str]:
    errors = compose_validator().iter_errors(document)
    return [f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}" for error in errors]


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """Compose allows environment as a mapping or as a list of KEY=VALUE strings."""
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(entry.split("=", 1) for entry in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def volume_mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) of each mount; fails on bind mounts and anonymous volumes."""
    mounts = []
    for mount in service.get("volumes", []):
        if isinstance(mount, dict):
            assert mount.get("type", "volume") == "volume", f"not a named volume: {mount}"
            mounts.append((mount["source"], mount["target"]))
        else:
            match = NAMED_VOLUME_MOUNT.match(mount)
            assert match, f"not a named volume (a bind mount or an anonymous volume?): {mount}"
            mounts.append((match["source"], match["target"]))
    return mounts


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(index for index, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def last(instructions: list[tuple[str, str]], keyword: str) -> str:
    matching = [arguments for name, arguments in instructions if name == keyword]
    assert matching, f"no {keyword} in the final stage of the Dockerfile"
    return matching[-1]


# --- docker-compose.yml -----------------------------------------------------------------------


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    # given
    compose = load_compose()

    # when
    errors = schema_errors(compose)

    # then
    assert errors == []


def test_the_vendored_schema_rejects_a_misspelt_key() -> None:
    # given a compose file that Docker would refuse ("restrat")
    compose = MISSPELT_KEY_COMPOSE

    # when
    errors = schema_errors(compose)

    # then the schema is strict enough for the test above to mean something
    assert errors
    assert any("restrat" in error for error in errors)


def test_neo4j_image_is_pinned_to_a_5_26_release() -> None:
    # given
    neo4j = load_compose()["services"][NEO4J]

    # when
    image = neo4j["image"]

    # then
    assert PINNED_NEO4J_IMAGE.match(image), f"{image!r} is not a pinned 5.26.x tag"
    assert "latest" not in image


def test_neo4j_has_a_healthcheck() -> None:
    # given
    neo4j = load_compose()["services"][NEO4J]

    # when
    healthcheck = neo4j.get("healthcheck", {})

    # then
    assert healthcheck.get("disable") is not True
    assert healthcheck.get("test"), "neo4j needs a healthcheck for condition: service_healthy"


def test_schule_starts_only_after_neo4j_is_healthy() -> None:
    # given
    schule = load_compose()["services"][SCHULE]

    # when
    depends_on = schule.get("depends_on", {})

    # then
    assert isinstance(depends_on, dict), "a list form of depends_on cannot wait for health"
    assert depends_on[NEO4J]["condition"] == "service_healthy"


def test_schule_talks_to_the_neo4j_service() -> None:
    # given
    schule = load_compose()["services"][SCHULE]

    # when
    environment = environment_of(schule)

    # then
    assert {key: environment.get(key) for key in SCHULE_ENVIRONMENT} == SCHULE_ENVIRONMENT
    assert PASSWORD_INTERPOLATION.fullmatch(environment["NEO4J_PASSWORD"])


def test_schule_is_built_from_the_dockerfile_and_restarts() -> None:
    # given
    schule = load_compose()["services"][SCHULE]

    # when
    build = schule["build"]
    context = build if isinstance(build, str) else build.get("context", ".")

    # then
    assert (COMPOSE_FILE.parent / context / "Dockerfile").is_file()
    assert schule["restart"] == "unless-stopped"


@pytest.mark.parametrize("service_name", [NEO4J, SCHULE])
def test_volumes_are_named_and_declared(service_name: str) -> None:
    # given
    compose = load_compose()
    declared = set(compose.get("volumes") or {})

    # when
    mounts = volume_mounts(compose["services"][service_name])

    # then
    assert "/data" in {target for _, target in mounts}
    undeclared = {source for source, _ in mounts} - declared
    assert undeclared == set()


@pytest.mark.parametrize("service_name", [NEO4J, SCHULE])
def test_ports_are_published_on_loopback_only(service_name: str) -> None:
    # given
    service = load_compose()["services"][service_name]

    # when
    ports = service.get("ports", [])

    # then
    assert ports
    assert all(isinstance(port, str) and LOOPBACK_PORT.match(port) for port in ports), ports


def test_no_password_is_written_into_the_compose_file() -> None:
    # given
    compose = load_compose()
    text = COMPOSE_FILE.read_text(encoding="utf-8")

    # when
    secret_values = {
        f"{name}.{key}": value
        for name, service in compose["services"].items()
        for key, value in environment_of(service).items()
        if SECRET_KEY.search(key)
    }

    # then every secret is interpolated from the environment, with no default filled in
    assert secret_values["neo4j.NEO4J_AUTH"].startswith("neo4j/")
    assert PASSWORD_INTERPOLATION.search(secret_values["neo4j.NEO4J_AUTH"])
    for key, value in secret_values.items():
        literal = INTERPOLATION.sub("", value)
        assert literal in ("", "neo4j/"), f"{key} holds a literal secret"
        assert ":-" not in value or value.endswith(":-}"), f"{key} has a default value"
    assert LITERAL_SECRET_IN_TEXT.search(INTERPOLATION.sub("", text)) is None


# --- Dockerfile and .dockerignore -------------------------------------------------------------


def test_dockerfile_runs_schule_serve() -> None:
    # given
    stage = final_stage(dockerfile_instructions())

    # when
    command = json.loads(last(stage, "CMD"))

    # then
    assert command == SERVE_COMMAND


def test_dockerfile_does_not_run_as_root() -> None:
    # given
    stage = final_stage(dockerfile_instructions())

    # when
    users = [arguments.split(":")[0] for keyword, arguments in stage if keyword == "USER"]
    keywords = [keyword for keyword, _ in stage]

    # then
    assert users, "the final stage never leaves root"
    assert ROOT_USERS.isdisjoint(users)
    assert keywords.index("USER") < keywords.index("CMD")


def test_dockerfile_keeps_the_index_on_the_data_volume_and_checks_health() -> None:
    # given
    stage = final_stage(dockerfile_instructions())

    # when
    environment = " ".join(arguments for keyword, arguments in stage if keyword == "ENV")

    # then
    assert re.search(r"\bSCHULE_DATA_DIR=/data\b", environment)
    assert "/data" in last(stage, "VOLUME")
    assert last(stage, "EXPOSE") == "8000"
    assert "http://127.0.0.1:8000/healthz" in last(stage, "HEALTHCHECK")
    assert last(dockerfile_instructions(), "FROM").startswith("python:3.11-slim")


def test_dockerignore_keeps_local_state_out_of_the_build() -> None:
    # given
    patterns = {
        line.strip().strip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }

    # when
    missing = DOCKERIGNORED - patterns

    # then
    assert missing == set()
