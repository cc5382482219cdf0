"""POST /submission re-validates with the form's logic: a constraint violation is stored as
"needs correction" with the form's Thai and English message; the stored data carries the server's
calculates (a differing client value is a warning, not an error); non-relevant values are blanked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.forms.publishing import publish_workbook
from app.models import Submission, SubmissionStatus
from tests.forms.openrosa_helpers import new_instance_id, post_submission, root_name
from tests.xlsform.xlsx_builder import make_xlsx


@pytest.fixture
def client(officer_client):
    """Signed in as an officer (officers fill forms and send submissions)."""
    return officer_client


@pytest.fixture
def version(app):
    data = make_xlsx(
        survey=[["type", "name", "label::Thai (th)", "label::English (en)", "constraint",
                 "constraint_message::Thai (th)", "constraint_message::English (en)", "calculation", "relevant"],
                ["integer", "members", "จำนวนสมาชิก", "Members", ". >= 1 and . <= 30",
                 "จำนวนสมาชิกต้องอยู่ระหว่าง 1 ถึง 30 คน", "Members must be 1 to 30", "", ""],
                ["calculate", "fee", "", "", "", "", "", "${members} * 20", ""],
                ["text", "note", "หมายเหตุ", "Note", "", "", "", "", "${members} > 10"]],
        settings=[["form_id", "version", "default_language"], ["savings", "1", "Thai (th)"]],
    )
    return publish_workbook("savings.xlsx", data, "tester").form_version


def body(version, instance_id: str, members: str, fee: str, note: str = "") -> bytes:
    root = root_name(version)
    return (f'<?xml version="1.0"?><{root} id="savings" version="1"><members>{members}</members>'
            f"<fee>{fee}</fee><note>{note}</note><meta><instanceID>{instance_id}</instanceID></meta>"
            f"</{root}>").encode()


def stored(instance_id: str) -> Submission:
    db.session.expire_all()
    return db.session.scalar(select(Submission).where(Submission.instance_id == instance_id))


def test_constraint_violation_is_stored_needing_correction_with_the_forms_messages(client, version):
    iid = new_instance_id()
    r = post_submission(client, body(version, iid, members="45", fee="900"))
    assert r.status_code == 201
    sub = stored(iid)
    assert sub.status == SubmissionStatus.NEEDS_CORRECTION
    [error] = [e for e in sub.errors if e["level"] == "error"]
    assert error["code"] == "constraint" and error["path"].endswith("/members") and error["value"] == "45"
    assert "จำนวนสมาชิกต้องอยู่ระหว่าง 1 ถึง 30 คน" in error["message_th"]
    assert "Members must be 1 to 30" in error["message_en"]


def test_stored_data_carries_the_servers_calculate_and_blanks_non_relevant_values(client, version):
    iid = new_instance_id()
    r = post_submission(client, body(version, iid, members="4", fee="5", note="left over"))
    assert r.status_code == 201
    sub = stored(iid)
    assert sub.status == SubmissionStatus.ACCEPTED  # a differing calculate is only a warning
    fee = next(k for k in sub.data if k.endswith("/fee"))
    note = next(k for k in sub.data if k.endswith("/note"))
    assert sub.data[fee] == "80" and sub.data[note] == ""
    [warning] = [e for e in sub.errors if e["code"] == "calculate_differs"]
    assert (warning["level"], warning["value"], warning["server_value"]) == ("warning", "5", "80")
    assert "<fee>5</fee>" in sub.xml  # the XML as received is kept untouched


def test_matching_calculate_gives_no_note(client, version):
    iid = new_instance_id()
    post_submission(client, body(version, iid, members="12", fee="240", note="big group"))
    sub = stored(iid)
    assert sub.status == SubmissionStatus.ACCEPTED and sub.errors == []
    assert sub.data[next(k for k in sub.data if k.endswith("/note"))] == "big group"
