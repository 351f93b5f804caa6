"""Transferability of a project: what another commune needs to take it over ("Could we do this too,
and what would it take?"). One optional import field ``transfer`` of ``project``, an object:

    {"prerequisites": [{"type": "staff", "text": "…"}],          # staff, data, infrastructure, council_decision, other
     "effort_days": {"min": 20, "max": 40},                        # person-days, a range
     "costs_once": {"min": 5000, "max": 15000},                    # euros, ranges
     "costs_yearly": {"min": 1000, "max": 2000},
     "funding": [{"programme": "Modellprojekte Smart Cities", "share": 65}],   # share in percent
     "repository": "https://…", "publiccode": "https://…/publiccode.yml",
     "standards": ["LoRaWAN", "OParl"],
     "partners": [{"organisation": "<organisation id>", "role": "operator"}],  # operator, service_provider, funder
     "documents": [{"title": "Ratsbeschluss", "url": "https://…"}]}

Every part is optional; what is unknown stays out (never a guessed value). The licence is the
project's ``license`` field (from the publiccode harvest), not repeated here. Stored as one JSON
text property of the project (``dumps``), so a new part needs no new graph property.
"""

from __future__ import annotations

import json
from typing import Any

PREREQUISITE_TYPES = ("staff", "data", "infrastructure", "council_decision", "other")
PARTNER_ROLES = ("operator", "service_provider", "funder")
RANGES = ("effort_days", "costs_once", "costs_yearly")
PARTS = ("prerequisites", *RANGES, "funding", "repository", "publiccode", "standards", "partners", "documents")
MAX_ITEMS = 50
MAX_TEXT = 2000


class TransferError(ValueError):
    """A malformed ``transfer`` object; the message (German) names the part to fix."""


def _need(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise TransferError(f"transfer.{where} {what}")


def _text(value: Any, where: str, limit: int = MAX_TEXT) -> str:
    _need(isinstance(value, str) and bool(value.strip()), where, "muss ein nicht-leerer Text sein")
    text = str(value).strip()
    _need(len(text) <= limit, where, f"ist länger als {limit} Zeichen")
    return text


def _items(value: Any, where: str) -> list[Any]:
    _need(isinstance(value, list), where, "muss eine Liste sein")
    _need(len(value) <= MAX_ITEMS, where, f"hat mehr als {MAX_ITEMS} Einträge")
    return list(value)


def _object(value: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    _need(isinstance(value, dict), where, "muss ein Objekt sein")
    unknown = sorted(set(value) - set(keys))
    _need(not unknown, where, f"hat unbekannte Felder: {', '.join(unknown)} (erlaubt: {', '.join(keys)})")
    return dict(value)


def _range(value: Any, where: str) -> dict[str, int]:
    obj = _object(value, where, ("min", "max"))
    out = {}
    for key in ("min", "max"):
        if obj.get(key) is not None:
            v = obj[key]
            _need(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10**9, f"{where}.{key}",
                  "muss eine ganze Zahl ab 0 sein")
            out[key] = v
    _need(bool(out), where, "braucht 'min', 'max' oder beides")
    _need(out.get("min", 0) <= out.get("max", 10**9), where, "'min' ist größer als 'max'")
    return out


def _link(value: Any, where: str) -> str:
    from schule.domain.records import is_link

    text = _text(value, where)
    _need(is_link(text), where, "muss eine Adresse mit https://, http:// oder mailto: sein")
    return text


def parse(value: Any) -> dict[str, Any]:
    """The normalised ``transfer`` object (JSON text or object); raises ``TransferError``."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise TransferError("transfer muss ein JSON-Objekt sein") from None
    obj = _object(value, "", PARTS) if isinstance(value, dict) else None
    if obj is None:
        raise TransferError("transfer muss ein Objekt sein")
    out: dict[str, Any] = {}
    if obj.get("prerequisites"):
        items = []
        for i, item in enumerate(_items(obj["prerequisites"], "prerequisites")):
            where = f"prerequisites[{i}]"
            p = _object(item, where, ("type", "text"))
            _need(p.get("type") in PREREQUISITE_TYPES, f"{where}.type",
                  f"muss einer dieser Werte sein: {', '.join(PREREQUISITE_TYPES)}")
            items.append({"type": p["type"], "text": _text(p.get("text"), f"{where}.text")})
        out["prerequisites"] = items
    for name in RANGES:
        if obj.get(name) is not None:
            out[name] = _range(obj[name], name)
    if obj.get("funding"):
        funding = []
        for i, item in enumerate(_items(obj["funding"], "funding")):
            where = f"funding[{i}]"
            f = _object(item, where, ("programme", "share"))
            entry: dict[str, Any] = {"programme": _text(f.get("programme"), f"{where}.programme", 500)}
            if f.get("share") is not None:
                share = f["share"]
                _need(isinstance(share, int | float) and not isinstance(share, bool) and 0 < share <= 100,
                      f"{where}.share", "muss ein Anteil in Prozent über 0 bis 100 sein")
                entry["share"] = share
            funding.append(entry)
        out["funding"] = funding
    for name in ("repository", "publiccode"):
        if obj.get(name) is not None:
            out[name] = _link(obj[name], name)
    if obj.get("standards"):
        out["standards"] = list(dict.fromkeys(_text(s, f"standards[{i}]", 200)
                                              for i, s in enumerate(_items(obj["standards"], "standards"))))
    if obj.get("partners"):
        partners = []
        for i, item in enumerate(_items(obj["partners"], "partners")):
            where = f"partners[{i}]"
            p = _object(item, where, ("organisation", "role"))
            _need(isinstance(p.get("organisation"), str) and bool(p["organisation"]), f"{where}.organisation",
                  "muss die ID einer Organisation sein")
            _need(p.get("role") in PARTNER_ROLES, f"{where}.role",
                  f"muss einer dieser Werte sein: {', '.join(PARTNER_ROLES)}")
            partners.append({"organisation": p["organisation"], "role": p["role"]})
        out["partners"] = partners
    if obj.get("documents"):
        documents = []
        for i, item in enumerate(_items(obj["documents"], "documents")):
            d = _object(item, f"documents[{i}]", ("title", "url"))
            documents.append({"title": _text(d.get("title"), f"documents[{i}].title", 500),
                              "url": _link(d.get("url"), f"documents[{i}].url")})
        out["documents"] = documents
    return out


def dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(value: str | None) -> dict[str, Any]:
    return json.loads(value) if value else {}


def partner_ids(value: dict[str, Any]) -> list[str]:
    return [p["organisation"] for p in value.get("partners", ())]
