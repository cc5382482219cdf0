"""The groups behind the province report's numbers, for one district and fiscal year: each approved
savings group with its counted assessment of the year (report level, percent, date, the meeting
screen), the year before (for "moved up/down"), and its monthly reports of the year. No Flask here."""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import func, select

from app import db
from app.models import District, Group, GroupStatus, MonthlyReport, OfficerAssignment, Submission, User, Village
from app.reports import queries
from app.reports.rules import monthly_received
from app.reports.tables import Column, Table

FILTERS = {"level": ("1", "2", "3", "none"), "change": ("up", "down", "same", "new")}


def groups_table(district: District, fy: int, *, assessment_form: str, link: Callable[..., str],
                 level: str | None = None, change: str | None = None, tambon: str | None = None) -> Table:
    s = db.session
    stmt = (select(Group.id, Group.code, Group.name, Village.name_th, Village.tambon_code, Village.tambon_th)
            .outerjoin(Village, Village.code == Group.village_code)
            .where(Group.district_code == district.code, Group.kind == "savings", Group.status == GroupStatus.APPROVED)
            .order_by(Group.code))
    if tambon:
        stmt = stmt.where(Village.tambon_code == tambon)
    groups = s.execute(stmt).all()
    codes = [g.code for g in groups]
    form = queries.form_pk(assessment_form)
    levels = queries.level_map(form)
    now: dict[str, Any] = {}
    before: dict[str, Any] = {}
    if form is not None and codes:
        for which, year in ((now, fy), (before, fy - 1)):
            rr = queries.round_results(form, None, year, groups=codes)
            for r in s.execute(select(rr.c.group_ref, rr.c.form_version_id, rr.c.level_name, rr.c.percent,
                                      rr.c.assessed_on, Submission.instance_id)
                               .join(Submission, Submission.id == rr.c.submission_id)):
                which[r.group_ref] = r
    monthly = {}
    if codes:
        monthly = {r[0]: r[1:] for r in s.execute(
            select(MonthlyReport.group_ref, func.count(), func.count(), func.max(MonthlyReport.month))
            .where(MonthlyReport.group_ref.in_(codes), MonthlyReport.fiscal_year == fy, monthly_received())
            .group_by(MonthlyReport.group_ref))}
        on_time = dict(s.execute(select(MonthlyReport.group_ref, func.count()).where(
            MonthlyReport.group_ref.in_(codes), MonthlyReport.fiscal_year == fy, monthly_received(),
            MonthlyReport.on_time.is_(True)).group_by(MonthlyReport.group_ref)).all())
    else:
        on_time = {}
    officers: dict[int, list[str]] = {}
    if groups:
        for gid, name in s.execute(select(OfficerAssignment.group_id, User.display_name)
                                   .join(User, User.id == OfficerAssignment.user_id)
                                   .where(OfficerAssignment.group_id.in_([g.id for g in groups]))):
            officers.setdefault(gid, []).append(name)
    rows = []
    for g in groups:
        cur, prev = now.get(g.code), before.get(g.code)
        lv = levels.get((cur.form_version_id, cur.level_name)) if cur else None
        plv = levels.get((prev.form_version_id, prev.level_name)) if prev else None
        moved = None
        if cur and prev and lv and plv:
            moved = "up" if lv > plv else "down" if lv < plv else "same"
        elif cur and not prev:
            moved = "new"
        if level and (str(lv) if lv else "none") != level:
            continue
        if change and moved != change:
            continue
        m = monthly.get(g.code)
        rows.append({"code": g.code, "name": g.name, "village": g.name_th or "", "tambon": g.tambon_th or "",
                     "officers": ", ".join(officers.get(g.id, [])), "level": lv,
                     "percent": cur.percent if cur else None, "assessed_on": cur.assessed_on.isoformat() if cur else None,
                     "previous_level": plv, "change": {"up": "↑", "down": "↓", "same": "=", "new": "ใหม่"}.get(moved or ""),
                     "reports": m[0] if m else 0, "on_time": on_time.get(g.code, 0),
                     "last_month": m[2].isoformat()[:7] if m else None,
                     "level_url": link("meeting", instance_id=cur.instance_id) if cur else ""})
    cols = [Column("code", "รหัสกลุ่ม", "Group code", "text"), Column("name", "ชื่อกลุ่ม", "Group", "text"),
            Column("tambon", "ตำบล", "Tambon", "text"), Column("village", "หมู่บ้าน", "Village", "text"),
            Column("officers", "พัฒนากร", "Officers", "text"),
            Column("level", f"ระดับ ปี {fy}", f"Level {fy}", "int", link="level_url"),
            Column("percent", "คะแนน (%)", "Score (%)", "percent"),
            Column("assessed_on", "วันที่ประเมิน", "Assessed on", "text"),
            Column("previous_level", f"ระดับ ปี {fy - 1}", f"Level {fy - 1}", "int"),
            Column("change", "เปลี่ยน", "Change", "text"),
            Column("reports", "รายงานประจำเดือน", "Monthly reports", "int"),
            Column("on_time", "ตรงเวลา", "On time", "int"),
            Column("last_month", "เดือนล่าสุด", "Latest month", "text")]
    return Table("groups", f"กลุ่มออมทรัพย์ฯ อำเภอ{district.name_th} ปีงบประมาณ {fy}",
                 f"Savings groups of {district.name_en}, fiscal year {fy}", cols, rows, None, sheet_th="กลุ่ม")
