"""Secrets: API tokens and session ids (random, stored only as SHA-256), passwords (argon2id).

A token is 32 random bytes, URL-safe, with a ``schule_`` prefix so that secret scanners can spot a
leaked one. SHA-256 (not a slow hash) is right for tokens: they are random and long, so there is
nothing to brute-force, and every API request must check one cheaply. Passwords are chosen by
people and get argon2id with the library's current parameters; a hash made with older parameters
is flagged by ``needs_rehash``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "schule_"  # noqa: S105 - a public prefix, not a secret
API_TOKEN_DAYS = 90
SESSION_HOURS = 12
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps sign-in time independent of it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def expiry(*, days: float = 0, hours: float = 0, now: datetime | None = None) -> str:
    return iso((now or utc_now()) + timedelta(days=days, hours=hours))


def is_expired(expires_at: str, now: datetime | None = None) -> bool:
    try:
        moment = datetime.fromisoformat(expires_at)
    except (TypeError, ValueError):
        return True  # unreadable: treat as expired
    return moment <= (now or utc_now())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; always spends one argon2 verification."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape"))
