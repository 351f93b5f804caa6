"""Adoptions as records: a commune adopting another commune\x27s project, and how it went."""
