"""The pieces that read what people and other systems write: names of communes, dates, licences,
repository addresses and the language of a text (the end-to-end tests run them through the CLI)."""

from __future__ import annotations

import pytest

from schule.services.csv_import import parse_date
from schule.services.licences import spdx
from schule.services.matching import NameIndex
from schule.services.open_data import scrub, to_csv
from schule.services.publiccode import PubliccodeError, guess_language, normalise_date, parse, repository_of

COMMUNES = NameIndex([("luedenscheid", "Lüdenscheid"), ("sundern", "Sundern (Sauerland)"),
                      ("bad-berleburg", "Bad Berleburg"), ("olpe", "Olpe")], communes=True)


@pytest.mark.parametrize("text", ["Lüdenscheid", "LÜDENSCHEID", "luedenscheid", "Luedenscheid", "Stadt Lüdenscheid",
                                  " lüdenscheid "])
def test_a_commune_is_found_by_id_or_name_in_any_case_and_spelling(text: str) -> None:
    match = COMMUNES.find(text)
    assert match is not None and match.id == "luedenscheid"


def test_a_parenthesis_and_hyphens_do_not_matter_but_kreis_does() -> None:
    assert COMMUNES.find("Sundern").id == "sundern"  # type: ignore[union-attr]
    assert COMMUNES.find("bad berleburg").id == "bad-berleburg"  # type: ignore[union-attr]
    assert COMMUNES.find("Kreis Olpe") is None


def test_an_ambiguous_name_matches_nothing_and_says_which_fit() -> None:
    index = NameIndex([("neustadt-a", "Neustadt (Wied)"), ("neustadt-b", "Neustadt (Hessen)")], communes=True)
    match = index.find("Neustadt")
    assert match is not None and match.id is None and match.ambiguous == ("neustadt-a", "neustadt-b")


@pytest.mark.parametrize(("text", "iso"), [("2022", "2022"), ("03.2022", "2022-03"), ("3/2022", "2022-03"),
                                           ("15.3.2022", "2022-03-15"), ("2022-03-15", "2022-03-15"),
                                           ("2022/3/15", "2022-03-15")])
def test_spreadsheet_dates(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["31.02.2022", "13.2022", "März 2022", "22", ""])
def test_what_is_no_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(("text", "iso"), [("2021-06-01", "2021-06-01"), ("15.03.2023", "2023-03-15"),
                                           ("2019/05/20", "2019-05-20"), ("2021-06-01T10:00:00Z", "2021-06-01"),
                                           ("25/12/2020", "2020-12-25"), ("12/25/2020", "2020-12-25"),
                                           ("03/04/2020", None), ("2021-02-30", None), ("März 2022", None)])
def test_publiccode_dates(text: str, iso: str | None) -> None:
    assert normalise_date(text) == iso


@pytest.mark.parametrize(("text", "expected"), [("EUPL-1.2", "EUPL-1.2"), ("mit", "MIT"), ("GPL-3.0", "GPL-3.0-only"),
                                                ("GPL v3", "GPL-3.0-only"), ("GPLv3+", "GPL-3.0-or-later"),
                                                ("Apache License, Version 2.0", "Apache-2.0"), ("EUPL 1.2", "EUPL-1.2"),
                                                ("Apache-2.0 OR MIT", "Apache-2.0 OR MIT"), ("siehe LICENSE", None),
                                                ("proprietär", None)])
def test_licences_become_spdx_or_nothing(text: str, expected: str | None) -> None:
    assert spdx(text)[0] == expected


@pytest.mark.parametrize(("address", "link", "identity"), [
    ("https://gitlab.opencode.de/stadt-soest/maengelmelder.git", "https://gitlab.opencode.de/stadt-soest/maengelmelder",
     "gitlab.opencode.de/stadt-soest/maengelmelder"),
    ("git@github.com:Org/App.git", "https://github.com/Org/App", "github.com/org/app"),
    ("https://user:secret@www.example.org/a/b/", "https://www.example.org/a/b", "example.org/a/b"),
])
def test_repository_addresses(address: str, link: str, identity: str) -> None:
    assert repository_of(address) == (link, identity)


@pytest.mark.parametrize("address", ["javascript:alert(1)", "nicht eine adresse", "ftp://example.org/x", "https://"])
def test_what_is_no_repository_is_refused(address: str) -> None:
    assert repository_of(address) is None


def test_the_language_of_a_text_decides_only_when_it_is_clear() -> None:
    assert guess_language("Die Bürgerinnen und Bürger melden Schäden an die Verwaltung.") == "de"
    assert guess_language("Citizens report damage to the city and follow the status of their report.") == "en"
    assert guess_language("Segnalazioni") is None


def test_yaml_aliases_and_non_mappings_are_refused() -> None:
    with pytest.raises(PubliccodeError, match="Aliasse"):
        parse(b"a: &a [1]\nb: *a\n")
    with pytest.raises(PubliccodeError, match="keine Zuordnung"):
        parse(b"- 1\n- 2\n")


def test_free_text_loses_email_addresses_and_phone_numbers_but_not_years_or_ids() -> None:
    text = "Kontakt: a.b@c.de, Tel. 02761 83-511; Fax: +49 (0)2761 8351; 2021-2023 im Kreis 05958004."
    assert scrub(text) == "Kontakt: [entfernt], [entfernt]; [entfernt]; 2021-2023 im Kreis 05958004."


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    assert to_csv(["a", "b"], [{"a": "=1+1", "b": "-x"}, {"a": "ok"}]) == "a,b\r\n'=1+1,'-x\r\nok,\r\n"
