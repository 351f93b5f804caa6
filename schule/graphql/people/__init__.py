"""GraphQL: people."""
