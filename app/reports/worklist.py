"""The district's worklist (the district office's home page; an officer sees the same for the groups
assigned to them): what to do now, from the data. No Flask here: `link(kind, **values)` makes URLs.

"Now" is app.clock.today(); the round is its fiscal year (app.periods). Sections:
- not_assessed: approved savings groups without a counted assessment this round (village, officers
  assigned, last assessment date of any round) -> fill the assessment;
- monthly_missing: groups (approved by the end of that month) without a report for the latest month
  that is already late (app.periods.last_due_month: before the 21st that is two months back) ->
  fill the monthly report;
- corrections: current submissions of the district that need correction (every form, in the user's
  submission scope) -> the record, where "correct" is;
- level1: groups whose latest counted assessment (this round or the one before) is at the lowest
  level, with their weakest principle -> the meeting screen;
- plans_due: committee plans whose target date is within 30 days or past, with no assessment of the
  group since the plan was made -> the meeting screen of the group's latest assessment.
Filters: tambon (the group's village) and officer (assignment).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable

from sqlalchemy import func, or_, select

from app import db
from app.auth.scope import submission_clause
from app.models import (CommitteePlan, District, Form, Group, GroupStatus, MonthlyReport, OfficerAssignment, Role,
                        Score, ScoreGroupResult, Submission, SubmissionStatus, User, Village)
from app.periods import add_months, fiscal_year, fiscal_year_bounds, last_due_month, monthly_report_due
from app.reports import queries
from app.reports.province import principle_names
from app.reports.rules import monthly_received

PLANS_AHEAD_DAYS = 30
SECTIONS = ("not_assessed", "monthly_missing", "corrections", "level1", "plans_due")


@dataclass
class Worklist:
    district: District
    today: date
    fy: int
    due_month: date
    due_date: date
    groups_in_scope: int
    tambons: list[tuple[str, str]]
    officers: list[tuple[int, str]]
    tambon: str | None
    officer: int | None
    only_assigned_to: User | None
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.sections.items()}


def _groups(district: District, tambon: str | None, officer_id: int | None) -> list[dict[str, Any]]:
    stmt = (select(Group.id, Group.code, Group.name, Group.village_code, Group.registered_on,
                   Village.name_th, Village.tambon_code, Village.tambon_th)
            .outerjoin(Village, Village.code == Group.village_code)
            .where(Group.district_code == district.code, Group.kind == "savings", Group.status == GroupStatus.APPROVED))
    if tambon:
        stmt = stmt.where(Village.tambon_code == tambon)
    if officer_id is not None:
        stmt = stmt.where(Group.id.in_(select(OfficerAssignment.group_id).where(OfficerAssignment.user_id == officer_id)))
    return [{"id": r[0], "code": r[1], "name": r[2], "village_code": r[3], "registered_on": r[4],
             "village": r[5] or r[3] or "", "tambon_code": r[6], "tambon": r[7] or ""}
            for r in db.session.execute(stmt.order_by(Group.code))]


def build(user: User, district: District, today: date, *, assessment_form: str, monthly_form: str,
          tambon: str | None = None, officer: int | None = None, link: Callable[..., str]) -> Worklist:
    s = db.session
    only = user if user.role == Role.OFFICER else None
    officer_filter = user.id if only is not None else officer
    groups = _groups(district, tambon or None, officer_filter)
    codes = [g["code"] for g in groups]
    ids = [g["id"] for g in groups]
    fy = fiscal_year(today)
    due_month = last_due_month(today)
    tambons = [(c, t) for c, t in s.execute(
        select(Village.tambon_code, func.min(Village.tambon_th)).where(Village.district_code == district.code)
        .group_by(Village.tambon_code).order_by(Village.tambon_code))]
    officers = [(u.id, u.display_name) for u in s.scalars(
        select(User).where(User.role == Role.OFFICER, User.district_id == district.id, User.active.is_(True))
        .order_by(User.display_name))]
    wl = Worklist(district, today, fy, due_month, monthly_report_due(due_month), len(groups), tambons, officers,
                  tambon or None, officer if only is None else None, only)
    assigned: dict[int, list[str]] = {}
    if ids:
        for gid, name in s.execute(select(OfficerAssignment.group_id, User.display_name)
                                   .join(User, User.id == OfficerAssignment.user_id)
                                   .where(OfficerAssignment.group_id.in_(ids)).order_by(User.display_name)):
            assigned.setdefault(gid, []).append(name)
    pks = dict(s.execute(select(Form.form_id, Form.id).where(Form.form_id.in_([assessment_form, monthly_form]))).all())
    form, monthly_pk = pks.get(assessment_form), pks.get(monthly_form)
    form_ids = {pk: fid for fid, pk in pks.items()}
    level_map, spec = queries.versions_info(form)
    labels = {n: (th, en) for n, th, en in principle_names(spec)}

    # -- not assessed this round
    last: dict[str, date] = {}
    this_round: set[str] = set()
    if form is not None and codes:
        # the latest assessment record of each group, whatever its state (an index-only read of
        # scores (group_ref, form_pk, assessed_on): a group's whole history is never fetched)
        last = dict(s.execute(select(Score.group_ref, func.max(Score.assessed_on)).where(
            Score.group_ref.in_(codes), Score.form_pk == form).group_by(Score.group_ref)).all())
        rr = queries.round_results(form, None, fy, groups=codes)
        this_round = set(s.scalars(select(rr.c.group_ref)))
    fill_assessment = link("fill", form_id=form_ids.get(form, assessment_form))
    wl.sections["not_assessed"] = [
        {**g, "officers": assigned.get(g["id"], []), "last_assessed": last.get(g["code"]), "url": fill_assessment}
        for g in groups if g["code"] not in this_round]

    # -- monthly report missing for the latest month already late
    owed = [g for g in groups if g["registered_on"] is None or g["registered_on"] < add_months(due_month, 1)]
    reported = set()
    if owed:
        reported = set(s.scalars(select(MonthlyReport.group_ref).where(
            MonthlyReport.month == due_month, MonthlyReport.group_ref.in_([g["code"] for g in owed]), monthly_received())))
    last_report: dict[str, date] = {}
    if owed:
        last_report = dict(s.execute(select(MonthlyReport.group_ref, func.max(MonthlyReport.month)).where(
            MonthlyReport.group_ref.in_([g["code"] for g in owed]), monthly_received())
            .group_by(MonthlyReport.group_ref)).all())
    fill_monthly = link("fill", form_id=form_ids.get(monthly_pk, monthly_form))
    wl.sections["monthly_missing"] = [
        {**g, "officers": assigned.get(g["id"], []), "last_report": last_report.get(g["code"]), "url": fill_monthly}
        for g in owed if g["code"] not in reported]

    # -- waiting for correction (any form; the user's submission scope)
    stmt = (select(Submission.instance_id, Submission.instance_name, Submission.received_at, Submission.submitted_by,
                   Form.form_id, Form.title, Score.group_ref, MonthlyReport.group_ref)
            .join(Form, Form.id == Submission.form_pk)
            .outerjoin(Score, Score.submission_id == Submission.id)
            .outerjoin(MonthlyReport, MonthlyReport.submission_id == Submission.id)
            .where(Submission.is_current.is_(True), Submission.status == SubmissionStatus.NEEDS_CORRECTION,
                   Submission.district_code == district.code, submission_clause(user))
            .order_by(Submission.received_at.desc()).limit(500))
    filtered = bool(tambon or officer_filter is not None)
    in_scope = set(codes)
    names = {g["code"]: g["name"] for g in groups}
    corrections = []
    for iid, name, received, by, fid, title, score_group, monthly_group in s.execute(stmt):
        group = score_group or monthly_group
        if filtered and group not in in_scope:
            continue
        corrections.append({"instance_id": iid, "label": name or iid, "received_at": received, "submitted_by": by,
                            "form_title": title, "group": group, "group_name": names.get(group or "", ""),
                            "url": link("submission", form_id=fid, instance_id=iid)})
    wl.sections["corrections"] = corrections

    # -- level 1 with the weakest principle (each group's latest counted assessment)
    level1 = []
    latest_rows = []
    if form is not None and codes:
        # each group's latest counted assessment of this round or the one before (older ones: the
        # group is "not assessed" above, and its history stays out of the query)
        latest = queries.round_results(form, None, None, groups=codes, since=fiscal_year_bounds(fy - 1)[0])
        latest_rows = s.execute(select(latest.c.score_id, latest.c.group_ref, latest.c.form_version_id,
                                       latest.c.level_name, latest.c.percent, latest.c.assessed_on,
                                       Submission.instance_id)
                                .join(Submission, Submission.id == latest.c.submission_id)).all()
        rows = latest_rows
        worst = [r for r in rows if level_map.get((r.form_version_id, r.level_name)) == 1]
        weakest: dict[int, tuple[str, float | None]] = {}
        if worst:
            for sid, gname, pct in s.execute(
                    select(ScoreGroupResult.score_id, ScoreGroupResult.group_name, ScoreGroupResult.percent)
                    .where(ScoreGroupResult.score_id.in_([r.score_id for r in worst]), ScoreGroupResult.percent.is_not(None))
                    .order_by(ScoreGroupResult.score_id, ScoreGroupResult.percent, ScoreGroupResult.position)):
                weakest.setdefault(sid, (gname, pct))
        by_code = {g["code"]: g for g in groups}
        for r in sorted(worst, key=lambda r: (r.percent if r.percent is not None else 0)):
            w = weakest.get(r.score_id)
            level1.append({**by_code[r.group_ref], "officers": assigned.get(by_code[r.group_ref]["id"], []),
                           "percent": r.percent, "assessed_on": r.assessed_on,
                           "weakest": labels.get(w[0], (w[0], "")) if w else None,
                           "weakest_percent": w[1] if w else None,
                           "url": link("meeting", instance_id=r.instance_id)})
    wl.sections["level1"] = level1

    # -- committee plans due
    plans = []
    if form is not None and codes:
        horizon = today + timedelta(days=PLANS_AHEAD_DAYS)
        latest_by_group = {r.group_ref: (r.assessed_on, r.instance_id) for r in latest_rows}
        by_code = {g["code"]: g for g in groups}
        for p in s.scalars(select(CommitteePlan).where(
                CommitteePlan.form_pk == form, CommitteePlan.group_ref.in_(codes), CommitteePlan.target_date <= horizon,
                or_(CommitteePlan.district_code == district.code, CommitteePlan.district_code.is_(None)))
                .order_by(CommitteePlan.target_date)):
            assessed_on, iid = latest_by_group.get(p.group_ref, (None, None))
            made_on = p.created_at.date() if p.created_at else None
            if assessed_on is not None and made_on is not None and assessed_on > made_on:
                continue  # the group has been assessed again since: the plan was followed up there
            plans.append({**by_code[p.group_ref], "action": p.action, "responsible": p.responsible,
                          "target_date": p.target_date, "overdue": p.target_date < today,
                          "principle": labels.get(p.score_group, (p.score_group, "")),
                          "url": link("meeting", instance_id=iid) if iid else ""})
    wl.sections["plans_due"] = plans
    return wl
