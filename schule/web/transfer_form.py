"""The transferability part of the project form: form fields to the API's ``TransferInput`` and back.

Every field is optional; an empty form part gives no ``transfer`` at all (nothing is guessed).
Funding, documents and partners are lists: the form shows one row per stored item plus an empty
one to add another. Row 0 keeps the field names the first form had (``transfer_programme``), the
further rows carry their number (``transfer_programme_1``), so older links and tests keep working.
"""

from __future__ import annotations

from typing import Any

PREREQUISITES = (("STAFF", "Personal"), ("DATA", "Daten"), ("INFRASTRUCTURE", "Infrastruktur"),
                 ("COUNCIL_DECISION", "Ratsbeschluss"), ("OTHER", "Sonstiges"))
RANGES = (("effortDays", "Aufwand (Personentage)"), ("costsOnce", "Einmalige Kosten (Euro)"),
          ("costsYearly", "Laufende Kosten (Euro pro Jahr)"))
PARTNER_ROLES = (("OPERATOR", "Betreiber"), ("SERVICE_PROVIDER", "Dienstleister"), ("FUNDER", "Fördermittelgeber"))
NUMBER_HELP = "Bitte nur ganze Zahlen ohne Punkt und Einheit eingeben, z. B. 15000."
MAX_ROWS = 20
# The row lists: name -> the form fields of one row.
ROWS = {
    "funding": ("transfer_programme", "transfer_share"),
    "documents": ("transfer_document_title", "transfer_document_url"),
    "partners": ("transfer_partner", "transfer_partner_role"),
}


def row_name(base: str, index: int) -> str:
    return base if index == 0 else f"{base}_{index}"


def _rows(form: Any, kind: str) -> list[dict[str, str]]:
    """The posted rows of ``kind`` (gaps end the list: rows are numbered without holes)."""
    out = []
    for index in range(MAX_ROWS):
        names = ROWS[kind]
        if not any(row_name(n, index) in form.fields for n in names):
            break
        out.append({n: (form.get(row_name(n, index)) or "").strip() for n in names})
    return out


def transfer_from_form(form: Any) -> tuple[dict[str, Any] | None, dict[str, Any], list[tuple[str, str]]]:
    """(``TransferInput`` or None, the raw values to show again, problems as (field id, German message))."""
    raw: dict[str, Any] = {name: (form.get(name) or "").strip() for name in field_names()}
    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {}
    prerequisites = [{"type": kind, "text": raw[f"transfer_{kind.lower()}"]}
                     for kind, _ in PREREQUISITES if raw[f"transfer_{kind.lower()}"]]
    if prerequisites:
        out["prerequisites"] = prerequisites
    for name, _ in RANGES:
        span: dict[str, int] = {}
        for side in ("min", "max"):
            field = f"transfer_{name}_{side}"
            text = raw[field]
            if not text:
                continue
            if not text.isdigit():
                problems.append((field, NUMBER_HELP))
                continue
            span[side] = int(text)
        if span:
            out[name] = span
    funding, documents, partners = (_rows(form, kind) for kind in ("funding", "documents", "partners"))
    funds = []
    for index, row in enumerate(funding):
        share = row["transfer_share"]
        if share and not share.isdigit():
            problems.append((row_name("transfer_share", index), NUMBER_HELP))
        elif row["transfer_programme"]:
            funds.append({"programme": row["transfer_programme"], **({"share": int(share)} if share else {})})
    if funds:
        out["funding"] = funds
    docs = [{"title": row["transfer_document_title"] or "Dokument", "url": row["transfer_document_url"]}
            for row in documents if row["transfer_document_url"] or row["transfer_document_title"]]
    if docs:
        out["documents"] = docs
    roles = {role for role, _ in PARTNER_ROLES}
    chosen = [{"organisation": row["transfer_partner"],
               "role": row["transfer_partner_role"] if row["transfer_partner_role"] in roles else "OPERATOR"}
              for row in partners if row["transfer_partner"]]
    if chosen:
        out["partners"] = chosen
    standards = [s.strip() for s in raw["transfer_standards"].split(",") if s.strip()]
    if standards:
        out["standards"] = standards
    for part in ("repository", "publiccode"):
        if raw[f"transfer_{part}"]:
            out[part] = raw[f"transfer_{part}"]
    for kind, rows in (("funding", funding), ("documents", documents), ("partners", partners)):
        for index, row in enumerate(rows):
            raw.update({row_name(n, index): v for n, v in row.items()})
        raw[f"rows_{kind}"] = len(rows)
    return (out or None), raw, problems


def transfer_values(transfer: dict[str, Any] | None) -> dict[str, Any]:
    """The form's raw values of a stored transferability (as the API's ``Project.transfer`` gives it)."""
    raw: dict[str, Any] = {name: "" for name in field_names()}
    t = transfer or {}
    for item in t.get("prerequisites") or []:
        key = f"transfer_{item['type'].lower()}"
        raw[key] = "; ".join(x for x in (raw.get(key), item["text"]) if x)
    for name, _ in RANGES:
        span = t.get(name) or {}
        for side in ("min", "max"):
            raw[f"transfer_{name}_{side}"] = "" if span.get(side) is None else str(span[side])
    raw["transfer_standards"] = ", ".join(t.get("standards") or [])
    raw["transfer_repository"] = t.get("repository") or ""
    raw["transfer_publiccode"] = t.get("publiccode") or ""
    lists = {
        "funding": [{"transfer_programme": f["programme"],
                     "transfer_share": "" if f.get("share") is None else str(int(f["share"]))}
                    for f in t.get("funding") or []],
        "documents": [{"transfer_document_title": d["title"], "transfer_document_url": d["url"]}
                      for d in t.get("documents") or []],
        "partners": [{"transfer_partner": p["organisation"]["slug"], "transfer_partner_role": p["role"]}
                     for p in t.get("partners") or []],
    }
    for kind, rows in lists.items():
        for index, row in enumerate(rows):
            raw.update({row_name(n, index): v for n, v in row.items()})
        raw[f"rows_{kind}"] = len(rows)
    return raw


def field_names() -> list[str]:
    """The single (not row) fields of the transfer part."""
    return [
        *(f"transfer_{kind.lower()}" for kind, _ in PREREQUISITES),
        *(f"transfer_{name}_{side}" for name, _ in RANGES for side in ("min", "max")),
        "transfer_standards", "transfer_repository", "transfer_publiccode",
    ]
