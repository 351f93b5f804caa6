"""The exception tree of schule.

    SchuleError                  every error schule raises on purpose; ``str(e)`` is a one-line reason
    ├── ConfigError              a setting is missing or wrong (bad data dir, unknown store)
    ├── StoreError               the database failed or cannot be reached
    │   └── StoreUnavailable     cannot connect (Neo4j down, embedded server will not start)
    ├── ImportValidationError    an import file has bad lines; ``problems`` lists every one
    ├── NotFound                 an id that does not exist
    └── PermissionDenied         the caller may not do this

CLI commands turn a SchuleError into one line on stderr and a non-zero exit; the GraphQL layer
turns expected failures into typed results and masks everything else.
"""

from __future__ import annotations

from dataclasses import dataclass


class SchuleError(Exception):
    """Base of every error raised on purpose. The message is meant for the user."""


class ConfigError(SchuleError):
    """A setting is missing or invalid."""


class StoreError(SchuleError):
    """The graph store failed."""


class StoreUnavailable(StoreError):
    """The graph store cannot be reached."""


@dataclass(frozen=True)
class Problem:
    """One bad line of an import: where it is and what to fix."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class ImportValidationError(SchuleError):
    """An import was refused; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} fehlerhafte Zeile(n), nichts wurde geändert")


class NotFound(SchuleError):
    """No entity with this id."""

    def __init__(self, kind: str, id: str) -> None:
        self.kind = kind
        self.id = id
        super().__init__(f"{kind} {id!r} nicht gefunden")


class PermissionDenied(SchuleError):
    """The caller lacks the role or ownership this operation needs."""
