"""Test fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), emptied before every test; paths to the shared XLSForm corpus."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app, db
from app.db import Base

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CHUMCHON_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "xlsform-corpus" / "dev"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    from app.migrate import upgrade

    if url.startswith("postgresql"):
        # Start from an empty schema so the migrations themselves are what is tested.
        eng = db.make_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        eng.dispose()
    upgrade(url)
    return url


def _empty_all_tables() -> None:
    s = db.session()
    for table in reversed(Base.metadata.sorted_tables):
        s.execute(table.delete())
    s.commit()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_DIR": tmp_path})
    with app.app_context():
        _empty_all_tables()
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def corpus() -> Path:
    assert CORPUS.is_dir(), f"shared XLSForm corpus not found at {CORPUS}"
    return CORPUS
