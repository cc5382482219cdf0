"""GET /healthz tells the proxy in front of several app servers whether to send users to this one."""
from __future__ import annotations

from app import db


def test_a_ready_server_answers_ok_without_a_session_or_a_cookie(anon_client):
    r = anon_client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json()["status"] == "ok" and r.get_json()["database"] == "ok"
    assert r.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in r.headers


def test_a_database_with_another_schema_is_reported_in_thai_and_english(anon_client, monkeypatch):
    import app.health as health

    monkeypatch.setattr(health, "expected_schema", lambda: "0099")
    r = anon_client.get("/healthz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "schema_mismatch" and body["expected_schema"] == "0099"
    assert "db upgrade" in body["message_en"] and "ฐานข้อมูล" in body["message_th"]


def test_a_server_that_lost_its_database_answers_503_not_500(app, admin_client, tmp_path):
    """Even with a signed-in session's cookie: the user cannot be looked up either, and the health
    check must not try (it would answer the 500 error page)."""
    url = app.config["DATABASE_URL"]
    db.configure(f"sqlite:///{tmp_path / 'no-such-folder' / 'gone.db'}")  # a database that cannot be opened
    try:
        r = admin_client.get("/healthz")
    finally:
        db.configure(url)
    assert r.status_code == 503
    assert r.get_json()["status"] == "database_unavailable"
    assert "ฐานข้อมูล" in r.get_json()["message_th"] and "database" in r.get_json()["message_en"]
