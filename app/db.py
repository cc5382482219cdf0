"""SQLAlchemy 2 engine and session for the app: one session per request, SQLite in WAL with foreign keys."""
from __future__ import annotations

import time
from contextlib import contextmanager

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker


class Base(DeclarativeBase):
    pass


_session_factory = sessionmaker(expire_on_commit=False)
# One session per thread (gunicorn sync workers); removed at the end of every request.
session: scoped_session[Session] = scoped_session(_session_factory)
_engine: Engine | None = None


# PostgreSQL's text cannot hold the NUL character (every statement carrying one fails, so a client
# that retries would fail forever), and no field of ours means anything by it. Every text parameter
# of every statement, ORM or Core, on either database, has its NULs replaced by U+FFFD before it is
# sent: one rule for every column fed from input (file names, device ids, usernames tried, CSV cells).
NUL, NUL_REPLACEMENT = "\x00", "\ufffd"


def without_nul(value):  # noqa: ANN001, ANN201
    return value.replace(NUL, NUL_REPLACEMENT) if isinstance(value, str) and NUL in value else value


def _clean_parameters(parameters):  # noqa: ANN001, ANN202
    if isinstance(parameters, dict):
        if any(isinstance(v, str) and NUL in v for v in parameters.values()):
            return {k: without_nul(v) for k, v in parameters.items()}
        return parameters
    if isinstance(parameters, (list, tuple)):
        if any(isinstance(p, (dict, list, tuple)) for p in parameters):  # executemany
            return type(parameters)(_clean_parameters(p) for p in parameters)
        if any(isinstance(v, str) and NUL in v for v in parameters):
            return type(parameters)(without_nul(v) for v in parameters)
    return parameters


def _no_nul_characters(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _clean(_conn, _cursor, statement, parameters, _context, _executemany):  # noqa: ANN001
        return statement, _clean_parameters(parameters)


# Ids in every table are 32-bit integers (PostgreSQL INTEGER): a number beyond them names nothing, and
# sending it to the database is an error there ("integer out of range"; SQLite: OverflowError past
# 64 bits). Every id taken from input goes through database_id().
DB_INT_MAX = 2_147_483_647


def database_id(value) -> int | None:  # noqa: ANN001
    """An id from input (URL, form field, uploaded file) as an int a row could have, else None:
    ASCII digits only (no sign, no spaces, no Thai digits), 1..DB_INT_MAX."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 10:
            return None
        number = int(text)
    return number if 1 <= number <= DB_INT_MAX else None


def make_engine(url: str) -> Engine:
    engine = _make_engine(url)
    _no_nul_characters(engine)
    return engine


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url)
    _ping_when_idle(engine)
    return engine


# A pooled connection that sat unused may have been closed by the server (a restart, an idle timeout
# of a proxy): it is tested before use, and replaced if dead. SQLAlchemy's pool_pre_ping does that
# on every checkout, a round trip per request; under load a connection is back in use within
# milliseconds, and each round trip costs a request thread a wait for the GIL behind the other
# threads (issue 12: 8 round trips per submission). So only a connection idle longer than this is
# tested; a restart while connections are busy fails those requests as any database error does.
IDLE_BEFORE_PING_S = 5.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):  # noqa: ANN001
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING_S:
            return  # new, or used a moment ago
        try:
            _ping(dbapi_conn)
        except Exception as e:  # noqa: BLE001 - any failure: the pool connects again and retries
            raise exc.DisconnectionError(f"idle connection is gone: {e}") from e


def _ping(dbapi_conn) -> None:  # noqa: ANN001
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(";")
    finally:
        cursor.close()
    dbapi_conn.rollback()


def configure(url: str) -> Engine:
    """Point the session at the database `url` (called by create_app and by scripts)."""
    global _engine
    session.remove()
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url)
    _session_factory.configure(bind=_engine)
    return _engine


def engine() -> Engine:
    assert _engine is not None, "db.configure() was not called"
    return _engine


@contextmanager
def transaction():
    """Commit the enclosed work as one unit, or roll all of it back."""
    s = session()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise


def init_app(app) -> None:  # noqa: ANN001
    configure(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def _remove_session(_exc):  # noqa: ANN001
        session.remove()
