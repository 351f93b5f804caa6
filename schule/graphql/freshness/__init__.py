"""Freshness: when an entry was last confirmed true, confirming it, and listing stale ones."""
