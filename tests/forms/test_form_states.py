"""Form states (issue 13): closing takes the form off officers' lists, /formList and the offline manifest
but still receives what was started; closed refuses new submissions with a clear OpenRosa message and
stores nothing; nothing already received is touched. Roll back publishes an older workbook again."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import db
from app.models import AuditEvent, Form, FormVersion, Submission, UnprocessableSubmission
from tests.auth.conftest import basic
from tests.forms.openrosa_helpers import household_workbook, new_instance_id, publish, submission_xml


@pytest.fixture
def world(app, make_user, login):
    fv = publish()
    admin, officer = app.test_client(), app.test_client()
    login(admin, "admin")
    login(officer, "officer")
    return fv, admin, officer


def post(client, fv, iid, user=None, **kw):
    headers = basic(user) if user is not None else {"X-OpenRosa-Version": "1.0"}
    return client.post("/submission", data={"xml_submission_file": (io.BytesIO(submission_xml(fv, iid, **kw)), "x.xml")},
                       content_type="multipart/form-data", headers=headers)


def set_state(admin, state: str):
    r = admin.post("/forms/household/state", data={"state": state})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_closing_leaves_the_lists_but_still_receives(world, make_user, app):
    fv, admin, officer = world
    set_state(admin, "closing")
    assert "/forms/household/" not in officer.get("/forms").get_data(as_text=True)
    assert "household" not in officer.get("/formList").get_data(as_text=True)
    assert "household" not in officer.get("/offline/manifest.json").get_data(as_text=True)
    staff_list = admin.get("/forms").get_data(as_text=True)
    assert "Household" in staff_list and "Closing" in staff_list and "/forms/household/versions/1/fill" not in staff_list
    # a record started before (in the browser's outbox, in ODK Collect) is still received
    collector = make_user("officer")
    r = post(app.test_client(), fv, new_instance_id(), user=collector)
    assert r.status_code == 201 and count(Submission) == 1
    page = officer.get("/forms/household/versions/1/fill")  # drafts in progress reopen their version's page
    assert page.status_code == 200 and "This form is closing" in page.get_data(as_text=True)


def test_closed_refuses_with_an_openrosa_message_and_stores_nothing(world, make_user, app):
    fv, admin, officer = world
    sent = new_instance_id()
    assert post(officer, fv, sent).status_code == 201
    set_state(admin, "closed")
    collector = make_user("officer")
    r = post(app.test_client(), fv, new_instance_id(), user=collector)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "OpenRosaResponse" in body
    assert "ปิดรับข้อมูลแล้ว" in body and "is closed and accepts no more submissions" in body
    assert count(Submission) == 1 and count(UnprocessableSubmission) == 0  # nothing new stored anywhere
    # the browser's outbox gets the same as JSON, kept on the device under "needs attention"
    j = officer.post("/submission", data=submission_xml(fv, new_instance_id()), content_type="text/xml",
                     headers={"Accept": "application/json"})
    assert j.status_code == 422 and j.json["outcome"] == "form_closed" and count(Submission) == 1
    # a resend of what it already holds is still "already received" (a lost answer, not a new record)
    again = post(officer, fv, sent)
    assert again.status_code == 201 and count(Submission) == 1
    # nothing already received is touched: staff still list and export it
    assert sent in admin.get("/forms/household/submissions").get_data(as_text=True)
    assert admin.get("/forms/household/fill").status_code == 410
    assert "household" not in officer.get("/formList").get_data(as_text=True)
    # reopening is one click
    set_state(admin, "open")
    assert post(officer, fv, new_instance_id()).status_code == 201
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "form_state")
                                .order_by(AuditEvent.id)).all()
    assert [(e["from"], e["to"]) for e in events] == [("open", "closed"), ("closed", "open")]


def test_only_admins_change_a_forms_state(world, app, login):
    _fv, _admin, officer = world
    district = app.test_client()
    login(district, "district")
    for c in (officer, district):
        assert c.post("/forms/household/state", data={"state": "closed"}).status_code == 403
    assert db.session.scalar(select(Form.state)) == "open"


def test_an_unknown_state_is_refused(world):
    _fv, admin, _officer = world
    r = admin.post("/forms/household/state", data={"state": "gone"})
    assert r.status_code == 400 and "Unknown state" in r.get_data(as_text=True)


def test_roll_back_publishes_an_older_workbook_as_the_next_version(world):
    fv1, admin, officer = world
    from app.forms.publishing import publish_workbook

    publish_workbook("household.xlsx", household_workbook(version="2", extra_question=True), "a")
    r = admin.post("/forms/household/versions/1/rollback")
    assert r.status_code == 303 and "published=3" in r.headers["Location"] and "rolled_back=1" in r.headers["Location"]
    versions = db.session.scalars(select(FormVersion).order_by(FormVersion.id)).all()
    assert [v.version for v in versions] == ["1", "2", "3"]
    back = versions[-1]
    from app.xlsform.definition import FormDefinition
    from app.xlsform.diff import diff_forms

    changes = diff_forms(FormDefinition.from_dict(fv1.definition), FormDefinition.from_dict(back.definition))
    assert [(c.kind, c.after) for c in changes] == [("version", "3")]  # the old form, under a new version
    # its workbook says the version it is, so staff who download it to edit get a consistent file
    wb = load_workbook(io.BytesIO(admin.get("/forms/household/versions/3/workbook.xlsx").data))
    assert [r for r in wb["settings"].iter_rows(values_only=True)][1][2] == "3"
    assert "<version>3</version>" in officer.get("/formList").get_data(as_text=True)
    detail = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "Version 1's workbook is published again as version 3" in detail
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rollback"))
    assert event.detail == {"form_id": "household", "from_version": "1", "replaced_version": "2", "version": "3"}
    # the latest version cannot be "rolled back" to itself; unknown versions are 404
    assert admin.post("/forms/household/versions/3/rollback").status_code == 422
    assert admin.post("/forms/household/versions/9/rollback").status_code == 404


def test_roll_back_keeps_the_old_versions_media(app, admin_client):
    from app.forms.publishing import publish_workbook
    from tests.forms.test_form_media import FORM_ID, VILLAGES_CSV, media_workbook

    publish_workbook("v.xlsx", media_workbook(version="1"), "a", media={"villages.csv": VILLAGES_CSV})
    publish_workbook("v.xlsx", media_workbook(version="2"), "a", media={"villages.csv": VILLAGES_CSV + b"v4,x,d2,1\n"})
    assert admin_client.post(f"/forms/{FORM_ID}/versions/1/rollback").status_code == 303
    back = db.session.scalars(select(FormVersion).order_by(FormVersion.id.desc())).first()
    assert back.version == "3" and back.media[0].blob.content == VILLAGES_CSV


def test_versions_can_be_compared_and_downloaded_as_xlsx(world):
    _fv, admin, officer = world
    from app.forms.publishing import publish_workbook

    publish_workbook("household.xlsx", household_workbook(version="2", extra_question=True), "a")
    page = officer.get("/forms/household/changes?from=1&to=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Question note_text added" in html and "เพิ่มคำถาม note_text" in html
    assert "/forms/household/changes?" in admin.get("/forms/household").get_data(as_text=True)
    x = officer.get("/forms/household/changes.xlsx?from=1&to=2")
    assert x.status_code == 200
    rows = list(load_workbook(io.BytesIO(x.data))["What changed"].iter_rows(values_only=True))
    assert any("Question note_text added" in (r[6] or "") for r in rows)
    assert officer.get("/forms/household/changes?from=1&to=draft").status_code == 404  # no draft; not theirs
    assert officer.get("/forms/household/changes?from=1&to=7").status_code == 404
