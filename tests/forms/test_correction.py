"""Correcting a sent record from the browser (HTTP side): the "แก้ไข / Correct" link on the detail
page, the correction fill page (/forms/<id>/versions/<v>/fill?correct=<instanceID>: the stored XML,
its attachments and errors, no-store, 404 outside the corrector's scope), and the edit it sends."""
from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from app import db
from app.forms.receiving import receive_submission
from app.models import AuditEvent, Submission, SubmissionStatus
from tests.auth.conftest import PNG, world  # noqa: F401  (the access-test world: accounts per role)
from tests.conftest import sign_in
from tests.forms.openrosa_helpers import post_submission, publish, root_name, submission_xml


@pytest.fixture
def setup(world):  # noqa: F811
    fv = publish()
    officer = world.users["officer"]
    outcome = receive_submission(submission_xml(fv, "uuid:bad-age", age="150", photo="p.png"),
                                 {"p.png": (PNG, "image/png")}, officer.username, sender=officer)
    assert outcome.submission.status == SubmissionStatus.NEEDS_CORRECTION
    return world, fv, outcome.submission


def correct_url(fv, iid):
    return f"/forms/{fv.form.form_id}/versions/{fv.version}/fill?correct={iid}"


def detail_url(fv, iid):
    return f"/forms/{fv.form.form_id}/submissions/{iid}"


def correction_block(page: str) -> dict:
    found = re.search(r'<script type="application/xml" id="correction-instance"([^>]*)>(.*?)</script>', page, re.S)
    assert found, "no correction block on the page"
    attrs = dict((k, html.unescape(v)) for k, v in re.findall(r'([\w-]+)="([^"]*)"', found.group(1)))
    return {"attrs": attrs, "xml": found.group(2)}


def test_detail_page_offers_correct_to_those_who_may(setup):
    world, fv, sub = setup
    for role in ("officer", "district", "admin"):
        page = world.client(role).get(detail_url(fv, sub.instance_id)).get_data(as_text=True)
        assert 'class="btn correct-submission"' in page, role
        link = re.search(r'href="([^"]+)">แก้ไข', page).group(1)
        assert html.unescape(link).replace("%3A", ":") == correct_url(fv, sub.instance_id)
    page = world.client("province").get(detail_url(fv, sub.instance_id)).get_data(as_text=True)
    assert "correct-submission" not in page  # province accounts read only


def test_correction_page_carries_the_stored_record_its_files_and_errors(setup):
    world, fv, sub = setup
    r = world.client("officer").get(correct_url(fv, sub.instance_id))
    assert r.status_code == 200
    assert "no-store" in r.headers["Cache-Control"]
    block = correction_block(r.get_data(as_text=True))
    assert "<age>150</age>" in block["xml"] and "<photo>p.png</photo>" in block["xml"]
    assert block["attrs"]["data-deprecated-id"] == "uuid:bad-age"
    files = json.loads(block["attrs"]["data-attachments"])
    assert [f["name"] for f in files] == ["p.png"] and files[0]["url"].startswith("/attachments/")
    errors = json.loads(block["attrs"]["data-errors"])
    assert [e["path"] for e in errors] == [f"/{root_name(fv)}/age"]
    assert all(e["message_th"] and e["message_en"] for e in errors)
    # the attachment URL answers for the corrector (the runtime fetches it to send it again)
    assert world.client("officer").get(files[0]["url"]).data == PNG
    # the plain fill page is unchanged
    assert "correction-instance" not in world.client("officer").get(
        f"/forms/{fv.form.form_id}/versions/{fv.version}/fill").get_data(as_text=True)


def test_correction_page_is_404_outside_scope_or_for_an_old_record(setup):
    world, fv, sub = setup
    for role in ("province", "anonymous"):
        status = world.client(role).get(correct_url(fv, sub.instance_id)).status_code
        assert status == (302 if role == "anonymous" else 404)
    for user in (world.neighbour_officer, world.other_officer):
        c = world.app.test_client()
        sign_in(c, user.username)
        assert c.get(correct_url(fv, sub.instance_id)).status_code == 404
    officer = world.client("officer")
    assert officer.get(correct_url(fv, "uuid:no-such-record")).status_code == 404
    # another district's record: the same 404
    assert officer.get(correct_url(world.fv, world.other.instance_id)).status_code == 404
    # the record exists but on another version of the form: 404 (the link names the right version)
    fv2 = publish(version="2", extra_question=True)
    assert officer.get(correct_url(fv2, sub.instance_id)).status_code == 404


def test_sending_the_correction_supersedes_the_old_record_keeps_history_and_is_audited(setup):
    world, fv, sub = setup
    officer = world.client("officer")
    xml = submission_xml(fv, "uuid:fixed-age", age="50", photo="p.png", deprecated_id=sub.instance_id)
    r = post_submission(officer, xml, [("p.png", PNG, "image/png")])
    assert r.status_code == 201
    db.session.expire_all()
    old = db.session.scalar(select(Submission).where(Submission.instance_id == "uuid:bad-age"))
    new = db.session.scalar(select(Submission).where(Submission.instance_id == "uuid:fixed-age"))
    assert new.status == SubmissionStatus.ACCEPTED and new.is_current and new.root_instance_id == "uuid:bad-age"
    assert not old.is_current and old.superseded_by_id == new.id
    assert [a.filename for a in new.attachments] == ["p.png"] and new.attachments[0].sha256 == old.attachments[0].sha256
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "correct")).one()
    assert event.target_id == "uuid:fixed-age" and event.detail["replaces"] == "uuid:bad-age"
    listing = officer.get(f"/forms/{fv.form.form_id}/submissions").get_data(as_text=True)
    assert "uuid:fixed-age" in listing and "uuid:bad-age" not in listing
    page = officer.get(detail_url(fv, "uuid:fixed-age")).get_data(as_text=True)
    assert "uuid:bad-age" in page  # the edit history
    # the superseded record may no longer be corrected (the current one may)
    assert officer.get(correct_url(fv, "uuid:bad-age")).status_code == 404
    assert "correct-submission" not in officer.get(detail_url(fv, "uuid:bad-age")).get_data(as_text=True)
    assert officer.get(correct_url(fv, "uuid:fixed-age")).status_code == 200


def test_a_correction_by_an_admin_stays_in_the_records_district(setup):
    world, fv, sub = setup
    xml = submission_xml(fv, "uuid:admin-fix", age="50", photo="p.png", deprecated_id=sub.instance_id)
    assert post_submission(world.client("admin"), xml, [("p.png", PNG, "image/png")]).status_code == 201
    new = db.session.scalar(select(Submission).where(Submission.instance_id == "uuid:admin-fix"))
    assert new.district_code == "4201"
    assert world.client("district").get(detail_url(fv, "uuid:admin-fix")).status_code == 200
    assert world.client("officer").get(detail_url(fv, "uuid:admin-fix")).status_code == 200  # its chain
