"""The census figures carry their attribution in the API's own documentation (dl-de/by-2-0 asks for
it wherever they are shown): on ``Commune.population`` and on ``CommunePeer``, whose reasons quote them."""

from __future__ import annotations

from pathlib import Path

from schule.domain.population import CENSUS_ATTRIBUTION
from schule.graphql.schema import build_schema
from schule.settings import Settings

SDL = Path(__file__).resolve().parents[3] / "schema" / "schema.graphql"


def test_population_and_peers_name_the_census_in_their_descriptions() -> None:
    types = build_schema(Settings())._schema.type_map
    population = types["Commune"].fields["population"].description  # type: ignore[attr-defined]
    assert CENSUS_ATTRIBUTION in population and "15. Mai 2022" in population
    assert CENSUS_ATTRIBUTION in (types["CommunePeer"].description or "")
    assert CENSUS_ATTRIBUTION in types["Commune"].fields["peers"].description  # type: ignore[attr-defined]
    assert SDL.read_text(encoding="utf-8").count(CENSUS_ATTRIBUTION) >= 3


def test_size_classes_are_described_with_their_bounds_and_bbsr_keys() -> None:
    size_class = build_schema(Settings())._schema.type_map["SizeClass"]
    values = {name: value.description for name, value in size_class.values.items()}  # type: ignore[attr-defined]
    assert values["LANDGEMEINDE"] == "Landgemeinde: unter 5.000 Einwohner (BBSR-Schlüssel 50)."
    assert values["GROSSE_GROSSSTADT"] == "Große Großstadt: 500.000 Einwohner und mehr (BBSR-Schlüssel 11)."
    assert "BBSR" in (size_class.description or "")
