"""Persistence: the tables, the engine, schema upgrades, and the SQL, one module per aggregate."""
