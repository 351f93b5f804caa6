"""What an operation will cost, estimated from the document before anything runs.

The cost of a selection is the sum over its fields of (how many times the field is resolved) times
(the field's weight), where "how many times" is the product of the list sizes along its path:

* a field with a ``first`` (or ``last``) argument returns a page of that size (its default when the
  argument is left out: ``DEFAULT_PAGE_SIZE`` for connections, the declared default for ``search``,
  ``similarProjects``). A list it returns directly is that long; a connection's ``edges`` and
  ``nodes`` (a search result's ``hits``) are. Sizes are clamped to ``0…MAX_PAGE_SIZE``: resolvers
  refuse anything larger before they fetch, with their own message;
* any other list of objects has no bound in the schema and counts with an assumed size: an entry's
  own links (``Project.communes``, ``Lesson.handlungsfelder``) as ``ASSUMED_FEW``, the collections
  of a commune, Handlungsfeld, network or organisation (``Commune.projects``: ``MANY_LISTS``) as
  ``ASSUMED_MANY``;
* weights: a scalar or enum field costs ``LEAF`` (lists of scalars such as ``tags`` too: they come
  with their entry), a field that fetches related entries (``Project.communes``, ``Lesson.project``)
  ``LINK`` per parent, a top-level list or lookup ``QUERY``, a count ``COUNT``, a full-text search
  ``SEARCH``; structure that costs nothing to build (``edges``, ``nodes``, ``Edge.node``,
  ``__typename``, the ``changes`` of a version or a revision, decoded from it) is free.
  Introspection is not counted here: it has its own limits (``limits.py``).

Fragments (inline or named) are added up as if every one applied (``@skip``/``@include`` are
ignored the same way), except that on a union or interface, fragments on different object types are
alternatives: an object has one type, so the most expensive type's fragments count. Still an upper
bound: the review queue asks for a project's or a lesson's fields, never both.

The estimate runs in ``on_execute`` (``CostLimit``), after validation, so that the variables are
known: ``first: $n`` costs what ``$n`` says, not the worst case (a validation rule could not see
them, and validation results are cached per document). A variable that is missing or not an integer
counts as the largest page; execution would refuse such a value anyway.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from threading import Lock
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType as ExecutedType

from schule.auth.identity import Identity
from schule.auth.middleware import client_address, identity_of
from schule.auth.ratelimit import RateLimiter
from schule.domain.problems import Code, Problem
from schule.graphql.errors import problem_extensions
from schule.graphql.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

log = logging.getLogger("schule.graphql")

# The most an operation may cost. 29 aliases of a four-level nested list (the abuse that stalled
# the server) estimate at ~38 million; the web pages' heaviest documents at ~2,800 (the review
# queue with 50 entries); a list of 100 projects with their communes, Handlungsfelder and lessons
# at ~4,700.
BUDGET = 10_000

LEAF = 1
LINK = 5
QUERY = 10
COUNT = 10
SEARCH = 50
MUTATION = 10
ASSUMED_FEW = 5
ASSUMED_MANY = 20
# Lists that grow with the network: a commune's projects, not a project's communes.
MANY_LISTS = frozenset({
    "Commune.projects", "Commune.people", "Commune.events",
    "Handlungsfeld.projects", "Handlungsfeld.lessons", "Handlungsfeld.children",
    "Network.members", "Network.events",
    "Organisation.people", "Organisation.events",
})

PAGE_ARGUMENTS = ("first", "last")
# Lists whose length is the page size of the field above them.
PAGE_LISTS = frozenset({"edges", "nodes", "hits"})
# Built in memory from what the field above fetched.
FREE = frozenset({"edges", "nodes", "node", "hits", "pageInfo", "__typename"})
# ... except where such a name fetches: a search hit's entry (batched, like any link)
LINKS = frozenset({"SearchHit.node"})
# Lists of objects decoded from the object above them (a version's or a revision's field changes):
# the list costs nothing to build, its items what they select.
EMBEDDED = frozenset({"EntryVersion.changes", "EntryRevision.changes"})
COUNTS = frozenset({"totalCount", "reviewQueueCount"})
SEARCHES = frozenset({"search", "similarProjects"})
# Top-level fields that do more than one lookup: ``experts`` runs a search per kind of evidence
# (projects, lessons, adoption records, people), the others aggregate over the whole network in memory.
ROOT_WEIGHTS = {"experts": 4 * SEARCH, "recommendations": 2 * QUERY, "networkStats": 2 * QUERY,
                "coverage": 2 * QUERY}
# Connections below an entry that run a list query of their own per parent (not batched like a link):
# a project's adoption records.
NESTED_QUERIES = frozenset({"Project.adaptationRecords"})
# Fields below an entry that run a full-text search of their own per parent: duplicate candidates.
NESTED_SEARCHES = frozenset({"Project.similar", "Lesson.similar"})
# Lists without ``first`` whose size is known to be larger than ASSUMED_MANY: coverage has a cell per
# group and Handlungsfeld (400 communes x 24 fields at the size the benchmarks use).
ASSUMED_SIZES = {"Query.coverage": 500}
# ... unless the filter names the groups it is grouped by (a commune page's gaps: ``groupBy: COMMUNE,
# filter: {communes: [$id]}``): then a row per named group, a cell per Handlungsfeld in each row.
ASSUMED_FIELDS = 24
PINNED_GROUPS = {"COMMUNE": "communes", "KREIS": "kreise", "REGION": "regions"}


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The estimated cost of the operation ``operation_name`` of a validated ``document``."""
    return _estimate(schema, document, operation_name, variables)[0]


def _estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> tuple[int, _Reading]:
    """The cost, and which variables the estimate read (with the operation's defaults)."""
    operation = _operation(document, operation_name)
    root = None if operation is None else {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if operation is None or root is None:
        return 0, _Reading({}, {})
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    reading = _Reading(defaults, variables or {})
    mutation = operation.operation is OperationType.MUTATION
    estimator = _Estimator(schema, fragments, reading, mutation)
    return estimator.selection(operation.selection_set, root, page=None, root=True), reading


class _Reading(Mapping[str, Any]):
    """The variables (over the operation's defaults) as the estimate reads them, noting which it
    read: the estimate depends on nothing else, so the same values there give the same cost."""

    def __init__(self, defaults: dict[str, Any], variables: Mapping[str, Any]) -> None:
        self.defaults = defaults
        self.variables = variables
        self.read: dict[str, None] = {}  # names in the order read

    def __getitem__(self, name: str) -> Any:
        self.read[name] = None
        if name in self.variables:
            return self.variables[name]
        return self.defaults[name]

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __bool__(self) -> bool:
        # graphql-core's ``value_from_ast_untyped`` skips ``get`` for empty variables: then a later
        # request that sends the variable would find the cost of one that did not
        return True

    def __iter__(self) -> Iterator[str]:
        return iter({**self.defaults, **self.variables})

    def __len__(self) -> int:
        return len({**self.defaults, **self.variables})


# Values a cached cost may be keyed by: page sizes and names. Anything larger (a coverage's filter
# with a long list, a string sent where a number belongs) is estimated afresh on every request, so
# that clients cannot fill the cache with big keys.
_KEYED = (int, float, bool, type(None))
_KEY_TEXT = 100


def _key(values: Iterator[Any]) -> Hashable | None:
    """The values as a key that tells ``1``, ``1.0`` and ``True`` apart; None if one is too big."""
    key = []
    for value in values:
        if not (isinstance(value, _KEYED) or value is _MISSING or (isinstance(value, str) and len(value) <= _KEY_TEXT)):
            return None
        key.append((type(value).__name__, value))
    return tuple(key)


@dataclass(eq=False)
class _Estimated:
    document: DocumentNode
    defaults: dict[str, Any]
    names: tuple[str, ...]  # the variables the estimate reads
    costs: dict[Hashable, int]  # by the values of those variables


class Estimates:
    """Costs already estimated, per document and operation, by the values of the variables the
    estimate reads (the page sizes, a coverage's groups): a page sends the same documents again and
    again, and estimating one walks its whole selection (~15 % of a project detail's GraphQL CPU).

    A document is known by identity: ``documents.PrepareDocuments`` hands out one object per query
    text (the entry keeps it, so its id cannot be reused while cached). At most ``maxsize``
    operations with ``per_operation`` variable values each; the least recently used go first."""

    def __init__(self, maxsize: int = 256, per_operation: int = 64) -> None:
        self.maxsize = maxsize
        self.per_operation = per_operation
        self._entries: OrderedDict[tuple[int, str | None], _Estimated] = OrderedDict()
        self._lock = Lock()  # in-process callers (the web pages) execute from worker threads too

    def cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        key = (id(document), operation_name)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.document is not document:
                entry = None
            if entry is not None:
                self._entries.move_to_end(key)
                values = _Reading(entry.defaults, variables or {})
                values_key = _key(values.get(n, _MISSING) for n in entry.names)
                known = None if values_key is None else entry.costs.get(values_key)
                if known is not None:
                    return known
        cost, reading = _estimate(schema, document, operation_name, variables)
        names = tuple(reading.read)
        values_key = _key(reading.get(n, _MISSING) for n in names)
        if values_key is None:
            return cost
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.document is not document or entry.names != names:
                entry = self._entries[key] = _Estimated(document, reading.defaults, names, {})
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
            if len(entry.costs) >= self.per_operation:
                entry.costs.clear()
            entry.costs[values_key] = cost
        return cost


_MISSING = "\0missing"  # not a value JSON can send (no NUL in strings: json_input)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((op for op in operations if op.name is not None and op.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


class _Estimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        mutation: bool,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.mutation = mutation
        # cost is linear in the multiplier, so a fragment is costed once per (name, page size)
        self.memo: dict[tuple[str, int | None], int] = {}
        self.visiting: set[str] = set()

    def selection(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, page: int | None, root: bool = False
    ) -> int:
        """The cost of ``selection_set`` on one object of type ``parent``; ``page``: the page size
        set by the field above (for its ``edges``/``nodes``/``hits``)."""
        total = 0
        # on a union or interface, fragments on different object types are alternatives: each
        # object is of one type, so only the most expensive type's fragments count
        alternatives: dict[str, int] = {}
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, page, root)
                continue
            if isinstance(node, InlineFragmentNode):
                condition = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                cost = self.selection(node.selection_set, condition or parent, page, root)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                condition = self.schema.get_type(fragment.type_condition.name.value) if fragment else None
                cost = self.spread(node.name.value, page, root)
            else:
                continue
            if is_abstract_type(parent) and isinstance(condition, GraphQLObjectType) and condition is not parent:
                alternatives[condition.name] = alternatives.get(condition.name, 0) + cost
            else:
                total += cost
        return total + max(alternatives.values(), default=0)

    def spread(self, name: str, page: int | None, root: bool) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:
            return 0  # unknown fragments and cycles do not pass validation
        key = (name, page)
        if key not in self.memo:
            condition = self.schema.get_type(fragment.type_condition.name.value)
            if condition is None:
                return 0
            self.visiting.add(name)
            self.memo[key] = self.selection(fragment.selection_set, condition, page, root)
            self.visiting.discard(name)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, page: int | None, root: bool) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0  # __typename is free; introspection has its own limits
        definition = _field_definition(parent, name)
        if definition is None:
            return 0  # does not pass validation
        returned = get_named_type(definition.type)
        qualified = f"{parent.name}.{name}"
        weight = (LINK if qualified in LINKS else 0 if qualified in EMBEDDED else QUERY if qualified in NESTED_QUERIES
                  else SEARCH if qualified in NESTED_SEARCHES else self.weight(name, definition, root))
        if node.selection_set is None or is_leaf_type(returned):
            return weight
        size = self.page_size(node, definition)
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        if is_list:
            count = size if size is not None else page if (page is not None and name in PAGE_LISTS) else (
                (self.coverage_size(node) if qualified == "Query.coverage" else None)
                or ASSUMED_SIZES.get(f"{parent.name}.{name}")
                or (ASSUMED_MANY if f"{parent.name}.{name}" in MANY_LISTS else ASSUMED_FEW))
            child_page = None
        else:
            count = 1
            child_page = size  # a connection or search result: its page lists have this size
        return weight + count * self.selection(node.selection_set, returned, child_page)

    def weight(self, name: str, definition: GraphQLField, root: bool) -> int:
        if root and self.mutation:
            return MUTATION
        if name in SEARCHES and root:
            return SEARCH
        if name in ROOT_WEIGHTS and root:
            return ROOT_WEIGHTS[name]
        if name in COUNTS:
            return COUNT
        if name in FREE and not root:  # Query.node is a lookup
            return 0
        if is_leaf_type(get_named_type(definition.type)):
            return LEAF
        return QUERY if root else LINK

    def coverage_size(self, node: FieldNode) -> int | None:
        """Cells of a coverage whose filter names its groups (see ``PINNED_GROUPS``); None otherwise."""
        given = {a.name.value: a.value for a in node.arguments or ()}
        # graphql-core declares a dict but only calls ``get``: the reading mapping notes what it reads
        variables: Any = self.variables
        group_by, filter_ = (value_from_ast_untyped(given[n], variables) if n in given else None
                             for n in ("groupBy", "filter"))
        groups = filter_.get(PINNED_GROUPS.get(str(group_by), "")) if isinstance(filter_, dict) else None
        if not isinstance(groups, list) or not groups:
            return None
        return min(len(groups) * ASSUMED_FIELDS, ASSUMED_SIZES["Query.coverage"])

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The page size a field with ``first``/``last`` returns; None for other fields."""
        present = [a for a in PAGE_ARGUMENTS if a in definition.args]
        if not present:
            return None
        given = {a.name.value: a.value for a in node.arguments or ()}
        sizes = []
        for argument in present:
            value = self.value(given.get(argument))
            if value is None:
                continue  # not given: the default below
            if isinstance(value, int) and not isinstance(value, bool):
                sizes.append(value)
            else:
                sizes.append(MAX_PAGE_SIZE)  # not an integer: refused when run; count the worst case
        if not sizes:
            default = definition.args["first"].default_value if "first" in definition.args else None
            sizes.append(default if isinstance(default, int) else DEFAULT_PAGE_SIZE)
        return max(0, min(MAX_PAGE_SIZE, max(sizes)))

    def value(self, node: ValueNode | None) -> object:
        """An argument's value: a literal, or a variable's value (its default when not sent)."""
        if node is None or isinstance(node, NullValueNode):
            return None
        if isinstance(node, VariableNode):
            name = node.name.value
            return self.variables.get(name)
        if isinstance(node, IntValueNode):
            return int(node.value)
        return MAX_PAGE_SIZE


def _field_definition(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return parent.fields.get(name)
    return None  # unions have no fields but __typename


TOO_COMPLEX_MESSAGE = (
    "Die Abfrage ist zu aufwendig: geschätzte Kosten {cost}, erlaubt sind höchstens {budget}. Bitte fragen "
    "Sie weniger Einträge auf einmal ab (kleineres `first`), verschachteln Sie Listen weniger tief oder "
    "teilen Sie die Abfrage auf mehrere Anfragen auf."
)
RATE_LIMITED_MESSAGE = "Zu viele Abfragen; bitte in {wait} s erneut versuchen."


class CostLimit(SchemaExtension):
    """Checks an operation's estimated cost before it runs (``on_execute``, variables known):

    * over ``budget``: refused, ``extensions`` ``{"code": "TOO_COMPLEX", "cost": …, "budget": …}``;
    * a query asked over HTTP (the API or a web page) is charged its cost to the ``queries`` rate
      limit of its account, or of its address when anonymous: ``RATE_LIMITED`` with ``retryAfter``
      (seconds), which ``view.py`` answers with 429 and ``Retry-After``. Mutations have their own
      limit (``schule.auth``), in-process callers without a request none.

    Setting ``execution_context.result`` before yielding makes Strawberry skip execution: a refused
    operation never reaches a resolver.
    """

    def __init__(
        self, *, budget: int = BUDGET, queries: RateLimiter | None = None, estimates: Estimates | None = None
    ) -> None:
        self.budget = budget
        self.queries = queries
        self.estimates = estimates if estimates is not None else Estimates()

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.result:
            cost = self.estimates.cost(context.schema._schema, document, context.operation_name, context.variables)
            refusal = self._refusal(cost)
            if refusal is not None:
                context.result = ExecutionResult(data=None, errors=[refusal])
        yield

    def _refusal(self, cost: int) -> GraphQLError | None:
        if cost > self.budget:
            message = TOO_COMPLEX_MESSAGE.format(cost=_german(cost), budget=_german(self.budget))
            return GraphQLError(message, extensions={
                **problem_extensions(Problem(Code.TOO_COMPLEX, None, message)), "cost": cost, "budget": self.budget,
            })
        request = getattr(self.execution_context.context, "request", None)
        if self.queries is None or request is None or self.execution_context.operation_type is not ExecutedType.QUERY:
            return None
        wait = self.queries.take(_client_key(identity_of(request.scope), client_address(request.scope)),
                                 cost=max(1, cost))
        if not wait:
            return None
        log.info("query rate limit: %s must wait %d s", client_address(request.scope), wait)
        message = RATE_LIMITED_MESSAGE.format(wait=int(wait))
        return GraphQLError(message, extensions={
            **problem_extensions(Problem(Code.RATE_LIMITED, None, message)), "retryAfter": int(wait),
        })


def _client_key(identity: Identity, address: str) -> str:
    """Accounts are limited as themselves wherever they are; anonymous clients by address."""
    return f"account:{identity.account_id}" if identity.account_id else f"addr:{address}"


def _german(number: int) -> str:
    return f"{number:,}".replace(",", ".")
