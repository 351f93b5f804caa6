"""Root fields of the knowledge-transfer read side (and ``Commune.peers``): validate the arguments,
compute in a worker thread over the published facts (``schule.services.transfer``), and return the
entries through this request's loaders, so the access rules (visibility, redaction of contact data)
apply exactly as everywhere else."""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.domain.model import Kind
from schule.domain.problems import Code
from schule.errors import ProblemError, refuse
from schule.graphql.context import Context
from schule.graphql.enums import MembershipBasis, MembershipRole, ProjectStatus
from schule.graphql.projects.queries import ProjectFilter
from schule.graphql.registry import to_node
from schule.graphql.transfer.resolve import check_first, entities, existing, first_argument
from schule.graphql.transfer.types import (
    BasisCount,
    CoverageCell,
    CoverageGrouping,
    Expert,
    HandlungsfeldCount,
    KreisCount,
    KreisGaps,
    NetworkStats,
    Recommendation,
    RoleCount,
    StatusCount,
    YearBasisCount,
    YearCount,
)
from schule.services.transfer import coverage as coverage_service
from schule.services.transfer.evidence import find_experts
from schule.services.transfer.facts import facts_for
from schule.services.transfer.memo import snapshot_memo
from schule.services.transfer.network_stats import network_stats
from schule.services.transfer.recommendations import recommend

MAX_TOPIC_CHARS = 200


@strawberry.type(description="Abfragen für den Wissenstransfer: Empfehlungen, Fachleute, Abdeckung, Netzwerkzahlen.")
class TransferQueries:
    @strawberry.field(
        description="Projekte, die die Kommune übernehmen könnte: Projekte ähnlicher Kommunen (`Commune.peers`) "
        "und ihrer Netzwerkpartner, die sie selbst (noch) nicht betreibt, bewährte und von anderen übernommene "
        "zuerst; nie ihre eigenen, nie schon übernommene, nie eingestellte. Nur Veröffentlichtes zählt."
    )
    async def recommendations(
        self,
        info: Info[Context, None],
        commune: Annotated[str, strawberry.argument(description="ID der Kommune, z. B. 'plettenberg'.")],
        first: Annotated[int, first_argument(10, "Empfehlungen")] = 10,
    ) -> list[Recommendation]:
        check_first(first)
        entity = await existing(info, commune, Kind.COMMUNE, "commune", "Keine Kommune")
        store = info.context.store
        found = await run_in_threadpool(lambda: recommend(facts_for(store), entity.id, first))
        projects = await entities(info, [r.project for r in found], Kind.PROJECT)
        return [Recommendation(project=to_node(projects[r.project]), score=r.score, reasons=list(r.reasons))
                for r in found if r.project in projects]

    @strawberry.field(
        description="Fachleute zu einem Thema, belegt durch das, was sie getan haben: Ansprechpersonen passender "
        "Projekte, Autorinnen und Autoren passender Erkenntnisse, wer passende Übernahmen geleitet hat, "
        "angegebene Expertise; jüngere Belege zählen "
        "mehr. Das Thema wird mit der deutschen Volltextsuche gesucht (wie `search`: „Plattform“ findet "
        "„Datenplattform“). Kontaktdaten nur nach den üblichen Regeln (Zustimmung und Anmeldung)."
    )
    async def experts(
        self,
        info: Info[Context, None],
        topic: Annotated[str, strawberry.argument(description="Das Thema, z. B. 'Datenplattform'.")],
        first: Annotated[int, first_argument(10, "Personen")] = 10,
    ) -> list[Expert]:
        check_first(first)
        topic = topic.strip()
        if not topic:
            raise refuse(Code.INVALID, "`topic` ist leer: bitte ein Thema angeben, z. B. „Datenplattform“.", "topic")
        if len(topic) > MAX_TOPIC_CHARS:
            raise refuse(Code.INVALID, f"`topic` darf höchstens {MAX_TOPIC_CHARS} Zeichen lang sein "
                                       f"(angegeben: {len(topic)}).", "topic")
        search = _search(info)
        store = info.context.store
        year = datetime.date.today().year
        found = await run_in_threadpool(find_experts, store, search, topic, first, year)
        people = await entities(info, [e.person for e in found], Kind.PERSON)
        projects = await entities(info, [p for e in found for p in e.projects], Kind.PROJECT)
        lessons = await entities(info, [le for e in found for le in e.lessons], Kind.LESSON)
        adoptions = await entities(info, [a for e in found for a in e.adoptions], Kind.ADAPTATION)
        return [
            Expert(
                person=to_node(people[e.person]), score=e.score, reasons=list(e.reasons),
                projects=[to_node(projects[p]) for p in e.projects if p in projects],
                lessons=[to_node(lessons[le]) for le in e.lessons if le in lessons],
                adaptations=[to_node(adoptions[a]) for a in e.adoptions if a in adoptions],
            )
            for e in found if e.person in people
        ]

    @strawberry.field(
        description="Abdeckung der Handlungsfelder (Lückenanalyse): für jede Gruppe von Kommunen (Kommune, Kreis "
        "oder Region) und jedes Handlungsfeld die Zahl der veröffentlichten Projekte, Nullen eingeschlossen. "
        "Jede Zahl ist die von `projects(filter: …)` mit demselben Filter, der Gruppe (`communes`, `kreise` "
        "oder `regions`) und `handlungsfelder: [<Feld>]`; Unterfelder zählen für ihr Oberfeld. Der Filter "
        "wählt auch die Zeilen (Kommunen, Kreise, Regionen, Netzwerk) und Spalten (`handlungsfelder`). "
        "„Welche Handlungsfelder haben in unserem Kreis nichts?“: `coverage(groupBy: KREIS, filter: {kreise: "
        "[\"Kreis Olpe\"]}, onlyGaps: true)`. Unbekannte Kommunen, Kreise, Regionen, Handlungsfelder oder "
        "Netzwerke im Filter sind ein Fehler (NOT_FOUND), keine leere Spalte."
    )
    async def coverage(
        self,
        info: Info[Context, None],
        group_by: Annotated[CoverageGrouping, strawberry.argument(description="Wonach gruppiert wird.")],
        filter: Annotated[  # noqa: A002
            ProjectFilter | None,
            strawberry.argument(description="Derselbe Filter wie bei `projects`; alle Bedingungen müssen zutreffen."),
        ] = None,
        only_gaps: Annotated[
            bool, strawberry.argument(description="Nur Zellen ohne Projekt (die Lücken).")
        ] = False,
    ) -> list[CoverageCell]:
        params = filter.params() if filter else {}
        store = info.context.store
        grouping = coverage_service.Grouping(str(group_by.value))

        def compute() -> list[coverage_service.Cell]:
            facts = facts_for(store)
            problems = coverage_service.unknown_values(facts, params)
            if problems:
                raise ProblemError(problems)
            key = ("coverage", grouping, only_gaps, json.dumps(params, sort_keys=True, default=str))
            return snapshot_memo.get(
                facts, key, lambda: coverage_service.coverage(facts, grouping, params, only_gaps=only_gaps))

        cells = await run_in_threadpool(compute)
        fields = await entities(info, [c.field for c in cells], Kind.HANDLUNGSFELD)
        field_nodes = {i: to_node(e) for i, e in fields.items()}
        commune_nodes: dict[str, Any] = {}
        if grouping is coverage_service.Grouping.COMMUNE:
            communes = await entities(info, [c.group for c in cells], Kind.COMMUNE)
            commune_nodes = {i: to_node(e) for i, e in communes.items()}
        return [
            CoverageCell(group=c.group, group_name=c.group_name, commune=commune_nodes.get(c.group),
                         handlungsfeld=field_nodes[c.field], projects=c.projects)
            for c in cells if c.field in field_nodes
        ]

    @strawberry.field(
        description="Kennzahlen eines Netzwerks über die Zeit, für eine Statistikseite: Mitglieder nach Rolle und "
        "Grundlage, Beitritte je Jahr, Projekte je Handlungsfeld, Stand und Kreis, Übernahmen je Jahr. "
        "Nur Veröffentlichtes zählt."
    )
    async def network_stats(
        self,
        info: Info[Context, None],
        network: Annotated[str, strawberry.argument(description="ID des Netzwerks, z. B. 'smart-cities-schule'.")],
    ) -> NetworkStats:
        entity = await existing(info, network, Kind.NETWORK, "network", "Kein Netzwerk")
        store = info.context.store
        def compute() -> Any:
            facts = facts_for(store)
            return snapshot_memo.get(facts, ("networkStats", entity.id), lambda: network_stats(facts, entity.id))

        stats = await run_in_threadpool(compute)
        fields = await entities(info, [f for f, _ in stats.by_field], Kind.HANDLUNGSFELD)
        return NetworkStats(
            network=to_node(entity),
            members=stats.members,
            members_by_role=[RoleCount(role=MembershipRole(r), count=n) for r, n in stats.by_role],
            members_by_basis=[BasisCount(basis=MembershipBasis(b) if b else None, count=n) for b, n in stats.by_basis],
            joins_per_year=[YearCount(year=y, count=n) for y, n in stats.joins_per_year],
            joins_per_year_by_basis=[
                YearBasisCount(year=y, basis=MembershipBasis(b) if b else None, count=n)
                for y, b, n in stats.joins_by_year_and_basis
            ],
            projects=stats.projects,
            projects_by_handlungsfeld=[HandlungsfeldCount(handlungsfeld=to_node(fields[f]), projects=n)
                                       for f, n in stats.by_field if f in fields],
            projects_by_status=[StatusCount(status=ProjectStatus(s) if s else None, projects=n)
                                for s, n in stats.by_status],
            projects_by_kreis=[KreisCount(kreis=k, projects=n) for k, n in stats.by_kreis],
            adoptions_per_year=[YearCount(year=y, count=n) for y, n in stats.adoptions_per_year],
            gaps_by_kreis=[KreisGaps(kreis=k, handlungsfelder=[to_node(fields[f]) for f in missing if f in fields])
                           for k, missing in stats.gaps_by_kreis],
        )


def _search(info: Info[Context, None]) -> Any:
    """The app's search service; UNAVAILABLE while it is not ready (or without an app)."""
    request = info.context.request
    state = getattr(request.app.state, "schule", None) if request is not None else None
    search = getattr(state, "search", None)
    if search is None:
        raise refuse(Code.UNAVAILABLE, "Die Suche ist gerade nicht bereit; bitte gleich noch einmal versuchen.")
    return search
