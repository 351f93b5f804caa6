"""Small documents for the unit tests of the search index, and helpers to index and read results."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from schule.search import SearchIndex, doc_key
from schule.search.documents import SearchDocument


@contextmanager
def indexed(path: Path, docs: Iterable[SearchDocument]) -> Iterator[SearchIndex]:
    """A new index at ``path`` holding ``docs``, closed afterwards."""
    ix = SearchIndex.open(path)
    try:
        ix.upsert(docs)
        yield ix
    finally:
        ix.close()


def keys(results: object) -> list[str]:
    """The index keys (kind:id) of a result page's hits, best first."""
    return [doc_key(h.kind, h.id) for h in results.hits]  # type: ignore[attr-defined]

PARK = SearchDocument("project", "park", "Parkplatzsensoren in Olpe", ("Parken",),
                      "Sensoren melden freie Parkplätze <b>live</b> & mehr.", "Bodensensoren auf Wanderparkplätzen.",
                      handlungsfelder=("mobilitaet",), communes=("olpe",), commune_names=("Olpe",),
                      kreise=("Kreis Olpe",), regions=("Südwestfalen",), status="operation")
BETEILIGUNG = SearchDocument("project", "beteiligung", "Bürgerbeteiligungsplattform", ("Beteiligung",),
                             "Online mitreden.", "Eine Plattform für Bürgerbeteiligung in Soest.",
                             handlungsfelder=("beteiligung",), communes=("soest",), kreise=("Kreis Soest",),
                             regions=("Südwestfalen",), status="completed", related_ids=("beteiligung-menden",))
BETEILIGUNG_MENDEN = SearchDocument("project", "beteiligung-menden", "Beteiligung in Menden", ("Beteiligung",),
                                    "Umfragen online.", "Nach dem Vorbild aus Soest.",
                                    handlungsfelder=("beteiligung",), communes=("menden",),
                                    kreise=("Märkischer Kreis",), regions=("Südwestfalen",), status="planning")
DATEN = SearchDocument("project", "daten", "Offene Regionale Datenplattform", ("Open Data",),
                       "Daten für alle.", "Die Datenplattform der Region.", handlungsfelder=("daten",),
                       communes=("arnsberg", "olpe"), kreise=("Hochsauerlandkreis", "Kreis Olpe"),
                       regions=("Südwestfalen",), status="implementation")
LESSON = SearchDocument("lesson", "akku", "Akkus der Parksensoren", ("Sensorik",),
                        "Batterien hielten kürzer als gedacht.", "", handlungsfelder=("mobilitaet",),
                        communes=("olpe",), kreise=("Kreis Olpe",), regions=("Südwestfalen",))

DOCS = [PARK, BETEILIGUNG, BETEILIGUNG_MENDEN, DATEN, LESSON]
