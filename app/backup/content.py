"""What a database holds, read the same way from a live snapshot, a backup file or a restored database:
rows per table (every table the database has — other issues add tables, nothing is listed by hand),
every attachment blob's size and SHA-256, the Alembic migration head. Works on any SQLAlchemy
connection, inside whatever transaction (snapshot) the caller opened."""
from __future__ import annotations

import hashlib
from typing import Iterator

from sqlalchemy import Connection, func, inspect, select, table, text

from app.backup.manifest import BlobEntry
from app.models import Blob

BLOB_TABLE = Blob.__table__


def table_names(conn: Connection) -> list[str]:
    return sorted(inspect(conn).get_table_names())


def table_counts(conn: Connection) -> dict[str, int]:
    return {name: conn.scalar(select(func.count()).select_from(table(name))) for name in table_names(conn)}


def non_empty_tables(conn: Connection) -> dict[str, int]:
    """Tables holding data; a schema made by `db upgrade` (alembic_version's one row) is empty."""
    found = {}
    for name in table_names(conn):
        if name == "alembic_version":
            continue
        if conn.execute(select(text("1")).select_from(table(name)).limit(1)).first() is not None:
            found[name] = conn.scalar(select(func.count()).select_from(table(name)))
    return found


def migration_head(conn: Connection) -> str | None:
    if "alembic_version" not in table_names(conn):
        return None
    return conn.scalar(text("SELECT version_num FROM alembic_version"))


def blob_entries(conn: Connection) -> Iterator[BlobEntry]:
    """Every blob with the SHA-256 of its bytes as they are now (PostgreSQL hashes on the server, so
    the bytes do not cross the wire; SQLite hashes here, streaming)."""
    if BLOB_TABLE.name not in table_names(conn):
        return
    b = BLOB_TABLE.c
    if conn.dialect.name == "postgresql":
        rows = conn.execution_options(yield_per=1000).execute(
            select(b.sha256, func.length(b.content), func.encode(func.sha256(b.content), "hex")))
        for key, size, digest in rows:
            yield BlobEntry(key, int(size), digest)
        return
    rows = conn.execution_options(yield_per=100).execute(select(b.sha256, b.content))
    for key, content in rows:
        content = bytes(content or b"")
        yield BlobEntry(key, len(content), hashlib.sha256(content).hexdigest())


def drop_all_tables(conn: Connection) -> None:
    """PostgreSQL back to an empty database after a restore that failed its checks (it was empty)."""
    for name in table_names(conn):
        conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
