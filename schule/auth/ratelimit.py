"""Rate limits: token buckets kept in this process, keyed by account and by client address.

Each key has a bucket of ``capacity`` tokens that refills at ``per_second``; a request takes one
token or is refused (HTTP 429 with ``Retry-After``). Buckets live in memory: several app
instances (processes or machines) each limit on their own, so the effective limit is the limit
times the number of instances; a shared store (Redis) would be needed for one global limit.
Idle buckets are forgotten so that memory stays bounded by the number of active keys.

Client addresses come from the ASGI scope. ``X-Forwarded-For`` is believed only from the proxies
named in ``SCHULE_TRUSTED_PROXIES`` (``create_app`` applies it; ``schule serve`` turns uvicorn's own
handling off, which by default trusted any local client and so let it pick its address).

What is limited, and why this way:

* sign-in **failures** per account name and address pair (``sign_in``), plus a looser cap on the
  failures of one address (``sign_in_address``). Successful sign-ins cost nothing: a town hall
  shares one address. Failures are not counted per account alone: five wrong passwords from
  anywhere would then lock the right one out for everybody; from a fresh address the right
  password still works. (A guesser with many addresses gets ``sign_in`` tries per address.)
* mutations per account and per address (``mutations``), whether they come from ``/graphql`` or
  from the web forms;
* queries per account, or per address when anonymous (``queries``), charged by their estimated
  cost (``schule.graphql.cost``) rather than one token each: a query near the budget takes as much
  as a thousand small ones.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schule.settings import Settings

MAX_KEYS = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, capacity: int, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(float(self.capacity), now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.per_second)
            bucket.at = now
        return bucket

    def _forget_full(self, now: float) -> None:
        for key in [k for k, b in self._buckets.items()
                    if b.tokens + (now - b.at) * self.per_second >= self.capacity]:
            del self._buckets[key]

    def take(self, *keys: str, cost: float = 1) -> float:
        """Take ``cost`` tokens from each key's bucket. Returns 0 if allowed, else the seconds to
        wait (nothing is taken then). A cost over the capacity is charged as the capacity."""
        cost = min(cost, self.capacity)
        with self._lock:
            now = self.clock()
            buckets = [self._refilled(k, now) for k in keys]
            short = [b for b in buckets if b.tokens < cost]
            if short:
                return max(1, max(math.ceil((cost - b.tokens) / self.per_second) for b in short))
            for b in buckets:
                b.tokens -= cost
            return 0.0

    def give_back(self, *keys: str, cost: float = 1) -> None:
        """Return tokens taken for something that turned out not to count (a successful sign-in:
        the token is taken before the password check so that parallel guesses cannot all pass)."""
        with self._lock:
            now = self.clock()
            for key in keys:
                bucket = self._refilled(key, now)
                bucket.tokens = min(self.capacity, bucket.tokens + cost)


def _sign_in_address() -> RateLimiter:
    return RateLimiter(capacity=30, per_second=1 / 10)  # 30 failures of one address, then 1 per 10 s


def _queries() -> RateLimiter:
    # In cost units (schule.graphql.cost, whose BUDGET is 10,000 per query): two queries at the
    # budget at once, then one every 5 s; a detail page costs ~800, a search page ~100.
    return RateLimiter(capacity=20_000, per_second=2_000)


@dataclass(frozen=True)
class Limits:
    """The app's limiters (see the module docstring). Sign-in failures are strict (password
    guessing); mutations and queries are generous."""

    sign_in: RateLimiter  # failures per account name and address
    mutations: RateLimiter
    sign_in_address: RateLimiter = field(default_factory=_sign_in_address)  # failures per address
    queries: RateLimiter = field(default_factory=_queries)  # estimated cost per account or address

    @staticmethod
    def default() -> Limits:
        return Limits(
            sign_in=RateLimiter(capacity=5, per_second=1 / 60),      # 5 failures, then 1 a minute
            mutations=RateLimiter(capacity=60, per_second=1.0),      # bursts of 60, 1 a second
        )

    @staticmethod
    def from_settings(settings: Settings) -> Limits:
        """The defaults, with the query and mutation rates of ``SCHULE_QUERY_RATE`` and
        ``SCHULE_MUTATION_RATE`` (bursts of ten seconds' and a minute's worth, as the defaults)."""
        return Limits(
            sign_in=RateLimiter(capacity=5, per_second=1 / 60),
            mutations=RateLimiter(max(1, round(60 * settings.mutation_rate)), settings.mutation_rate),
            queries=RateLimiter(max(1, round(10 * settings.query_rate)), settings.query_rate),
        )
