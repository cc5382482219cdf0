"""The development path of occupational groups and the proposal's three indicators, from the registry
(Group: approval = "registered") and the path table (GroupPath: formed, product developed, OTOP
registered, selling online). SQL GROUP BY over indexed columns; no Flask here.

For the province report: `stage_counts_by_district(district_codes, fiscal_year)` gives, per district,
how many occupational groups had reached each stage by the end of the fiscal year (B.E.). Rules:
- only occupational groups that were not rejected count;
- "formed": the founding date of the registration is on or before the year's last day (a group
  registered without a recorded founding date counts as formed when registered);
- "registered": approved by the district office with a registration date on or before that day;
- "product_developed", "otop_registered", "selling_online": that stage's date on or before that day,
  counted only for groups registered by then (the proposal's "participating groups"), so every
  indicator's numerator lies within its base.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import and_, case, func, or_, select

from app import db
from app.models import Group, GroupPath, GroupStatus
from app.otop.rules import STAGES, IndicatorResult, IndicatorTarget, indicator_attainment
from app.periods import fiscal_year_bounds

STAGE_LABELS = {
    "formed": ("จัดตั้งกลุ่ม", "Formed"),
    "registered": ("ขึ้นทะเบียนแล้ว (อำเภอรับรอง)", "Registered (approved)"),
    "product_developed": ("พัฒนาผลิตภัณฑ์แล้ว", "Product developed"),
    "otop_registered": ("ขึ้นทะเบียน OTOP แล้ว", "OTOP registered"),
    "selling_online": ("ขายออนไลน์แล้ว", "Selling online"),
}
EDITABLE_STAGES = ("formed", "product_developed", "otop_registered", "selling_online")  # registered = approval


def stage_dates(group: Group, path: GroupPath | None) -> dict[str, date | None]:
    approved = group.status == GroupStatus.APPROVED
    return {
        "formed": path.formed_on if path is not None else None,
        "registered": group.registered_on if approved else None,
        "product_developed": path.product_developed_on if path is not None else None,
        "otop_registered": path.otop_registered_on if path is not None else None,
        "selling_online": path.selling_online_on if path is not None else None,
    }


def current_stage(dates: dict[str, date | None]) -> str | None:
    """The furthest stage along the path that has a date."""
    reached = [s for s in STAGES if dates.get(s)]
    return reached[-1] if reached else None


def _counts_select(end: date):  # noqa: ANN202
    registered = and_(Group.status == GroupStatus.APPROVED, Group.registered_on.is_not(None),
                      Group.registered_on <= end)
    formed = or_(and_(GroupPath.formed_on.is_not(None), GroupPath.formed_on <= end),
                 and_(GroupPath.formed_on.is_(None), registered))

    def n(cond):  # noqa: ANN001, ANN202
        return func.sum(case((cond, 1), else_=0))

    def later(column):  # noqa: ANN001, ANN202
        return n(and_(registered, column.is_not(None), column <= end))

    return select(Group.district_code, n(formed), n(registered), later(GroupPath.product_developed_on),
                  later(GroupPath.otop_registered_on), later(GroupPath.selling_online_on)) \
        .select_from(Group).outerjoin(GroupPath, GroupPath.group_id == Group.id) \
        .where(Group.kind == "occupational", Group.status != GroupStatus.REJECTED)


def stage_counts_by_district(district_codes: Iterable[str] | None, fiscal_year: int) -> dict[str, dict[str, int]]:
    """{district code: {stage: occupational groups at that stage by the end of the fiscal year}} (module
    docstring); every district asked for is present (zeros). None: every district with a group."""
    end = fiscal_year_bounds(fiscal_year)[1]
    stmt = _counts_select(end).group_by(Group.district_code)
    codes = None if district_codes is None else list(district_codes)
    if codes is not None:
        stmt = stmt.where(Group.district_code.in_(codes))
    out: dict[str, dict[str, int]] = {c: dict.fromkeys(STAGES, 0) for c in codes or []}
    for district, *counts in db.session.execute(stmt):
        if district is None:
            continue
        out[district] = {stage: int(v or 0) for stage, v in zip(STAGES, counts)}
    return out


def total_counts(by_district: dict[str, dict[str, int]]) -> dict[str, int]:
    return {stage: sum(d.get(stage, 0) for d in by_district.values()) for stage in STAGES}


def indicators(district_codes: Iterable[str] | None, fiscal_year: int,
               targets: list[IndicatorTarget]) -> tuple[dict[str, int], list[IndicatorResult]]:
    counts = total_counts(stage_counts_by_district(district_codes, fiscal_year))
    return counts, indicator_attainment(counts, targets)


def occupational_groups(where) -> list[tuple[Group, GroupPath | None]]:  # noqa: ANN001 - a WHERE clause on Group
    return list(db.session.execute(
        select(Group, GroupPath).outerjoin(GroupPath, GroupPath.group_id == Group.id)
        .where(Group.kind == "occupational", where).order_by(Group.district_code, Group.name, Group.id)).all())
