"""Accounts in a real browser with the Content Security Policy enforced: sign in through the page,
every page runs with no CSP violation (no inline script or style), htmx sends the CSRF header, and
sign-out warns when the offline code reports unsent data."""
from __future__ import annotations

import io

import pytest

from tests.browser.conftest import TABLET, sign_in_page
from tests.conftest import TEST_PASSWORD
from tests.forms.openrosa_helpers import publish


@pytest.fixture
def strict_page(browser, live_server, make_user):
    context = browser.new_context(viewport=TABLET, base_url=live_server, locale="th-TH",
                                  timezone_id="Asia/Bangkok")  # no bypass_csp: the real policy
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.violations = []
    page.on("console", lambda m: page.violations.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def test_pages_run_under_the_csp_and_sign_out_warns_about_unsent_data(strict_page, make_user, app):
    page = strict_page
    admin = make_user("admin", username="csp-admin")
    publish("household", "1", "Household")
    page.goto("/forms")
    assert "/signin" in page.url  # not signed in: sent to the sign-in page
    sign_in_page(page, admin.username, TEST_PASSWORD)
    for url in ["/forms", "/forms/household", "/forms/household/fill", "/forms/household/submissions",
                "/forms/upload", "/admin/users", "/admin/audit"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.goto("/forms/household/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    # htmx request (the submissions filter) carries the CSRF header from <body hx-headers>.
    page.goto("/forms/household/submissions")
    with page.expect_request(lambda r: "submissions" in r.url and r.headers.get("hx-request") == "true") as req:
        page.locator("#filters select[name=status]").select_option("accepted")
    assert req.value.headers.get("x-csrftoken")

    # Sign-out: the offline code reports 2 unsent records -> warning, and the tick is required.
    page.goto("/signout")
    page.evaluate("window.chumchon.unsentCount = async () => 2")
    page.locator("form[data-signout] button[type=submit]").click()
    warning = page.locator("[data-unsent-warning]")
    warning.wait_for(state="visible")
    assert "2" in warning.inner_text()
    assert "/signout" in page.url  # not sent yet
    page.locator("[data-unsent-confirm]").check()
    with page.expect_navigation(url="**/signin?signed_out=1"):
        page.locator("form[data-signout] button[type=submit]").click()
    assert "signed_out=1" in page.url
    page.goto("/forms")
    assert "/signin" in page.url
    assert not page.violations, page.violations
    assert not page.errors, page.errors
