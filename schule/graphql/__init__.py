"""The GraphQL API: one package per domain; ``schema.py`` merges them."""
