"""The transferability part of the project form: form fields to the API's ``TransferInput``.
Every field is optional; an empty form part gives no ``transfer`` at all (nothing is guessed)."""

from __future__ import annotations

from typing import Any

PREREQUISITES = (("STAFF", "Personal"), ("DATA", "Daten"), ("INFRASTRUCTURE", "Infrastruktur"),
                 ("COUNCIL_DECISION", "Ratsbeschluss"))
RANGES = (("effortDays", "Aufwand (Personentage)"), ("costsOnce", "Einmalige Kosten (Euro)"),
          ("costsYearly", "Laufende Kosten (Euro pro Jahr)"))
NUMBER_HELP = "Bitte nur ganze Zahlen ohne Punkt und Einheit eingeben, z. B. 15000."


def transfer_from_form(form: Any) -> tuple[dict[str, Any] | None, dict[str, str], str | None]:
    """(``TransferInput`` or None, the raw values to show again, a German message for a bad number)."""
    raw = {name: (form.get(name) or "").strip() for name in field_names()}
    out: dict[str, Any] = {}
    prerequisites = [{"type": kind, "text": raw[f"transfer_{kind.lower()}"]}
                     for kind, _ in PREREQUISITES if raw[f"transfer_{kind.lower()}"]]
    if prerequisites:
        out["prerequisites"] = prerequisites
    for name, _ in RANGES:
        span: dict[str, int] = {}
        for side in ("min", "max"):
            text = raw[f"transfer_{name}_{side}"]
            if not text:
                continue
            if not text.isdigit():
                return None, raw, NUMBER_HELP
            span[side] = int(text)
        if span:
            out[name] = span
    if raw["transfer_programme"]:
        share = raw["transfer_share"]
        if share and not share.isdigit():
            return None, raw, NUMBER_HELP
        out["funding"] = [{"programme": raw["transfer_programme"], **({"share": int(share)} if share else {})}]
    standards = [s.strip() for s in raw["transfer_standards"].split(",") if s.strip()]
    if standards:
        out["standards"] = standards
    if raw["transfer_repository"]:
        out["repository"] = raw["transfer_repository"]
    if raw["transfer_document_url"] or raw["transfer_document_title"]:
        out["documents"] = [{"title": raw["transfer_document_title"] or "Dokument",
                             "url": raw["transfer_document_url"]}]
    return (out or None), raw, None


def field_names() -> list[str]:
    return [
        *(f"transfer_{kind.lower()}" for kind, _ in PREREQUISITES),
        *(f"transfer_{name}_{side}" for name, _ in RANGES for side in ("min", "max")),
        "transfer_programme", "transfer_share", "transfer_standards", "transfer_repository",
        "transfer_document_title", "transfer_document_url",
    ]
