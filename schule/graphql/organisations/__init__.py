"""GraphQL: organisations."""
