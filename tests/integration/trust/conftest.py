"""Trust fixtures, and the role × operation matrix printed at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schule.services.search_sync import SearchSync
from schule.store import CypherGraphStore
from tests.integration.trust.world import World, build_world

MATRIX: list[tuple[str, str, str, str]] = []  # (role, operation, expected, observed)
GRAPHQL_MATRIX: list[tuple[str, str, str, str]] = []  # the same cells, over GraphQL


@pytest.fixture
def world(store: CypherGraphStore) -> World:
    return build_world(store)


@pytest.fixture
def sync(store: CypherGraphStore, tmp_path: Path) -> Iterator[SearchSync]:
    s = SearchSync(store, tmp_path / "search")
    s.repair()
    yield s
    s.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    _print_matrix(terminalreporter, MATRIX, "services")
    _print_matrix(terminalreporter, GRAPHQL_MATRIX, "GraphQL")


def _print_matrix(terminalreporter: pytest.TerminalReporter, matrix: list[tuple[str, str, str, str]],
                  layer: str) -> None:
    if not matrix:
        return
    MATRIX = matrix  # noqa: N806 - the cells of this layer
    terminalreporter.section(f"role × operation matrix ({layer})")
    roles = list(dict.fromkeys(r for r, _, _, _ in MATRIX))
    operations = list(dict.fromkeys(o for _, o, _, _ in MATRIX))
    cells = {(r, o): (e, obs) for r, o, e, obs in MATRIX}
    width = max(len(o) for o in operations)
    terminalreporter.write_line(f"{'operation':<{width}}  " + "  ".join(f"{r:<20}" for r in roles))
    for o in operations:
        row = []
        for r in roles:
            expected, observed = cells.get((r, o), ("", ""))
            mark = observed if observed == expected else f"{observed}!≠{expected}"
            row.append(f"{mark:<20}")
        terminalreporter.write_line(f"{o:<{width}}  " + "  ".join(row))
    for r, o, e, obs in MATRIX:
        terminalreporter.write_line(f"{r} × {o} → {obs}" + ("" if obs == e else f" (expected {e})"))
