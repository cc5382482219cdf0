"""The SQL behind the province report and the district worklist: GROUP BY over indexed columns of
the score table, the monthly reports, the registry and the targets. No Flask here; every function
takes the district codes in scope (the caller decides the scope: app/auth/scope.py) and returns
plain dicts, so pages, XLSX exports and the benchmark read the same numbers.

Indexes these rely on: scores (form_pk, district_code, assessed_on), monthly_reports
(district_code, fiscal_year, month) and (group_ref, month), registry_groups (district_code, status),
targets (fiscal_year), fund_level_counts (fiscal_year).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from sqlalchemy import case, func, literal, or_, select, union_all

from app import db
from app.models import (
    Form,
    FormVersion,
    FundLevelCount,
    Group,
    GroupStatus,
    Household,
    MonthlyReport,
    Score,
    ScoreGroupResult,
    Target,
)
from app.periods import add_months, fiscal_year, fiscal_year_bounds
from app.reports.rules import monthly_figures_count, monthly_received, report_level, score_counts


def form_pk(form_id: str) -> int | None:
    return db.session.scalar(select(Form.id).where(Form.form_id == form_id))


# ------------------------------------------------------------------------------ assessments

def versions_info(form: int | None) -> tuple[dict[tuple[int, str], int], dict]:
    """One query: ((form_version_id, level name) -> report level 3/2/1 for every version of the form,
    the latest version's scoring spec)."""
    if form is None:
        return {}, {}
    levels: dict[tuple[int, str], int] = {}
    latest: dict = {}
    for vid, spec in db.session.execute(select(FormVersion.id, FormVersion.scoring)
                                        .where(FormVersion.form_pk == form).order_by(FormVersion.id)):
        for lv in (spec or {}).get("levels") or []:
            levels[(vid, lv["name"])] = report_level(spec["levels"], lv["name"])
        latest = spec or {}
    return levels, latest


def level_map(form: int | None) -> dict[tuple[int, str], int]:
    return versions_info(form)[0]


def latest_spec(form: int | None) -> dict:
    return versions_info(form)[1]


def round_results(form: int, districts: Iterable[str] | None, fy: int | None, groups: Iterable[str] | None = None,
                  since: date | None = None):
    """Subquery: each group's counted assessment of fiscal year `fy` (its latest that year; fy None:
    its latest of all), with score_id, submission_id, group_ref, district_code, form_version_id,
    level_name, percent, assessed_on."""
    ranked = select(
        Score.id.label("score_id"), Score.submission_id, Score.group_ref, Score.district_code,
        Score.form_version_id, Score.level_name, Score.percent, Score.assessed_on,
        func.row_number().over(partition_by=Score.group_ref,
                               order_by=(Score.assessed_on.desc(), Score.submission_id.desc())).label("rn"),
    ).where(Score.form_pk == form, score_counts())
    if fy is not None:
        start, end = fiscal_year_bounds(fy)
        ranked = ranked.where(Score.assessed_on >= start, Score.assessed_on <= end)
    if since is not None:
        ranked = ranked.where(Score.assessed_on >= since)
    if districts is not None:
        ranked = ranked.where(Score.district_code.in_(list(districts)))
    if groups is not None:
        ranked = ranked.where(Score.group_ref.in_(list(groups)))
    ranked = ranked.subquery()
    return select(*[c for c in ranked.c if c.name != "rn"]).where(ranked.c.rn == 1).subquery()


def levels_by_district(form: int | None, districts: list[str] | None, fy: int,
                       levels: dict | None = None) -> dict[str, dict[Any, int]]:
    """{district: {"assessed": n, 1: n, 2: n, 3: n}} of the fiscal year's counted assessments."""
    out: dict[str, dict[Any, int]] = defaultdict(lambda: {"assessed": 0, 1: 0, 2: 0, 3: 0})
    if form is None:
        return out
    levels = levels if levels is not None else level_map(form)
    rr = round_results(form, districts, fy)
    rows = db.session.execute(select(rr.c.district_code, rr.c.form_version_id, rr.c.level_name, func.count())
                              .group_by(rr.c.district_code, rr.c.form_version_id, rr.c.level_name))
    for district, vid, name, n in rows:
        level = levels.get((vid, name))
        out[district]["assessed"] += n
        if level is not None:
            out[district][level] += n
    return out


def principles_by_district(form: int | None, districts: list[str] | None, fy: int) -> dict[str, dict[str, tuple[int, int]]]:
    """{district: {principle name: (groups with a result, groups passing)}} for the fiscal year."""
    out: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    if form is None:
        return out
    rr = round_results(form, districts, fy)
    passed = func.sum(case((ScoreGroupResult.passed.is_(True), 1), else_=0))
    rows = db.session.execute(
        select(rr.c.district_code, ScoreGroupResult.group_name, func.count(), passed)
        .join(ScoreGroupResult, ScoreGroupResult.score_id == rr.c.score_id)
        .where(ScoreGroupResult.passed.is_not(None))
        .group_by(rr.c.district_code, ScoreGroupResult.group_name))
    for district, name, n, ok in rows:
        out[district][name] = (int(n), int(ok or 0))
    return out


def level_changes(form: int | None, districts: list[str] | None, fy: int,
                  levels: dict | None = None) -> dict[str, dict[str, int]]:
    """{district: {"up", "same", "down", "new", "not_again"}}: groups whose level in `fy` is higher,
    equal or lower than in fy - 1; assessed in fy only ("new"); in fy - 1 only ("not_again").

    One pass over the two years (no join of two ranked sets, whose row estimates led PostgreSQL to a
    nested loop): rank per (group, year), keep each year's latest, fold the two into one row per group."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"up": 0, "same": 0, "down": 0, "new": 0, "not_again": 0})
    if form is None:
        return out
    levels = levels if levels is not None else level_map(form)
    start, _ = fiscal_year_bounds(fy - 1)
    now_start, end = fiscal_year_bounds(fy)
    is_now = case((Score.assessed_on >= now_start, 1), else_=0)
    ranked = select(
        Score.group_ref, Score.district_code, Score.form_version_id, Score.level_name, is_now.label("now"),
        func.row_number().over(partition_by=(Score.group_ref, is_now),
                               order_by=(Score.assessed_on.desc(), Score.submission_id.desc())).label("rn"),
    ).where(Score.form_pk == form, Score.assessed_on >= start, Score.assessed_on <= end, score_counts())
    if districts is not None:
        ranked = ranked.where(Score.district_code.in_(list(districts)))
    ranked = ranked.subquery()
    latest = ranked.c.rn == 1

    def pick(col, now: int):  # noqa: ANN001, ANN202
        return func.max(case((ranked.c.now == now, col)))

    per_group = (select(func.coalesce(pick(ranked.c.district_code, 1), pick(ranked.c.district_code, 0)).label("d"),
                        pick(ranked.c.form_version_id, 1).label("v"), pick(ranked.c.level_name, 1).label("l"),
                        pick(ranked.c.form_version_id, 0).label("pv"), pick(ranked.c.level_name, 0).label("pl"))
                 .where(latest).group_by(ranked.c.group_ref).subquery())
    rows = db.session.execute(select(per_group.c.d, per_group.c.v, per_group.c.l, per_group.c.pv, per_group.c.pl,
                                     func.count())
                              .group_by(per_group.c.d, per_group.c.v, per_group.c.l, per_group.c.pv, per_group.c.pl))
    for district, vid, name, pvid, pname, n in rows:
        if vid is None:
            out[district]["not_again"] += n
            continue
        if pvid is None:
            out[district]["new"] += n
            continue
        cur, prev = levels.get((vid, name)), levels.get((pvid, pname))
        if cur is None or prev is None:
            continue
        out[district]["up" if cur > prev else "down" if cur < prev else "same"] += n
    return out


# ------------------------------------------------------------------------------ monthly reports

def monthly_by_district(districts: list[str] | None, fy: int) -> dict[tuple[str, date], dict[str, int]]:
    """{(district, month): {"received", "on_time", "new_members", "left_members", "members"}}."""
    figures = monthly_figures_count()
    stmt = (select(MonthlyReport.district_code, MonthlyReport.month, func.count(),
                   func.sum(case((MonthlyReport.on_time.is_(True), 1), else_=0)),
                   func.sum(case((figures, MonthlyReport.new_members), else_=0)),
                   func.sum(case((figures, MonthlyReport.left_members), else_=0)),
                   func.sum(case((figures, MonthlyReport.members), else_=0)))
            .where(MonthlyReport.fiscal_year == fy, monthly_received())
            .group_by(MonthlyReport.district_code, MonthlyReport.month))
    if districts is not None:
        stmt = stmt.where(MonthlyReport.district_code.in_(districts))
    out = {}
    for district, month, n, on_time, new, left, members in db.session.execute(stmt):
        out[(district, month)] = {"received": int(n), "on_time": int(on_time or 0), "new_members": int(new or 0),
                                  "left_members": int(left or 0), "members": int(members or 0)}
    return out


def expected_reporters(districts: list[str] | None, months: list[date]) -> dict[tuple[str, date], int]:
    """{(district, month): approved savings groups registered by the end of that month (or with no
    registration date)} — the groups that owe the month's report."""
    cols = []
    for m in months:
        last = add_months(m, 1)
        cols.append(func.sum(case((or_(Group.registered_on.is_(None), Group.registered_on < last), 1), else_=0)))
    stmt = select(Group.district_code, *cols).where(
        Group.kind == "savings", Group.status == GroupStatus.APPROVED).group_by(Group.district_code)
    if districts is not None:
        stmt = stmt.where(Group.district_code.in_(districts))
    out = {}
    for row in db.session.execute(stmt):
        for m, n in zip(months, row[1:]):
            out[(row[0], m)] = int(n or 0)
    return out


# ------------------------------------------------------------------------------ registry

def new_groups_by_district(districts: list[str] | None, fy: int, kind: str = "savings") -> dict[str, int]:
    """Groups of `kind` registered and approved with a registration date inside the fiscal year."""
    start, end = fiscal_year_bounds(fy)
    stmt = (select(Group.district_code, func.count())
            .where(Group.kind == kind, Group.status == GroupStatus.APPROVED,
                   Group.registered_on >= start, Group.registered_on <= end)
            .group_by(Group.district_code))
    if districts is not None:
        stmt = stmt.where(Group.district_code.in_(districts))
    return {d: int(n) for d, n in db.session.execute(stmt)}


def otop_path_by_district(districts: list[str] | None) -> dict[str, dict[str, int]]:
    """{district: {"households", "og_registered", "og_approved"}}: households mapped (hh_mapping, in
    กข.คจ. villages), occupational groups whose registration arrived (waiting or approved), approved."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"households": 0, "og_registered": 0, "og_approved": 0})
    hh = select(Household.district_code, func.count()).group_by(Household.district_code)
    og = (select(Group.district_code,
                 func.sum(case((Group.status.in_([GroupStatus.SUBMITTED, GroupStatus.APPROVED]), 1), else_=0)),
                 func.sum(case((Group.status == GroupStatus.APPROVED, 1), else_=0)))
          .where(Group.kind == "occupational").group_by(Group.district_code))
    if districts is not None:
        hh = hh.where(Household.district_code.in_(districts))
        og = og.where(Group.district_code.in_(districts))
    hh = hh.with_only_columns(Household.district_code, func.count(), literal(0), literal(-1))
    for d, a, b, kind in db.session.execute(union_all(og.add_columns(literal(1)), hh)):
        if kind == -1:
            out[d]["households"] = int(a)
        else:
            out[d]["og_registered"] = int(a or 0)
            out[d]["og_approved"] = int(b or 0)
    return out


# ------------------------------------------------------------------------------ imported figures

def fund_levels(districts: list[str] | None, fy: int) -> dict[str, dict[str, dict[str, int]]]:
    """{district: {fund: {level: count}}} imported for the fiscal year (kkcj 1/2/3, mol A/B/C)."""
    stmt = select(FundLevelCount.district_code, FundLevelCount.fund, FundLevelCount.level,
                  FundLevelCount.count).where(FundLevelCount.fiscal_year == fy)
    if districts is not None:
        stmt = stmt.where(FundLevelCount.district_code.in_(districts))
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for d, fund, level, n in db.session.execute(stmt):
        out[d][fund][level] = int(n)
    return out


def targets(districts: list[str] | None, fy: int) -> dict[str, dict[str, float]]:
    """{district: {indicator: value}} set for the fiscal year."""
    stmt = select(Target.district_code, Target.indicator, Target.value).where(Target.fiscal_year == fy)
    if districts is not None:
        stmt = stmt.where(Target.district_code.in_(districts))
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for d, key, value in db.session.execute(stmt):
        out[d][key] = value
    return out


def years_with_data(form: int | None, districts: list[str] | None) -> list[int]:
    """The fiscal years any report figure exists for (assessments, monthly reports, targets, funds):
    one statement (each bound an index lookup)."""
    def where(col, stmt):  # noqa: ANN001, ANN202
        return stmt.where(col.in_(districts)) if districts is not None else stmt

    parts = [where(MonthlyReport.district_code, select(func.min(MonthlyReport.fiscal_year), func.max(MonthlyReport.fiscal_year))),
             where(Target.district_code, select(func.min(Target.fiscal_year), func.max(Target.fiscal_year))),
             where(FundLevelCount.district_code, select(func.min(FundLevelCount.fiscal_year),
                                                        func.max(FundLevelCount.fiscal_year)))]
    rows = list(db.session.execute(union_all(*parts)))
    years: set[int] = set()
    for first, last in rows:
        if first and last:
            years.update(range(first, last + 1))
    if form is not None:
        first, last = db.session.execute(where(Score.district_code, select(
            func.min(Score.assessed_on), func.max(Score.assessed_on)).where(Score.form_pk == form))).one()
        if first and last:
            years.update(range(fiscal_year(first), fiscal_year(last) + 1))
    return sorted(years)
