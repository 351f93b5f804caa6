"""Population figures and the size class of a commune, in the terms German statistics use.

The seed's populations are the Zensus 2022 figures (census day 15 May 2022); wherever they are
shown, ``CENSUS_ATTRIBUTION`` is shown with them (Datenlizenz Deutschland – Namensnennung 2.0).

Size classes follow the BBSR's Stadt- und Gemeindetyp (Bundesinstitut für Bau-, Stadt- und
Raumforschung), keys as published since 2011 (11 … 50):

* Großstadt: 100,000 inhabitants and more; große Großstadt from 500,000, kleinere Großstadt below;
* Mittelstadt: 20,000 to under 100,000; größere Mittelstadt from 50,000, kleinere Mittelstadt below;
* Kleinstadt: 5,000 to under 20,000; größere Kleinstadt from 10,000, kleine Kleinstadt below;
* Landgemeinde: under 5,000.

Sources: BBSR, "Städte und Gemeinden" (bbsr.bund.de, Stadtentwicklung Deutschland: "Großstädte …
mit mehr als 100.000 Einwohnern", "Mittelstädte … mit 20.000 bis unter 100.000 Einwohnern – davon …
große Mittelstädte mit mehr als 50.000", "Kleinstädte … mit 5.000 bis unter 20.000 Einwohnern …
davon … größere Kleinstädte mit mehr als 10.000"); Destatis, "Stadt-/Landgliederung" (the seven
Untergliederungen from "Große Großstädte um 500 000 Einwohner und mehr" to "Landgemeinden");
the key list 11 Große Großstadt, 12 Kleinere Großstadt, 21 Größere Mittelstadt, 22 Kleinere
Mittelstadt, 30 Größere Kleinstadt, 40 Kleinere Kleinstadt (Destatis: "Kleine Kleinstädte"), 50
Landgemeinde (Gemeindetyp, "Definition ab 1. Januar 2011", Statistik Sachsen / regioreg). The
brief's names are Destatis's: "kleine Kleinstadt", "größere Kleinstadt", "kleinere/größere
Mittelstadt", "kleinere/große Großstadt".

The BBSR also weighs a town's central-place function (a Kleinstadt needs at least "grundzentrale
Funktion"; a Großstadt is a kreisfreie Stadt or an Oberzentrum), and classifies Gemeindeverbände as
well as Einheitsgemeinden. We have neither; the class here is derived from the population alone, as
the thresholds above state it, and is an approximation of the official type where the two differ.
"""

from __future__ import annotations

import enum

CENSUS_ATTRIBUTION = "Zensus 2022, Statistische Ämter des Bundes und der Länder, dl-de/by-2-0"
CENSUS_DAY = "15. Mai 2022"


class TownType(enum.StrEnum):
    """The four main BBSR Stadt- und Gemeindetypen."""

    LANDGEMEINDE = "landgemeinde"
    KLEINSTADT = "kleinstadt"
    MITTELSTADT = "mittelstadt"
    GROSSSTADT = "grossstadt"


class SizeClass(enum.StrEnum):
    """The seven BBSR size classes; ``key`` is the BBSR's own code, ``label`` the German name."""

    LANDGEMEINDE = "landgemeinde"
    KLEINE_KLEINSTADT = "kleine_kleinstadt"
    GROESSERE_KLEINSTADT = "groessere_kleinstadt"
    KLEINERE_MITTELSTADT = "kleinere_mittelstadt"
    GROESSERE_MITTELSTADT = "groessere_mittelstadt"
    KLEINERE_GROSSSTADT = "kleinere_grossstadt"
    GROSSE_GROSSSTADT = "grosse_grossstadt"

    @property
    def key(self) -> int:
        return _KEYS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def town_type(self) -> TownType:
        return _TOWN_TYPES[self]


# (lower bound inclusive, class), from the top: the first bound a population reaches is its class
THRESHOLDS: tuple[tuple[int, SizeClass], ...] = (
    (500_000, SizeClass.GROSSE_GROSSSTADT),
    (100_000, SizeClass.KLEINERE_GROSSSTADT),
    (50_000, SizeClass.GROESSERE_MITTELSTADT),
    (20_000, SizeClass.KLEINERE_MITTELSTADT),
    (10_000, SizeClass.GROESSERE_KLEINSTADT),
    (5_000, SizeClass.KLEINE_KLEINSTADT),
    (0, SizeClass.LANDGEMEINDE),
)

_KEYS = {
    SizeClass.GROSSE_GROSSSTADT: 11, SizeClass.KLEINERE_GROSSSTADT: 12, SizeClass.GROESSERE_MITTELSTADT: 21,
    SizeClass.KLEINERE_MITTELSTADT: 22, SizeClass.GROESSERE_KLEINSTADT: 30, SizeClass.KLEINE_KLEINSTADT: 40,
    SizeClass.LANDGEMEINDE: 50,
}
_LABELS = {
    SizeClass.GROSSE_GROSSSTADT: "Große Großstadt", SizeClass.KLEINERE_GROSSSTADT: "Kleinere Großstadt",
    SizeClass.GROESSERE_MITTELSTADT: "Größere Mittelstadt", SizeClass.KLEINERE_MITTELSTADT: "Kleinere Mittelstadt",
    SizeClass.GROESSERE_KLEINSTADT: "Größere Kleinstadt", SizeClass.KLEINE_KLEINSTADT: "Kleine Kleinstadt",
    SizeClass.LANDGEMEINDE: "Landgemeinde",
}
_TOWN_TYPES = {
    SizeClass.GROSSE_GROSSSTADT: TownType.GROSSSTADT, SizeClass.KLEINERE_GROSSSTADT: TownType.GROSSSTADT,
    SizeClass.GROESSERE_MITTELSTADT: TownType.MITTELSTADT, SizeClass.KLEINERE_MITTELSTADT: TownType.MITTELSTADT,
    SizeClass.GROESSERE_KLEINSTADT: TownType.KLEINSTADT, SizeClass.KLEINE_KLEINSTADT: TownType.KLEINSTADT,
    SizeClass.LANDGEMEINDE: TownType.LANDGEMEINDE,
}


def size_class(population: int | None) -> SizeClass | None:
    """The size class of a commune with this population; None when the population is unknown."""
    if population is None or population < 0:
        return None
    for bound, cls in THRESHOLDS:
        if population >= bound:
            return cls
    return SizeClass.LANDGEMEINDE  # unreachable: the last bound is 0


def format_number(value: int) -> str:
    """An integer as German text writes it: 24665 -> '24.665'."""
    return f"{value:,}".replace(",", ".")
