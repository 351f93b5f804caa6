"""Accounts and tokens: stored hashed, expiring, revocable; membership onboarding by role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schule.auth import credentials
from schule.auth.identity import Identity
from schule.domain.model import MembershipRole
from schule.domain.trust import Role
from schule.services import accounts, membership
from schule.services.access import TrustError
from tests.integration.trust.world import World

GET_TOKENS = "MATCH (t:Token) RETURN properties(t) AS t"


def test_tokens_are_stored_only_as_sha256(world: World) -> None:
    _, token = accounts.add_account(world.store, Identity.system(), "clara", "moderator")
    stored = [r["t"] for r in world.store.engine.read(GET_TOKENS)]
    assert all(token not in str(t) for t in stored)
    assert credentials.token_hash(token) in {t["hash"] for t in stored}


def test_a_token_expires(world: World) -> None:
    _, token = accounts.add_account(world.store, Identity.system(), "clara", "admin", token_days=1)
    assert accounts.identity_for_token(world.store, token) is not None
    later = credentials.utc_now() + timedelta(days=1, seconds=1)
    assert accounts.identity_for_token(world.store, token, now=later) is None


def test_revoking_an_account_revokes_its_tokens_and_sessions(world: World) -> None:
    operator = Identity.system()
    _, token = accounts.add_account(world.store, operator, "clara", "member", commune="soest",
                                    password="ein langes Passwort")
    signed_in = accounts.sign_in(world.store, "clara", "ein langes Passwort")
    assert signed_in is not None
    accounts.revoke_account(world.store, operator, "clara")
    assert accounts.identity_for_token(world.store, token) is None
    assert accounts.identity_for_session(world.store, signed_in[1]) is None
    assert accounts.sign_in(world.store, "clara", "ein langes Passwort") is None


def test_account_rules(world: World) -> None:
    operator = Identity.system()
    with pytest.raises(TrustError):
        accounts.add_account(world.store, operator, "ohne-kommune", "member")
    with pytest.raises(TrustError):
        accounts.add_account(world.store, operator, "anna", "member", commune="olpe")  # taken
    with pytest.raises(TrustError):
        accounts.add_account(world.store, operator, "x", "king")
    # an account named like a person is linked to it, and a member takes the person's commune
    account, token = accounts.add_account(world.store, operator, "erika", "member")
    assert (account.person, account.commune, account.role) == ("erika", "olpe", Role.MEMBER)
    identity = accounts.identity_for_token(world.store, token)
    assert identity is not None and identity.person_id == "erika" and identity.commune_id == "olpe"


def test_a_network_lists_members_who_joined_by_letter_or_resolution(world: World) -> None:
    membership.join_network(world.store, world.admin, commune="soest", network="suedwestfalen", role="mitmacher",
                            basis="letter_of_intent", since="2023-11", document="Absichtserklärung vom 3.11.2023")
    membership.join_network(world.store, world.admin, commune="menden", network="suedwestfalen", role="mitmacher",
                            basis="council_resolution", since="2024-02-15", document="Ratsbeschluss 2024/7")
    members = membership.members_by_role(world.store, "suedwestfalen")
    assert {r: [m.commune for m in ms] for r, ms in members.items()} == {
        MembershipRole.PIONEER: ["olpe"], MembershipRole.MITMACHER: ["menden", "soest"]}
    soest = next(m for m in members[MembershipRole.MITMACHER] if m.commune == "soest")
    assert (soest.basis, soest.since, soest.document) == ("letter_of_intent", "2023-11",
                                                          "Absichtserklärung vom 3.11.2023")
    with pytest.raises(TrustError):  # date and document are part of the record
        membership.join_network(world.store, world.admin, commune="menden", network="suedwestfalen",
                                role="mitmacher", basis="council_resolution", since="", document="")
