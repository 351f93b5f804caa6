"""The one project form and the one lesson form, for creating and for editing: posted fields to the
API's inputs, stored entries (and a member's open change) to the form's values, and the API's
problems to German messages per field.

Field ids in the form are the API's input names (``adaptedFrom``), so a problem's ``field`` path
from the API names the element the error summary links to (``#adaptedFrom``) without a second
table. ``LABELS`` is the one table of their German names.
"""

from __future__ import annotations

import json
import re
from typing import Any

from schule.web.forms import Form
from schule.web.transfer_form import transfer_from_form, transfer_values

STATUS_CHOICES = ("IDEA", "PLANNING", "IMPLEMENTATION", "OPERATION", "COMPLETED", "STOPPED")
LESSON_TYPES = ("SUCCESS", "PITFALL", "RECOMMENDATION")
MAX_TAGS = 20

# The API's input field names (the last element of a UserError's ``field``) as the form labels them.
LABELS = {
    "title": "Titel", "summary": "Kurzbeschreibung", "description": "Beschreibung", "communes": "Kommunen",
    "handlungsfelder": "Handlungsfelder", "status": "Stand", "tags": "Schlagwörter",
    "contacts": "Ansprechpersonen", "adaptedFrom": "Übernommen von", "started": "Beginn", "ended": "Ende",
    "links": "Links", "source": "Quelle", "transfer": "Übertragbarkeit", "project": "Projekt",
    "text": "Ausführliche Darstellung", "type": "Art", "author": "Verfasst von", "id": "Eintrag",
}
# Problems of form fields the page checks itself (numbers of the transfer part) are shown under this.
TRANSFER_FIELDS_LABEL = "Übertragbarkeit"

PROJECT_LISTS = ("communes", "handlungsfelder", "contacts", "adaptedFrom")
# Import-format names of a revision's changes -> form field names.
_IMPORT_NAMES = {"adapted_from": "adaptedFrom"}
_LIST_FIELDS = {"communes", "handlungsfelder", "tags", "contacts", "adapted_from", "links"}
# The validation of the import format names the field in its message ("Feld 'title' darf …"); beside
# the German label that is noise, so the page shows the rest.
_FIELD_PREFIX = re.compile(r"^Feld '[a-z_]+' ")
# Other fields a message names ("liegt vor 'started'") are shown by their German label too.
_FIELD_NAME = re.compile(r"'([a-z_]+)'")


class Problems:
    """What is wrong with one submission: messages per form field (in the order found) and general ones."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}
        self.general: list[str] = []

    def add(self, field: str | None, message: str) -> None:
        if field:
            self.by_field.setdefault(field, []).append(_german_names(_FIELD_PREFIX.sub("", message)))
        else:
            self.general.append(message)

    def add_api(self, errors: list[dict[str, Any]]) -> None:
        for error in errors:
            self.add((error.get("field") or [None])[-1], error["message"])

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)

    def summary(self) -> list[dict[str, str]]:
        """One line per problem for the summary at the top: anchor, German label, message."""
        return [{"anchor": field, "label": label_of(field), "message": message}
                for field, messages in self.by_field.items() for message in messages]

    def inline(self) -> dict[str, str]:
        return {field: " ".join(messages) for field, messages in self.by_field.items()}


def _german_names(message: str) -> str:
    def label(match: re.Match[str]) -> str:
        name = _IMPORT_NAMES.get(match.group(1), match.group(1))
        return f"„{LABELS[name]}“" if name in LABELS else match.group(0)

    return _FIELD_NAME.sub(label, message)


def label_of(field: str) -> str:
    if field in LABELS:
        return LABELS[field]
    return TRANSFER_FIELDS_LABEL if field.startswith("transfer_") else field


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# -- projects -------------------------------------------------------------------------------------


def project_from_form(form: Form) -> tuple[dict[str, Any], dict[str, Any], Problems]:
    """(the API input fields, every one given: None clears; the values to show again; local problems)."""
    problems = Problems()
    status = form.get("status")
    tags = [t.strip() for t in form.get("tags").split(",") if t.strip()][:MAX_TAGS]
    values: dict[str, Any] = {
        "title": form.get("title"), "summary": form.get("summary"), "description": form.get("description"),
        "status": status if status in STATUS_CHOICES else "", "tags": form.get("tags"),
        "started": form.get("started"), "ended": form.get("ended"), "links": form.get("links"),
        "source": form.get("source"),
        **{name: form.getlist(name) for name in PROJECT_LISTS},
    }
    transfer, raw_transfer, bad_numbers = transfer_from_form(form)
    values |= raw_transfer
    for field, message in bad_numbers:
        problems.add(field, message)
    given: dict[str, Any] = {
        "title": values["title"], "summary": values["summary"], "description": values["description"] or None,
        "status": values["status"] or None, "tags": tags, "started": values["started"] or None,
        "ended": values["ended"] or None, "links": _lines(values["links"]), "source": values["source"] or None,
        **{name: values[name] for name in PROJECT_LISTS}, "transfer": transfer,
    }
    if bad_numbers:  # nothing is sent: say at once what else the page can see is missing
        for name in ("title", "summary"):
            if not values[name]:
                problems.add(name, "darf nicht leer sein")
    return given, values, problems


def project_values(project: dict[str, Any], revision: dict[str, Any] | None = None) -> dict[str, Any]:
    """Form values of a stored project (from ``documents.EDIT_PROJECT``), with the viewer's open
    change (``ownRevision``) on top: editing again builds on what they proposed."""
    values: dict[str, Any] = {
        "title": project["title"], "summary": project["summary"], "description": project["description"] or "",
        "status": project["status"] or "", "tags": ", ".join(project["tags"]),
        "started": project["started"] or "", "ended": project["ended"] or "", "links": "\n".join(project["links"]),
        "source": project["source"] or "",
        "communes": [c["slug"] for c in project["communes"]],
        "handlungsfelder": [h["slug"] for h in project["handlungsfelder"]],
        "contacts": [p["slug"] for p in project["contacts"]],
        "adaptedFrom": [p["slug"] for p in project["adaptedFrom"]],
    }
    values |= transfer_values(project["transfer"])
    for name, value in _proposed(revision).items():
        if name == "transfer":
            values |= transfer_values(_transfer_as_api(value))
        elif name in ("tags",):
            values[name] = ", ".join(value or [])
        elif name == "links":
            values[name] = "\n".join(value or [])
        elif name == "status":
            values[name] = (value or "").upper()
        else:
            values[_IMPORT_NAMES.get(name, name)] = value if value is not None else (
                [] if name in _LIST_FIELDS else "")
    return values


def _proposed(revision: dict[str, Any] | None) -> dict[str, Any]:
    """The fields an open revision proposes (import-format names, decoded)."""
    if not revision or revision.get("state") not in ("PENDING", "CHANGES_REQUESTED"):
        return {}
    out: dict[str, Any] = {}
    for change in revision.get("changes") or []:
        name, new = change["field"], change["new"]
        if new is not None and (name in _LIST_FIELDS or name == "transfer"):
            new = json.loads(new)
        out[name] = new
    return out


def _transfer_as_api(t: dict[str, Any] | None) -> dict[str, Any] | None:
    """An import-format ``transfer`` object (a revision's proposal) in the shape ``Project.transfer`` has."""
    if not t:
        return None
    names = {"effort_days": "effortDays", "costs_once": "costsOnce", "costs_yearly": "costsYearly"}
    out: dict[str, Any] = {names.get(k, k): v for k, v in t.items()}
    out["prerequisites"] = [{"type": p["type"].upper(), "text": p["text"]} for p in t.get("prerequisites") or []]
    out["partners"] = [{"organisation": {"slug": p["organisation"]}, "role": p["role"].upper()}
                       for p in t.get("partners") or []]
    return out


# -- lessons --------------------------------------------------------------------------------------


def lesson_from_form(form: Form) -> tuple[dict[str, Any], dict[str, Any], Problems]:
    kind = form.get("type")
    values: dict[str, Any] = {
        "project": form.get("project"), "title": form.get("title"), "text": form.get("text"),
        "type": kind if kind in LESSON_TYPES else "", "handlungsfelder": form.getlist("handlungsfelder"),
        "author": form.get("author"), "source": form.get("source"),
    }
    given = {
        "project": values["project"], "title": values["title"], "text": values["text"], "type": values["type"] or None,
        "handlungsfelder": values["handlungsfelder"], "author": values["author"] or None,
        "source": values["source"] or None,
    }
    return given, values, Problems()


def lesson_values(lesson: dict[str, Any], revision: dict[str, Any] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "project": lesson["project"]["slug"], "title": lesson["title"], "text": lesson["text"],
        "type": lesson["type"] or "", "handlungsfelder": [h["slug"] for h in lesson["handlungsfelder"]],
        "author": (lesson["author"] or {}).get("slug", ""), "source": lesson["source"] or "",
    }
    for name, value in _proposed(revision).items():
        if name == "type":
            values[name] = (value or "").upper()
        elif name == "handlungsfelder":
            values[name] = value or []
        else:
            values[name] = value or ""
    return values
