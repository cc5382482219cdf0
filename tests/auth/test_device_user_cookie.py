"""The device-user cookie (app/auth DEVICE_USER_COOKIE): the page's scripts learn who is signed in on
the tablet now, even on a page the service worker kept from an earlier user's session."""
from __future__ import annotations

from app.auth import DEVICE_USER_COOKIE
from tests.auth.conftest import basic
from tests.conftest import csrf_token_of, sign_in


def cookie(client):
    found = client.get_cookie(DEVICE_USER_COOKIE)
    return found.value if found else None


def test_sign_in_names_the_user_and_sign_out_removes_it(app, make_user):
    a, b = make_user("officer"), make_user("officer")
    client = app.test_client()
    sign_in(client, a.username)
    assert cookie(client) == str(a.id)
    found = client.get_cookie(DEVICE_USER_COOKIE)
    assert not found.http_only and found.same_site == "Lax"
    token = csrf_token_of(client.get("/signout").get_data(as_text=True))
    assert client.post("/signout", data={"csrf_token": token}).status_code == 303
    assert cookie(client) is None
    sign_in(client, b.username)
    assert cookie(client) == str(b.id)


def test_odk_collect_with_basic_auth_gets_no_cookie(app, make_user):
    user = make_user("officer")
    client = app.test_client()
    r = client.get("/formList", headers=basic(user))
    assert r.status_code == 200
    assert DEVICE_USER_COOKIE not in r.headers.get("Set-Cookie", "")
    assert not any(DEVICE_USER_COOKIE in c for c in r.headers.getlist("Set-Cookie"))
    assert cookie(client) is None
