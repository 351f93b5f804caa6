"""Rate limits: token buckets kept in this process, keyed by account and by client address.

Each key has a bucket of ``capacity`` tokens that refills at ``per_second``; a request takes one
token or is refused (HTTP 429 with ``Retry-After``). Buckets live in memory: several app
instances (processes or machines) each limit on their own, so the effective limit is the limit
times the number of instances; a shared store (Redis) would be needed for one global limit.
Idle buckets are forgotten so that memory stays bounded by the number of active keys.

Client addresses come from the ASGI scope. Behind a reverse proxy run uvicorn with
``--proxy-headers --forwarded-allow-ips=<proxy>`` so that the address is the client's, not the
proxy's (every client would otherwise share one bucket).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

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

    def take(self, *keys: str) -> float:
        """Take one token from each key's bucket. Returns 0 if allowed, else the seconds to wait
        (nothing is taken then)."""
        with self._lock:
            now = self.clock()
            buckets = [self._refilled(k, now) for k in keys]
            short = [b for b in buckets if b.tokens < 1]
            if short:
                return max(math.ceil((1 - b.tokens) / self.per_second) for b in short)
            for b in buckets:
                b.tokens -= 1
            return 0.0


@dataclass(frozen=True)
class Limits:
    """The app's limiters. Sign-in is strict (password guessing); mutations are generous."""

    sign_in: RateLimiter
    mutations: RateLimiter

    @staticmethod
    def default() -> Limits:
        return Limits(
            sign_in=RateLimiter(capacity=5, per_second=1 / 60),      # 5 tries, then 1 a minute
            mutations=RateLimiter(capacity=60, per_second=1.0),      # bursts of 60, 1 a second
        )
