"""Trigram indexes for "find a group by any part of its name, code or village" on PostgreSQL.

A search for a substring (`ILIKE '%นาดี%'`) cannot use a b-tree index, and Thai text compares slowly:
a scan of 30,500 groups took ~200 ms. pg_trgm's GIN indexes answer the same ILIKE in ~1 ms (checked
with Thai text under C.UTF-8). The extension and the indexes are installed after every migration by
migrations/env.py (so `make migration-reset` keeps them; autogenerate cannot express an extension).
SQLite keeps its plain scan (a district's registry is small). Without the right to create the
extension the search still works, only slower; a warning says so.
"""
from __future__ import annotations

import logging

INDEXES = {
    "ix_registry_groups_name_trgm": ("registry_groups", "name"),
    "ix_registry_groups_code_trgm": ("registry_groups", "code"),
    "ix_villages_name_trgm": ("villages", "name_th"),
}


def install_search_indexes(connection) -> None:  # noqa: ANN001
    from sqlalchemy import inspect, text

    if connection.dialect.name != "postgresql":
        return
    tables = set(inspect(connection).get_table_names())
    if not {"registry_groups", "villages"} <= tables:
        return
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except Exception as e:  # noqa: BLE001 - no privilege: the search falls back to a scan
        logging.getLogger(__name__).warning("pg_trgm unavailable, group search will scan: %s", e)
        return
    for name, (table, column) in INDEXES.items():
        connection.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"))
