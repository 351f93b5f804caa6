"""Use cases. CLI commands and GraphQL resolvers are thin layers over these."""
