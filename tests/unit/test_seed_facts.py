"""Facts in ``seed/`` checked against what the source texts say.

A lesson quotes (paraphrases) a person; its ``author`` must be the person the source credits. The
Kreis Steinfurt workshop article (seeds/004) has two quotes: Kreisdirektorin Alexandra Dorndorf on
bundled forces, WESt-Geschäftsführerin Birgit Neyer on large and small communes. The first release
credited both to Dorndorf in one lesson."""

from __future__ import annotations

import json
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "seed"


def lessons() -> dict[str, dict[str, object]]:
    lines = (SEED / "lessons.jsonl").read_text(encoding="utf-8").split("\n")
    return {r["id"]: r for r in (json.loads(line) for line in lines if line.strip())}


def test_each_quote_of_the_steinfurt_workshop_is_credited_to_its_speaker() -> None:
    by_id = lessons()
    dorndorf = by_id["gebuendelte-kraefte-bei-der-digitalisierung"]
    neyer = [r for r in by_id.values() if "Große und kleine Kommunen" in str(r["text"])]

    assert dorndorf["author"] == "alexandra-dorndorf"
    assert "Große und kleine" not in str(dorndorf["text"])
    assert [r["author"] for r in neyer] == ["birgit-neyer"]
    assert neyer[0]["project"] == dorndorf["project"]


def memberships(network: str) -> dict[str, dict[str, object]]:
    lines = (SEED / "memberships.jsonl").read_text(encoding="utf-8").split("\n")
    records = (json.loads(line) for line in lines if line.strip())
    return {str(r["commune"]): r for r in records if r["network"] == network}


def test_the_schule_counts_its_members_besides_the_five_pioneers() -> None:
    # seeds/001: "neben den 5 für Südwestfalen, alle 15 Mitglieder-Kommunen der Smart Cities: Schule";
    # the five are the pioneers of seeds/003, who opened the Schule to other communes in 2020
    schule, five = memberships("smart-cities-schule"), memberships("5-fuer-suedwestfalen")
    pioneers = {c for c, m in schule.items() if m["role"] == "pioneer"}
    assert pioneers == set(five)
    assert all(schule[c]["basis"] == "founding" and schule[c]["since"] == "2020" for c in pioneers)
    assert all("seeds/003" in str(schule[c]["source"]) for c in pioneers)
    # Plettenberg and Iserlohn take part as Mitmacherkommunen (seeds/001, seeds/002)
    assert {c for c, m in schule.items() if m["role"] == "mitmacher"} == {"plettenberg", "iserlohn"}
