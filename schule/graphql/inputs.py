"""Input types shared by several domains' filters."""

from __future__ import annotations

import strawberry

from schule.domain.problems import Code
from schule.domain.records import DATE_PATTERN
from schule.errors import refuse
from schule.graphql.enums import MembershipRole

DATE_HELP = "Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT"


@strawberry.input(
    description=f"Zeitraum mit einschließlichen Grenzen; {DATE_HELP}. Verglichen wird als Text, "
    "also liegt '2021' vor '2021-05' und dieses vor '2022'. Einträge ohne Datum fallen heraus."
)
class DateRange:
    from_: str | None = strawberry.field(name="from", default=None, description=f"Frühestes Datum ({DATE_HELP}).")
    to: str | None = strawberry.field(
        default=None,
        description=f"Spätestes Datum ({DATE_HELP}); "
        "'2021' schließt nur Einträge mit genau '2021' ein, '2021-12-31' das ganze Jahr.",
    )

    def bounds(self, name: str) -> tuple[str | None, str | None]:
        for value in (self.from_, self.to):
            if value is not None and not DATE_PATTERN.match(value):
                raise refuse(Code.INVALID, f"`{name}`: {value!r} ist kein {DATE_HELP}.", name)
        return self.from_, self.to


@strawberry.input(description="Nur Einträge mit Bezug zu Kommunen, die in einem Netzwerk eine bestimmte Rolle haben.")
class NetworkRoleFilter:
    network: str = strawberry.field(description="ID des Netzwerks, z. B. 'rahmenstrategie-suedwestfalen'.")
    roles: list[MembershipRole] | None = strawberry.field(
        default=None, description="Erlaubte Rollen (z. B. MITMACHER); ohne Angabe zählt jede Mitgliedschaft."
    )

    def params(self) -> dict[str, object]:
        return {"network": self.network, "network_roles": [r.value for r in self.roles] if self.roles else None}


def values(items: list[str] | None) -> list[str] | None:
    """A list filter: empty or missing means no restriction."""
    return list(items) if items else None
