"""Text PostgreSQL cannot store (the NUL character) never reaches it: an attachment named with one,
a device id, a username tried at sign-in — each is answered normally (never 500, which ODK Collect
would retry forever) and stored with U+FFFD in its place. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import io

from sqlalchemy import select

from app import db
from app.models import Attachment, AuditEvent, Submission
from tests.auth.conftest import basic
from tests.conftest import TEST_PASSWORD, csrf_token_of
from tests.forms.openrosa_helpers import new_instance_id, publish, submission_xml


def test_an_attachment_named_with_a_nul_byte_is_kept_and_answered_201(app, make_user):
    fv = publish()
    officer = make_user("officer")
    client = app.test_client()
    xml = submission_xml(fv, new_instance_id(), photo="a.jpg")
    for _ in range(2):  # a retry gets the same answer
        data = {"xml_submission_file": (io.BytesIO(xml), "submission.xml", "text/xml"),
                "a.jpg": (io.BytesIO(b"JPEG"), "a.jpg", "image/jpeg"),
                "extra": (io.BytesIO(b"more"), "x\x00y.jpg", "image/jpeg\x00")}
        r = client.post("/submission?deviceID=collect%00:1", data=data, content_type="multipart/form-data",
                        headers=basic(officer))
        assert r.status_code == 201, r.data
    db.session.expire_all()  # what the database holds, not the objects of this session
    sub = db.session.scalar(select(Submission))
    assert sorted(a.filename for a in db.session.scalars(select(Attachment))) == ["a.jpg", "x\ufffdy.jpg"]
    assert sub.device_id == "collect\ufffd:1"


def test_a_username_with_a_nul_byte_is_a_wrong_sign_in_not_an_error(app):
    client = app.test_client()
    token = csrf_token_of(client.get("/signin").get_data(as_text=True))
    r = client.post("/signin", data={"username": "ab\x00cd", "password": TEST_PASSWORD, "csrf_token": token})
    assert r.status_code in (200, 401) and "ab" in r.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent.actor).where(AuditEvent.actor.like("ab%"))) == "ab\ufffdcd"
