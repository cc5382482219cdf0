"""SQLite: a snapshot through sqlite3's online backup API while the server writes (WAL: readers and the
backup never block writers), copied in one step so it is one read transaction — one point in time.
Restore copies the backup into the (empty) target through the same API."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.backup.problems import refuse


def database_path(url: str) -> Path:
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise refuse("sqlite_path", f"DATABASE_URL ต้องชี้ไปที่ไฟล์ SQLite ({url})",
                     f"DATABASE_URL must name a SQLite file ({url})")
    return Path(name)


def snapshot(url: str, dest: Path) -> dict:
    """Copy the live database at `url` into `dest` (a standalone file, no WAL) at one point in time."""
    source = database_path(url)
    if not source.is_file():
        raise refuse("database_missing", f"ไม่พบไฟล์ฐานข้อมูล {source}", f"database file not found: {source}")
    src = sqlite3.connect(str(source), timeout=60)
    dst = sqlite3.connect(str(dest))
    try:
        # pages=-1 (all in one step): a single read transaction, so one consistent point in time
        # even while other connections commit (WAL lets them go on meanwhile).
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        dst.commit()
    finally:
        dst.close()
        src.close()
    return {"kind": "sqlite", "file": dest.name, "server_version": sqlite3.sqlite_version,
            "tool": f"sqlite3 online backup API (SQLite {sqlite3.sqlite_version})"}


@contextmanager
def reading(path: Path) -> Iterator[Connection]:
    """A read-only SQLAlchemy connection to a SQLite file (a backup or a snapshot)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def check_integrity(path: Path) -> str | None:
    """None when SQLite finds the file sound, else what it says is wrong."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        return str(e)
    result = "; ".join(str(r[0]) for r in rows[:5])
    return None if result == "ok" else result


def restore(backup_file: Path, url: str) -> None:
    """Copy the backup into the target database file (created when missing)."""
    target = database_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{quote(str(backup_file.resolve()))}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target), timeout=60)
    try:
        src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


def wipe(url: str) -> None:
    """Make the target an empty database again (after a restore that failed its checks)."""
    empty = sqlite3.connect(":memory:")
    dst = sqlite3.connect(str(database_path(url)), timeout=60)
    try:
        empty.backup(dst)
    finally:
        dst.close()
        empty.close()
