"""``Identity``: who a request (or a CLI call) acts as."""

from __future__ import annotations

from dataclasses import dataclass

from schule.domain.trust import Account, Role


@dataclass(frozen=True)
class Identity:
    """An authenticated account, or anonymous (every field None).

    ``commune_id`` is the commune a member writes for; moderators and admins may have one too,
    but their rights do not depend on it.
    """

    account_id: str | None = None
    person_id: str | None = None
    commune_id: str | None = None
    role: Role | None = None
    name: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.account_id is not None and self.role is not None

    @property
    def is_member(self) -> bool:
        """Signed in with any role (moderators and admins are members too)."""
        return self.authenticated

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def label(self) -> str:
        """For logs and error messages."""
        if not self.authenticated:
            return "anonymous"
        return f"{self.name or self.account_id} ({self.role})"

    @staticmethod
    def of(account: Account) -> Identity:
        return Identity(account.id, account.person, account.commune, account.role, account.name)

    @staticmethod
    def system() -> Identity:
        """The operator at the command line (``schule user …``): acts as an admin."""
        return Identity(account_id="system", role=Role.ADMIN, name="system")

    @staticmethod
    def operator() -> Identity:
        """Whoever presents ``SCHULE_WRITE_TOKEN`` (scripts of the operator): acts as an admin."""
        return Identity(account_id="operator", role=Role.ADMIN, name="Betrieb (SCHULE_WRITE_TOKEN)")


ANONYMOUS = Identity()
