"""Experts from adoptions, over HTTP: the person who led Herscheid's adoption of the Stadtlabor Soest is
someone to call about "Stadtlabor", with the adoption listed as her evidence (issue: "adoptions they led")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.adoption.conftest import Api
from tests.e2e.cli.helpers import run_schule

RECORDS = [
    {"kind": "person", "id": "hanna-beispiel", "name": "Hanna Beispiel", "role": "Digitalisierung",
     "commune": "herscheid"},
    {"kind": "adaptation", "id": "herscheid-uebernimmt-stadtlabor", "adopts": "stadtlabor-soest",
     "commune": "herscheid", "status": "done", "started": "2025-02", "ended": "2026-01",
     "outcome": "Das Stadtlabor läuft in der Bücherei; ein eigener Raum war nicht nötig.",
     "contact": "hanna-beispiel"},
]
EXPERTS = """query($topic: String!) { experts(topic: $topic, first: 20) {
  person { slug } score reasons adaptations { slug commune { slug } } } }"""


@pytest.fixture(scope="module")
def imported(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    file = tmp_path_factory.mktemp("adoption-experts") / "herscheid.jsonl"
    file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), "utf-8")
    done = run_schule("import", str(file), data_dir=data_dir)
    assert done.returncode == 0, done.stderr


def test_the_person_who_led_an_adoption_is_an_expert_on_its_topic(imported: None, api: dict[str, Api]) -> None:
    experts = {e["person"]["slug"]: e for e in api["anonymous"].data(EXPERTS, {"topic": "Stadtlabor"})["experts"]}
    hanna = experts["hanna-beispiel"]
    assert hanna["adaptations"] == [{"slug": "herscheid-uebernimmt-stadtlabor", "commune": {"slug": "herscheid"}}]
    led = "hat 1 passende Übernahme geleitet: „Übernahme: Stadtlabor Soest in Herscheid“"
    assert hanna["reasons"][0] == led
    assert hanna["score"] > 0
    # and not on a topic the adoption has nothing to do with
    others = api["anonymous"].data(EXPERTS, {"topic": "Datenplattform"})["experts"]
    assert "hanna-beispiel" not in {e["person"]["slug"] for e in others}
