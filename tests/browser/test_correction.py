"""Correcting a sent record in real Chromium: an officer opens a "needs correction" record with
"แก้ไข / Correct", sees the server's error at the question, fixes it and submits; the new record is
accepted, supersedes the old one (kept in the history) and carries the unchanged photo."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.forms.receiving import receive_submission
from app.models import AuditEvent, Submission, SubmissionStatus
from tests.browser.conftest import CHROMIUM, TABLET, sign_in_page
from tests.browser.test_fill_runtime import png
from tests.conftest import TEST_PASSWORD
from tests.forms.openrosa_helpers import publish, root_name, submission_xml

pytestmark = pytest.mark.browser


@pytest.fixture
def officer_page(browser, live_server, make_user):
    officer = make_user("officer", district="4201", username="officer-correct")
    context = browser.new_context(viewport=TABLET, base_url=live_server, locale="th-TH", timezone_id="Asia/Bangkok",
                                  bypass_csp=True, service_workers="block")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in_page(page, officer.username, TEST_PASSWORD)
    page.officer = officer
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_officer_corrects_a_record_that_needs_correction(officer_page, app):
    page = officer_page
    officer = page.officer
    fv = publish()
    photo = png(40, 30)
    stored = receive_submission(submission_xml(fv, "uuid:age-150", name="สมชาย", age="150", photo="p.png"),
                                {"p.png": (photo, "image/png")}, officer.username, sender=officer).submission
    assert stored.status == SubmissionStatus.NEEDS_CORRECTION
    form_id = fv.form.form_id

    page.goto(f"/forms/{form_id}/submissions/uuid:age-150")
    page.click("a.correct-submission")
    page.wait_for_selector("#fill[data-ready=true]")
    assert f"/forms/{form_id}/versions/{fv.version}/fill" in page.url

    root = root_name(fv)
    age = page.locator(f'.q[data-path="/{root}/age"]')
    assert "invalid" in age.get_attribute("class")
    message = age.locator(".q-msg")
    assert message.is_visible()
    expected = db.session.scalar(select(Submission.errors).where(Submission.instance_id == "uuid:age-150"))
    assert expected[0]["message_en"] in message.inner_text()
    assert age.locator("input").input_value() == "150"
    assert page.locator(f'.q[data-path="/{root}/name"] input').input_value() == "สมชาย"
    ids = page.evaluate("""() => { const m = window.chumchon.model;
        return [m.instanceID, m.find(`/${m.root.nodeName}/meta/deprecatedID`)?.textContent,
                Array.from(m.attachments.keys())]; }""")
    assert ids[0].startswith("uuid:") and ids[0] != "uuid:age-150"
    assert ids[1] == "uuid:age-150" and ids[2] == ["p.png"]

    age.locator("input").fill("50")
    assert not message.is_visible()  # the error goes when the answer changes
    while page.locator(".submit").is_hidden():
        page.click(".page-next")
    page.click(".submit")
    page.wait_for_selector(".done[data-kind=sent]")
    new_id = page.locator(".done-id").inner_text()
    assert new_id == ids[0]

    db.session.remove()
    old = db.session.scalar(select(Submission).where(Submission.instance_id == "uuid:age-150"))
    new = db.session.scalar(select(Submission).where(Submission.instance_id == new_id))
    assert new.status == SubmissionStatus.ACCEPTED and new.is_current and new.deprecated_id == "uuid:age-150"
    assert new.form_version_id == fv.id and new.data[f"/{root}/age"] in ("50", 50)
    assert not old.is_current and old.superseded_by_id == new.id
    assert [(a.filename, a.sha256) for a in new.attachments] == [(a.filename, a.sha256) for a in old.attachments]
    assert db.session.scalar(select(AuditEvent.target_id).where(AuditEvent.action == "correct")) == new_id

    # the list shows the new current record, the detail page its history
    page.goto(f"/forms/{form_id}/submissions")
    assert new_id in page.content() and "uuid:age-150" not in page.content()
    page.goto(f"/forms/{form_id}/submissions/{new_id}")
    # the earlier version is linked by its number (the uuid shows only with the variable names)
    assert page.locator('.history a[href$="/submissions/uuid:age-150"]').inner_text().startswith("ฉบับ1")
    assert page.locator(".errors-summary").count() == 0
