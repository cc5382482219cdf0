"""Pooled PostgreSQL connections: one the server closed while it sat idle (a restart, a proxy's idle
timeout) is replaced before use, so the next page still answers; one in steady use is not tested
before every request (app/db.py _ping_when_idle: the test was a round trip per request)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from app import db


@pytest.fixture
def postgres(app):
    if db.engine().dialect.name != "postgresql":
        pytest.skip("the pool's idle test is for PostgreSQL (SQLite has no server to lose)")
    return app


def _backend_pids() -> set[int]:
    pool = db.engine().pool
    pids = set()
    for record in list(getattr(pool, "_pool").queue):
        raw = record.dbapi_connection
        if raw is not None:
            pids.add(raw.info.backend_pid)
    return pids


def test_a_connection_killed_while_idle_is_replaced_and_the_page_answers(postgres, admin_client, monkeypatch):
    assert admin_client.get("/api/v1/forms").status_code == 200
    db.session.remove()
    pids = _backend_pids()
    assert pids, "the request's connection went back to the pool"
    killer = create_engine(db.engine().url)
    with killer.begin() as c:
        for pid in pids:
            assert c.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    killer.dispose()
    monkeypatch.setattr("app.db.IDLE_BEFORE_PING_S", 0.0)  # the pool's connections count as idle
    r = admin_client.get("/api/v1/forms")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert not (_backend_pids() & pids), "the dead connection was replaced"


def test_a_connection_is_tested_only_after_sitting_idle(postgres, admin_client, monkeypatch):
    import app.db as app_db

    pings = []
    real = app_db._ping
    monkeypatch.setattr(app_db, "_ping", lambda conn: (pings.append(1), real(conn)))
    for _ in range(5):  # one after another: the connection is back in use within milliseconds
        assert admin_client.get("/api/v1/forms").status_code == 200
        db.session.remove()
    assert pings == []
    monkeypatch.setattr(app_db, "IDLE_BEFORE_PING_S", 0.0)  # now every pooled connection has sat "long"
    for _ in range(3):
        assert admin_client.get("/api/v1/forms").status_code == 200
        db.session.remove()
    assert len(pings) >= 3
