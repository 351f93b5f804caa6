"""The review queue as the page shows it: one compact item per entry (kind, title, submitter,
commune, date, full text), the diff of a pending revision with the changed words marked, and the
duplicate candidates a new entry may be merged into.

Everything here is presentation of what the API returned (``documents.REVIEW_QUEUE``); no
decision is taken here.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from schule.web.rendering import FIELD

# Longer values are shown whole, without word marks: a diff of two long texts is noise.
MAX_MARKED_WORDS = 400
_WORDS = re.compile(r"[\w-]+|[^\w\s]|\s+")  # words, single punctuation marks, spaces


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool = False


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    old: list[Segment]
    new: list[Segment]


@dataclass
class QueueItem:
    slug: str
    kind: str  # the API's kind name: PROJECT, LESSON, ADAPTATION
    title: str
    submitter: str | None
    communes: list[str]
    submitted: str
    teaser: str
    text: list[str]
    project: dict[str, Any] | None = None
    revision: bool = False
    diff: list[DiffRow] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)


def shown_value(value: str | None) -> str:
    """A field change's value as text: JSON lists (``["olpe","soest"]``) as a comma-separated list."""
    if value is None:
        return ""
    if value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return value
        if isinstance(items, list):
            return ", ".join(str(i) for i in items)
    return value


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """``old`` and ``new`` split into words and spaces, the words that differ marked as changed."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    if len(a) + len(b) > 2 * MAX_MARKED_WORDS:
        return [Segment(old, bool(old))], [Segment(new, bool(new))]
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(Segment("".join(a[i1:i2])))
            right.append(Segment("".join(b[j1:j2])))
        else:
            left += _marked("".join(a[i1:i2]))
            right += _marked("".join(b[j1:j2]))
    return _coalesce(left), _coalesce(right)


def _marked(text: str) -> list[Segment]:
    """A changed run of words as a mark, the spaces around it left unmarked."""
    core = text.strip()
    if not core:
        return [Segment(text)] if text else []
    start = text.index(core)
    return [Segment(t, changed) for t, changed in
            ((text[:start], False), (core, True), (text[start + len(core):], False)) if t]


def _coalesce(segments: list[Segment]) -> list[Segment]:
    """Neighbouring changes separated only by spaces as one mark (``<ins>neuer Satz</ins>``)."""
    out: list[Segment] = []
    for s in segments:
        if out and s.changed and len(out) >= 2 and out[-1].text.isspace() and out[-2].changed:
            space = out.pop()
            out[-1] = Segment(out[-1].text + space.text + s.text, changed=True)
        elif out and s.changed and out[-1].changed:
            out[-1] = Segment(out[-1].text + s.text, changed=True)
        else:
            out.append(s)
    return out


def diff_rows(changes: list[dict[str, Any]]) -> list[DiffRow]:
    rows = []
    for change in changes:
        old, new = word_diff(shown_value(change["old"]), shown_value(change["new"]))
        rows.append(DiffRow(change["field"], FIELD.get(change["field"], change["field"]), old, new))
    return rows


def _submitter(node: dict[str, Any]) -> str | None:
    created = [v for v in node.get("history") or [] if v["action"] in ("create", "record_adaptation")]
    first = created[0] if created else (node.get("history") or [None])[0]
    return first.get("authorName") if first else None


def _submitted(node: dict[str, Any]) -> str:
    submits = [v["at"] for v in node.get("history") or [] if v["action"] in ("submit", "create")]
    return (submits[-1] if submits else node.get("updatedAt") or "")[:10]


def queue_item(node: dict[str, Any]) -> QueueItem:
    kind = node["__typename"].upper()
    revision = node.get("pendingRevision")
    if kind == "ADAPTATION":
        title = f"{node['commune']['name']} übernimmt „{node['source']['title']}“"
        communes = [node["commune"]["name"]]
        body = node.get("outcome") or ""
        teaser = ""  # the adopted project is named in the title and the facts
        project = node["source"]
    elif kind == "LESSON":
        title, body = node["title"], node.get("text") or ""
        project = node.get("project")
        communes = [c["name"] for c in (project or {}).get("communes", [])]
        teaser = body
    else:
        title, body = node["title"], "\n\n".join(filter(None, (node.get("summary"), node.get("description"))))
        project = None
        communes = [c["name"] for c in node.get("communes", [])]
        teaser = node.get("summary") or ""
    item = QueueItem(
        slug=node["slug"], kind=kind, title=title, submitter=_submitter(node), communes=communes,
        submitted=_submitted(node), teaser=teaser, text=[p for p in re.split(r"\n\s*\n", body) if p.strip()],
        project=project,
    )
    if revision:
        item.revision = True
        item.submitter = revision.get("authorName")
        if revision.get("authorCommune"):
            item.communes = [revision["authorCommune"]["name"]]
        item.submitted = (revision.get("createdAt") or "")[:10]
        item.diff = diff_rows(revision["changes"])
    else:
        item.candidates = list(node.get("similar") or [])
    return item
