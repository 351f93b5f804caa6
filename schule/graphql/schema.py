"""The GraphQL schema (minimal until the API issue lands: enough for ``{ __typename }``)."""

from __future__ import annotations

import strawberry

import schule


@strawberry.type(description="Einstiegspunkt für Abfragen.")
class Query:
    @strawberry.field(description="Version des schule-Servers.")
    def version(self) -> str:
        return schule.__version__


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query)
