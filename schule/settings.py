"""Settings: one frozen object, read from the environment once, passed explicitly.

Environment variables:
    SCHULE_DATA_DIR   where the embedded store, the search index and lock files live
                      (default: ./data)
    SCHULE_STORE      ``embedded`` (FalkorDB started by schule, default) or ``neo4j``
    NEO4J_URI         e.g. bolt://localhost:7687 (required for SCHULE_STORE=neo4j)
    NEO4J_USER        default ``neo4j``
    NEO4J_PASSWORD    default empty
    NEO4J_DATABASE    default ``neo4j``
    SCHULE_ENV        ``development`` or ``production`` (default)
    SCHULE_INTROSPECTION  ``1`` (default) or ``0``: introspection and GraphiQL at ``/graphql``. On by
                      default: the API is public and its SDL is published anyway; the depth, alias
                      and cost limits protect the server, not obscurity. ``0`` turns both off.
    SCHULE_WRITE_TOKEN    optional operator token: ``Authorization: Bearer <token>`` acts as an admin
                      (people sign in with their own accounts, ``schule user add``)
    SCHULE_GRAPH      graph name inside the store (default ``schule``); tests use their own
    SCHULE_CHANGE_RETENTION_DAYS  how long change-log entries are kept (default 7, days; fractions
                      allowed). Search indexes that fell further behind rebuild from the graph.
    SCHULE_CHANGE_RETENTION_MAX   at most this many newest change-log entries are kept (default
                      100000; 0: no limit). See ``schule.services.change_log`` for why.
    SCHULE_OPEN_DATA_LICENSE  licence of the open data at /daten: ``dl-de/by-2-0`` (default),
                      ``dl-de/zero-2-0``, ``cc-by-4.0`` or ``cc0-1.0`` (``schule.domain.data_licences``)
    SCHULE_OPEN_DATA_PUBLISHER  who publishes the open data (default ``Smart Cities: Schule``)
    SCHULE_PUBLIC_URL  the address the app is reached at, e.g. ``https://schule.example.de``; the
                      open-data catalogue names its files with it (default: the request's own address)
    SCHULE_TRUSTED_PROXIES  reverse proxies whose ``X-Forwarded-For``/``-Proto`` are believed: a comma
                      list of addresses or CIDR networks, e.g. ``10.0.0.5,172.16.0.0/12`` (default:
                      none, so the client address is the connection's). Rate limits per address
                      depend on it: a forwarded address from anyone else could be made up.
    SCHULE_METRICS_ALLOW  who may read ``/metrics``: a comma list of addresses or CIDR networks
                      (default ``127.0.0.0/8,::1``: this host only; ``none``: nobody). No metric
                      holds personal data (``schule.metrics``), but they are the operator's.
    SCHULE_LOG_FORMAT ``text`` (default) or ``json``: one JSON object per log line from ``schule serve``.
    SCHULE_QUERY_RATE     query cost units (``schule.graphql.cost``) each client may spend per second
                      (default 2000, bursts of ten seconds' worth); a load test from one address needs more
    SCHULE_MUTATION_RATE  mutations per second per account and per address (default 1, bursts of
                      a minute's worth)

Who runs the service, for /impressum, /datenschutz and /barrierefreiheit (each optional; a page
says plainly what the operator has not configured, it never makes anything up):
    SCHULE_OPERATOR_NAME        operator, e.g. ``Stadt Olpe`` or ``Südwestfalen Agentur GmbH``
    SCHULE_OPERATOR_ADDRESS     postal address in one line, e.g. ``Franziskanerstraße 6, 57462 Olpe``
    SCHULE_OPERATOR_EMAIL       contact e-mail (also for accessibility feedback and privacy requests)
    SCHULE_OPERATOR_PHONE       contact telephone number
    SCHULE_OPERATOR_REPRESENTATIVE  who represents the operator (Bürgermeister, Geschäftsführung)
    SCHULE_CONTENT_RESPONSIBLE  responsible for the content (§ 18 Abs. 2 MStV), name and address
    SCHULE_PRIVACY_OFFICER      the data protection officer's contact (name, e-mail)
    SCHULE_ACCESSIBILITY_DATE   date (YYYY-MM-DD) the accessibility statement was last reviewed
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from schule.domain.data_licences import DATA_LICENCES, DEFAULT_DATA_LICENCE
from schule.errors import ConfigError

STORES = ("embedded", "neo4j")
LOG_FORMATS = ("text", "json")
METRICS_ALLOW_DEFAULT = ("127.0.0.0/8", "::1")
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"\+?[0-9][0-9 ()/-]{4,30}")
MAX_OPERATOR_TEXT = 500
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
    introspection: bool = True
    write_token: str | None = field(default=None, repr=False)
    change_retention_days: float = 7.0
    change_retention_max: int = 100_000
    # freshness: a project or lesson not confirmed for this many months is listed by `staleEntries`
    stale_after_months: int = 12
    open_data_license: str = DEFAULT_DATA_LICENCE
    open_data_publisher: str = "Smart Cities: Schule"
    public_url: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    metrics_allow: tuple[str, ...] = METRICS_ALLOW_DEFAULT
    log_format: str = "text"
    query_rate: float = 2000.0
    mutation_rate: float = 1.0
    operator_name: str | None = None
    operator_address: str | None = None
    operator_email: str | None = None
    operator_phone: str | None = None
    operator_representative: str | None = None
    content_responsible: str | None = None
    privacy_officer: str | None = None
    accessibility_date: str | None = None
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
        if not 1 <= self.stale_after_months <= 1200:
            raise ConfigError("SCHULE_STALE_AFTER_MONTHS muss eine ganze Zahl von 1 bis 1200 sein")
        if self.open_data_license not in DATA_LICENCES:
            raise ConfigError(f"SCHULE_OPEN_DATA_LICENSE={self.open_data_license!r} ist unbekannt; erlaubt: "
                              + ", ".join(DATA_LICENCES))
        if self.public_url is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", self.public_url):
            raise ConfigError(f"SCHULE_PUBLIC_URL={self.public_url!r} ist keine Adresse wie https://schule.example.de")
        for name, networks in (("SCHULE_TRUSTED_PROXIES", self.trusted_proxies),
                               ("SCHULE_METRICS_ALLOW", self.metrics_allow)):
            for network in networks:
                try:
                    ipaddress.ip_network(network, strict=False)
                except ValueError:
                    raise ConfigError(
                        f"{name}: {network!r} ist keine IP-Adresse und kein Netz in CIDR-Schreibweise "
                        "(z. B. 10.0.0.5 oder 172.16.0.0/12)"
                    ) from None
        if self.log_format not in LOG_FORMATS:
            raise ConfigError(f"SCHULE_LOG_FORMAT={self.log_format!r} ist unbekannt; erlaubt: {', '.join(LOG_FORMATS)}")
        for name, rate in (("SCHULE_QUERY_RATE", self.query_rate), ("SCHULE_MUTATION_RATE", self.mutation_rate)):
            if not 0 < rate < math.inf:
                raise ConfigError(f"{name} muss eine Zahl größer als 0 sein")
        self._check_operator()

    def _check_operator(self) -> None:
        """The operator's contact data appear on the legal pages: a typo there is a broken Impressum."""
        if self.operator_email is not None and not EMAIL.fullmatch(self.operator_email):
            raise ConfigError(f"SCHULE_OPERATOR_EMAIL={self.operator_email!r} ist keine E-Mail-Adresse "
                              "wie kontakt@olpe.de")
        if self.operator_phone is not None and not PHONE.fullmatch(self.operator_phone):
            raise ConfigError(f"SCHULE_OPERATOR_PHONE={self.operator_phone!r} ist keine Telefonnummer; "
                              "erlaubt sind Ziffern, Leerzeichen und + ( ) / -, z. B. +49 2761 83-0")
        if self.accessibility_date is not None:
            try:
                date.fromisoformat(self.accessibility_date)
            except ValueError:
                raise ConfigError(f"SCHULE_ACCESSIBILITY_DATE={self.accessibility_date!r} ist kein Datum "
                                  "wie 2026-11-30") from None
        for name, value in (("SCHULE_OPERATOR_NAME", self.operator_name),
                            ("SCHULE_OPERATOR_ADDRESS", self.operator_address),
                            ("SCHULE_OPERATOR_REPRESENTATIVE", self.operator_representative),
                            ("SCHULE_CONTENT_RESPONSIBLE", self.content_responsible),
                            ("SCHULE_PRIVACY_OFFICER", self.privacy_officer)):
            if value is not None and len(value) > MAX_OPERATOR_TEXT:
                raise ConfigError(f"{name} ist zu lang (höchstens {MAX_OPERATOR_TEXT} Zeichen)")

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
            introspection=_switch(env, "SCHULE_INTROSPECTION", True),
            write_token=env.get("SCHULE_WRITE_TOKEN") or None,
            change_retention_days=_number(env, "SCHULE_CHANGE_RETENTION_DAYS", 7.0, float),
            change_retention_max=_number(env, "SCHULE_CHANGE_RETENTION_MAX", 100_000, int),
            stale_after_months=_number(env, "SCHULE_STALE_AFTER_MONTHS", 12, int),
            open_data_license=env.get("SCHULE_OPEN_DATA_LICENSE", "").strip() or DEFAULT_DATA_LICENCE,
            open_data_publisher=env.get("SCHULE_OPEN_DATA_PUBLISHER", "").strip() or "Smart Cities: Schule",
            public_url=env.get("SCHULE_PUBLIC_URL", "").strip().rstrip("/") or None,
            trusted_proxies=_list(env.get("SCHULE_TRUSTED_PROXIES", "")),
            metrics_allow=_metrics_allow(env.get("SCHULE_METRICS_ALLOW", "")),
            log_format=env.get("SCHULE_LOG_FORMAT", "").strip() or "text",
            query_rate=_number(env, "SCHULE_QUERY_RATE", 2000.0, float),
            mutation_rate=_number(env, "SCHULE_MUTATION_RATE", 1.0, float),
            operator_name=_text(env, "SCHULE_OPERATOR_NAME"),
            operator_address=_text(env, "SCHULE_OPERATOR_ADDRESS"),
            operator_email=_text(env, "SCHULE_OPERATOR_EMAIL"),
            operator_phone=_text(env, "SCHULE_OPERATOR_PHONE"),
            operator_representative=_text(env, "SCHULE_OPERATOR_REPRESENTATIVE"),
            content_responsible=_text(env, "SCHULE_CONTENT_RESPONSIBLE"),
            privacy_officer=_text(env, "SCHULE_PRIVACY_OFFICER"),
            accessibility_date=_text(env, "SCHULE_ACCESSIBILITY_DATE"),
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


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw not in ("0", "1"):
        raise ConfigError(f"{name}={raw!r} ist ungültig; erlaubt sind 1 (an) und 0 (aus)")
    return raw == "1"


def _text(env: Mapping[str, str], name: str) -> str | None:
    """A free-text variable; empty or only spaces is unset."""
    return " ".join(env.get(name, "").split()) or None


def _list(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.split(",") if p.strip())


def _metrics_allow(raw: str) -> tuple[str, ...]:
    if raw.strip().lower() == "none":
        return ()
    return _list(raw) or METRICS_ALLOW_DEFAULT
