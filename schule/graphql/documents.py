"""Each query text parsed and validated once: one bounded cache per schema, keyed by the text.

A page sends the same few documents again and again. Strawberry's ``ParserCache`` already kept the
parsed document per text, but its ``ValidationCache`` keys on the parsed document, and graphql-core
hashes a document by walking its whole syntax tree on every request (~130 node hashes for a project
detail page, ~6 % of its GraphQL CPU). Here the text is the key for both: a hit gives the document
and its validation errors without walking anything, and one extension replaces the four that
limited tokens, added our validation rules and cached parsing and validation (fewer hooks to enter
for every phase of every request).

What is checked does not change: a text is parsed with the token limit (``limits.MAX_TOKENS``), a
syntax error or a text over the limit is raised as before and never cached; validation runs the
standard rules, Strawberry's own and ours (``limits.py``), once per text and rule set, and its
errors (none for a valid document) are kept with the text. The cost estimate, which depends on the
variables, is cached apart (``cost.Estimates``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from threading import Lock

from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

DEFAULT_MAXSIZE = 256


@dataclass(eq=False)
class Prepared:
    """A query text's document and, once validated, its validation errors (by rule set)."""

    document: DocumentNode
    rules: tuple[type[ASTValidationRule], ...] | None = None
    errors: list[GraphQLError] = field(default_factory=list)


class Documents:
    """The most recently used query texts and what was worked out for them; at most ``maxsize``,
    so that a client sending ever new texts cannot grow it (each text is at most a request body)."""

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, Prepared] = OrderedDict()
        # the web pages execute from worker threads too; a dict's move and pop are not one step
        self._lock = Lock()

    def get(self, text: str) -> Prepared | None:
        with self._lock:
            prepared = self._entries.get(text)
            if prepared is not None:
                self._entries.move_to_end(text)
            return prepared

    def add(self, text: str, document: DocumentNode) -> Prepared:
        with self._lock:
            prepared = self._entries.get(text)
            if prepared is None:  # another request may have parsed the same text meanwhile
                prepared = self._entries[text] = Prepared(document)
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
            return prepared

    def __len__(self) -> int:
        return len(self._entries)


class PrepareDocuments(SchemaExtension):
    """Parses (with the token limit) and validates (with ``rules`` added to the standard ones) each
    query text once; later requests with the same text take the document and its errors from
    ``documents``. Pass it as a factory (a fresh instance per request, one ``Documents`` shared)."""

    def __init__(
        self, *, documents: Documents, rules: Sequence[type[ASTValidationRule]], max_tokens: int
    ) -> None:
        self.documents = documents
        self.rules = tuple(rules)
        self.max_tokens = max_tokens
        self._prepared: Prepared | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            prepared = self.documents.get(context.query)
            if prepared is None:
                # a syntax error or too many tokens raises here, as Strawberry's own parsing would
                document = parse(context.query, max_tokens=self.max_tokens)
                prepared = self.documents.add(context.query, document)
            context.graphql_document = prepared.document
            self._prepared = prepared
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        rules = (*context.validation_rules, *self.rules)
        prepared = self._prepared
        if prepared is None or prepared.document is not context.graphql_document:
            # a document handed in already parsed: validated every time, as without a cache
            assert context.graphql_document is not None
            context.pre_execution_errors = validate_document(context.schema._schema, context.graphql_document, rules)
        else:
            if prepared.rules != rules:
                prepared.errors = validate_document(context.schema._schema, prepared.document, rules)
                prepared.rules = rules
            context.pre_execution_errors = list(prepared.errors)
        yield
