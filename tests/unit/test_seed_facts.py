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
