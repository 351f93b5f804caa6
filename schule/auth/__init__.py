"""Who is asking: accounts' credentials, the request's ``Identity``, sessions, CSRF and rate limits.

* ``identity``   ``Identity`` (account, person, commune, role) or ``ANONYMOUS``;
* ``credentials`` API tokens and session secrets (only their SHA-256 is stored), argon2 passwords;
* ``csrf``       tokens for form posts, bound to the session (or, before sign-in, to a cookie);
* ``ratelimit``  in-process token buckets keyed by account and by client address;
* ``middleware`` resolves ``Authorization: Bearer`` or the session cookie to an ``Identity``
  (401 for a bad, expired or revoked token) and rate-limits GraphQL mutations (429);
* ``web``        password sign-in and sign-out pages.

What an identity may do is decided in the services (``schule.services.moderation`` and friends),
never only here: the middleware says who, the services say whether.
"""

from schule.auth.identity import ANONYMOUS, Identity
from schule.domain.trust import Role

__all__ = ["ANONYMOUS", "Identity", "Role"]
