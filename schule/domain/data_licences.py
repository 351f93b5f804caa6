"""Licences the open data (``/daten``) may be published under: the setting ``SCHULE_OPEN_DATA_LICENSE``
takes a key of ``DATA_LICENCES``. The URIs are those of the DCAT-AP.de licence vocabulary, which
GovData and the other German portals read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataLicence:
    key: str
    uri: str  # DCAT-AP.de licence vocabulary
    title: str  # German name
    url: str  # the licence text for people
    attribution: bool  # users must name the source


DATA_LICENCES: dict[str, DataLicence] = {
    licence.key: licence
    for licence in (
        DataLicence("dl-de/by-2-0", "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
                    "Datenlizenz Deutschland – Namensnennung – Version 2.0", "https://www.govdata.de/dl-de/by-2-0",
                    True),
        DataLicence("dl-de/zero-2-0", "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
                    "Datenlizenz Deutschland – Zero – Version 2.0", "https://www.govdata.de/dl-de/zero-2-0", False),
        DataLicence("cc-by-4.0", "http://dcat-ap.de/def/licenses/cc-by/4.0",
                    "Creative Commons Namensnennung 4.0 International (CC BY 4.0)",
                    "https://creativecommons.org/licenses/by/4.0/deed.de", True),
        DataLicence("cc0-1.0", "http://dcat-ap.de/def/licenses/cc-zero",
                    "Creative Commons Zero 1.0 Universell (CC0 1.0)",
                    "https://creativecommons.org/publicdomain/zero/1.0/deed.de", False),
    )
}
DEFAULT_DATA_LICENCE = "dl-de/by-2-0"
