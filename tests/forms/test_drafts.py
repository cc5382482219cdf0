"""Drafts (issue 13): uploading a new version of a form makes a draft, not a version; the draft is
tested through its link (test records kept apart, shown on the draft page), lists what it still
needs (a missing data file, a version that is not newer) and is published as the next version, its
test records then deleted. A first upload whose CSV is missing is a draft too (issue 11, defect 10)."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app import db
from app.forms.publishing import publish_workbook
from app.models import (AuditEvent, Form, FormDraft, FormVersion, Score, Submission, TestSubmission,
                        UnprocessableSubmission)
from tests.forms.test_form_media import FORM_ID as MEDIA_FORM, VILLAGES_CSV, media_workbook
from tests.scoring import meeting_workbook as mw
from tests.xlsform.xlsx_builder import simple_form

HX = {"HX-Request": "true"}


@pytest.fixture
def client(admin_client):
    return admin_client


def upload(client, data: bytes, filename: str = "form.xlsx", media=()):
    return client.post("/forms/upload", data={"workbook": (io.BytesIO(data), filename),
                                              "media": [(io.BytesIO(c), n) for n, c in media]},
                       content_type="multipart/form-data", headers=HX)


def save_as_draft(client, data: bytes, filename: str = "form.xlsx", media=()):
    r = upload(client, data, filename, media)
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html[:2000]
    token = re.search(r"/forms/draft/([\w-]+)", html)
    assert token, "no Save as draft button"
    return client.post(f"/forms/draft/{token.group(1)}", headers=HX), html


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_version_of_an_existing_form_is_a_draft_not_a_version(client):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    r, html = save_as_draft(client, simple_form(version="2", label="ชื่อหัวหน้าครัวเรือน"))
    assert "/forms/publish/" not in html  # no direct publish for an existing form
    assert "Save as draft" in html and "A new version of an existing form is a draft first" in html
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/forms/hh/draft")
    assert count(FormVersion) == 1 and count(FormDraft) == 1
    # officers and ODK Collect still get version 1
    assert "<version>1</version>" in client.get("/formList").get_data(as_text=True)
    page = client.get("/forms/hh/draft").get_data(as_text=True)
    assert "Ready to publish" in page and "/forms/hh/draft/publish" in page
    assert "relabelled" in page  # what changed since version 1, summarised on the draft page
    detail = client.get("/forms/hh").get_data(as_text=True)
    assert "/forms/hh/draft" in detail
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "draft_upload")).all()
    assert len(audit) == 1 and audit[0].actor == client.user.username and audit[0].actor_id == client.user.id


def test_one_draft_per_form_uploading_again_replaces_it(client):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    save_as_draft(client, simple_form(version="2", label="ก"))
    token = db.session.scalar(select(FormDraft.token))
    _r, html = save_as_draft(client, simple_form(version="3", label="ข"))
    assert "This replaces the workbook of the existing draft" in html
    drafts = db.session.scalars(select(FormDraft)).all()
    assert len(drafts) == 1 and drafts[0].version == "3" and drafts[0].token == token  # the test link stays


def test_a_draft_publishes_as_the_next_version_and_its_test_records_go(client, app):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    save_as_draft(client, simple_form(version="2", label="ชื่อใหม่"))
    draft = db.session.scalar(select(FormDraft))
    from app.forms.draft_submissions import receive_test_submission

    outcome = receive_test_submission(draft, hh_xml(draft, "uuid:t1"), {}, "tester")
    assert outcome.status == 201 and count(TestSubmission) == 1
    r = client.post("/forms/hh/draft/publish", headers=HX)
    assert r.status_code == 204 and "published=2" in r.headers["HX-Redirect"]
    versions = db.session.scalars(select(FormVersion.version).order_by(FormVersion.id)).all()
    assert versions == ["1", "2"]
    assert count(FormDraft) == 0 and count(TestSubmission) == 0  # test records are never kept
    assert count(Submission) == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "publish")).all()[-1]
    assert event.detail["from_draft"] is True and event.detail["test_submissions_discarded"] == 1
    assert "<version>2</version>" in client.get("/formList").get_data(as_text=True)


@pytest.mark.parametrize("version,says", [("1", "Version 1 is already published"),
                                          ("0", "does not come after the latest version (1)")])
def test_a_draft_whose_version_is_not_newer_cannot_be_published(client, version, says):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    _r, html = save_as_draft(client, simple_form(version=version, label="ใหม่"))
    assert says in html  # said early, on the upload page
    page = client.get("/forms/hh/draft").get_data(as_text=True)
    assert says in page and "Not publishable yet" in page and "such as 2" in page  # a suggestion
    r = client.post("/forms/hh/draft/publish")
    assert r.status_code == 422 and says in r.get_data(as_text=True)
    assert count(FormVersion) == 1 and count(FormDraft) == 1  # nothing published, nothing lost
    # raising the version on the draft page's "replace" form makes it publishable
    r = client.post("/forms/hh/draft/workbook", data={"workbook": (io.BytesIO(simple_form(version="5", label="ใหม่")), "hh.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    assert client.post("/forms/hh/draft/publish").status_code == 303
    assert db.session.scalars(select(FormVersion.version).order_by(FormVersion.id)).all() == ["1", "5"]


def test_a_draft_identical_to_a_published_version_is_not_publishable(client):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    publish_workbook("hh.xlsx", simple_form(version="2", label="x"), "a")
    r = upload(client, simple_form(version="1"))
    html = r.get_data(as_text=True)
    assert "already published as version 1" in html and "/forms/draft/" not in html
    assert "Publish again on the form's page" in html  # the way back to it is the roll back


def test_new_form_with_a_missing_csv_becomes_a_draft_naming_the_file(client, login, app):
    """Issue 11, defect 10: not a refusal that loses the upload."""
    r, html = save_as_draft(client, media_workbook(), "villages.xlsx")
    assert "villages.csv" in html and "not published until the files the form uses are attached" in html
    assert "/forms/publish/" not in html
    assert count(Form) == 0 and count(FormDraft) == 1
    page = client.get(r.headers["HX-Redirect"]).get_data(as_text=True)
    assert "The file villages.csv that the form uses is missing" in page and "a new form, not published yet" in page
    assert 'disabled' in page.split('class="publish-button publish-draft"')[1].split(">")[0]
    # listed for staff, invisible to officers, /formList and the offline manifest until published
    index = client.get("/forms").get_data(as_text=True)
    assert "New forms still in draft" in index and f"/forms/{MEDIA_FORM}/draft" in index
    officer = app.test_client()
    login(officer, "officer")
    assert MEDIA_FORM not in officer.get("/forms").get_data(as_text=True)
    assert MEDIA_FORM not in officer.get("/formList").get_data(as_text=True)
    assert MEDIA_FORM not in officer.get("/offline/manifest.json").get_data(as_text=True)
    assert client.post(f"/forms/{MEDIA_FORM}/draft/publish").status_code == 422
    # attach the file on the draft page: publishable, then published as the form's first version
    r = client.post(f"/forms/{MEDIA_FORM}/draft/media", data={"media": [(io.BytesIO(VILLAGES_CSV), "villages.csv")]},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    assert db.session.scalar(select(FormDraft.missing_media)) == []
    assert client.post(f"/forms/{MEDIA_FORM}/draft/publish").status_code == 303
    fv = db.session.scalar(select(FormVersion))
    assert [m.filename for m in fv.media] == ["villages.csv"] and count(FormDraft) == 0
    assert MEDIA_FORM in officer.get("/formList").get_data(as_text=True)


def test_replacing_the_workbook_keeps_the_attached_csv(client):
    save_as_draft(client, media_workbook(), "villages.xlsx", media=[("villages.csv", VILLAGES_CSV)])
    assert db.session.scalar(select(FormDraft.missing_media)) == []
    r = client.post(f"/forms/{MEDIA_FORM}/draft/workbook",
                    data={"workbook": (io.BytesIO(media_workbook(version="2")), "villages.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    draft = db.session.scalar(select(FormDraft))
    assert draft.version == "2" and [m.filename for m in draft.media] == ["villages.csv"] and draft.missing_media == []


def test_a_workbook_of_another_form_cannot_replace_the_draft(client):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    save_as_draft(client, simple_form(version="2", label="x"))
    r = client.post("/forms/hh/draft/workbook", data={"workbook": (io.BytesIO(simple_form(form_id="other")), "o.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "This workbook is for form other, not hh" in r.get_data(as_text=True)


def test_downloads_current_workbook_byte_for_byte_and_the_drafts(client):
    v1 = simple_form(version="1")
    publish_workbook("hh.xlsx", v1, "a")
    v2 = simple_form(version="2", label="ใหม่")
    save_as_draft(client, v2, "hh-v2.xlsx")
    assert client.get("/forms/hh/versions/1/workbook.xlsx").data == v1
    r = client.get("/forms/hh/draft/workbook.xlsx")
    assert r.status_code == 200 and r.data == v2 and "hh-draft-2.xlsx" in r.headers["Content-Disposition"]


def test_discarding_a_draft_deletes_it_with_its_test_records(client):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    save_as_draft(client, simple_form(version="2", label="x"))
    from app.forms.draft_submissions import receive_test_submission

    draft = db.session.scalar(select(FormDraft))
    receive_test_submission(draft, hh_xml(draft, "uuid:t9"), {}, "t")
    assert client.post("/forms/hh/draft/discard").status_code == 303
    assert count(FormDraft) == 0 and count(TestSubmission) == 0 and count(FormVersion) == 1
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "draft_discard")) == {
        "form_id": "hh", "test_submissions_discarded": 1}


# --- the test link -----------------------------------------------------------------------------

def hh_xml(draft, instance_id: str, head_name: str = "สมศรี", has_fund: str = "yes", version: str | None = None) -> bytes:
    from tests.forms.openrosa_helpers import root_name

    v = draft.version if version is None else version
    return (f'<?xml version="1.0"?><{root_name(draft)} id="{draft.form_id}" version="{v}">'
            f"<head_name>{head_name}</head_name><has_fund>{has_fund}</has_fund>"
            f"<meta><instanceID>{instance_id}</instanceID></meta></{root_name(draft)}>").encode()


def test_an_officer_with_the_link_fills_the_draft_and_the_record_stays_apart(client, app, login):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    save_as_draft(client, simple_form(version="2", label="ชื่อ (ฉบับร่าง)"))
    draft = db.session.scalar(select(FormDraft))
    officer = app.test_client()
    login(officer, "officer")
    page = officer.get(f"/forms/hh/draft/{draft.token}/fill")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ชื่อ (ฉบับร่าง)" in html and "Testing a draft (version 2)" in html
    assert f'data-submit-url="/forms/hh/draft/{draft.token}/submission"' in html
    assert f'data-fill-url="/forms/hh/draft/{draft.token}/fill"' in html
    assert officer.get(f"/forms/hh/draft/{'x' * len(draft.token)}/fill").status_code == 404
    assert officer.get("/forms/hh/draft").status_code == 403  # the draft page is the publishers'

    r = officer.post(f"/forms/hh/draft/{draft.token}/submission",
                     data={"xml_submission_file": (io.BytesIO(hh_xml(draft, "uuid:test-1")), "x.xml")},
                     content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert r.status_code == 201 and r.json["instance_id"] == "uuid:test-1" and "counted in no report" in r.json["message_en"]
    assert count(Submission) == 0 and count(UnprocessableSubmission) == 0
    row = db.session.scalar(select(TestSubmission))
    assert row.submitted_by == officer.user.username and row.status == "accepted"
    listing = client.get("/forms/hh/draft").get_data(as_text=True)
    assert "uuid:test-1" in listing and officer.user.username in listing
    # the same record again: "already received"; other bytes under its id: 409, nothing overwritten
    again = officer.post(f"/forms/hh/draft/{draft.token}/submission", data=hh_xml(draft, "uuid:test-1"),
                         content_type="text/xml", headers={"Accept": "application/json"})
    assert again.status_code == 201 and again.json["outcome"] == "duplicate"
    other = officer.post(f"/forms/hh/draft/{draft.token}/submission", data=hh_xml(draft, "uuid:test-1", "อื่น"),
                         content_type="text/xml", headers={"Accept": "application/json"})
    assert other.status_code == 409 and count(TestSubmission) == 1
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "draft_test")).all() == ["draft_test"]


def test_test_records_are_checked_and_scored_like_real_ones(client, app):
    publish_workbook("m.xlsx", mw.workbook("1"), "a")
    save_as_draft(client, mw.workbook("2"))
    draft = db.session.scalar(select(FormDraft))
    from app.forms.draft_submissions import receive_test_submission

    good = receive_test_submission(draft, mw.xml(draft, instance_id="uuid:g"), {}, "t")
    bad = receive_test_submission(draft, mw.xml(draft, instance_id="uuid:b", i01="9"), {}, "t")
    assert good.submission.status == "accepted" and good.submission.score["level"]["name"] == "good"
    assert bad.submission.status == "needs_correction" and any(e["path"].endswith("i01") for e in bad.submission.errors)
    assert count(Score) == 0  # scored under the draft's spec, never into the score table
    page = client.get(f"/forms/{mw.FORM_ID}/draft").get_data(as_text=True)
    assert "needs correction" in page and "ระดับ ดี" in page


def test_replacing_the_workbook_rechecks_the_test_records(client):
    """A constraint relaxed in the new workbook: the record it refused is accepted on re-check."""
    from tests.forms.openrosa_helpers import household_workbook

    publish_workbook("household.xlsx", household_workbook(version="1"), "a")
    save_as_draft(client, household_workbook(version="2", extra_question=True))
    draft = db.session.scalar(select(FormDraft))
    from app.forms.draft_submissions import receive_test_submission
    from tests.forms.openrosa_helpers import root_name

    xml = (f'<{root_name(draft)} id="household" version="2"><name>ก</name><age>130</age><photo/>'
           f"<note_text/><meta><instanceID>uuid:old</instanceID></meta></{root_name(draft)}>").encode()
    assert receive_test_submission(draft, xml, {}, "t").submission.status == "needs_correction"
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(household_workbook(version="3", extra_question=True)))
    wb["survey"]["E3"] = ". >= 0 and . <= 150"  # age's constraint
    out = io.BytesIO()
    wb.save(out)
    relaxed = out.getvalue()
    r = client.post("/forms/household/draft/workbook", data={"workbook": (io.BytesIO(relaxed), "household.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 303 and "saved=replaced" in r.headers["Location"]
    row = db.session.scalar(select(TestSubmission))
    db.session.refresh(row)
    assert row.status == "accepted", row.errors
    assert row.checked_hash == db.session.scalar(select(FormDraft.content_hash))
    assert any(e["code"] == "earlier_draft" for e in row.errors)  # filled on version 2, checked on 3
    assert "uuid:old" in client.get("/forms/household/draft").get_data(as_text=True)


def test_test_records_after_publish_are_refused_not_kept(client, app, login):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    save_as_draft(client, simple_form(version="2", label="x"))
    draft = db.session.scalar(select(FormDraft))
    token, xml = draft.token, hh_xml(draft, "uuid:late")
    client.post("/forms/hh/draft/publish")
    r = client.post(f"/forms/hh/draft/{token}/submission", data=xml, content_type="text/xml",
                    headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json["outcome"] == "draft_gone" and "published or discarded" in r.json["message_en"]
    assert count(Submission) == 0 and count(TestSubmission) == 0


def test_odk_collect_can_test_the_draft_through_its_link(client, app, make_user):
    from tests.auth.conftest import basic

    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    save_as_draft(client, simple_form(version="2", label="x"))
    draft = db.session.scalar(select(FormDraft))
    collector = make_user("officer")
    c = app.test_client()
    base = f"/forms/hh/draft/{draft.token}"
    listing = c.get(f"{base}/formList", headers=basic(collector))
    body = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "<formID>hh</formID>" in body and "<version>2</version>" in body
    assert f"{base}/xform.xml" in body and "TEST" in body
    assert c.get(f"{base}/xform.xml", headers=basic(collector)).get_data(as_text=True) == draft.xform
    assert c.head(f"{base}/submission", headers=basic(collector)).status_code == 204
    r = c.post(f"{base}/submission", data={"xml_submission_file": (io.BytesIO(hh_xml(draft, "uuid:c1")), "x.xml")},
               content_type="multipart/form-data", headers=basic(collector))
    assert r.status_code == 201 and b"OpenRosaResponse" in r.data
    assert count(TestSubmission) == 1 and count(Submission) == 0
    assert c.get(f"/forms/hh/draft/nope/formList", headers=basic(collector)).status_code == 404


def test_cli_import_as_draft(app, tmp_path):
    from app.cli import forms_import

    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    (tmp_path / "hh.xlsx").write_bytes(simple_form(version="1", label="ใหม่"))
    result = app.test_cli_runner().invoke(forms_import, [str(tmp_path / "hh.xlsx"), "--draft", "--by", "cli:staff"])
    assert result.exit_code == 0, result.output
    assert "draft of hh version 1 (new" in result.output and "Version 1 is already published" in result.output
    assert count(FormVersion) == 1 and count(FormDraft) == 1
    assert db.session.scalar(select(AuditEvent.actor).where(AuditEvent.action == "draft_upload")) == "cli:staff"


def test_the_draft_link_serves_the_drafts_media(client):
    save_as_draft(client, media_workbook(), "villages.xlsx", media=[("villages.csv", VILLAGES_CSV)])
    token = db.session.scalar(select(FormDraft.token))
    r = client.get(f"/forms/{MEDIA_FORM}/draft/{token}/media/villages.csv")
    assert r.status_code == 200 and r.data == VILLAGES_CSV
    page = client.get(f"/forms/{MEDIA_FORM}/draft/{token}/fill").get_data(as_text=True)
    assert f"/forms/{MEDIA_FORM}/draft/{token}/media/villages.csv" in page  # preloaded from the draft's route
    assert client.get(f"/forms/{MEDIA_FORM}/draft/{token}/media/other.csv").status_code == 404


def test_an_exported_test_record_is_never_imported_as_a_real_one(client, app):
    """A tablet's "export everything unsent" marks a draft's test records (export.js: `test`);
    /unsent/import skips them."""
    from app.forms.unsent import import_export

    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    save_as_draft(client, simple_form(version="2", label="x"))
    draft = db.session.scalar(select(FormDraft))
    item = {"kind": "outbox", "instanceID": "uuid:exported-test", "formId": "hh", "version": "2", "test": True,
            "xml": hh_xml(draft, "uuid:exported-test").decode(), "attachments": []}
    rows = import_export({"items": [item], "user": {}}, client.user)
    assert [r.code for r in rows] == ["skipped_test"] and count(Submission) == 0 and count(TestSubmission) == 0


def test_the_api_says_each_forms_state(client):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    client.post("/forms/hh/state", data={"state": "closing"})
    assert client.get("/api/v1/forms/hh").json["state"] == "closing"
