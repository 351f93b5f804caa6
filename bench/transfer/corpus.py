"""A synthetic corpus for the knowledge-transfer read side, in the import format (JSON Lines).

Like ``bench/graphql``'s dataset (communes, people, projects, lessons, a two-level Handlungsfeld
tree, memberships), with what peers, recommendations, coverage and network statistics need to be
interesting: communes of every size class (populations log-uniform from 1,500 to 300,000) in 20
Kreise of 4 regions (Kreis names of every grammatical form: "Kreis X", "X-Kreis", "Märkischer
Kreis"-like adjectives), several networks with roles, bases and join years, adaptations
(``adapted_from``), start years, people with declared expertise and German compound words in
titles and texts, so that a topic such as "Datenplattform" finds projects and lessons.

Deterministic for a given seed. Used by ``bench/transfer/run.py`` (10,000 projects, 400 communes)
and by the end-to-end tests (a few hundred projects).
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

REGIONS = ("Südwestfalen", "Münsterland", "Ostwestfalen-Lippe", "Bergisches Land")
# 20 Kreise, 5 per region, in the spellings German uses (each form needs its own dative)
KREISE = (
    ("Hochsauerlandkreis", "Märkischer Kreis", "Kreis Olpe", "Kreis Siegen-Wittgenstein", "Kreis Soest"),
    ("Kreis Steinfurt", "Kreis Borken", "Kreis Coesfeld", "Kreis Warendorf", "Münsterland-Kreis"),
    ("Kreis Gütersloh", "Kreis Herford", "Kreis Lippe", "Kreis Paderborn", "Kreis Höxter"),
    ("Oberbergischer Kreis", "Rheinisch-Bergischer Kreis", "Ennepe-Ruhr-Kreis", "Kreis Mettmann", "Rhein-Sieg-Kreis"),
)
STATUS = ("idea", "planning", "implementation", "operation", "completed", "stopped")
ROLES = ("pioneer", "mitmacher", "member", "supporter")
BASES = ("founding", "letter_of_intent", "council_resolution")
MODIFIERS = ("Daten", "Park", "Wander", "Bürger", "Energie", "Klima", "Schul", "Rad", "Wasser", "Sensor",
             "Service", "Mobilitäts", "Verwaltungs", "Beteiligungs", "Stadt")
HEADS = ("plattform", "portal", "labor", "netz", "app", "karte", "konzept", "zentrum", "lotse", "station")
TOPICS = [m + h for m in MODIFIERS for h in HEADS]


def write_corpus(path: Path, *, projects: int = 10_000, communes: int = 400, seed: int = 7) -> dict[str, int]:
    """Writes the corpus to ``path``; returns the number of records per kind."""
    rng = random.Random(seed)
    people = max(50, projects // 3)
    rows: list[dict[str, Any]] = [
        *({"kind": "handlungsfeld", "id": f"hf-{i}", "name": f"Handlungsfeld {i}"} for i in range(6)),
        *({"kind": "handlungsfeld", "id": f"hf-{i}-{j}", "name": f"Unterfeld {i}.{j}", "parent": f"hf-{i}"}
          for i in range(6) for j in range(3)),
        *({"kind": "network", "id": f"netz-{n}", "name": f"Netzwerk {n}"} for n in range(4)),
    ]
    kreis_of: list[str] = []
    for c in range(communes):
        region = c % len(REGIONS)
        kreis = KREISE[region][(c // len(REGIONS)) % 5]
        kreis_of.append(kreis)
        population = int(math.exp(rng.uniform(math.log(1_500), math.log(300_000))))
        rows.append({"kind": "commune", "id": f"kommune-{c}", "name": f"Kommune {c}", "kreis": kreis,
                     "region": REGIONS[region], "population": population})
        # network n gathers the communes of region n, plus a few from elsewhere
        networks = {f"netz-{region}"} | ({f"netz-{rng.randrange(4)}"} if rng.random() < 0.2 else set())
        for network in sorted(networks):
            membership: dict[str, Any] = {"kind": "membership", "commune": f"kommune-{c}", "network": network,
                                          "role": rng.choices(ROLES, weights=(1, 6, 6, 1))[0]}
            if rng.random() < 0.8:
                membership["basis"] = rng.choice(BASES)
                membership["since"] = str(rng.randint(2018, 2024))
            rows.append(membership)
    fields = [f"hf-{i}-{j}" for i in range(6) for j in range(3)]
    for p in range(people):
        rows.append({"kind": "person", "id": f"person-{p}", "name": f"Person {p}", "role": "Digitallotse",
                     "commune": f"kommune-{p % communes}",
                     "expertise": sorted({rng.choice(TOPICS) for _ in range(rng.randint(0, 2))})})
    for n in range(projects):
        home = rng.randrange(communes)
        # most projects are in one commune; joint projects stay mostly within the Kreis
        neighbours = [c for c in range(home % 80, communes, 80)] or [home]
        located = {home} | {rng.choice(neighbours) for _ in range(rng.choices((0, 1, 2), weights=(7, 2, 1))[0])}
        topic = rng.choice(TOPICS)
        project: dict[str, Any] = {
            "kind": "project", "id": f"projekt-{n}", "title": f"{topic} {n}",
            "summary": f"Ein {topic} für die Kommune.", "status": rng.choice(STATUS),
            "communes": sorted(f"kommune-{c}" for c in located),
            "handlungsfelder": sorted({rng.choice(fields) for _ in range(rng.randint(1, 3))}),
            "contacts": sorted({f"person-{rng.randrange(people)}" for _ in range(rng.randint(1, 2))}),
            "started": str(rng.randint(2015, 2024)),
            "tags": [topic],
        }
        if n and rng.random() < 0.3:
            project["adapted_from"] = [f"projekt-{rng.randrange(n)}"]
        rows.append(project)
        for k in range(rng.choices((0, 1, 2), weights=(4, 4, 2))[0]):
            rows.append({"kind": "lesson", "id": f"lesson-{n}-{k}", "project": f"projekt-{n}",
                         "title": f"Erkenntnis zu {topic}", "text": f"Was wir beim {topic} gelernt haben.",
                         "author": f"person-{rng.randrange(people)}",
                         "type": rng.choice(["success", "pitfall", "recommendation"])})
    counts: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return counts
