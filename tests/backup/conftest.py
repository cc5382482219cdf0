"""Fixtures for the backup tests: databases of their own (a SQLite file, or a PostgreSQL database on the
server of TEST_DATABASE_URL) that a test may delete as a dying disk would, and the CLI run in-process.

These tests do not use the shared `app` fixture: they delete and restore whole databases."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app, db
from app.migrate import upgrade
from tests.conftest import TEST_CONFIG

THAI = re.compile(r"[\u0E00-\u0E7F]")


class Database:
    """One database of the test's kind: `url`, `delete()` (the disk died: nothing left, then for
    PostgreSQL an empty database as the restore drill creates), `drop()` at the end."""

    def __init__(self, tmp_path: Path, label: str, create: bool = True):
        base = os.environ.get("TEST_DATABASE_URL", "")
        if base.startswith("postgresql"):
            self.kind = "postgresql"
            self._admin_url = base
            u = make_url(base)
            self.name = f"{u.database}_{label}_{uuid.uuid4().hex[:8]}"
            self.url = u.set(database=self.name).render_as_string(hide_password=False)
            if create:
                self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.kind = "sqlite"
            self.path = tmp_path / f"{label}.db"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, sql: str) -> None:
        engine = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()

    def migrate(self) -> Database:
        upgrade(self.url)
        return self

    def release(self) -> None:
        """Close every connection this process holds to it (the app's pool)."""
        db.session.remove()
        try:
            db.engine().dispose()
        except AssertionError:
            pass

    def delete(self) -> None:
        self.release()
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            assert not self.path.exists()
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self.release()
        if self.kind == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def exists(self) -> bool:
        if self.kind == "sqlite":
            return self.path.exists()
        engine = create_engine(self._admin_url)
        try:
            with engine.connect() as conn:
                return bool(conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": self.name}))
        finally:
            engine.dispose()

    def engine(self):  # noqa: ANN201
        return db.make_engine(self.url)


@pytest.fixture
def new_database(tmp_path):
    """new_database(label, create=True) -> Database (dropped after the test). create=False: a name only
    (PostgreSQL: no such database on the server; SQLite: no file), for restores refused before any
    connection."""
    made: list[Database] = []

    def make(label: str, create: bool = True) -> Database:
        d = Database(tmp_path, label, create)
        made.append(d)
        return d

    yield make
    for d in made:
        d.drop()


def app_on(url: str, instance: Path):  # noqa: ANN201
    return create_app({**TEST_CONFIG, "DATABASE_URL": url, "INSTANCE_DIR": instance})


def run_cli(app, *args: str):  # noqa: ANN001, ANN201
    """`flask --app wsgi <args>` against `app`, in-process. Any exception but SystemExit fails the
    test: the commands must answer with messages, never a traceback."""
    result = app.test_cli_runner().invoke(args=[str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"`{' '.join(map(str, args))}` raised {result.exception!r}:\n{result.output}") \
            from result.exception
    assert "Traceback" not in result.output
    return result


def only_backup_in(directory: Path) -> Path:
    found = [p for p in directory.iterdir() if p.is_dir()]
    assert len(found) == 1, found
    return found[0]
