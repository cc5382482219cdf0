"""A new assessment version, end to end on tablets (issue 13), with the service worker and a server
that is really stopped for "offline":

1. an officer's tablet has version 1 ready offline and a record begun on it (a draft in IndexedDB);
2. staff upload version 2 as a draft (upload page -> Save as draft -> the draft page);
3. on a tablet, the draft's test link is opened, the server goes away, the page is reloaded from the
   tablet and the draft filled and submitted: kept in the outbox; back online it is sent to the
   draft, and the draft page lists it (no real submission is made);
4. staff publish the draft: the officer's tablet gets version 2 ready offline, and the record begun
   on version 1 still opens on version 1 and is received on version 1."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app import db
from app.forms.publishing import publish_workbook
from app.models import FormDraft, Submission, TestSubmission
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TABLET, sign_in_page
from tests.browser.test_offline_shell import (go_offline, go_online, poll, server, wait_ready_offline,  # noqa: F401
                                              worker_built)
from tests.conftest import TEST_PASSWORD
from tests.scoring import meeting_workbook as mw

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def tablets(playwright_instance, server, tmp_path):  # noqa: F811
    """tablets(name) -> a persistent Chromium profile (service worker on, real CSP) at tablet size."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    opened = []

    def open_profile(name: str):
        ctx = playwright_instance.chromium.launch_persistent_context(
            str(tmp_path / f"profile-{name}"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=TABLET,
            base_url=server.url, locale="th-TH", timezone_id="Asia/Bangkok")
        ctx.set_default_timeout(20_000)
        ctx.js_errors = []
        ctx.on("page", lambda p: p.on("pageerror", lambda e: ctx.js_errors.append(f"{p.url}: {e}")))
        opened.append(ctx)
        return ctx

    yield open_profile
    errors = [e for ctx in opened for e in ctx.js_errors]
    for ctx in opened:
        try:
            ctx.close()
        except Exception:  # noqa: BLE001 - already closed
            pass
    assert not errors, errors


def first_page(page) -> None:
    page.check('.q[data-path$="/group"] input[value="g1"]')
    page.fill('.q[data-path$="/assessed_on"] input', "2024-03-10")


def other_pages(page) -> None:
    page.click(".page-next")
    page.check('.q[data-path$="/i01"] input[value="3"]')
    page.check('.q[data-path$="/i02"] input[value="2"]')
    page.click(".page-next")
    page.check('.q[data-path$="/i03"] input[value="2"]')
    page.fill('.q[data-path$="/rate"] input', "12")
    page.click(".page-next")
    page.check('.q[data-path$="/i05"] input[value="yes"]')


def test_draft_tested_offline_then_published_while_a_record_on_the_old_version_still_submits(
        tablets, server, app, make_user):  # noqa: F811
    publish_workbook("meeting.xlsx", mw.workbook("1"), "tester")
    officer, staff = make_user("officer"), make_user("admin")

    # 1. The officer's tablet: version 1 ready offline, a record begun on it.
    officer_tab = tablets("officer")
    op = officer_tab.new_page()
    sign_in_page(op, officer.username, TEST_PASSWORD)
    op.goto("/forms")
    wait_ready_offline(op, 1)
    op.goto(f"/forms/{mw.FORM_ID}/versions/1/fill")
    op.wait_for_selector("#fill[data-ready=true]")
    first_page(op)
    poll(op, "() => location.search.includes('draft=')")  # saved as a draft: the address names it
    old_record = op.url

    # 2. Staff upload version 2 as a draft.
    staff_tab = tablets("staff")
    sp = staff_tab.new_page()
    sign_in_page(sp, staff.username, TEST_PASSWORD)
    sp.goto("/forms")
    sp.wait_for_selector("html[data-offline-sync=done]", timeout=30_000)
    sp.goto("/forms/upload")
    sp.set_input_files("#workbook", files=[{"name": "meeting-v2.xlsx", "mimeType": XLSX, "buffer": mw.workbook("2")}])
    sp.click(".upload-form button[type=submit]")
    sp.wait_for_selector(".save-draft-button")
    assert sp.locator(".publish-button:not(.save-draft-button)").count() == 0  # an existing form: draft first
    with sp.expect_navigation():
        sp.click(".save-draft-button")
    assert f"/forms/{mw.FORM_ID}/draft" in sp.url
    assert sp.locator(".ready-to-publish").is_visible()
    test_link = sp.get_attribute(".draft-fill-link", "href")

    # 3. The draft's test link on a tablet: opened once online, then filled with the server gone.
    tp = staff_tab.new_page()
    tp.goto(test_link)
    tp.wait_for_selector("#fill[data-ready=true]")
    poll(tp, "() => !!navigator.serviceWorker.controller")
    tp.reload()  # through the worker: now kept on the tablet
    tp.wait_for_selector("#fill[data-ready=true]")
    go_offline(staff_tab, server)
    tp.reload()
    tp.wait_for_selector("#fill[data-ready=true]")
    assert tp.locator(".test-note").is_visible() and tp.locator(".newer-version").count() == 0
    assert tp.get_attribute("#fill", "data-version") == "2"
    first_page(tp)
    other_pages(tp)
    tp.click(".fill-pager .submit")
    tp.wait_for_selector("#fill[data-state=done]")
    assert tp.get_attribute(".done", "data-kind") == "saved"  # in the outbox, on the tablet
    test_id = tp.inner_text(".done-id").strip()
    go_online(staff_tab, server)
    tp.goto("/drafts")  # opening the app syncs the outbox
    poll(tp, "() => window.chumchon.unsentCount().then((n) => n === 0)", timeout=30)
    test_row = db.session.scalar(select(TestSubmission).where(TestSubmission.instance_id == test_id))
    assert test_row is not None and test_row.status == "accepted" and test_row.score["level"]["name"] == "good"
    assert db.session.scalar(select(Submission).where(Submission.instance_id == test_id)) is None
    sp.goto(f"/forms/{mw.FORM_ID}/draft")
    assert sp.locator(f'.test-submission[data-instance-id="{test_id}"]').is_visible()

    # 4. Publish: the officer's tablet gets version 2; the record begun on version 1 finishes on it.
    with sp.expect_navigation():
        sp.click(".publish-draft")
    assert "published=2" in sp.url and db.session.scalar(select(FormDraft)) is None
    assert db.session.scalar(select(TestSubmission)) is None  # test records are discarded on publish
    op.goto("/forms")
    wait_ready_offline(op, 1)
    assert op.get_attribute("a.fill-link", "href") == f"/forms/{mw.FORM_ID}/versions/2/fill"
    assert f"chumchon-form:{mw.FORM_ID}:2" in op.evaluate("caches.keys()")
    op.goto(old_record)
    op.wait_for_selector("#fill[data-ready=true]")
    assert op.get_attribute("#fill", "data-version") == "1"
    assert op.locator('.q[data-path$="/group"] input[value="g1"]').is_checked()  # the answers begun
    other_pages(op)
    op.click(".fill-pager .submit")
    op.wait_for_selector("#fill[data-state=done]")
    assert op.get_attribute(".done", "data-kind") == "sent"
    record = db.session.scalar(select(Submission).where(Submission.instance_id == op.inner_text(".done-id").strip()))
    assert record is not None and record.form_version.version == "1" and record.status == "accepted"
