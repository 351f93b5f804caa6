"""Accounts, API tokens, passwords and sessions: the use cases behind ``schule user …``, the
authentication middleware and the sign-in page.

* An account has a unique ``name``, a role (member, moderator, admin), optionally the person it
  belongs to and, for members, the commune they write for.
* An API token is shown once, when issued; only its SHA-256 is stored, with an expiry. A bad,
  expired or revoked token, or one of a revoked account, identifies nobody.
* Revoking an account revokes all its tokens and sessions at once.
* Sessions (web sign-in with a password) are tokens of kind ``session`` with a shorter expiry.

Only admins manage accounts (the CLI acts as ``Identity.system()``, an admin); every such action
is in the audit log.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from schule.auth import credentials
from schule.auth.identity import Identity
from schule.domain.model import Commune, Person
from schule.domain.problems import Code
from schule.domain.trust import Account, AccountStatus, Role
from schule.services.access import TrustError, require_admin
from schule.services.audit import audit_statements
from schule.store.graph import CypherGraphStore, now_iso

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,99}$")


def _find(store: CypherGraphStore, name: str, operation: str) -> Account:
    account = store.accounts_by_name([name.strip().lower()]).get(name.strip().lower())
    if account is None:
        raise TrustError(Code.NOT_FOUND, f"Kein Konto {name!r}.", operation=operation, target=name)
    return account


def _check_password(password: str, operation: str) -> None:
    if not (credentials.MIN_PASSWORD_LENGTH <= len(password) <= credentials.MAX_PASSWORD_LENGTH):
        raise TrustError(Code.INVALID, f"Das Passwort braucht mindestens {credentials.MIN_PASSWORD_LENGTH} "
                         "Zeichen.", operation=operation)


def add_account(
    store: CypherGraphStore, actor: Identity, name: str, role: Role | str, *, commune: str | None = None,
    person: str | None = None, password: str | None = None, token_days: float = credentials.API_TOKEN_DAYS,
) -> tuple[Account, str]:
    """Create an account and its first API token; returns both (the token is not stored)."""
    operation = "addAccount"
    require_admin(actor, operation)
    name = name.strip().lower()
    if not NAME_PATTERN.match(name):
        raise TrustError(Code.INVALID, "Der Kontoname besteht aus Kleinbuchstaben, Ziffern und . _ @ - "
                         "(höchstens 100 Zeichen).", operation=operation)
    try:
        role = Role(role)
    except ValueError:
        raise TrustError(Code.INVALID, f"Unbekannte Rolle {role!r}; erlaubt: "
                         + ", ".join(r.value for r in Role), operation=operation) from None
    if person is None and isinstance(store.get([name]).get(name), Person):
        person = name  # the account of a person already in the graph
    found = store.get([i for i in (commune, person) if i])
    if person is not None:
        if not isinstance(found.get(person), Person):
            raise TrustError(Code.NOT_FOUND, f"Keine Person mit der ID {person!r}.", operation=operation)
        linked = found[person]
        assert isinstance(linked, Person)
        commune = commune or linked.commune
        if commune and commune not in found:
            found.update(store.get([commune]))
    if commune is not None and not isinstance(found.get(commune), Commune):
        raise TrustError(Code.NOT_FOUND, f"Keine Kommune mit der ID {commune!r}.", operation=operation)
    if role == Role.MEMBER and commune is None:
        raise TrustError(Code.INVALID, "Ein Mitgliedskonto braucht eine Kommune (--commune).", operation=operation)
    if password is not None:
        _check_password(password, operation)
    account_id = "acct-" + secrets.token_hex(8)
    account = store.create_account(
        id=account_id, name=name, role=role.value, person=person, commune=commune,
        password_hash=credentials.hash_password(password) if password is not None else None,
    )
    if account.id != account_id:
        raise TrustError(Code.CONFLICT, f"Das Konto {name!r} gibt es schon.", operation=operation, target=name)
    token = _issue(store, actor, account, token_days, audit_action=operation)
    return account, token


def _issue(store: CypherGraphStore, actor: Identity, account: Account, days: float, audit_action: str) -> str:
    token = credentials.new_token()
    now = now_iso()
    statements = store.token_statements(credentials.token_hash(token), account.id, "api",
                                        credentials.expiry(days=days), now)
    statements += audit_statements(actor, audit_action, target=account.id, target_kind="account", now=now,
                                   details={"name": account.name, "role": account.role.value,
                                            "commune": account.commune, "person": account.person,
                                            "token_days": days})
    store.write(statements)
    return token


def issue_token(store: CypherGraphStore, actor: Identity, name: str,
                days: float = credentials.API_TOKEN_DAYS) -> str:
    """A new API token for an active account (admins for anyone, members for themselves)."""
    operation = "issueToken"
    account = _find(store, name, operation)
    if actor.account_id != account.id:
        require_admin(actor, operation)
    if account.status != AccountStatus.ACTIVE:
        raise TrustError(Code.INVALID_STATE, f"Das Konto {name!r} ist gesperrt.", operation=operation)
    return _issue(store, actor, account, days, audit_action=operation)


def revoke_account(store: CypherGraphStore, actor: Identity, name: str) -> Account:
    """Lock an account out: it and all its tokens and sessions stop working at once."""
    operation = "revokeAccount"
    require_admin(actor, operation)
    account = _find(store, name, operation)
    now = now_iso()
    statements = store.revoke_account_statements(account.id, now)
    statements += audit_statements(actor, operation, target=account.id, target_kind="account", now=now,
                                   details={"name": account.name})
    store.write(statements)
    return store.accounts_by_id([account.id])[account.id]


def list_accounts(store: CypherGraphStore, actor: Identity) -> list[Account]:
    require_admin(actor, "listAccounts")
    return store.list_accounts()


def set_password(store: CypherGraphStore, actor: Identity, name: str, password: str) -> None:
    """Set a password (an admin for anyone: every session of the account ends with it)."""
    operation = "setPassword"
    account = _find(store, name, operation)
    if actor.account_id != account.id:
        require_admin(actor, operation)
    _check_password(password, operation)
    now = now_iso()
    statements = store.password_statements(account.id, credentials.hash_password(password))
    if actor.account_id != account.id:
        statements += store.revoke_sessions_statements(account.id, now)
    if actor.is_admin:
        statements += audit_statements(actor, operation, target=account.id, target_kind="account", now=now,
                                       details={"name": account.name})
    store.write(statements)


def reset_password(store: CypherGraphStore, actor: Identity, name: str) -> str:
    """An admin's reset: a new random password, returned once (only its hash is stored); every
    session of the account ends, so whoever knew the old password is signed out everywhere."""
    operation = "resetPassword"
    require_admin(actor, operation)
    account = _find(store, name, operation)
    if account.status != AccountStatus.ACTIVE:
        raise TrustError(Code.INVALID_STATE, f"Das Konto {account.name!r} ist gesperrt.", operation=operation)
    password = secrets.token_urlsafe(12)  # 16 characters, 96 bits
    now = now_iso()
    statements = store.password_statements(account.id, credentials.hash_password(password))
    statements += store.revoke_sessions_statements(account.id, now)
    statements += audit_statements(actor, operation, target=account.id, target_kind="account", now=now,
                                   details={"name": account.name})
    store.write(statements)
    return password


def change_own_password(
    store: CypherGraphStore, actor: Identity, current: str, new: str, *, session_secret: str | None = None
) -> None:
    """A signed-in person changes their password: the current one must be right. Their other
    sessions end; the one they changed it in (``session_secret``) stays."""
    operation = "changePassword"
    account = store.accounts_by_id([actor.account_id]).get(actor.account_id or "") if actor.account_id else None
    if account is None or account.status != AccountStatus.ACTIVE:
        raise TrustError(Code.FORBIDDEN, "Bitte melden Sie sich an.", operation=operation)
    found = store.password_hash_of(account.name)
    if not credentials.verify_password(found[1] if found else None, current):
        raise TrustError(Code.INVALID, "Das bisherige Passwort stimmt nicht.", operation=operation, field="current")
    if not (credentials.MIN_PASSWORD_LENGTH <= len(new) <= credentials.MAX_PASSWORD_LENGTH):
        raise TrustError(Code.INVALID, f"Das neue Passwort braucht mindestens {credentials.MIN_PASSWORD_LENGTH} "
                         f"und höchstens {credentials.MAX_PASSWORD_LENGTH} Zeichen.", operation=operation, field="new")
    if new == current:
        raise TrustError(Code.INVALID, "Das neue Passwort muss sich vom bisherigen unterscheiden.",
                         operation=operation, field="new")
    now = now_iso()
    keep = credentials.token_hash(session_secret) if session_secret else None
    statements = store.password_statements(account.id, credentials.hash_password(new))
    statements += store.revoke_sessions_statements(account.id, now, keep=keep)
    statements += audit_statements(actor, operation, target=account.id, target_kind="account", now=now,
                                   details={"name": account.name})
    store.write(statements)


# -- authentication -------------------------------------------------------------------------------

def identity_for_token(
    store: CypherGraphStore, token: str, *, kind: str = "api", now: datetime | None = None
) -> Identity | None:
    """The identity a presented token stands for, or None if it is bad, expired or revoked."""
    if not token or len(token) > 200:
        return None
    found = store.token_with_account(credentials.token_hash(token))
    if found is None:
        return None
    stored, account = found
    if stored.kind != kind or stored.revoked_at is not None or credentials.is_expired(stored.expires_at, now):
        return None
    if account.status != AccountStatus.ACTIVE:
        return None
    return Identity.of(account)


def sign_in(store: CypherGraphStore, name: str, password: str) -> tuple[Identity, str] | None:
    """Check a password; on success a new session secret (for the cookie) and its identity."""
    found = store.password_hash_of(name.strip().lower()) if NAME_PATTERN.match(name.strip().lower()) else None
    account, stored_hash = found if found is not None else (None, None)
    ok = credentials.verify_password(stored_hash, password)  # spends the same time for unknown names
    if not ok or account is None or account.status != AccountStatus.ACTIVE:
        return None
    secret = credentials.new_token()
    store.write(store.token_statements(credentials.token_hash(secret), account.id, "session",
                                       credentials.expiry(hours=credentials.SESSION_HOURS), now_iso()))
    return Identity.of(account), secret


def identity_for_session(store: CypherGraphStore, secret: str) -> Identity | None:
    return identity_for_token(store, secret, kind="session")


def sign_out(store: CypherGraphStore, secret: str) -> None:
    store.write(store.revoke_token_statements(credentials.token_hash(secret), now_iso()))
