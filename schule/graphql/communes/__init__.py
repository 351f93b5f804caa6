"""GraphQL: communes."""
