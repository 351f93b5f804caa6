"""GraphQL search: German full-text search with facets, highlights and suggestions."""
