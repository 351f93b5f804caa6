"""The error model: every expected failure is a ``Problem(code, field, message)``, made as data where
it is found (import validation, a service rule, GraphQL input, a limit of the HTTP layer).

``Code`` is the one list of what can go wrong on purpose. Each outer layer maps it in one place:

* GraphQL: ``schule.graphql.errors`` (``ErrorCode`` for mutation results, ``extensions.code`` for
  request errors);
* HTTP status: ``schule.http_status.status_for``;
* CLI exit status: ``schule.cli.exit_status``.

Nobody derives a code from a message's text: messages are German prose for people, codes are for
programs. ``field`` names the input concerned (an import-format field such as ``adapted_from``, or a
GraphQL argument such as ``first``); ``None`` when the problem concerns the whole request.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Code(enum.StrEnum):
    """Why something was refused. The values are stable: clients and tests rely on them."""

    INVALID = "invalid"  # a value is malformed or not allowed (format, length, range, contradiction)
    NOT_FOUND = "not_found"  # no such entry, or one the caller may not see
    DUPLICATE = "duplicate"  # the id is taken, or the fact is already recorded
    FORBIDDEN = "forbidden"  # not signed in, the role does not allow it, or another commune's entry
    INVALID_STATE = "invalid_state"  # the entry is not in a state this step starts from
    REASON_REQUIRED = "reason_required"  # a moderator's step needs a reason
    CONFLICT = "conflict"  # contradictory request, e.g. merging an entry into itself
    TOO_COMPLEX = "too_complex"  # a query's estimated cost is over the budget
    RATE_LIMITED = "rate_limited"  # too many requests from this client; try again later
    TIMEOUT = "timeout"  # the operation ran out of time and was stopped
    UNAVAILABLE = "unavailable"  # the database cannot be reached right now


@dataclass(frozen=True)
class Problem:
    """One reason something was refused: what (``code``), where (``field``) and, in German, why."""

    code: Code
    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


def problem(code: Code, message: str, field: str | None = None) -> Problem:
    return Problem(code, field, message)
