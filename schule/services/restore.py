"""Restore: a backup (``schule.services.backup`` describes the file) back into an empty store.

* The whole file is checked before anything is written: the header (format and version), every line
  (known labels and types, key properties, values both engines can store), duplicates, that every
  relationship joins entries of the file, and the header's counts, which catch a truncated file.
  The first bad line is reported as ``FILE:LINE: reason``, with how many more there are.
* A store that holds anything at all is refused: a restore never merges into existing data.
* Everything is then written as one atomic unit (``Engine.write``: one FalkorDB query of
  ``CALL {}`` blocks, one Neo4j transaction), MERGE-based on each node's key, so a retried Neo4j
  transaction writes nothing twice. A bad file or a non-empty store change nothing.
* The caller rebuilds the search index from the restored graph (``schule restore`` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schule import json_input
from schule.domain.model import Rel, ReviewState
from schule.domain.problems import Code, Problem
from schule.domain.records import ID_PATTERN
from schule.errors import LineProblem, refuse
from schule.services.backup import FORMAT, VERSION, Summary
from schule.services.importing import read_lines
from schule.store.cypher_backup import ENTITY_LABELS, NODE_KEYS
from schule.store.graph import CypherGraphStore

_INT_KEYS = frozenset({"number", "seq"})
_RELS = frozenset(r.value for r in Rel)
_STATES = frozenset(s.value for s in ReviewState)


@dataclass
class Backup:
    """A checked backup, ready for ``restore``."""

    nodes: dict[str, list[dict[str, Any]]]
    relationships: dict[Rel, list[tuple[str, str, dict[str, Any]]]]
    header: dict[str, Any]

    def summary(self) -> Summary:
        return Summary({label: len(rows) for label, rows in self.nodes.items()},
                       {rel.value: len(rows) for rel, rows in self.relationships.items()})


def _storable(value: Any) -> bool:
    """What both engines store as a property: a boolean, number or text, or a list of one of those
    types (null means absent; maps and nested lists cannot be stored)."""
    scalar = (bool, int, float, str)
    if isinstance(value, scalar):
        return True
    if isinstance(value, list):
        return len({type(v) for v in value}) <= 1 and all(isinstance(v, scalar) for v in value)
    return False


def _props_problem(props: Any) -> str | None:
    if not isinstance(props, dict):
        return "'props' muss ein JSON-Objekt sein"
    bad = [key for key, value in props.items() if not _storable(value)]
    if bad:
        return (f"Eigenschaft {bad[0]!r} ist kein speicherbarer Wert (Text, Zahl, true/false oder eine "
                "Liste gleichartiger solcher Werte)")
    return None


def _node_problem(label: Any, props: dict[str, Any]) -> str | None:
    for key in NODE_KEYS[label]:
        value = props.get(key)
        if key in _INT_KEYS:
            if not isinstance(value, int) or isinstance(value, bool):
                return f"{label}: Schlüssel {key!r} muss eine ganze Zahl sein"
        elif not isinstance(value, str) or not value:
            return f"{label}: Schlüssel {key!r} fehlt oder ist kein Text"
    if label in ENTITY_LABELS:
        if not ID_PATTERN.match(props["id"]):
            return f"{label}: {props['id']!r} ist keine gültige ID"
        if props.get("kind") != ENTITY_LABELS[label].value:
            return f"{label} {props['id']!r}: 'kind' muss {ENTITY_LABELS[label].value!r} sein"
        if props.get("state") is not None and props["state"] not in _STATES:
            return f"{label} {props['id']!r}: unbekannter Prüfstand {props['state']!r}"
    elif label == "Account" and not isinstance(props.get("id"), str):
        return "Account: 'id' fehlt oder ist kein Text"
    elif label == "Token" and not isinstance(props.get("account"), str):
        return "Token: 'account' fehlt oder ist kein Text"
    elif label.endswith("Counter") and (not isinstance(props.get("value"), int) or isinstance(props["value"], bool)):
        return f"{label}: 'value' muss eine ganze Zahl sein"
    return None


def _header(name: str, line: bytes) -> dict[str, Any]:
    """The first line, or a refusal saying why the file is no backup this version reads."""
    try:
        header = json_input.loads(line)
    except json_input.BadJSON as e:
        raise refuse(Code.INVALID, f"{name}:1: keine schule-Sicherung: {e}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise refuse(Code.INVALID, f"{name}:1: keine schule-Sicherung (die erste Zeile muss "
                                   f"\"format\": \"{FORMAT}\" enthalten; ist es ein Export? Dann 'schule import')")
    version = header.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and not isinstance(version, bool) and version > VERSION
        hint = "; bitte schule aktualisieren" if newer else ""
        raise refuse(Code.INVALID, f"{name}:1: Sicherung im Format {version!r}, diese schule-Version liest "
                                   f"Format {VERSION}{hint}")
    for part, known in (("nodes", NODE_KEYS), ("relationships", _RELS)):
        counts = header.get(part)
        if not isinstance(counts, dict) or not all(
            key in known and isinstance(n, int) and not isinstance(n, bool) and n >= 0 for key, n in counts.items()
        ):
            raise refuse(Code.INVALID, f"{name}:1: {part!r} der Kopfzeile muss die Anzahl je bekanntem "
                                       "Label bzw. Beziehungstyp nennen")
    return header


class _Reader:
    """Checks every line of a backup, collecting one problem per bad line."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[LineProblem] = []
        self.nodes: dict[str, list[dict[str, Any]]] = {label: [] for label in NODE_KEYS}
        self.relationships: dict[Rel, list[tuple[str, str, dict[str, Any]]]] = {rel: [] for rel in Rel}
        self.keys: dict[tuple[Any, ...], int] = {}  # (label or "entity"/"account id", key…) -> line
        self.relationship_lines: list[tuple[int, str, str, str]] = []

    def bad(self, line: int, message: str) -> None:
        self.problems.append(LineProblem(self.name, line, Problem(Code.INVALID, None, message)))

    def first_seen(self, key: tuple[Any, ...], line: int) -> int | None:
        seen = self.keys.setdefault(key, line)
        return seen if seen != line else None

    def node(self, line: int, obj: dict[str, Any]) -> None:
        if set(obj) != {"node", "props"}:
            return self.bad(line, "eine Knotenzeile hat genau die Felder 'node' und 'props'")
        label: Any = obj["node"]
        props: Any = obj["props"]
        if label not in NODE_KEYS:
            return self.bad(line, f"unbekanntes Label {label!r}; bekannt sind: {', '.join(NODE_KEYS)}")
        problem = _props_problem(props) or _node_problem(label, props)
        if problem:
            return self.bad(line, problem)
        key = tuple(props[k] for k in NODE_KEYS[label])
        unique = [(label, *key)]
        if label in ENTITY_LABELS:
            unique = [("Entity", *key)]  # one id, one entry, across all kinds
        elif label == "Account":
            unique.append(("Account.id", props["id"]))
        for each in unique:
            if (first := self.first_seen(each, line)) is not None:
                return self.bad(line, f"{label} {', '.join(map(str, key))} steht schon in Zeile {first}")
        self.nodes[label].append(props)

    def relationship(self, line: int, obj: dict[str, Any]) -> None:
        if set(obj) != {"rel", "from", "to", "props"}:
            return self.bad(line, "eine Beziehungszeile hat genau die Felder 'rel', 'from', 'to' und 'props'")
        rel, source, target = obj["rel"], obj["from"], obj["to"]
        props: Any = obj["props"]
        if rel not in _RELS:
            return self.bad(line, f"unbekannter Beziehungstyp {rel!r}")
        if not (isinstance(source, str) and isinstance(target, str)):
            return self.bad(line, "'from' und 'to' müssen IDs von Einträgen sein")
        problem = _props_problem(props)
        if problem:
            return self.bad(line, problem)
        if (first := self.first_seen((rel, source, target), line)) is not None:
            return self.bad(line, f"Beziehung {rel} von {source!r} zu {target!r} steht schon in Zeile {first}")
        self.relationships[Rel(rel)].append((source, target, props))
        self.relationship_lines.append((line, rel, source, target))

    def check_ends(self) -> None:
        """Relationships connect entries of this file (a restore writes into an empty store)."""
        for line, rel, source, target in self.relationship_lines:
            missing = [i for i in (source, target) if ("Entity", i) not in self.keys]
            if missing:
                self.bad(line, f"Beziehung {rel}: {missing[0]!r} ist kein Eintrag dieser Sicherung")

    def check_counts(self, header: dict[str, Any]) -> None:
        """The header's counts: a truncated or spliced file shows here."""
        found = [(label, len(rows), header["nodes"].get(label, 0)) for label, rows in self.nodes.items()]
        found += [(rel.value, len(rows), header["relationships"].get(rel.value, 0))
                  for rel, rows in self.relationships.items()]
        for what, n, expected in found:
            if n != expected:
                self.bad(1, f"laut Kopfzeile {expected}-mal {what}, in der Datei {n}-mal: "
                            "die Datei ist unvollständig oder verändert")
                return


def read_backup(path: Path) -> Backup:
    """Read and check a whole backup file; raises a ``ProblemError`` naming the first bad line."""
    name = str(path)
    lines = read_lines(path)
    if not lines or not lines[0].strip():
        raise refuse(Code.INVALID, f"{name}: leer, keine schule-Sicherung")
    header = _header(name, lines[0])
    reader = _Reader(name)
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        try:
            obj = json_input.loads(raw)
        except json_input.BadJSON as e:
            reader.bad(number, str(e))
            continue
        if isinstance(obj, dict) and "node" in obj:
            reader.node(number, obj)
        elif isinstance(obj, dict) and "rel" in obj:
            reader.relationship(number, obj)
        else:
            reader.bad(number, "eine Zeile ist ein JSON-Objekt mit 'node' (Knoten) oder 'rel' (Beziehung)")
    reader.check_ends()
    if not reader.problems:
        reader.check_counts(header)
    if reader.problems:
        problems = sorted(reader.problems, key=lambda p: p.line)
        more = f" (und {len(problems) - 1} weitere fehlerhafte Zeile(n))" if len(problems) > 1 else ""
        raise refuse(Code.INVALID, f"{problems[0]}{more}; nichts wurde wiederhergestellt")
    return Backup(reader.nodes, reader.relationships, header)


# -- restore --------------------------------------------------------------------------------------


def restore(store: CypherGraphStore, backup: Backup) -> Summary:
    """Write a checked backup into ``store``, which must be empty, as one atomic unit. The caller
    rebuilds the search index afterwards (``SearchSync.rebuild``)."""
    present = store.node_count()
    if present:
        raise refuse(Code.INVALID_STATE,
                     f"Wiederherstellen nur in einen leeren Speicher: dieser enthält schon {present} Knoten "
                     "(ein neues SCHULE_DATA_DIR bzw. eine leere Neo4j-Datenbank verwenden)")
    store.write(store.restore_statements(backup.nodes, backup.relationships))
    return backup.summary()
