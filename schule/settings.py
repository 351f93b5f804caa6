"""Settings: one frozen object, read from the environment once, passed explicitly.

Environment variables:
    SCHULE_DATA_DIR   where the embedded store, the search index and lock files live
                      (default: ./data)
    SCHULE_STORE      ``embedded`` (FalkorDB started by schule, default) or ``neo4j``
    NEO4J_URI         e.g. bolt://localhost:7687 (required for SCHULE_STORE=neo4j)
    NEO4J_USER        default ``neo4j``
    NEO4J_PASSWORD    default empty
    NEO4J_DATABASE    default ``neo4j``
    SCHULE_ENV        ``development`` or ``production`` (default); production hides GraphiQL
                      and, unless SCHULE_INTROSPECTION=1, introspection
    SCHULE_INTROSPECTION  ``1``/``0`` overrides the default above
    SCHULE_WRITE_TOKEN    optional operator token: ``Authorization: Bearer <token>`` acts as an admin
                      (people sign in with their own accounts, ``schule user add``)
    SCHULE_GRAPH      graph name inside the store (default ``schule``); tests use their own
    SCHULE_CHANGE_RETENTION_DAYS  how long change-log entries are kept (default 7, days; fractions
                      allowed). Search indexes that fell further behind rebuild from the graph.
    SCHULE_CHANGE_RETENTION_MAX   at most this many newest change-log entries are kept (default
                      100000; 0: no limit). See ``schule.services.change_log`` for why.
    SCHULE_TRUSTED_PROXIES  reverse proxies whose ``X-Forwarded-For``/``-Proto`` are believed: a comma
                      list of addresses or CIDR networks, e.g. ``10.0.0.5,172.16.0.0/12`` (default:
                      none, so the client address is the connection's). Rate limits per address
                      depend on it: a forwarded address from anyone else could be made up.
    SCHULE_QUERY_RATE     query cost units (``schule.graphql.cost``) each client may spend per second
                      (default 2000, bursts of ten seconds' worth); a load test from one address needs more
    SCHULE_MUTATION_RATE  mutations per second per account and per address (default 1, bursts of
                      a minute's worth)
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from schule.errors import ConfigError

STORES = ("embedded", "neo4j")
N = TypeVar("N", int, float)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    store: str = "embedded"
    graph: str = "schule"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str = field(default="", repr=False)
    neo4j_database: str = "neo4j"
    environment: str = "production"
    introspection: bool = False
    write_token: str | None = field(default=None, repr=False)
    change_retention_days: float = 7.0
    change_retention_max: int = 100_000
    trusted_proxies: tuple[str, ...] = ()
    query_rate: float = 2000.0
    mutation_rate: float = 1.0
    seed_dir: Path = Path(__file__).resolve().parent.parent / "seed"

    def __post_init__(self) -> None:
        if self.store not in STORES:
            raise ConfigError(f"SCHULE_STORE={self.store!r} ist unbekannt; erlaubt: {', '.join(STORES)}")
        if self.store == "neo4j" and not self.neo4j_uri:
            raise ConfigError("SCHULE_STORE=neo4j braucht NEO4J_URI, z. B. bolt://localhost:7687")
        if not 0 < self.change_retention_days < math.inf:  # also refuses NaN
            raise ConfigError("SCHULE_CHANGE_RETENTION_DAYS muss eine Zahl größer als 0 sein")
        if self.change_retention_max < 0:
            raise ConfigError("SCHULE_CHANGE_RETENTION_MAX muss 0 (keine Grenze) oder eine positive ganze Zahl sein")
        for name, rate in (("SCHULE_QUERY_RATE", self.query_rate), ("SCHULE_MUTATION_RATE", self.mutation_rate)):
            if not 0 < rate < math.inf:
                raise ConfigError(f"{name} muss eine Zahl größer als 0 sein")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ConfigError(
                    f"SCHULE_TRUSTED_PROXIES: {proxy!r} ist keine IP-Adresse und kein Netz in CIDR-Schreibweise "
                    "(z. B. 10.0.0.5 oder 172.16.0.0/12)"
                ) from None

    @property
    def development(self) -> bool:
        return self.environment == "development"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        environment = env.get("SCHULE_ENV", "production")
        if environment not in ("development", "production"):
            raise ConfigError("SCHULE_ENV muss 'development' oder 'production' sein")
        introspection_default = "1" if environment == "development" else "0"
        seed_dir = env.get("SCHULE_SEED_DIR")
        return cls(
            data_dir=Path(env.get("SCHULE_DATA_DIR", "data")),
            store=env.get("SCHULE_STORE", "embedded"),
            graph=env.get("SCHULE_GRAPH", "schule"),
            neo4j_uri=env.get("NEO4J_URI") or None,
            neo4j_user=env.get("NEO4J_USER", "neo4j"),
            neo4j_password=env.get("NEO4J_PASSWORD", ""),
            neo4j_database=env.get("NEO4J_DATABASE", "neo4j"),
            environment=environment,
            introspection=env.get("SCHULE_INTROSPECTION", introspection_default) == "1",
            write_token=env.get("SCHULE_WRITE_TOKEN") or None,
            change_retention_days=_number(env, "SCHULE_CHANGE_RETENTION_DAYS", 7.0, float),
            change_retention_max=_number(env, "SCHULE_CHANGE_RETENTION_MAX", 100_000, int),
            trusted_proxies=tuple(p.strip() for p in env.get("SCHULE_TRUSTED_PROXIES", "").split(",") if p.strip()),
            query_rate=_number(env, "SCHULE_QUERY_RATE", 2000.0, float),
            mutation_rate=_number(env, "SCHULE_MUTATION_RATE", 1.0, float),
            **({"seed_dir": Path(seed_dir)} if seed_dir else {}),
        )


def _number(env: Mapping[str, str], name: str, default: N, parse: Callable[[str], N]) -> N:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} ist keine gültige Zahl") from None
