"""The schema contract: every element described (in German), and the committed SDL is current."""

from __future__ import annotations

import subprocess
import sys

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType

from schule.graphql.schema import build_schema
from schule.graphql.sdl import SCHEMA_FILE, check_sdl
from schule.settings import Settings

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed() -> list[str]:
    schema = build_schema(Settings())._schema
    missing: list[str] = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        elif isinstance(type_, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in type_.values.items() if not value.description]
        elif not isinstance(type_, GraphQLUnionType):
            pass
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    assert undescribed() == []


def test_committed_sdl_matches_the_code() -> None:
    assert check_sdl() is None, f"run `schule schema` and commit {SCHEMA_FILE}"


def test_schema_check_command_exits_zero_when_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "schule.cli", "schema", "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_schema_check_reports_drift_in_one_line(tmp_path: object) -> None:
    from pathlib import Path

    stale = Path(str(tmp_path)) / "schema.graphql"
    stale.write_text("type Query { alt: String }\n", encoding="utf-8")
    reason = check_sdl(path=stale)
    assert reason is not None and "\n" not in reason and "weicht" in reason
