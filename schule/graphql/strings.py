"""A validation rule: string literals in a GraphQL document must be storable text.

GraphQL's own escapes (``"a\\u0000b"``) put a NUL or, in some parsers, a lone surrogate into an
argument value, past the JSON checks of the HTTP layer (``json_input``): a NUL ends strings early in
the database's C code, and a lone surrogate cannot be encoded as UTF-8 anywhere downstream. Refused
while validating, so no resolver ever sees such a value; variables are checked by the view."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

from schule.json_input import text_problem


class StorableStringsRule(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        reason = text_problem(node.value)
        if reason:
            self.report_error(
                GraphQLError(f"Ein Text in der Abfrage {reason}; bitte entfernen.", node,
                             extensions={"code": "BAD_REQUEST"})
            )
