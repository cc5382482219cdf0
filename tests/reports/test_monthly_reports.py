"""The monthly status report (sg_monthly_status): its figures land in the typed table monthly_reports
in the submission's own transaction; one report per group and month (an edit by deprecatedID replaces
the figures; a second report is kept but not counted, with a warning); the treasurer's constraints
hold on the server; on time = by the 20th of the following month."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from app import db
from app.models import MonthlyReport, Submission, SubmissionStatus
from app.reports import queries
from app.reports.monthly import DUPLICATE_NOTE, store_monthly_report
from tests.reports.monthly_helpers import publish_monthly, send_monthly


@pytest.fixture
def officer(make_user):
    return make_user("officer", district="4201")


@pytest.fixture
def fv(app):
    return publish_monthly()


def rows(group: str | None = None) -> list[MonthlyReport]:
    stmt = select(MonthlyReport).order_by(MonthlyReport.id)
    if group:
        stmt = stmt.where(MonthlyReport.group_ref == group)
    return list(db.session.scalars(stmt))


def test_a_report_lands_as_typed_figures_in_the_same_transaction(fv, officer):
    outcome = send_monthly(fv, officer, "SG-4201-0001", 2567, 3, members_end=41, new_members=3, left_members=1,
                           savings_balance="123456.50", borrowers=9, loans_overdue=2500, meeting_held="yes",
                           meeting_date="2024-03-12")
    assert outcome.status == 201 and outcome.submission.status == SubmissionStatus.ACCEPTED
    [row] = rows()
    assert row.submission_id == outcome.submission.id
    assert (row.group_ref, row.month, row.fiscal_year, row.district_code) == ("SG-4201-0001", date(2024, 3, 1), 2567, "4201")
    assert (row.members, row.new_members, row.left_members, row.borrowers) == (41, 3, 1, 9)
    assert row.savings_balance == 123456.5 and row.loans_overdue == 2500
    assert row.meeting_held is True and row.meeting_date == date(2024, 3, 12)
    assert row.counted and row.is_current and not row.needs_correction


def test_an_edit_by_deprecated_id_replaces_the_figures_and_stays_the_one_report(fv, officer):
    first = send_monthly(fv, officer, "SG-4201-0001", 2567, 3, new_members=2)
    edit = send_monthly(fv, officer, "SG-4201-0001", 2567, 3, new_members=5, deprecated_id=first.instance_id)
    assert edit.status == 201
    all_rows = rows()
    assert len(all_rows) == 2
    counted = [r for r in all_rows if r.counted]
    assert [(r.submission_id, r.new_members, r.is_current) for r in counted] == [(edit.submission.id, 5, True)]
    assert not [r for r in all_rows if r.submission_id == first.submission.id][0].is_current
    assert not any(e.get("code") == DUPLICATE_NOTE for e in edit.submission.errors)
    figures = queries.monthly_by_district(["4201"], 2567)
    assert figures[("4201", date(2024, 3, 1))]["new_members"] == 5
    assert figures[("4201", date(2024, 3, 1))]["received"] == 1


def test_a_second_report_for_the_same_group_and_month_is_kept_but_not_counted(fv, officer):
    first = send_monthly(fv, officer, "SG-4201-0001", 2567, 3, new_members=2)
    second = send_monthly(fv, officer, "SG-4201-0001", 2567, 3, new_members=7)
    assert second.status == 201  # never refused: field data is kept
    note = [e for e in second.submission.errors if e.get("code") == DUPLICATE_NOTE]
    assert note and note[0]["level"] == "warning" and first.instance_id in note[0]["message_en"]
    assert "แก้ไขรายงานฉบับที่ส่งก่อน" in note[0]["message_th"]
    assert second.submission.status == SubmissionStatus.ACCEPTED
    assert [(r.submission_id, r.counted) for r in rows()] == [(first.submission.id, True), (second.submission.id, False)]
    assert queries.monthly_by_district(["4201"], 2567)[("4201", date(2024, 3, 1))]["new_members"] == 2
    # another month of the same group counts on its own
    send_monthly(fv, officer, "SG-4201-0001", 2567, 4)
    assert sum(r.counted for r in rows()) == 2


@pytest.mark.parametrize("changes, path", [
    ({"borrowers": 50, "members_end": 40}, "/borrowers"),
    ({"new_members": -1}, "/new_members"),
    ({"loans_overdue": 100000, "loans_outstanding": 90000}, "/loans_overdue"),
    ({"meeting_held": "yes", "meeting_date": "2024-04-02"}, "/meeting_date"),
])
def test_the_treasurers_constraints_hold_on_the_server(fv, officer, changes, path):
    outcome = send_monthly(fv, officer, "SG-4201-0001", 2567, 3, **changes)
    assert outcome.status == 201 and outcome.submission.status == SubmissionStatus.NEEDS_CORRECTION
    assert any((e.get("path") or "").endswith(path) and e.get("level", "error") == "error" for e in outcome.errors)
    [row] = rows()
    assert row.needs_correction and row.counted  # received (the group did report) ...
    figures = queries.monthly_by_district(["4201"], 2567)[("4201", date(2024, 3, 1))]
    assert figures["received"] == 1 and figures["new_members"] == 0  # ... but its figures wait for the correction


def test_a_month_in_the_future_is_refused_at_its_question(fv, officer):
    outcome = send_monthly(fv, officer, "SG-4201-0001", 2700, 1)
    assert outcome.submission.status == SubmissionStatus.NEEDS_CORRECTION
    assert any((e.get("path") or "").endswith("/report_month_no") for e in outcome.errors)


def test_on_time_means_received_by_the_20th_of_the_following_month(fv, officer):
    outcome = send_monthly(fv, officer, "SG-4201-0001", 2567, 3)
    sub = outcome.submission
    for received, on_time in ((datetime(2024, 4, 20, 16, 59, tzinfo=timezone.utc), True),  # 23:59 in Bangkok
                              (datetime(2024, 4, 20, 17, 1, tzinfo=timezone.utc), False)):  # 00:01 on the 21st
        sub.received_at = received
        store_monthly_report(sub, sub.form_version)
        db.session.commit()
        assert rows()[0].on_time is on_time


def test_a_correction_keeps_the_original_arrival_time(fv, officer):
    first = send_monthly(fv, officer, "SG-4201-0001", 2567, 3)
    first.submission.received_at = datetime(2024, 4, 5, tzinfo=timezone.utc)
    store_monthly_report(first.submission, first.submission.form_version)
    db.session.commit()
    edit = send_monthly(fv, officer, "SG-4201-0001", 2567, 3, new_members=4, deprecated_id=first.instance_id)
    row = db.session.scalar(select(MonthlyReport).where(MonthlyReport.submission_id == edit.submission.id))
    assert row.on_time and row.counted  # corrected in 2026, reported in April 2024


def test_other_forms_write_no_monthly_row(app, officer):
    from tests.reports.monthly_helpers import QUESTIONNAIRES
    from app.demo import _send, household_answers
    from app.forms.publishing import publish_workbook

    fv = publish_workbook("hh_mapping.xlsx", (QUESTIONNAIRES / "hh_mapping.xlsx").read_bytes(), "t").form_version
    _send(fv, "hh-no-monthly", household_answers(), officer)
    assert db.session.scalar(select(Submission).where(Submission.form_pk == fv.form_pk)) is not None
    assert rows() == []
