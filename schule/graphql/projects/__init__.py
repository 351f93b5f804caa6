"""GraphQL: projects."""
