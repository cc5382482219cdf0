"""The app's screen language (issue 14): Thai only or Thai + English, kept per user (User.language) and
in a cookie for signed-out pages; with Thai only every page says so (<html data-ui-lang="th">, which
hides each .en span: app.css) and English that cannot be a span (option texts) is left out."""
from __future__ import annotations

from app import db
from app.models import User
from tests.conftest import csrf_token_of, sign_in


def test_a_user_chooses_thai_only_and_keeps_it_across_sessions(app, make_user):
    user = make_user("district", district="4201", username="lang-user")
    client = app.test_client()
    sign_in(client, user.username)
    page = client.get("/forms").get_data(as_text=True)
    assert 'data-ui-lang="th-en"' in page and 'aria-pressed="true">ไทย + English' in page
    r = client.post("/language", data={"language": "th", "csrf_token": csrf_token_of(page)},
                    headers={"Referer": "http://localhost/registry/groups"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/registry/groups")
    assert db.session.get(User, user.id).language == "th"
    # a new session on another device: the choice is the user's, not the browser's
    other = app.test_client()
    sign_in(other, user.username)
    assert 'data-ui-lang="th"' in other.get("/forms").get_data(as_text=True)


def test_signed_out_pages_follow_the_cookie_and_options_drop_english(app, admin_client, make_user):
    anon = app.test_client()
    page = anon.get("/signin").get_data(as_text=True)
    assert 'data-ui-lang="th-en"' in page
    r = anon.post("/language", data={"language": "th", "next": "/signin", "csrf_token": csrf_token_of(page)})
    assert r.status_code == 303 and "chumchon_lang=th" in r.headers["Set-Cookie"]
    assert 'data-ui-lang="th"' in anon.get("/signin").get_data(as_text=True)
    # an unknown choice changes nothing; an outside address is never followed
    r = anon.post("/language", data={"language": "fr", "next": "https://evil.example/",
                                     "csrf_token": csrf_token_of(page)})
    assert r.status_code == 303 and "evil" not in r.headers["Location"]


def test_thai_only_leaves_english_out_of_option_texts(app, make_user):
    from tests.forms.test_submissions_pages import make_form

    make_form()
    user = make_user("province", username="lang-province")
    client = app.test_client()
    sign_in(client, user.username)
    assert "ทั้งหมด · All" in client.get("/forms/household/submissions").get_data(as_text=True)
    user.language = "th"
    db.session.commit()
    html = client.get("/forms/household/submissions").get_data(as_text=True)
    assert ">ทั้งหมด</option>" in html and "· All" not in html and "· All districts" not in html
