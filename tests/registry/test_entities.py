"""ODK Entities in the registry: a registration creates a group waiting for the district office;
once approved it appears in groups.csv for that district only. A household mapping creates (and a
later mapping of the same house updates) a household."""
from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from app import db
from app.demo import (REGISTRATION_FILES, _latest, _send, household_answers, publish_bundled,
                      registration_answers)
from app.models import AuditEvent, Group, GroupStatus, Household, Submission, SubmissionStatus
from app.registry.seed import seed_villages
from tests.conftest import sign_in


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _setup(make_user):
    publish_bundled()
    seed_villages()
    return make_user("officer", district="4201")


def _register(officer, name="reg-1", **changes):
    answers = {**registration_answers(), **changes}
    outcome = _send(_latest("group_registration"), name, answers, officer, REGISTRATION_FILES)
    assert outcome.status == 201
    errors = [e for e in outcome.submission.errors if e.get("level", "error") == "error"]
    assert outcome.submission.status == SubmissionStatus.ACCEPTED, errors
    return outcome.submission


def test_registration_creates_a_submitted_group_that_the_district_approves_into_groups_csv(app, make_user):
    officer = _setup(make_user)
    sub = _register(officer, group_kind="savings", group_name="กลุ่มออมทรัพย์เพื่อการผลิตบ้านทดลอง",
                    member=[{**m, "m_pledge": "100"} for m in registration_answers()["member"]], saving_day="5")
    group = db.session.scalar(select(Group))
    assert group.status == GroupStatus.SUBMITTED and group.kind == "savings"
    assert group.district_code == "4201" and group.village_code == "42010101"
    assert group.entity_id == sub.root_instance_id and group.code.startswith("SG-4201-")
    assert group.properties["group_name"] == "กลุ่มออมทรัพย์เพื่อการผลิตบ้านทดลอง"

    own, other = app.test_client(), app.test_client()
    sign_in(own, officer.username)
    sign_in(other, make_user("officer", district="4209").username)
    fv = _latest("sg_assessment_21")
    media_url = f"/forms/sg_assessment_21/versions/{fv.version}/media/groups.csv"
    assert _rows(own.get(media_url).data) == []  # not approved yet

    district = app.test_client()
    sign_in(district, make_user("district", district="4201").username)
    page = district.get("/registry/groups")
    assert page.status_code == 200 and "กลุ่มออมทรัพย์เพื่อการผลิตบ้านทดลอง" in page.get_data(as_text=True)
    # another district's office does not see it and cannot approve it
    neighbour = app.test_client()
    sign_in(neighbour, make_user("district", district="4209").username)
    assert "กลุ่มออมทรัพย์เพื่อการผลิตบ้านทดลอง" not in neighbour.get("/registry/groups").get_data(as_text=True)
    assert neighbour.post(f"/registry/groups/{group.id}/approve",
                          data={"registration_no": "x", "registered_on": "2026-03-01"}).status_code == 404
    # a registration number is required
    assert district.post(f"/registry/groups/{group.id}/approve", data={"registered_on": "2026-03-01"}).status_code == 422
    r = district.post(f"/registry/groups/{group.id}/approve",
                      data={"registration_no": "ลย 4201/2569", "registered_on": "2026-03-01"})
    assert r.status_code == 303
    db.session.expire_all()
    group = db.session.get(Group, group.id)
    assert group.status == GroupStatus.APPROVED and group.registration_no == "ลย 4201/2569"
    assert str(group.registered_on) == "2026-03-01"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "approve", AuditEvent.target_id == group.code)) == 1

    rows = _rows(own.get(media_url).data)
    assert [(r["name"], r["label"], r["kind"], r["district"]) for r in rows] == [
        (group.code, "กลุ่มออมทรัพย์เพื่อการผลิตบ้านทดลอง", "savings", "4201")]
    assert _rows(other.get(media_url).data) == []  # district 4209 sees only its own groups
    # ODK Collect: the manifest lists the generated file, and it downloads the same content
    basic = {"X-OpenRosa-Version": "1.0"}
    manifest = own.get(f"/formList/sg_assessment_21/{fv.version}/manifest", headers=basic)
    assert b"groups.csv" in manifest.data
    assert own.get(f"/formList/sg_assessment_21/{fv.version}/media/groups.csv", headers=basic).data == \
        own.get(media_url).data


def test_an_edit_of_a_waiting_registration_updates_its_group(app, make_user):
    officer = _setup(make_user)
    first = _register(officer)
    answers = registration_answers()
    answers["group_name"] = "กลุ่มอาชีพทอผ้าบ้านทดลองใหม่"
    from app.demo import instance_xml
    from app.forms.definitions import definition_of
    from app.forms.receiving import receive_submission

    fv = _latest("group_registration")
    xml = instance_xml(fv.xform, definition_of(fv), answers, "uuid:edit-1").replace(
        b"<instanceID>uuid:edit-1</instanceID>",
        f"<instanceID>uuid:edit-1</instanceID><deprecatedID>{first.instance_id}</deprecatedID>".encode())
    outcome = receive_submission(xml, REGISTRATION_FILES, officer.username, sender=officer)
    assert outcome.status == 201
    groups = db.session.scalars(select(Group)).all()
    assert [g.name for g in groups] == ["กลุ่มอาชีพทอผ้าบ้านทดลองใหม่"] and groups[0].kind == "occupational"
    assert groups[0].code.startswith("OG-4201-")


def test_registration_needing_correction_makes_no_group(app, make_user):
    officer = _setup(make_user)
    answers = registration_answers()
    answers["group_name"] = "ทอผ้าบ้านทดลอง"  # an occupational group's name must start with กลุ่มอาชีพ
    outcome = _send(_latest("group_registration"), "reg-bad", answers, officer, REGISTRATION_FILES)
    assert outcome.submission.status == SubmissionStatus.NEEDS_CORRECTION
    assert any(e["code"] == "constraint" for e in outcome.submission.errors)
    assert db.session.scalar(select(func.count()).select_from(Group)) == 0


def test_household_mapping_creates_then_updates_the_household(app, make_user):
    officer = _setup(make_user)
    fv = _latest("hh_mapping")
    first = _send(fv, "hh-1", household_answers(), officer)
    assert first.submission.status == SubmissionStatus.ACCEPTED, first.submission.errors
    hh = db.session.scalar(select(Household))
    assert (hh.village_code, hh.house_no, hh.district_code) == ("42010101", "12/1", "4201")
    assert hh.properties["head_name"] == "นางสมศรี ใจดี" and hh.properties["members"] == "4"
    assert hh.label == "นางสมศรี ใจดี บ้านเลขที่ 12/1"
    # the same house mapped again next year: the household is updated, not duplicated
    again = _send(fv, "hh-1-next-year", {**household_answers(), "members": "5", "members_working": "3"}, officer)
    assert again.submission.status == SubmissionStatus.ACCEPTED
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Household)) == 1
    assert db.session.scalar(select(Household)).properties["members"] == "5"


def test_villages_csv_drives_the_cascade_for_the_users_district(app, make_user):
    officer = _setup(make_user)
    c = app.test_client()
    sign_in(c, officer.username)
    fv = _latest("hh_mapping")
    rows = _rows(c.get(f"/forms/hh_mapping/versions/{fv.version}/media/villages.csv").data)
    assert {r["district"] for r in rows} == {"4201"}
    assert [r["name"] for r in rows if r["level"] == "district"] == ["4201"]
    assert len([r for r in rows if r["level"] == "tambon"]) == 4
    assert len([r for r in rows if r["level"] == "village"]) == 48
    assert all(r["tambon"].startswith("4201") for r in rows if r["level"] == "village")
    # an uploaded file of another name is still a plain 404
    assert c.get(f"/forms/hh_mapping/versions/{fv.version}/media/other.csv").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
