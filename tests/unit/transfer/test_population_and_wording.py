"""Size classes at the BBSR thresholds, German numbers, and Kreis names in the dative."""

from __future__ import annotations

import pytest

from schule.domain.model import Commune
from schule.domain.population import SizeClass, format_number, size_class
from schule.services.transfer.wording import german_list, in_kreis, plural


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, SizeClass.LANDGEMEINDE),
        (4_999, SizeClass.LANDGEMEINDE),
        (5_000, SizeClass.KLEINE_KLEINSTADT),
        (9_999, SizeClass.KLEINE_KLEINSTADT),
        (10_000, SizeClass.GROESSERE_KLEINSTADT),
        (19_999, SizeClass.GROESSERE_KLEINSTADT),
        (20_000, SizeClass.KLEINERE_MITTELSTADT),
        (49_999, SizeClass.KLEINERE_MITTELSTADT),
        (50_000, SizeClass.GROESSERE_MITTELSTADT),
        (99_999, SizeClass.GROESSERE_MITTELSTADT),
        (100_000, SizeClass.KLEINERE_GROSSSTADT),
        (499_999, SizeClass.KLEINERE_GROSSSTADT),
        (500_000, SizeClass.GROSSE_GROSSSTADT),
        (3_600_000, SizeClass.GROSSE_GROSSSTADT),
    ],
)
def test_size_class_follows_the_bbsr_thresholds(population: int, expected: SizeClass) -> None:
    assert size_class(population) is expected


def test_size_class_is_derived_from_the_commune_and_unknown_without_population() -> None:
    assert Commune(id="herscheid", name="Herscheid", population=6881).size_class is SizeClass.KLEINE_KLEINSTADT
    assert Commune(id="x", name="X").size_class is None
    assert size_class(-1) is None


def test_size_classes_carry_the_bbsr_keys_and_german_names() -> None:
    assert [(c.key, c.label) for c in SizeClass] == [
        (50, "Landgemeinde"), (40, "Kleine Kleinstadt"), (30, "Größere Kleinstadt"), (22, "Kleinere Mittelstadt"),
        (21, "Größere Mittelstadt"), (12, "Kleinere Großstadt"), (11, "Große Großstadt"),
    ]
    assert {c.town_type.value for c in SizeClass} == {"landgemeinde", "kleinstadt", "mittelstadt", "grossstadt"}


def test_numbers_are_written_the_german_way() -> None:
    assert [format_number(n) for n in (7, 6881, 24665, 1_234_567)] == ["7", "6.881", "24.665", "1.234.567"]
    assert plural(1, "Projekt", "Projekte") == "1 Projekt"
    assert plural(12000, "Projekt", "Projekte") == "12.000 Projekte"
    assert german_list([]) == "" and german_list(["A"]) == "A"
    assert german_list(["A", "B", "C"]) == "A, B und C"


@pytest.mark.parametrize(
    ("kreis", "dative"),
    [
        ("Hochsauerlandkreis", "im Hochsauerlandkreis"),
        ("Kreis Olpe", "im Kreis Olpe"),
        ("Märkischer Kreis", "im Märkischen Kreis"),
        ("Kreis Siegen-Wittgenstein", "im Kreis Siegen-Wittgenstein"),
        ("Kreis Soest", "im Kreis Soest"),
        ("Kreis Steinfurt", "im Kreis Steinfurt"),
        ("Oberbergischer Kreis", "im Oberbergischen Kreis"),
        ("Rheinisch-Bergischer Kreis", "im Rheinisch-Bergischen Kreis"),
        ("Ennepe-Ruhr-Kreis", "im Ennepe-Ruhr-Kreis"),
        ("Landkreis Gifhorn", "im Landkreis Gifhorn"),
        ("Städteregion Aachen", "in der Städteregion Aachen"),
        ("Region Hannover", "in der Region Hannover"),
    ],
)
def test_kreis_names_take_the_dative(kreis: str, dative: str) -> None:
    assert in_kreis(kreis) == dative
