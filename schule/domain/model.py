"""The domain of the Smart Cities: Schule, independent of any database.

Every entity has our own stable string id (lowercase letters, digits, ``-``), unique across all
kinds, so that a reference in an import file or a URL names exactly one thing. Database-internal
ids never leave the store.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from schule.domain.population import SizeClass, size_class

__all__ = [
    "Kind", "MembershipRole", "MembershipBasis", "ProjectStatus", "LessonKind", "ReviewState", "Rel",
    "Entity", "Handlungsfeld", "Commune", "Network", "Membership", "Organisation", "Person",
    "Project", "Lesson", "Event", "Adaptation", "AdaptationStatus", "ENTITY_TYPES",
]


class Kind(enum.StrEnum):
    """The kinds of node. The value is the import ``kind``; ``label`` is the graph label."""

    HANDLUNGSFELD = "handlungsfeld"
    COMMUNE = "commune"
    NETWORK = "network"
    ORGANISATION = "organisation"
    PERSON = "person"
    PROJECT = "project"
    LESSON = "lesson"
    EVENT = "event"
    ADAPTATION = "adaptation"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class MembershipRole(enum.StrEnum):
    PIONEER = "pioneer"        # Pionierkommune of the federal model project
    MITMACHER = "mitmacher"    # joined the Rahmenstrategie by LoI or council resolution
    SUPPORTER = "supporter"
    MEMBER = "member"


class MembershipBasis(enum.StrEnum):
    FOUNDING = "founding"
    LETTER_OF_INTENT = "letter_of_intent"       # Absichtserklärung der Verwaltungsspitze
    COUNCIL_RESOLUTION = "council_resolution"   # Ratsbeschluss


class ProjectStatus(enum.StrEnum):
    IDEA = "idea"
    PLANNING = "planning"
    IMPLEMENTATION = "implementation"
    OPERATION = "operation"
    COMPLETED = "completed"
    STOPPED = "stopped"


class LessonKind(enum.StrEnum):
    SUCCESS = "success"
    PITFALL = "pitfall"
    RECOMMENDATION = "recommendation"


class AdaptationStatus(enum.StrEnum):
    """How far a commune has come in adopting another's project."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ABANDONED = "abandoned"


class ReviewState(enum.StrEnum):
    """Where an entry stands in moderation. Imports and seed data are published."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    MERGED = "merged"  # a duplicate merged into another entry; ``merged_into`` names the survivor


class Rel(enum.StrEnum):
    """Relationship types, always stored in the direction written here."""

    SUBFIELD_OF = "SUBFIELD_OF"      # Handlungsfeld -> parent Handlungsfeld
    MEMBER_OF = "MEMBER_OF"          # Commune -> Network, with role/basis/since/document on the edge
    WORKS_FOR = "WORKS_FOR"          # Person -> Commune | Organisation
    LOCATED_IN = "LOCATED_IN"        # Project -> Commune
    IN_FIELD = "IN_FIELD"            # Project | Lesson -> Handlungsfeld
    CONTACT = "CONTACT"              # Project -> Person
    ADAPTED_FROM = "ADAPTED_FROM"    # Project -> Project it adapted
    LEARNED_IN = "LEARNED_IN"        # Lesson -> Project
    AUTHORED_BY = "AUTHORED_BY"      # Lesson -> Person
    ORGANISED_BY = "ORGANISED_BY"    # Event -> Organisation | Commune | Network
    ADOPTS = "ADOPTS"                # Adaptation -> the Project adopted (its source)
    ADOPTED_IN = "ADOPTED_IN"        # Adaptation -> the adopting Commune
    ADOPTED_AS = "ADOPTED_AS"        # Adaptation -> the adopting commune's own Project, if recorded


@dataclass(frozen=True)
class Entity:
    id: str
    source: str | None = None
    state: ReviewState = ReviewState.PUBLISHED
    created_at: str | None = None
    updated_at: str | None = None
    # moderation (schule.services.moderation): the account that created the entry, the
    # moderator's reason for the current state, and the survivor of a merge
    created_by: str | None = None
    review_note: str | None = None
    merged_into: str | None = None

    kind: Kind = field(init=False, repr=False, default=Kind.PROJECT)


@dataclass(frozen=True)
class Handlungsfeld(Entity):
    name: str = ""
    description: str | None = None
    parent: str | None = None
    kind: Kind = field(init=False, repr=False, default=Kind.HANDLUNGSFELD)


@dataclass(frozen=True)
class Commune(Entity):
    name: str = ""
    kreis: str | None = None
    region: str | None = None
    ags: str | None = None
    population: int | None = None
    website: str | None = None
    kind: Kind = field(init=False, repr=False, default=Kind.COMMUNE)

    @property
    def size_class(self) -> SizeClass | None:
        """The BBSR Stadt- und Gemeindetyp by population (derived, never stored)."""
        return size_class(self.population)


@dataclass(frozen=True)
class Network(Entity):
    name: str = ""
    description: str | None = None
    kind: Kind = field(init=False, repr=False, default=Kind.NETWORK)


@dataclass(frozen=True)
class Membership:
    """A commune's membership in a network; lives on the MEMBER_OF edge."""

    commune: str
    network: str
    role: MembershipRole
    basis: MembershipBasis | None = None
    since: str | None = None
    document: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Organisation(Entity):
    name: str = ""
    type: str | None = None  # e.g. Regionalagentur, Wirtschaftsförderung (import field `type`)
    website: str | None = None
    kind: Kind = field(init=False, repr=False, default=Kind.ORGANISATION)


@dataclass(frozen=True)
class Person(Entity):
    name: str = ""
    role: str | None = None
    commune: str | None = None
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None
    expertise: tuple[str, ...] = ()
    contact_consent: bool = False  # e-mail and phone visible to signed-in members
    public_contact: bool = False  # may appear in the open data (/daten) as a public contact
    kind: Kind = field(init=False, repr=False, default=Kind.PERSON)


@dataclass(frozen=True)
class Project(Entity):
    title: str = ""
    summary: str = ""
    description: str | None = None
    communes: tuple[str, ...] = ()
    handlungsfelder: tuple[str, ...] = ()
    status: ProjectStatus | None = None
    tags: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    adapted_from: tuple[str, ...] = ()
    started: str | None = None
    ended: str | None = None
    links: tuple[str, ...] = ()
    license: str | None = None  # SPDX expression of an open-source solution, e.g. "EUPL-1.2"
    last_confirmed: str | None = None  # date the facts were last confirmed true (schule.services.freshness)
    transfer: str | None = None  # transferability as JSON text (schule.domain.transferability)
    kind: Kind = field(init=False, repr=False, default=Kind.PROJECT)


@dataclass(frozen=True)
class Lesson(Entity):
    project: str = ""
    title: str = ""
    text: str = ""
    type: LessonKind | None = None  # import field `type`; `kind` is the record kind
    handlungsfelder: tuple[str, ...] = ()
    author: str | None = None
    last_confirmed: str | None = None
    kind: Kind = field(init=False, repr=False, default=Kind.LESSON)


@dataclass(frozen=True)
class Event(Entity):
    title: str = ""
    date: str = ""
    place: str | None = None
    organiser: str | None = None
    description: str | None = None
    links: tuple[str, ...] = ()
    kind: Kind = field(init=False, repr=False, default=Kind.EVENT)


@dataclass(frozen=True)
class Adaptation(Entity):
    """A commune's adoption of another's project ("wir übernehmen X"), with how it went: the
    record behind "did it work where others copied it?". ``adapted_from`` links between projects
    stay as they are; this record adds status, outcome, dates and a contact."""

    adopts: str = ""  # the adopted project (GraphQL ``source``; ``source`` is every entry's provenance)
    commune: str = ""
    project: str | None = None
    status: AdaptationStatus | None = None
    outcome: str | None = None
    started: str | None = None
    ended: str | None = None
    contact: str | None = None
    kind: Kind = field(init=False, repr=False, default=Kind.ADAPTATION)


ENTITY_TYPES: dict[Kind, type[Entity]] = {
    Kind.HANDLUNGSFELD: Handlungsfeld,
    Kind.COMMUNE: Commune,
    Kind.NETWORK: Network,
    Kind.ORGANISATION: Organisation,
    Kind.PERSON: Person,
    Kind.PROJECT: Project,
    Kind.LESSON: Lesson,
    Kind.EVENT: Event,
    Kind.ADAPTATION: Adaptation,
}
