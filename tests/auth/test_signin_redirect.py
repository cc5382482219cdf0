"""After sign-in the browser goes only to a path of this site, judged as the browser reads the URL
(WHATWG: tabs and newlines removed, a backslash read as a slash, leading controls stripped)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.conftest import TEST_PASSWORD, csrf_token_of

ORIGIN = "http://app.example/"


def browser_resolves(location: str) -> str:
    """The host a browser lands on for a Location header (the WHATWG rules that matter here)."""
    seen = location.strip("".join(map(chr, range(0x21)))).replace("\t", "").replace("\n", "").replace("\r", "")
    seen = seen.replace("\\", "/")
    return urlsplit(urljoin(ORIGIN, seen)).netloc


def sign_in_with_next(client, username: str, target: str):
    token = csrf_token_of(client.get("/signin").get_data(as_text=True))
    return client.post("/signin", data={"username": username, "password": TEST_PASSWORD,
                                        "csrf_token": token, "next": target})


HOSTILE = [
    "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "\t//evil.example", " //evil.example",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "/%5C/evil.example", "/%2F/evil.example",
    "/%2f%2fevil.example", "//evil.example", "///evil.example", "https://evil.example/", "http:evil.example",
    "javascript:alert(1)", "\x00//evil.example", "/\r\n/evil.example", "//evil.example/%2F..",
    "evil.example", "%2F%2Fevil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_a_next_that_leads_off_site_goes_to_the_form_list(app, make_user, target):
    from urllib.parse import unquote

    user = make_user("officer")
    client = app.test_client()
    # The query string form too, as a link would carry it (/signin?next=/%09/evil.example).
    for how in ("form", "query"):
        if how == "form":
            r = sign_in_with_next(client, user.username, unquote(target) if "%" in target else target)
        else:
            token = csrf_token_of(client.get("/signin").get_data(as_text=True))
            r = client.post(f"/signin?next={target}", data={"username": user.username, "password": TEST_PASSWORD,
                                                            "csrf_token": token})
        assert r.status_code == 303
        location = r.headers["Location"]
        assert browser_resolves(location) == "app.example", (how, target, location)
        assert not re.match(r"^\s*[/\\]{2}", location)


def test_a_path_of_this_site_is_kept_with_its_query(app, make_user):
    user = make_user("officer")
    r = sign_in_with_next(app.test_client(), user.username, "/forms/sg/submissions?status=accepted&page=2")
    assert r.headers["Location"] == "/forms/sg/submissions?status=accepted&page=2"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("/\\\t\n\r %2F5Cevil.:@?#x\x00")), max_size=24))
def test_no_next_ever_leads_off_site(app, target):
    from app.auth.views import safe_next

    with app.test_request_context("/signin"):
        location = safe_next(target)
    assert browser_resolves(location) == "app.example", (target, location)
