"""The committee link: an officer fills a scored assessment on a 10-inch tablet, makes the group's
committee link on the meeting screen (QR code + link); a member opens it on a phone without an account
(a second browser context, 360x780, Content-Security-Policy enforced), sees the level and the bars and
records the group's plan; the officer then sees the plan on the meeting screen."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.forms.publishing import publish_workbook
from tests.browser.conftest import TABLET, sign_in_page
from tests.browser.test_meeting_screen import EXPECTED_BARS, fill
from tests.conftest import TEST_PASSWORD
from tests.scoring import meeting_workbook as mw

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def form_version(app):
    return publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version


def test_officer_makes_the_link_and_the_committee_records_its_plan(browser, live_server, make_user, form_version):
    officer = make_user("officer", district="4201", username="officer-tablet")
    tablet = browser.new_context(viewport=TABLET, base_url=live_server, locale="th-TH", timezone_id="Asia/Bangkok",
                                 bypass_csp=True)
    phone = browser.new_context(viewport=PHONE, base_url=live_server, locale="th-TH", timezone_id="Asia/Bangkok",
                                is_mobile=True, has_touch=True)
    errors: list[str] = []
    try:
        tablet.set_default_timeout(10_000)
        phone.set_default_timeout(10_000)
        page = tablet.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in_page(page, officer.username, TEST_PASSWORD)
        fill(page, form_version)
        page.click(".fill-pager .submit")
        page.wait_for_selector("#fill[data-state=done]")
        instance_id = page.inner_text(".done-id").strip()

        page.goto(f"/submissions/{instance_id}/meeting")
        assert page.locator("#meeting .mt-level").get_attribute("data-level") == "develop"
        with page.expect_navigation():
            page.click("#meeting .mt-make-link")
        card = page.locator("#committee-link")
        card.wait_for(state="visible")
        qr = card.locator(".mt-committee-qr svg.qr")
        assert qr.is_visible() and qr.bounding_box()["width"] >= 300  # large enough to scan across a table
        assert qr.locator("path.qr-line").count() == 1
        url = card.locator("a.committee-url").get_attribute("href")
        assert url.startswith(live_server + "/c/") and len(url.rsplit("/", 1)[1]) >= 43
        assert card.locator(".mt-committee-group").inner_text().startswith("กลุ่มออมทรัพย์บ้านนาดี")

        # A member's own phone: no account, the real CSP.
        member = phone.new_page()
        member.on("pageerror", lambda e: errors.append(str(e)))
        console: list[str] = []
        member.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        response = member.goto(url)
        assert response.status == 200
        assert member.locator(".cm-level").get_attribute("data-level") == "develop"
        assert member.locator(".cm-level .mt-level-name").inner_text().startswith("ระดับ ต้องพัฒนา")
        bars = member.locator(".cm-bar")
        assert [[bars.nth(i).get_attribute(a) for a in ("data-group", "data-percent", "data-passed")]
                for i in range(bars.count())] == EXPECTED_BARS
        width = member.locator('.cm-bar[data-group="law"] .mt-bar-svg').bounding_box()["width"]
        assert width >= 300  # bars span the phone's width
        assert member.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
        assert "อบรมการทำบัญชีอย่างง่าย" in member.locator('.cm-bar[data-group="money"] .cm-advice').inner_text()
        assert member.locator(".cm-submit").bounding_box()["height"] >= 48

        target = date.today() + timedelta(days=90)
        member.select_option("#cm-score-group", "money")
        member.fill("#cm-action", "อบรมทำบัญชีทุกเดือน")
        member.fill("#cm-responsible", "เหรัญญิกกลุ่ม")
        member.select_option('select[name="day"]', str(target.day))
        member.select_option('select[name="month"]', str(target.month))
        member.select_option('select[name="year"]', str(target.year + 543))
        with member.expect_navigation():
            member.click(".cm-submit")
        assert member.locator(".cm-saved").is_visible()
        assert "อบรมทำบัญชีทุกเดือน" in member.locator(".cm-plans").inner_text()
        assert str(target.year + 543) in member.locator(".cm-plans").inner_text()  # Buddhist Era shown
        assert not [c for c in console if "Content Security Policy" in c], console

        # The officer sees the group's plan on the meeting screen.
        page.goto(f"/submissions/{instance_id}/meeting")
        plans = page.locator("#meeting .mt-plans")
        page.wait_for_selector("#meeting[data-laid-out]")
        while not plans.is_visible():  # meeting mode: the plans have a screen of their own
            page.click("#meeting .mt-step-next")
        assert plans.is_visible()
        text = plans.inner_text()
        assert "แผนของกลุ่ม" in text and "อบรมทำบัญชีทุกเดือน" in text and "เหรัญญิกกลุ่ม" in text
        assert page.locator("#committee-link").count() == 0  # the token was shown once
    finally:
        tablet.close()
        phone.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
