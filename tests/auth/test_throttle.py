"""Failed sign-ins per network address (app/auth/throttle.py): after 30 failures from one address in
15 minutes, that address gets a clear 429 (Thai and English, when to retry) for every account, even
with the right password; another address is not affected; an ODK Collect account whose credentials
were already verified keeps working."""
from __future__ import annotations

from datetime import timedelta

from app.auth import throttle
from app.models import utcnow
from tests.auth.conftest import basic
from tests.conftest import TEST_PASSWORD, csrf_token_of


def try_signin(client, username: str, password: str, ip: str):
    token = csrf_token_of(client.get("/signin").get_data(as_text=True))
    return client.post("/signin", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def test_an_address_with_many_failures_waits_and_says_until_when(app, make_user):
    victim = make_user("officer")
    collect = make_user("officer")
    client = app.test_client()
    # ODK Collect verified once from the office address before the attack
    assert client.get("/formList", headers=basic(collect), environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    for n in range(throttle.MAX_FAILURES):
        r = try_signin(client, f"nobody{n}", "wrong-password", "10.0.0.9")
        assert r.status_code == 401
    r = try_signin(client, victim.username, TEST_PASSWORD, "10.0.0.9")
    assert r.status_code == 429
    # Without PROXY_COUNT a forwarding header is not believed: naming another address changes nothing.
    token = csrf_token_of(client.get("/signin").get_data(as_text=True))
    spoofed = client.post("/signin", data={"username": victim.username, "password": TEST_PASSWORD, "csrf_token": token},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"}, headers={"X-Forwarded-For": "1.2.3.4"})
    assert spoofed.status_code == 429
    text = r.get_data(as_text=True)
    assert "ลองใหม่หลัง" in text and "try again after" in text
    # another address signs in as usual; the remembered Collect account still works from the throttled one
    assert try_signin(client, victim.username, TEST_PASSWORD, "10.0.0.10").status_code == 303
    assert client.get("/formList", headers=basic(collect), environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    # a password not yet verified, over Basic, from the throttled address: 429, not a password check
    other = make_user("officer")
    r = client.get("/formList", headers=basic(other), environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert r.status_code == 429 and "15" in r.get_data(as_text=True)


def test_the_wait_ends_when_the_oldest_failure_leaves_the_window(app):
    from app import db
    from app.auth.audit import Action
    from app.models import AuditEvent

    now = utcnow()
    for minutes in range(throttle.MAX_FAILURES):
        db.session.add(AuditEvent(action=Action.SIGNIN_FAILED, ip="10.1.1.1", detail={},
                                  at=now - timedelta(minutes=14, seconds=59) + timedelta(seconds=minutes)))
    db.session.commit()
    wait = throttle.throttled_until("10.1.1.1", now)
    assert wait is not None and timedelta(0) < wait - now <= timedelta(seconds=2)
    assert throttle.throttled_until("10.1.1.1", now + timedelta(seconds=2)) is None
    assert throttle.throttled_until("10.1.1.2", now) is None


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(database_url, tmp_path, make_user):
    """PROXY_COUNT=1: the address is the proxy's X-Forwarded-For entry, so one client's failures do
    not stop the others who come through the same proxy (without it, they would all share one)."""
    from app import create_app
    from tests.conftest import TEST_CONFIG

    officer = make_user("officer")
    proxied = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "INSTANCE_DIR": tmp_path, "PROXY_COUNT": 1})
    client = proxied.test_client()

    def attempt(username, password, client_ip):
        token = csrf_token_of(client.get("/signin").get_data(as_text=True))
        return client.post("/signin", data={"username": username, "password": password, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"}, headers={"X-Forwarded-For": client_ip})

    for n in range(throttle.MAX_FAILURES):
        assert attempt(f"nobody{n}", "wrong-password", "203.0.113.7").status_code == 401
    assert attempt(officer.username, TEST_PASSWORD, "203.0.113.7").status_code == 429
    assert attempt(officer.username, TEST_PASSWORD, "203.0.113.8").status_code == 303
