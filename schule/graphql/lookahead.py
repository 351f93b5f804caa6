"""Which neighbours a query will ask for, read before its fields ask (``Loaders.read_around``).

graphql-core resolves a query level by level; each level's lookups are one batched store call in a
worker thread (``loaders.py``). A project's detail page (the project; its communes, contacts,
lessons and adoptions; the lessons' authors) so took three hops to a worker thread and back, and
under load each hop waits in the queue again. Its root field knows from the selection what the
levels below will ask for: ``plan`` turns the selected fields into the edges to read, and one
worker-thread call reads them all and primes the loaders. The fields themselves do not change:
they ask their loaders as before and find the answers there. Fields not in a table are resolved as
before, level by level. A fragment's fields count as selected whatever its type condition (reading a
relation no field then asks for costs little; missing one costs a step), and so do fields under
``@skip``/``@include``. The walk reads graphql-core's syntax tree of the request directly:
Strawberry's ``info.selected_fields`` would first convert the whole subtree, with every argument
and directive (~7 % of a project detail's GraphQL CPU), to read a few names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, SelectionNode
from strawberry.types import Info

from schule.domain.model import Rel
from schule.graphql.loaders import Plan
from schule.store.neighbourhood import Direction

# Per type: GraphQL field -> (the edges its resolver follows, the table of the type at their end)
Around = Mapping[str, tuple[Direction, "Around"]]

LESSON: Around = {
    "author": ((Rel.AUTHORED_BY, False), {}),
    "handlungsfelder": ((Rel.IN_FIELD, False), {}),
}
PROJECT: Around = {
    "communes": ((Rel.LOCATED_IN, False), {}),
    "handlungsfelder": ((Rel.IN_FIELD, False), {}),
    "contacts": ((Rel.CONTACT, False), {}),
    "adaptedFrom": ((Rel.ADAPTED_FROM, False), {}),
    "lessons": ((Rel.LEARNED_IN, True), LESSON),
    "adaptations": ((Rel.ADAPTED_FROM, True), {}),
}
COMMUNE: Around = {
    "people": ((Rel.WORKS_FOR, True), {}),
    "memberships": ((Rel.MEMBER_OF, False), {}),  # the networks come with the edges
    "events": ((Rel.ORGANISED_BY, True), {}),
    "projects": ((Rel.LOCATED_IN, True), {}),
}


def plan(info: Info[Any, Any], around: Around) -> Plan:
    """The neighbourhood the selection of the current field will read, by ``around``."""
    raw = info._raw_info
    out: Plan = {}
    for node in raw.field_nodes:
        if node.selection_set is not None:
            _add(node.selection_set.selections, raw.fragments, around, out)
    return out


def _add(
    selections: Iterable[SelectionNode], fragments: Mapping[str, FragmentDefinitionNode], around: Around, out: Plan
) -> None:
    for selection in selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name in around and selection.selection_set is not None:
                direction, below = around[name]
                _add(selection.selection_set.selections, fragments, below, out.setdefault(direction, {}))
        elif isinstance(selection, InlineFragmentNode):
            _add(selection.selection_set.selections, fragments, around, out)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:  # validation refuses unknown fragments and cycles
                _add(fragment.selection_set.selections, fragments, around, out)
