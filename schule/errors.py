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

from collections.abc import Sequence
from dataclasses import dataclass

from schule.domain.problems import Code, Problem


class SchuleError(Exception):
    """Base of every error raised on purpose. The message is meant for the user."""


class ConfigError(SchuleError):
    """A setting is missing or invalid."""


class StoreError(SchuleError):
    """The graph store failed."""


class StoreUnavailable(StoreError):
    """The graph store cannot be reached."""


class ProblemError(SchuleError):
    """A request refused for reasons the caller can fix; nothing was changed.

    ``problems`` holds at least one ``Problem``; ``code`` is the first one's."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("a ProblemError needs at least one problem")
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    @property
    def code(self) -> Code:
        return self.problems[0].code


def refuse(code: Code, message: str, field: str | None = None) -> ProblemError:
    """A ``ProblemError`` with one problem (to ``raise``)."""
    return ProblemError([Problem(code, field, message)])


@dataclass(frozen=True)
class LineProblem:
    """One bad line of an import: where it is (file, line) and what is wrong there (``problem``)."""

    file: str
    line: int
    problem: Problem

    @property
    def reason(self) -> str:
        return self.problem.message

    @property
    def code(self) -> Code:
        return self.problem.code

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.problem.message}"


class ImportValidationError(SchuleError):
    """An import was refused; nothing was changed."""

    def __init__(self, problems: list[LineProblem]) -> None:
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
