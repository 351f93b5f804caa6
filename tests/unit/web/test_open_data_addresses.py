"""The open data names every entry by the address of its web page: both must agree on the paths."""

from __future__ import annotations

from schule.services.open_data import PAGES
from schule.web.rendering import PATHS


def test_open_data_ids_are_the_addresses_of_the_pages() -> None:
    assert {kind.name: path for kind, path in PAGES.items()} == {k: v for k, v in PATHS.items() if k in
                                                                 {kind.name for kind in PAGES}}
