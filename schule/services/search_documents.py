"""Turn graph entities into ``SearchDocument`` values (the index is derived from the graph).

Only published entities become documents; a person contributes public fields only (no e-mail,
no phone). Facets are denormalised here: a project carries its communes' names, Kreise and
regions, and its Handlungsfelder with all their ancestors, so that filtering by "Mobilität" also
finds projects filed under a sub-field of it; a lesson carries its project's title, communes and
Handlungsfelder; a person their employer's name; an adoption its adopted project's title and its
adopting commune.

The ranking's adoption signal (``adaptation_count``) counts communes with a published adoption
record marked done (``services.adaptations.done_adoptions``), not ``adapted_from`` links: a link
says someone copied the idea, a done record that it worked there too.

Every entity a document embeds is named by id in one of its ``communes``, ``handlungsfelder`` (with
ancestors) or ``related_ids``: that is how ``SearchSync`` finds the documents to render again when only
an embedded entity changed (``SearchIndex.keys_embedding``). A new kind of embedding must keep that so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from schule.domain import transferability
from schule.domain.model import (
    Adaptation,
    Commune,
    Entity,
    Event,
    Handlungsfeld,
    Kind,
    Lesson,
    Network,
    Organisation,
    Person,
    Project,
    Rel,
    ReviewState,
)
from schule.search.documents import TRANSFER_FEATURES, SearchDocument, doc_key
from schule.services.adaptations import done_adoptions
from schule.store.graph import CypherGraphStore


class Lookups:
    """What documents need besides the entity itself: names of communes, Handlungsfeld tree, …"""

    def __init__(self) -> None:
        self.communes: dict[str, Commune] = {}
        self.fields: dict[str, Handlungsfeld] = {}
        self.parent: dict[str, str] = {}
        self.projects: dict[str, Project] = {}
        self.employers: dict[str, Entity] = {}
        self.adaptations: dict[str, list[str]] = {}  # project id -> ids of projects that adapted it
        self.done_adoptions: dict[str, int] = {}  # project id -> communes with a done adoption record

    def field_ids_with_ancestors(self, ids: Iterable[str]) -> tuple[str, ...]:
        out: list[str] = []
        for hf in ids:
            seen = 0
            node: str | None = hf
            while node is not None and node not in out and seen < 50:
                out.append(node)
                node = self.parent.get(node)
                seen += 1
        return tuple(out)

    def field_names(self, ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.fields[i].name for i in ids if i in self.fields)

    def commune_facets(self, ids: Sequence[str]) -> dict[str, Any]:
        communes = [self.communes[i] for i in ids if i in self.communes]
        return {
            "communes": tuple(c.id for c in communes),
            "commune_names": tuple(c.name for c in communes),
            "kreise": tuple(dict.fromkeys(c.kreis for c in communes if c.kreis)),
            "regions": tuple(dict.fromkeys(c.region for c in communes if c.region)),
        }


def _project_doc(p: Project, look: Lookups) -> SearchDocument:
    fields = look.field_ids_with_ancestors(p.handlungsfelder)
    adaptations = look.adaptations.get(p.id, [])
    done_adoptions = look.done_adoptions.get(p.id, 0)
    transfer = transferability.loads(p.transfer) if p.transfer else {}
    standards = tuple(transfer.get("standards", ()))
    return SearchDocument(
        kind="project", id=p.id, title=p.title, tags=(*p.tags, *standards), summary=p.summary,
        text=p.description or "",
        handlungsfelder=fields, handlungsfeld_names=look.field_names(fields),
        status=p.status.value if p.status else None, adaptation_count=done_adoptions,
        transfer=_transfer_features(transfer, p.license, done_adoptions), standards=standards,
        related_ids=tuple(dict.fromkeys([*p.adapted_from, *adaptations])),
        **look.commune_facets(p.communes),
    )


def _transfer_features(transfer: dict[str, Any], license: str | None, done_adoptions: int) -> tuple[str, ...]:
    """The ``transfer`` facet values (``TRANSFER_FEATURES``) a project's stated facts support."""
    stated = {
        "adopted": done_adoptions > 0,
        "open_source": bool(transfer.get("repository") or transfer.get("publiccode") or license),
        "costs": any(transfer.get(part) for part in transferability.RANGES),
        "funding": bool(transfer.get("funding")),
        "prerequisites": bool(transfer.get("prerequisites")),
        "documents": bool(transfer.get("documents")),
    }
    return tuple(feature for feature in TRANSFER_FEATURES if stated[feature])


def _lesson_doc(le: Lesson, look: Lookups) -> SearchDocument:
    project = look.projects.get(le.project)
    fields = look.field_ids_with_ancestors([*le.handlungsfelder, *(project.handlungsfelder if project else ())])
    return SearchDocument(
        kind="lesson", id=le.id, title=le.title, summary=project.title if project else "", text=le.text,
        tags=(le.type.value,) if le.type else (),
        handlungsfelder=fields, handlungsfeld_names=look.field_names(fields),
        related_ids=(le.project,),
        **look.commune_facets(project.communes if project else ()),
    )


def _adaptation_doc(a: Adaptation, look: Lookups) -> SearchDocument:
    source = look.projects.get(a.adopts)
    commune = look.communes.get(a.commune)
    title = f"Übernahme: {source.title if source else a.adopts} in {commune.name if commune else a.commune}"
    return SearchDocument(
        kind="adaptation", id=a.id, title=title, summary=source.summary if source else "", text=a.outcome or "",
        status=None, related_ids=tuple(dict.fromkeys(x for x in (a.adopts, a.project) if x)),
        **look.commune_facets([a.commune]),
    )


def _person_doc(p: Person, look: Lookups) -> SearchDocument:
    employer = look.employers.get(p.commune or p.organisation or "")
    employer_name = getattr(employer, "name", "") if employer else ""
    employer_id = p.commune or p.organisation
    return SearchDocument(
        kind="person", id=p.id, title=p.name, tags=p.expertise, summary=p.role or "", text=employer_name,
        related_ids=(employer_id,) if employer_id else (),  # the document embeds the employer's name
        **look.commune_facets([p.commune] if p.commune else []),
    )


def to_document(entity: Entity, look: Lookups) -> SearchDocument | None:
    if entity.state is not ReviewState.PUBLISHED:
        return None
    if isinstance(entity, Project):
        return _project_doc(entity, look)
    if isinstance(entity, Lesson):
        return _lesson_doc(entity, look)
    if isinstance(entity, Person):
        return _person_doc(entity, look)
    if isinstance(entity, Adaptation):
        return _adaptation_doc(entity, look)
    if isinstance(entity, Commune):
        return SearchDocument(kind="commune", id=entity.id, title=entity.name,
                              summary=" ".join(x for x in (entity.kreis, entity.region) if x),
                              **look.commune_facets([entity.id]))
    if isinstance(entity, Handlungsfeld):
        fields = look.field_ids_with_ancestors([entity.id])
        return SearchDocument(kind="handlungsfeld", id=entity.id, title=entity.name,
                              summary=entity.description or "", handlungsfelder=fields,
                              handlungsfeld_names=look.field_names(fields))
    if isinstance(entity, Event):
        return SearchDocument(kind="event", id=entity.id, title=entity.title,
                              summary=" ".join(x for x in (entity.date, entity.place) if x),
                              text=entity.description or "")
    if isinstance(entity, Organisation):
        return SearchDocument(kind="organisation", id=entity.id, title=entity.name, summary=entity.type or "")
    if isinstance(entity, Network):
        return SearchDocument(kind="network", id=entity.id, title=entity.name, text=entity.description or "")
    return None


class DocumentBuilder:
    def __init__(self, store: CypherGraphStore) -> None:
        self.store = store

    def _tree(self, look: Lookups) -> None:
        look.parent = {e.source: e.target for e in self.store.all_edges(Rel.SUBFIELD_OF)}

    def for_ids(self, ids: Sequence[str]) -> tuple[list[SearchDocument], list[str]]:
        """Documents for these ids, and the index keys to delete (gone or unpublished)."""
        entities = self.store.get(ids)
        # A new adaptation changes the adapted project's ranking (adaptation_count): rebuild it too.
        adapted = {t for e in entities.values() if isinstance(e, Project) for t in e.adapted_from}
        # a new or changed adoption record changes its project's adoption signal: rebuild that too
        adapted |= {e.adopts for e in entities.values() if isinstance(e, Adaptation)}
        adapted -= set(ids)
        if adapted:
            entities.update(self.store.get(sorted(adapted)))
            ids = [*ids, *sorted(adapted)]
        if not any(e.state is ReviewState.PUBLISHED for e in entities.values()):
            # only drafts and entries in review (a member's new project): no document, so none of the
            # lookups below (five more store reads, which a search waiting for this drain waited for)
            return [], [doc_key(entities[i].kind.value, i) for i in ids if i in entities]
        look = Lookups()
        self._tree(look)
        projects = [e for e in entities.values() if isinstance(e, Project)]
        lessons = [e for e in entities.values() if isinstance(e, Lesson)]
        adoptions = [e for e in entities.values() if isinstance(e, Adaptation)]
        people = [e for e in entities.values() if isinstance(e, Person)]
        look.projects = {p.id: p for p in projects}
        extra_projects = [le.project for le in lessons if le.project not in look.projects]
        extra_projects += [a.adopts for a in adoptions if a.adopts not in look.projects]
        look.projects.update({p.id: p for p in self.store.get(extra_projects).values() if isinstance(p, Project)})
        commune_ids = {c for p in look.projects.values() for c in p.communes}
        commune_ids |= {e.id for e in entities.values() if isinstance(e, Commune)}
        commune_ids |= {p.commune for p in people if p.commune}
        commune_ids |= {a.commune for a in adoptions}
        field_ids = {f for p in look.projects.values() for f in p.handlungsfelder}
        field_ids |= {f for le in lessons for f in le.handlungsfelder}
        field_ids |= {e.id for e in entities.values() if isinstance(e, Handlungsfeld)}
        field_ids = set(look.field_ids_with_ancestors(field_ids))
        employer_ids = {p.organisation for p in people if p.organisation}
        related = self.store.get(sorted(commune_ids | field_ids | employer_ids))
        look.communes = {i: e for i, e in related.items() if isinstance(e, Commune)}
        look.fields = {i: e for i, e in related.items() if isinstance(e, Handlungsfeld)}
        look.employers = dict(related)
        for edge in self.store.neighbours(Rel.ADAPTED_FROM, [p.id for p in projects], incoming=True):
            look.adaptations.setdefault(edge.source, []).append(edge.target)
        records = self.store.neighbours(Rel.ADOPTS, [p.id for p in projects], incoming=True)
        found = self.store.get(sorted({e.target for e in records})) if records else {}
        look.done_adoptions = dict(done_adoptions(list(found.values())))
        docs: list[SearchDocument] = []
        deletes: list[str] = []
        for entity_id in ids:
            entity = entities.get(entity_id)
            doc = to_document(entity, look) if entity is not None else None
            if doc is not None:
                docs.append(doc)
            elif entity is not None:
                deletes.append(doc_key(entity.kind.value, entity.id))
        return docs, deletes

    def all(self) -> Iterator[SearchDocument]:
        """Every document, for a full rebuild; lookups are loaded once (they are small)."""
        look = Lookups()
        self._tree(look)
        look.fields = {e.id: e for e in self.store.iter_entities(Kind.HANDLUNGSFELD)}  # type: ignore[misc]
        look.communes = {e.id: e for e in self.store.iter_entities(Kind.COMMUNE)}  # type: ignore[misc]
        look.employers = {**look.communes, **{e.id: e for e in self.store.iter_entities(Kind.ORGANISATION)}}
        for edge in self.store.all_edges(Rel.ADAPTED_FROM):
            look.adaptations.setdefault(edge.target, []).append(edge.source)
        look.projects = {e.id: e for e in self.store.iter_entities(Kind.PROJECT)}  # type: ignore[misc]
        adoptions = list(self.store.iter_entities(Kind.ADAPTATION))
        look.done_adoptions = dict(done_adoptions(adoptions))
        for kind in Kind:
            if kind is Kind.PROJECT:
                entities: Iterable[Entity] = look.projects.values()
            elif kind is Kind.HANDLUNGSFELD:
                entities = look.fields.values()
            elif kind is Kind.COMMUNE:
                entities = look.communes.values()
            elif kind is Kind.ADAPTATION:
                entities = adoptions
            else:
                entities = self.store.iter_entities(kind)
            for entity in entities:
                doc = to_document(entity, look)
                if doc is not None:
                    yield doc
