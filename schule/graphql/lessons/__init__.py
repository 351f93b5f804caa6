"""GraphQL: lessons."""
