"""What the URL of a list (``/projekte``, ``/erkenntnisse``) and of its Atom feed asks for.

The list page and its feed read the same query string, so a member who filters the page can follow
exactly that selection: ``/projekte?kreis=Kreis+Olpe&hf=mobilitaet&sortierung=titel&seite=2`` and
``/projekte.atom?kreis=Kreis+Olpe&hf=mobilitaet`` (the feed ignores sort and page: newest first).
Each facet has a short German parameter that may repeat (values of one facet are ORed, facets
ANDed, as in the API's filters). Anything the page cannot honour is a ``BadListRequest`` with a
German message saying what to fix (a 400), never a silently different list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from schule.web.rendering import query_string

PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_VALUES_PER_FACET = 20
MAX_VALUE_CHARS = 120


class BadListRequest(Exception):
    """A parameter of a list URL that cannot be honoured; the message says what to fix (German)."""


@dataclass(frozen=True)
class Facet:
    param: str                       # URL parameter
    title: str                       # heading on the page
    choices: dict[str, str] | None   # allowed URL values -> label; None: any value (ids, names)
    single: bool = False             # at most one value


@dataclass(frozen=True)
class Sort:
    param: str       # value of ``sortierung``
    label: str
    api: str         # the API's sort enum value


@dataclass(frozen=True)
class ListKind:
    """One kind of list: its path, its facets and sorts, and how they become the API's filter."""

    path: str
    title: str
    facets: tuple[Facet, ...]
    sorts: tuple[Sort, ...]

    @property
    def default_sort(self) -> Sort:
        return self.sorts[0]


PROJECT_STATUS = {
    "idea": "Idee", "planning": "in Planung", "implementation": "in Umsetzung", "operation": "in Betrieb",
    "completed": "abgeschlossen", "stopped": "eingestellt",
}
NETWORK_ROLE = {"pioneer": "Pionierkommunen", "mitmacher": "Mitmacherkommunen", "supporter": "Unterstützer",
                "member": "Weitere Mitglieder"}
LESSON_TYPES = {"success": "Erfolg", "pitfall": "Stolperstein", "recommendation": "Empfehlung"}
NEWEST = Sort("neu", "Neueste zuerst", "UPDATED_DESC")
BY_TITLE = Sort("titel", "Titel (A–Z)", "TITLE_ASC")

PROJECTS = ListKind(
    path="/projekte",
    title="Projekte",
    facets=(
        Facet("hf", "Handlungsfeld", None),
        Facet("kreis", "Kreis", None),
        Facet("region", "Region", None),
        Facet("status", "Stand", PROJECT_STATUS),
        Facet("schlagwort", "Schlagwort", None),
        Facet("netzwerk", "Netzwerk", None, single=True),
        Facet("rolle", "Rolle im Netzwerk", NETWORK_ROLE),
    ),
    sorts=(NEWEST, BY_TITLE, Sort("uebernahmen", "Am häufigsten übernommen", "ADOPTIONS_DESC"),
           Sort("beginn", "Zuletzt begonnen", "STARTED_DESC")),
)
LESSONS = ListKind(
    path="/erkenntnisse",
    title="Erkenntnisse",
    facets=(
        Facet("hf", "Handlungsfeld", None),
        Facet("kommune", "Kommune", None),
        Facet("art", "Art", LESSON_TYPES),
    ),
    sorts=(NEWEST, BY_TITLE),
)


@dataclass(frozen=True)
class ListRequest:
    kind: ListKind
    selected: dict[str, list[str]]   # URL parameter -> values, in the kind's facet order
    sort: Sort
    page: int

    @classmethod
    def parse(cls, kind: ListKind, params: QueryParams) -> ListRequest:
        """The request, or ``BadListRequest``. Unknown parameters are ignored (links from elsewhere
        may carry tracking parameters); known ones must make sense."""
        selected: dict[str, list[str]] = {}
        for facet in kind.facets:
            values = list(dict.fromkeys(v.strip() for v in params.getlist(facet.param) if v.strip()))
            if not values:
                continue
            if len(values) > MAX_VALUES_PER_FACET:
                raise BadListRequest(f"Höchstens {MAX_VALUES_PER_FACET} Werte für „{facet.title}“ ({facet.param}), "
                                     f"nicht {len(values)}.")
            if facet.single and len(values) > 1:
                raise BadListRequest(f"Bitte nur einen Wert für „{facet.title}“ ({facet.param}) angeben.")
            for value in values:
                if len(value) > MAX_VALUE_CHARS:
                    raise BadListRequest(f"Der Wert für „{facet.title}“ ({facet.param}) ist zu lang "
                                         f"(höchstens {MAX_VALUE_CHARS} Zeichen).")
                if facet.choices is not None and value not in facet.choices:
                    raise BadListRequest(f"Unbekannter Wert „{value}“ für „{facet.title}“ ({facet.param}); erlaubt: "
                                         + ", ".join(facet.choices) + ".")
            selected[facet.param] = values
        if "rolle" in selected and "netzwerk" not in selected:
            raise BadListRequest("„Rolle im Netzwerk“ (rolle) braucht ein Netzwerk (netzwerk=…).")
        sort_param = params.get("sortierung", "").strip()
        sorts = {s.param: s for s in kind.sorts}
        if sort_param and sort_param not in sorts:
            raise BadListRequest(f"Unbekannte Sortierung „{sort_param[:40]}“; erlaubt: {', '.join(sorts)}.")
        raw_page = params.get("seite", "1").strip() or "1"
        if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
            raise BadListRequest(f"Die Seite (seite) muss eine ganze Zahl von 1 bis {MAX_PAGE} sein, "
                                 f"nicht „{raw_page[:20]}“.")
        return cls(kind, selected, sorts.get(sort_param, kind.default_sort), int(raw_page))

    # -- the API's filters ------------------------------------------------------------------
    def api_filter(self) -> dict[str, Any] | None:
        s = self.selected
        if self.kind is PROJECTS:
            out: dict[str, Any] = {
                "handlungsfelder": s.get("hf"), "kreise": s.get("kreis"), "regions": s.get("region"),
                "status": [v.upper() for v in s["status"]] if "status" in s else None, "tags": s.get("schlagwort"),
            }
            if "netzwerk" in s:
                out["network"] = {"network": s["netzwerk"][0],
                                  "roles": [v.upper() for v in s["rolle"]] if "rolle" in s else None}
        else:
            out = {"handlungsfelder": s.get("hf"), "communes": s.get("kommune"),
                   "types": [v.upper() for v in s["art"]] if "art" in s else None}
        out = {k: v for k, v in out.items() if v}
        return out or None

    def search_filter(self) -> dict[str, Any]:
        """The same selection as a filter of the search (its facet counts): only the facets the search
        knows; ``counts_exact`` says whether that is all of them."""
        s = self.selected
        if self.kind is PROJECTS:
            out = {"kinds": ["PROJECT"], "handlungsfelder": s.get("hf"), "kreise": s.get("kreis"),
                   "regions": s.get("region"), "statuses": s.get("status")}
        else:
            out = {"kinds": ["LESSON"], "communes": s.get("kommune")}
        return {k: v for k, v in out.items() if v}

    @property
    def counts_exact(self) -> bool:
        """Do the search's facet counts count exactly this list (no filter the search lacks)?"""
        search_knows = {"hf", "kreis", "region", "status"} if self.kind is PROJECTS else {"kommune"}
        return set(self.selected) <= search_knows

    # -- URLs ------------------------------------------------------------------------------------
    def params(self, *, page: int = 1, sort: Sort | None = None,
               toggle: tuple[str, str] | None = None, clear: str | None = None) -> dict[str, Any]:
        selected = {k: list(v) for k, v in self.selected.items() if k != clear}
        if toggle is not None:
            param, value = toggle
            values = selected.setdefault(param, [])
            if value in values:
                values.remove(value)
            elif param == "netzwerk":
                selected["netzwerk"] = [value]
                selected.pop("rolle", None)   # roles of another network do not carry over
            else:
                values.append(value)
            if param == "netzwerk" and not selected.get("netzwerk"):
                selected.pop("rolle", None)
        out: dict[str, Any] = dict(selected)
        sort = sort or self.sort
        if sort is not self.kind.default_sort:
            out["sortierung"] = sort.param
        if page > 1:
            out["seite"] = str(page)
        return out

    def url(self, **changes: Any) -> str:
        """This list's URL with a change: ``page=``, ``sort=``, ``toggle=(param, value)``, ``clear=param``
        (a changed selection or sort starts again on page 1)."""
        return self.kind.path + query_string(self.params(**changes))

    def feed_url(self) -> str:
        """The Atom feed of this selection (sort and page do not apply: a feed is newest first)."""
        return self.kind.path + ".atom" + query_string(dict(self.selected))
