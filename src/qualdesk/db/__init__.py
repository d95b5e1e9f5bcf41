"""Persistence: SQLModel tables, the engine set-up, schema upgrades and queries."""
