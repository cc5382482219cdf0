"""Test fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), emptied before every test; paths to the shared XLSForm corpus.

Accounts: `client` is anonymous (test modules that need a role override it, e.g.
`def client(admin_client): return admin_client`). `make_user(role, district=...)` creates an account
(Loei's districts are seeded: codes 4201..4214); `login(client, user_or_role, district=...)` signs a
test client in through the real sign-in page and makes it send the CSRF header on every request.
`admin_client`, `province_client`, `district_client` (4201), `officer_client` (4201) are ready-made."""
from __future__ import annotations

import itertools
from contextlib import contextmanager
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app, db
from app.db import Base

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CHUMCHON_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "xlsform-corpus" / "dev"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _postgres_admin(url: str, sql: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The test database: SQLite in this process's temporary folder, or PostgreSQL. With pytest-xdist
    (`make test` runs two workers) each worker gets a database of its own: on PostgreSQL one named
    after TEST_DATABASE_URL's and the worker, created here and dropped at the end."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    from app.migrate import upgrade

    own = None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url.startswith("postgresql") and worker:
        from sqlalchemy.engine import make_url

        base = make_url(url)
        own = f"{base.database}_{worker}"
        _postgres_admin(url, f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
        _postgres_admin(url, f'CREATE DATABASE "{own}"')
        admin_url, url = url, base.set(database=own).render_as_string(hide_password=False)
    if url.startswith("postgresql"):
        # Start from an empty schema so the migrations themselves are what is tested.
        eng = db.make_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        eng.dispose()
    upgrade(url)
    yield url
    if own is not None:
        db.session.remove()
        _postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')


def _empty_all_tables() -> None:
    # Through a plain connection: the ORM refuses to delete audit events (append-only), by design.
    # SQLite checks every deleted row's references one by one (a column such as superseded_by_id has no
    # index: 100,000 rows left by a test took minutes to delete); every table is emptied anyway, so the
    # checks are off for this connection while it does so (PostgreSQL: tests that leave many rows
    # TRUNCATE them, tests/reports/test_export_timeout.py).
    db.session.remove()
    with db.engine().connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside any transaction (else a no-op)
            conn.commit()
        try:
            with conn.begin():
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(table.delete())
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


TEST_PASSWORD = "test-password-123"
# Cheap argon2 parameters: the hashes are real argon2id, only faster to compute.
TEST_CONFIG = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "ARGON2_TIME_COST": 1,
               "ARGON2_MEMORY_KIB": 8, "ARGON2_PARALLELISM": 1}


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "INSTANCE_DIR": tmp_path})
    with app.app_context():
        _empty_all_tables()
        from app.auth.accounts import seed_districts

        seed_districts()
        yield app
        db.session.remove()


_user_numbers = itertools.count(1)


@pytest.fixture
def make_user(app):
    """make_user(role, district="4201", username=None, password=TEST_PASSWORD) -> User."""
    from app.auth.accounts import create_user

    def make(role: str = "officer", district: str | None = "4201", username: str | None = None,
             password: str = TEST_PASSWORD, province: str | None = None):
        name = username or f"{role}{next(_user_numbers)}"
        if role == "province":
            district, province = None, province or "42"
        elif role == "admin":
            district = None
        return create_user(name, name, role, password, district=district, province=province, actor="test")

    return make


def csrf_token_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def without_csrf(response) -> str:
    """A page's text with the session's CSRF token blanked: the token is timestamped (it changes from
    one second to the next), so two answers meant to be identical are compared without it."""
    text = response.get_data(as_text=True)
    return text.replace(csrf_token_of(text), "CSRF-TOKEN")


def sign_in(client, username: str, password: str = TEST_PASSWORD):
    """Sign `client` in through /signin; afterwards it sends the session's CSRF token as a header."""
    client.environ_base.pop("HTTP_X_CSRFTOKEN", None)
    token = csrf_token_of(client.get("/signin").get_data(as_text=True))
    r = client.post("/signin", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 303, f"sign-in of {username} failed: {r.status_code}"
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_of(client.get("/signin").get_data(as_text=True))
    return r


@pytest.fixture
def login(make_user):
    """login(client, "officer", district="4201") or login(client, user) -> the signed-in User."""

    def do(client, who="officer", district: str | None = "4201"):
        user = make_user(who, district=district) if isinstance(who, str) else who
        sign_in(client, user.username)
        client.user = user
        return user

    return do


@pytest.fixture
def anon_client(app):
    return app.test_client()


@pytest.fixture
def admin_client(app, login):
    c = app.test_client()
    login(c, "admin")
    return c


@pytest.fixture
def province_client(app, login):
    c = app.test_client()
    login(c, "province")
    return c


@pytest.fixture
def district_client(app, login):
    c = app.test_client()
    login(c, "district", district="4201")
    return c


@pytest.fixture
def officer_client(app, login):
    c = app.test_client()
    login(c, "officer", district="4201")
    return c


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def corpus() -> Path:
    assert CORPUS.is_dir(), f"shared XLSForm corpus not found at {CORPUS}"
    return CORPUS


@contextmanager
def as_in_production(app):
    """Requests made inside run as under gunicorn: each pushes and pops its own app context, so the
    teardown (db.session.remove()) runs when the view returns, before a streamed body is read. The
    `app` fixture's own app context would otherwise be reused and hide that."""
    from flask.globals import _cv_app

    outer = _cv_app.get(None)
    assert outer is not None and outer.app is app
    outer.pop()
    try:
        yield
    finally:
        outer.push()
