"""Every seed commune carries its Zensus 2022 population, with the census named as a source and the
attribution in ``seed/README.md``; the figures are the census table's, copied by AGS.

The table itself (``shared/data/zensus2022-gemeinden.csv``) lives beside the repository, not in it;
the cross-check runs where it is found (``SCHULE_CENSUS_CSV`` or ``../shared/data`` upwards)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

CENSUS_ATTRIBUTION = "Zensus 2022, Statistische Ämter des Bundes und der Länder, dl-de/by-2-0"
REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seed"


def seed_communes() -> list[dict[str, object]]:
    lines = (SEED / "communes.jsonl").read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


def census_table() -> Path | None:
    candidates = [Path(os.environ["SCHULE_CENSUS_CSV"])] if os.environ.get("SCHULE_CENSUS_CSV") else []
    candidates += [parent / "shared" / "data" / "zensus2022-gemeinden.csv" for parent in REPO.parents]
    return next((p for p in candidates if p.is_file()), None)


def test_every_seed_commune_has_a_census_population_and_names_the_census() -> None:
    communes = seed_communes()
    assert len(communes) == 83
    for commune in communes:
        assert isinstance(commune["population"], int) and commune["population"] > 0, commune["id"]
        assert "Zensus 2022, Statistische Ämter des Bundes und der Länder" in str(commune["source"]), commune["id"]
        assert "dl-de/by-2-0" in str(commune["source"])
    by_id = {c["id"]: c["population"] for c in communes}
    assert by_id["plettenberg"] == 24665 and by_id["herscheid"] == 6881


def test_the_seed_readme_states_source_licence_and_attribution() -> None:
    readme = (SEED / "README.md").read_text(encoding="utf-8")
    assert CENSUS_ATTRIBUTION in readme
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in readme
    assert "1000A-0000" in readme


def test_seed_populations_are_the_census_figures_by_ags() -> None:
    table = census_table()
    if table is None:
        pytest.skip("zensus2022-gemeinden.csv is not beside the repository here")
    with table.open(encoding="utf-8", newline="") as f:
        census = {row["ags"]: int(row["population"]) for row in csv.DictReader(f)}
    for commune in seed_communes():
        assert commune["population"] == census[str(commune["ags"])], commune["id"]
