"""Errors of the GraphQL API, in three tiers; the one place where ``Code`` becomes GraphQL.

1. Expected failures of a mutation come back as data: ``UserErrors`` with an ``ErrorCode`` (the
   GraphQL spelling of ``schule.domain.problems.Code``), the path of the input field concerned and a
   German message.
2. Mistakes in a query the client can fix (page too large, bad cursor, a bad date in a filter) raise
   a ``ProblemError``: a GraphQL error with its German message and ``extensions``
   ``{"code": "<CODE>", "field": "<argument>"}`` (``problem_extensions``), never a traceback in the log.
3. Everything else is unexpected: logged with the request id and masked for the client as
   "Interner Fehler" plus the request id (``MaskUnexpectedErrors``; ``view.format_error`` over HTTP).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.relay.types import GlobalIDValueError

from schule.domain.problems import Code, Problem
from schule.errors import ProblemError, StoreUnavailable
from schule.services.access import TrustError

log = logging.getLogger("schule.graphql")


@strawberry.enum(description="Art eines erwarteten Fehlers bei einer Änderung (Mutation).")
class ErrorCode(enum.Enum):
    INVALID = strawberry.enum_value(
        "invalid", description="Ein Wert ist ungültig (Format, Länge, erlaubte Werte, Widerspruch)."
    )
    NOT_FOUND = strawberry.enum_value(
        "not_found",
        description="Eine angegebene ID gibt es nicht, oder der Eintrag ist für die anfragende Person nicht "
        "sichtbar (z. B. ein Entwurf einer anderen Kommune).",
    )
    DUPLICATE = strawberry.enum_value(
        "duplicate", description="Die ID ist schon vergeben, oder der Sachverhalt ist schon erfasst."
    )
    FORBIDDEN = strawberry.enum_value(
        "forbidden",
        description="Keine Berechtigung: nicht angemeldet, die Rolle erlaubt es nicht, oder der Eintrag "
        "gehört einer anderen Kommune.",
    )
    INVALID_STATE = strawberry.enum_value(
        "invalid_state",
        description="Der Eintrag ist nicht in einem Prüfstand, aus dem dieser Schritt möglich ist "
        "(z. B. Freigabe eines Entwurfs, der noch nicht eingereicht ist).",
    )
    REASON_REQUIRED = strawberry.enum_value(
        "reason_required", description="Dieser Schritt braucht eine Begründung (Ablehnung, Überarbeitung)."
    )
    CONFLICT = strawberry.enum_value(
        "conflict",
        description="Widersprüchlicher Auftrag, z. B. einen Eintrag mit sich selbst oder mit einem Eintrag "
        "anderer Art zusammenführen.",
    )
    TOO_COMPLEX = strawberry.enum_value(
        "too_complex", description="Die Abfrage ist zu aufwendig (geschätzte Kosten über dem Budget)."
    )
    RATE_LIMITED = strawberry.enum_value(
        "rate_limited", description="Zu viele Anfragen in kurzer Zeit; bitte etwas später erneut versuchen."
    )
    TIMEOUT = strawberry.enum_value("timeout", description="Die Ausführung hat zu lange gedauert und wurde beendet.")
    UNAVAILABLE = strawberry.enum_value(
        "unavailable", description="Die Datenbank ist gerade nicht erreichbar; bitte später erneut versuchen."
    )


def error_code(code: Code) -> ErrorCode:
    """The GraphQL enum value of a domain code (same names and values; a unit test holds them together)."""
    return ErrorCode(code.value)


def problem_extensions(problem: Problem) -> dict[str, str]:
    """``extensions`` of a request-level GraphQL error: the code's name, and the argument concerned."""
    out = {"code": problem.code.name}
    if problem.field:
        out["field"] = problem.field
    return out


def client_problem(error: BaseException | None) -> Problem | None:
    """The problem a client should see for an error raised while executing, or None if unexpected."""
    if isinstance(error, ProblemError):
        return error.problems[0]
    if isinstance(error, GlobalIDValueError):
        return Problem(
            Code.INVALID, "id",
            "Ungültige globale ID: bitte nur IDs verwenden, die die API als `id` eines Eintrags geliefert hat.",
        )
    if isinstance(error, StoreUnavailable):
        return Problem(Code.UNAVAILABLE, None, "Die Datenbank ist gerade nicht erreichbar; bitte später erneut.")
    return None


@strawberry.type(description="Ein erwarteter Fehler einer Änderung, bezogen auf ein Eingabefeld.")
class UserError:
    code: ErrorCode = strawberry.field(description="Art des Fehlers, für Programmlogik.")
    field: list[str] | None = strawberry.field(
        description='Pfad zum betroffenen Eingabefeld, z. B. ["input", "handlungsfelder"]; '
        "null, wenn der Fehler die ganze Änderung betrifft."
    )
    message: str = strawberry.field(description="Deutsche Meldung, geeignet zur Anzeige für Menschen.")


@strawberry.type(description="Die Änderung wurde abgelehnt; nichts wurde gespeichert. `errors` sagt warum.")
class UserErrors:
    errors: list[UserError] = strawberry.field(description="Alle Gründe der Ablehnung, mindestens einer.")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


# Import-format field names whose GraphQL input name is not simply their camelCase spelling.
_INPUT_NAMES = {"project": "project", "adapted_from": "adaptedFrom"}


def user_errors(problems: Sequence[Problem], root: str = "input") -> UserErrors:
    return UserErrors(
        errors=[
            UserError(
                code=error_code(p.code),
                field=[root, _INPUT_NAMES.get(p.field, _camel(p.field))] if p.field else None,
                message=p.message,
            )
            for p in problems
        ]
    )


def annotate(error: GraphQLError) -> None:
    """Give an error raised from a ``ProblemError`` (or another client problem) its message and
    ``extensions``, for every caller of the schema (the HTTP view and the in-process web pages)."""
    problem = client_problem(error.original_error)
    if problem is not None:
        error.message = str(error.original_error) if isinstance(error.original_error, ProblemError) else problem.message
        error.extensions = {**(error.extensions or {}), **problem_extensions(problem)}


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised by our code that are not meant for clients."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return client_problem(original) is None


class MaskUnexpectedErrors(MaskErrors):
    """Masks unexpected errors; the message and ``extensions.requestId`` name the request id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Interner Fehler.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = getattr(self.execution_context.context, "request_id", None)
        return GraphQLError(
            message=f"Interner Fehler (Anfrage-ID {request_id}).",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


def trust_errors(error: TrustError, field: str | None = None) -> UserErrors:
    """A refusal of the trust services as ``UserErrors``. ``field``: the argument the error concerns,
    if the caller knows it (a missing reason always concerns ``reason``); otherwise the whole change."""
    if error.code == Code.REASON_REQUIRED:
        path: list[str] | None = ["reason"]
    else:
        path = [field] if field and error.code in (Code.NOT_FOUND, Code.INVALID, Code.CONFLICT) else None
    return UserErrors(errors=[UserError(code=error_code(p.code), field=path, message=p.message)
                              for p in error.problems])
