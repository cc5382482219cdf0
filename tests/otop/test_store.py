"""Household mappings, registrations and follow-ups land in the OTOP typed tables at receipt, in the
submission's transaction (app/otop/store.py, called from receiving beside the entities)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app import db
from app.auth.accounts import find_user
from app.demo import REGISTRATION_FILES, _latest, _send, household_answers, registration_answers
from app.forms.receiving import receive_submission
from app.models import (Group, GroupPath, GroupStatus, HouseholdChoice, HouseholdOccupation, HouseholdProfile,
                        OccupationProblem, Submission, SubmissionStatus)
from app.otop.demo import _followup


def _profiles(**where):
    return db.session.scalars(select(HouseholdProfile).filter_by(**where).order_by(HouseholdProfile.id)).all()


def _mapping(name: str, **changes):
    outcome = _send(_latest("hh_mapping"), name, {**household_answers(), **changes}, find_user("somchai"))
    assert outcome.status == 201
    return outcome.submission


def test_a_mapping_lands_in_the_profile_tables_with_its_occupations_problems_and_choices(forms):
    answers = household_answers()
    answers["occupation"] = answers["occupation"] + [
        {"occ_category": "rice", "occ_product": "ข้าวเหนียว", "occ_income": "24000", "occ_potential": "2",
         "occ_problems_production": "uneven_quality", "occ_problems_management": "no_bookkeeping no_costing"}]
    sub = _mapping("m1", occupation=answers["occupation"])
    assert sub.status == SubmissionStatus.ACCEPTED
    [p] = _profiles()
    assert (p.submission_id, p.district_code, p.tambon_code, p.village_code, p.house_no) == (
        sub.id, "4201", "420101", "42010101", "12/1")
    assert p.head_name == "นางสมศรี ใจดี" and p.surveyed_on == date(2026, 1, 12) and p.fiscal_year == 2569
    # the server's calculates: 86,000 a year for 4 people = 21,500 per person, below the workbook's 38,000
    assert (p.income_total, p.income_per_person, p.income_threshold) == (Decimal(86000), Decimal(21500), Decimal(38000))
    assert p.below_threshold and p.kkcj_target and p.join_group and p.otop_register and p.counted
    assert (p.debt_formal, p.debt_community, p.debt_informal) == (Decimal(30000), Decimal(8000), Decimal(0))
    occs = db.session.scalars(select(HouseholdOccupation).order_by(HouseholdOccupation.position)).all()
    assert [(o.category, o.otop_subgroup, o.income, o.potential) for o in occs] == [
        ("processing", "3.1", Decimal(36000), 4), ("rice", None, Decimal(24000), 2)]
    problems = db.session.execute(select(HouseholdOccupation.position, OccupationProblem.area, OccupationProblem.problem)
                                  .join(HouseholdOccupation).order_by(HouseholdOccupation.position,
                                                                      OccupationProblem.problem)).all()
    assert [tuple(r) for r in problems] == [(1, "marketing", "no_brand"), (1, "marketing", "no_online"),
                                            (2, "management", "no_bookkeeping"), (2, "management", "no_costing"),
                                            (2, "production", "uneven_quality")]
    choices = sorted(db.session.execute(select(HouseholdChoice.question, HouseholdChoice.value)).all())
    assert [tuple(c) for c in choices] == [("saves_in", "cash"), ("saves_in", "savings_group"),
                                           ("training_wanted", "design"), ("training_wanted", "online")]
    # no national ID is copied into the typed tables
    assert answers["national_id"] not in str([vars(p)] + [vars(o) for o in occs])


def test_an_edit_replaces_the_row_and_a_resurvey_of_the_house_counts_once(forms):
    first = _mapping("m1")
    iid = "uuid:edit-of-m1"
    from app.demo import instance_xml
    from app.forms.definitions import definition_of

    fv = _latest("hh_mapping")
    xml = instance_xml(fv.xform, definition_of(fv), {**household_answers(), "members": "2"}, iid)
    xml = xml.replace(b"</instanceID>", f"</instanceID><deprecatedID>{first.instance_id}</deprecatedID>".encode())
    assert receive_submission(xml, {}, "somchai", sender=find_user("somchai")).status == 201
    [p] = _profiles()
    assert p.submission_id == db.session.scalar(select(Submission.id).where(Submission.instance_id == iid))
    assert p.members == 2 and p.income_per_person == Decimal(43000) and not p.below_threshold

    # the same house surveyed again later that year: both rows kept, only the latest counted
    later = _mapping("m2", surveyed_on="2026-03-01", members="3")
    rows = _profiles()
    assert len(rows) == 2 and [r.counted for r in rows] == [False, True] and rows[1].submission_id == later.id
    # ... and in the next fiscal year it counts again, for that year
    _mapping("m3", surveyed_on="2026-10-05")
    assert [(r.fiscal_year, r.counted) for r in _profiles()] == [(2569, False), (2569, True), (2570, True)]


def test_a_mapping_that_needs_correction_is_kept_but_not_counted(forms):
    sub = _mapping("bad", members_working="9")  # more working members than members: a constraint fails
    assert sub.status == SubmissionStatus.NEEDS_CORRECTION
    [p] = _profiles()
    assert p.needs_correction and not p.counted


def test_a_mapping_without_consent_writes_no_profile(forms):
    answers = {"consent": "", "surveyed_on": "2026-01-12"}
    _send(_latest("hh_mapping"), "no-consent", answers, find_user("somchai"))
    assert _profiles() == []


def test_other_forms_write_nothing_here(forms):
    from app.demo import publish_bundled

    publish_bundled()
    assert db.session.scalar(select(func.count()).select_from(HouseholdProfile)) == 0
    _send(_latest("sg_assessment_21"), "a1", {"group": "x", "assessed_on": "2026-01-01"}, find_user("somchai"))
    assert db.session.scalar(select(func.count()).select_from(HouseholdProfile)) == 0
    assert db.session.scalar(select(func.count()).select_from(GroupPath)) == 0


def _register(name: str, **changes) -> Group:
    outcome = _send(_latest("group_registration"), name, {**registration_answers(), **changes}, find_user("somchai"),
                    REGISTRATION_FILES)
    assert outcome.status == 201 and outcome.submission.status == SubmissionStatus.ACCEPTED, outcome.submission.errors
    return db.session.scalar(select(Group).where(Group.entity_id == outcome.submission.root_instance_id))


def test_a_registration_forms_the_path_and_follow_ups_set_the_stages(forms):
    group = _register("r1", candidate_ref="village:42010101:otop:3.1")
    path = db.session.scalar(select(GroupPath).where(GroupPath.group_id == group.id))
    assert path.formed_on == date(2025, 2, 1) and path.candidate_key == "village:42010101:otop:3.1"
    assert path.district_code == "4201" and path.updated_via == "registration"
    group.status, group.registered_on, group.registration_no = GroupStatus.APPROVED, date(2025, 3, 1), "x"
    db.session.commit()

    followup = _latest("group_followup")
    out = _send(followup, "f1", _followup(group.code, {"product_developed": "2025-06-01"}, "2025-06-02"),
                find_user("somchai"))
    assert out.status == 201 and out.submission.status == SubmissionStatus.ACCEPTED, out.submission.errors
    db.session.refresh(path)
    assert (path.product_developed_on, path.otop_registered_on, path.product_name) == (date(2025, 6, 1), None, "ผลิตภัณฑ์ใหม่")
    _send(followup, "f2", _followup(group.code, {"otop_registered": "2025-08-01", "selling_online": "2025-09-01"},
                                    "2025-09-02"), find_user("somchai"))
    db.session.refresh(path)
    # "no" for a stage reached before clears nothing; the new stages get their dates
    assert (path.product_developed_on, path.otop_registered_on, path.selling_online_on) == (
        date(2025, 6, 1), date(2025, 8, 1), date(2025, 9, 1))
    assert path.online_channels == "facebook shopee" and path.updated_via == "followup"


def test_a_follow_up_about_another_districts_group_changes_nothing(forms):
    group = _register("r1")
    group.status, group.registered_on = GroupStatus.APPROVED, date(2025, 3, 1)
    db.session.commit()
    out = _send(_latest("group_followup"), "f-other", _followup(group.code, {"product_developed": "2025-06-01"},
                                                                "2025-06-02"), find_user("malee"))  # officer of 4209
    assert out.status == 201
    assert db.session.scalar(select(GroupPath.product_developed_on).where(GroupPath.group_id == group.id)) is None


def test_a_savings_group_registration_has_no_path(forms):
    _register("s1", group_kind="savings", group_name="กลุ่มออมทรัพย์เพื่อการผลิตบ้านทดลอง",
              member=[{**m, "m_pledge": "100"} for m in registration_answers()["member"]], saving_day="5")
    assert db.session.scalar(select(func.count()).select_from(GroupPath)) == 0


def test_a_failure_of_the_writer_keeps_the_submission(forms, monkeypatch):
    import app.otop.store as store

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setitem(store._HANDLERS, "hh_mapping", broken)
    sub = _mapping("m-broken")
    assert sub.status == SubmissionStatus.ACCEPTED and _profiles() == []
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
