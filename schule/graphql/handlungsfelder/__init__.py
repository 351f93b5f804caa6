"""GraphQL: handlungsfelder."""
