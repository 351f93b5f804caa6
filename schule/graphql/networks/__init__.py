"""GraphQL: networks."""
