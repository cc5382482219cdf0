"""Officer assignments (app/auth/assignments.py, app/auth/scope.py): the district office assigns its
officers to its approved groups; an assigned officer then sees (and may correct) the submissions
about those groups — matched by Score.group_ref = Group.code — but only within their district.
Every test runs with the three forms of the officer's scope: the list of ids read once per request (an
officer with up to 5,000 records), their own records or a listed few others (more own records than
that), and the per-row condition (more of both)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.auth.scope import may_correct_submission, may_see_submission
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import AuditEvent, Group, GroupStatus, OfficerAssignment
from tests.conftest import sign_in
from tests.scoring import meeting_workbook as mw


@pytest.fixture(autouse=True, params=["id list", "own or listed", "per row"])
def officer_scope_form(request, monkeypatch):
    from app.auth import scope

    if request.param in ("own or listed", "per row"):
        monkeypatch.setattr(scope, "OFFICER_IDS_INLINE", 0)
    if request.param == "per row":
        monkeypatch.setattr(scope, "OFFICER_OTHERS_INLINE", 0)
    return request.param


@pytest.fixture
def setup(world, make_user):
    groups = {}
    for code, district, status in (("g1", "4201", GroupStatus.APPROVED), ("g2", "4201", GroupStatus.APPROVED),
                                   ("g3", "4201", GroupStatus.SUBMITTED), ("g9", "4209", GroupStatus.APPROVED)):
        groups[code] = Group(code=code, kind="savings", name=f"group {code}", district_code=district, status=status)
        db.session.add(groups[code])
    db.session.commit()
    fv = publish_workbook("meeting.xlsx", mw.workbook(), "root").form_version
    colleague = make_user("officer", district="4201", username="colleague4201")

    def send(user, iid, group):
        outcome = receive_submission(mw.xml(fv, instance_id=iid, group=group), {}, user.username, sender=user)
        assert outcome.status == 201
        return outcome.submission

    subs = {
        "g1": send(colleague, "uuid:g1-by-colleague", "g1"),
        "g2": send(colleague, "uuid:g2-by-colleague", "g2"),
        # another district's officer assessing under the same group code: never visible to 4201 officers
        "g1_other_district": send(world.other_officer, "uuid:g1-by-9901", "g1"),
    }
    return world, fv, groups, subs, colleague


def detail(client, fv, sub):
    return client.get(f"/forms/{fv.form.form_id}/submissions/{sub.instance_id}")


def test_assigned_officer_sees_the_groups_submissions_within_the_district(setup):
    world, fv, groups, subs, _colleague = setup
    officer = world.users["officer"]
    client = world.client("officer")
    assert detail(client, fv, subs["g1"]).status_code == 404  # not assigned yet

    district = world.client("district")
    r = district.post(f"/assignments/{officer.id}", data={"group": [str(groups["g1"].id)]})
    assert r.status_code == 303
    assert db.session.scalar(select(OfficerAssignment.group_id).where(OfficerAssignment.user_id == officer.id)) \
        == groups["g1"].id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assign")).one()
    assert event.actor == "dist4201" and event.target_id == officer.username
    assert event.detail["added"] == ["g1"] and event.detail["removed"] == []

    assert detail(client, fv, subs["g1"]).status_code == 200
    assert detail(client, fv, subs["g2"]).status_code == 404
    assert detail(client, fv, subs["g1_other_district"]).status_code == 404  # 9901's record, same code
    page = client.get(f"/forms/{fv.form.form_id}/submissions").get_data(as_text=True)
    assert "uuid:g1-by-colleague" in page and "uuid:g2-by-colleague" not in page
    assert "uuid:g1-by-9901" not in page
    db.session.expire_all()
    assert may_see_submission(subs["g1"], officer) and may_correct_submission(subs["g1"], officer)
    assert not may_see_submission(subs["g1_other_district"], officer)
    # the API follows the same scope
    assert client.get(f"/api/v1/forms/{fv.form.form_id}/submissions").status_code == 200

    # un-assigning (nothing ticked) takes the access away again, and is logged
    assert district.post(f"/assignments/{officer.id}", data={}).status_code == 303
    assert detail(client, fv, subs["g1"]).status_code == 404
    removed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assign")
                                 .order_by(AuditEvent.id.desc())).first()
    assert removed.detail["removed"] == ["g1"]


def test_only_approved_groups_of_the_officers_district_can_be_assigned(setup):
    world, _fv, groups, _subs, _colleague = setup
    officer = world.users["officer"]
    district = world.client("district")
    page = district.get(f"/assignments?officer={officer.id}").get_data(as_text=True)
    assert "group g1" in page and "group g2" in page
    assert "group g3" not in page and "group g9" not in page  # waiting for approval / another district
    r = district.post(f"/assignments/{officer.id}", data={"group": [str(groups["g3"].id), str(groups["g9"].id),
                                                                     "nonsense", str(groups["g2"].id)]})
    assert r.status_code == 303
    assigned = set(db.session.scalars(select(OfficerAssignment.group_id).where(OfficerAssignment.user_id == officer.id)))
    assert assigned == {groups["g2"].id}


def test_district_cannot_touch_other_districts_officers_and_others_may_not_assign(setup):
    world, _fv, groups, _subs, _colleague = setup
    district = world.client("district")
    for foreign in (world.neighbour_officer, world.other_officer, world.users["district"]):
        assert district.get(f"/assignments?officer={foreign.id}").status_code == 404
        assert district.post(f"/assignments/{foreign.id}", data={"group": [str(groups["g1"].id)]}).status_code == 404
    page = district.get("/assignments").get_data(as_text=True)
    assert "off4209" not in page and "off9901" not in page and "off4201" in page
    officer = world.users["officer"]
    for role in ("officer", "province"):
        assert world.client(role).post(f"/assignments/{officer.id}", data={}).status_code == 403
    # an admin may assign any district's officer (to that officer's district's groups)
    admin = world.client("admin")
    assert admin.post(f"/assignments/{world.neighbour_officer.id}", data={"group": [str(groups["g9"].id)]}).status_code == 303
    assert db.session.scalar(select(OfficerAssignment).where(
        OfficerAssignment.user_id == world.neighbour_officer.id)).group_id == groups["g9"].id
    assert not db.session.scalars(select(OfficerAssignment).where(OfficerAssignment.group_id == groups["g1"].id)).all()


def test_assignment_ends_when_the_officer_moves_district(setup, app):
    world, fv, groups, subs, _colleague = setup
    officer = world.users["officer"]
    world.client("district").post(f"/assignments/{officer.id}", data={"group": [str(groups["g1"].id)]})
    db.session.expire_all()
    assert may_see_submission(subs["g1"], officer)
    from app.models import District

    officer.district_id = db.session.scalar(select(District.id).where(District.code == "4209"))
    db.session.commit()
    db.session.expire_all()
    assert not may_see_submission(subs["g1"], officer)


def test_correction_by_the_district_stays_visible_to_the_sending_officer(setup):
    """The edit chain: an officer keeps seeing the records of a chain they sent into (same district)."""
    world, fv, _groups, _subs, _colleague = setup
    officer = world.users["officer"]
    original = receive_submission(mw.xml(fv, instance_id="uuid:mine", group="g2"), {}, officer.username,
                                  sender=officer).submission
    staff = world.users["district"]
    edit = receive_submission(mw.xml(fv, instance_id="uuid:mine-fixed", group="g2", deprecated_id="uuid:mine"),
                              {}, staff.username, sender=staff).submission
    assert edit.deprecated_id == "uuid:mine" and edit.district_code == "4201"
    client = world.client("officer")
    assert detail(client, fv, edit).status_code == 200
    assert detail(client, fv, original).status_code == 200
    # the neighbour district's officer still sees neither
    c = world.app.test_client()
    sign_in(c, world.neighbour_officer.username)
    assert detail(c, fv, edit).status_code == 404


def test_the_three_forms_of_the_officer_scope_see_the_same_records(setup):
    """The id list, own-or-listed, the per-row condition and the UNION select the same submissions."""
    from app.auth import scope
    from app.models import Submission

    world, fv, groups, subs, colleague = setup
    officer = world.users["officer"]
    world.client("district").post(f"/assignments/{officer.id}", data={"group": [str(groups["g1"].id)]})
    mine = receive_submission(mw.xml(fv, instance_id="uuid:own", group="g2"), {}, officer.username,
                              sender=officer).submission
    staff = world.users["district"]
    receive_submission(mw.xml(fv, instance_id="uuid:own-fixed", group="g2", deprecated_id=mine.instance_id),
                       {}, staff.username, sender=staff)
    # the officer edits an assigned group's record, then the assignment ends: the chain stays theirs
    receive_submission(mw.xml(fv, instance_id="uuid:g1-fixed-by-officer", group="g1",
                              deprecated_id=subs["g1"].instance_id), {}, officer.username, sender=officer)
    world.client("district").post(f"/assignments/{officer.id}", data={})
    db.session.expire_all()
    officer = db.session.get(type(officer), officer.id)

    def visible(clause) -> set[str]:
        return set(db.session.scalars(select(Submission.instance_id).where(clause)))

    expected = {"uuid:own-4201", "uuid:own", "uuid:own-fixed", "uuid:g1-by-colleague", "uuid:g1-fixed-by-officer"}
    assert visible(Submission.id.in_(scope._officer_reachable(officer))) == expected
    assert visible(scope._officer_per_row(officer)) == expected
    assert visible(scope._officer_own_or_listed(officer)) == expected
    assert visible(scope.submission_clause(officer)) == expected  # the form this test run uses
