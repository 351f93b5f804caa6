"""Membership onboarding and the admin's taxonomy and network management.

A commune joins a network by letter of intent (Absichtserklärung der Verwaltungsspitze) or by
council resolution (Ratsbeschluss), recorded with its date and the document; founding members
are recorded as such. Only admins record memberships, networks and Handlungsfelder; each such
action is in the audit log. The network lists its members by role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schule.auth.identity import Identity
from schule.domain.model import Entity, Kind, Membership, MembershipBasis, MembershipRole
from schule.domain.problems import Code
from schule.domain.records import RecordError, parse_record
from schule.services.access import TrustError, require_admin
from schule.services.audit import audit_statements
from schule.services.importing import check_run
from schule.store.graph import CypherGraphStore, now_iso

JOIN_BASES = (MembershipBasis.LETTER_OF_INTENT, MembershipBasis.COUNCIL_RESOLUTION, MembershipBasis.FOUNDING)


def join_network(
    store: CypherGraphStore, identity: Identity, *, commune: str, network: str, role: MembershipRole | str,
    basis: MembershipBasis | str, since: str, document: str,
) -> Membership:
    """Record that ``commune`` joined ``network`` (or update how it is a member)."""
    operation = "joinNetwork"
    require_admin(identity, operation)
    if MembershipBasis(basis) not in JOIN_BASES:
        raise TrustError(Code.INVALID, "Grundlage muss Absichtserklärung, Ratsbeschluss oder Gründung sein.",
                         operation=operation)
    if not since or not (document or "").strip():
        raise TrustError(Code.INVALID, "Datum und Dokument des Beitritts sind anzugeben.", operation=operation)
    try:
        record = parse_record({
            "kind": "membership", "commune": commune, "network": network, "role": str(MembershipRole(role)),
            "basis": str(MembershipBasis(basis)), "since": since, "document": document,
        })
    except RecordError as e:
        raise TrustError.of([e.problem], operation=operation) from None
    except ValueError as e:  # an unknown role or basis
        raise TrustError(Code.INVALID, str(e), operation=operation) from None
    problems = check_run([record], store)
    if problems:
        raise TrustError.of([p.problem for p in problems], operation=operation)
    now = now_iso()
    statements = store.upsert_statements([record], now)
    statements += audit_statements(identity, operation, target=network, target_kind=Kind.NETWORK.value, now=now,
                                   details={k: v for k, v in record.props.items()})
    store.write(statements)
    return next(m for m in store.memberships() if m.commune == commune and m.network == network)


def members_by_role(store: CypherGraphStore, network: str) -> dict[MembershipRole, list[Membership]]:
    """The network's member communes grouped by role (pioneer, mitmacher, …), each sorted by commune."""
    out: dict[MembershipRole, list[Membership]] = {}
    for m in sorted(store.memberships(), key=lambda m: m.commune):
        if m.network == network:
            out.setdefault(m.role, []).append(m)
    return {role: out[role] for role in MembershipRole if role in out}


def save_reference_entry(
    store: CypherGraphStore, identity: Identity, kind: Kind, fields: Mapping[str, Any]
) -> Entity:
    """Admins create or update a Handlungsfeld (taxonomy) or a network."""
    operation = {Kind.HANDLUNGSFELD: "saveHandlungsfeld", Kind.NETWORK: "saveNetwork"}.get(kind)
    if operation is None:
        raise TrustError(Code.INVALID, f"{kind.value} wird hier nicht verwaltet.")
    require_admin(identity, operation)
    try:
        record = parse_record({"kind": kind.value, **{k: v for k, v in fields.items() if v is not None}})
    except RecordError as e:
        raise TrustError.of([e.problem], operation=operation) from None
    problems = check_run([record], store)
    if problems:
        raise TrustError.of([p.problem for p in problems], operation=operation)
    now = now_iso()
    statements = store.upsert_statements([record], now)
    statements += audit_statements(identity, operation, target=record.id, target_kind=kind.value, now=now,
                                   details={"fields": sorted(fields)})
    store.write(statements)
    saved = store.get([record.id]).get(record.id)
    assert saved is not None
    return saved
