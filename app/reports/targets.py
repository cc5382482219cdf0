"""Targets per fiscal year and district: the built-in indicators the app measures, the ones a
province adds, setting them from the page or an Excel sheet (every change audited). No Flask here
(the audit record takes the request's user when there is one)."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select

from app import db
from app.models import District, Target, TargetIndicator, utcnow
from app.reports.district_sheet import DistrictSheet, number_problem, read_district_sheet
from app.xlsform.problems import Problem


@dataclass(frozen=True)
class Indicator:
    key: str
    label_th: str
    label_en: str
    unit: str  # people | groups | percent | count | baht
    measured: bool  # the app computes the result (else the report shows the target only)

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"

    @property
    def unit_th(self) -> str:
        return {"people": "คน", "groups": "กลุ่ม", "percent": "ร้อยละ", "count": "", "baht": "บาท"}.get(self.unit, "")


NEW_MEMBERS = Indicator("new_members", "สมาชิกใหม่กลุ่มออมทรัพย์ฯ", "New savings-group members", "people", True)
NEW_GROUPS = Indicator("new_groups", "กลุ่มออมทรัพย์ฯ จัดตั้งใหม่ (จดทะเบียนและรับรอง)",
                       "New savings groups (registered and approved)", "groups", True)
LEVEL3_SHARE = Indicator("level3_share", "สัดส่วนกลุ่มที่ประเมินแล้วอยู่ระดับ 3 (ดี)",
                         "Share of assessed groups at level 3 (good)", "percent", True)
BUILTIN = (NEW_MEMBERS, NEW_GROUPS, LEVEL3_SHARE)
UNITS = {"people": ("คน", "people"), "groups": ("กลุ่ม", "groups"), "percent": ("ร้อยละ", "percent"),
         "count": ("จำนวน", "count"), "baht": ("บาท", "baht")}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


def indicators(province_code: str | None) -> list[Indicator]:
    """The built-in indicators, then those the province added (oldest first)."""
    extra = []
    if province_code:
        extra = [Indicator(i.key, i.label_th, i.label_en, i.unit, False) for i in db.session.scalars(
            select(TargetIndicator).where(TargetIndicator.province_code == province_code).order_by(TargetIndicator.id))]
    return [*BUILTIN, *extra]


def add_indicator(province_code: str, key: str, label_th: str, label_en: str, unit: str,
                  actor: str | None) -> tuple[TargetIndicator | None, tuple[str, str] | None]:
    key = (key or "").strip().lower()
    label_th, label_en = (label_th or "").strip()[:255], (label_en or "").strip()[:255]
    if not KEY_RE.match(key):
        return None, ("รหัสตัวชี้วัดใช้อักษรภาษาอังกฤษตัวเล็ก ตัวเลข และ _ (2–41 ตัว) ขึ้นต้นด้วยตัวอักษร",
                      "The indicator key takes lowercase English letters, digits and _ (2–41), starting with a letter.")
    if not label_th:
        return None, ("ใส่ชื่อตัวชี้วัดภาษาไทย", "Enter the indicator's Thai name.")
    if unit not in UNITS:
        return None, ("เลือกหน่วย", "Choose a unit.")
    if any(i.key == key for i in indicators(province_code)):
        return None, (f"มีตัวชี้วัดรหัส {key} แล้ว", f"An indicator with the key {key} already exists.")
    row = TargetIndicator(province_code=province_code, key=key, label_th=label_th, label_en=label_en or label_th,
                          unit=unit, created_by=actor)
    db.session.add(row)
    from app.auth import audit

    audit.record(audit.Action.TARGET_INDICATOR, "target_indicator", key,
                 {"province": province_code, "label_th": label_th, "label_en": row.label_en, "unit": unit})
    return row, None


# ------------------------------------------------------------------------------ values

Values = dict[tuple[str, str], Decimal | None]  # (district code, indicator key) -> value (None: clear)


def check_value(indicator: Indicator, text: str, *, sheet: str | None = None, row: int | None = None,
                column: str | None = None) -> tuple[Decimal | None, Problem | None]:
    return number_problem(sheet or "", row or 0, column or indicator.key, text,
                          integer=indicator.unit in ("people", "groups", "count"),
                          maximum=Decimal(100) if indicator.is_percent else None)


def save_targets(fy: int, values: Values, *, source: str, filename: str | None = None) -> list[dict]:
    """Set (or clear, value None) targets of a fiscal year; one audit event lists every change
    (district, indicator, before, after). Commits. Returns the changes."""
    s = db.session()
    current = {(t.district_code, t.indicator): t for t in s.scalars(
        select(Target).where(Target.fiscal_year == fy, Target.district_code.in_({d for d, _k in values})))}
    changes = []
    for (district, key), value in sorted(values.items()):
        row = current.get((district, key))
        before = None if row is None else Decimal(str(row.value)).normalize()
        after = None if value is None else value.normalize()
        if before == after:
            continue
        if after is None:
            s.delete(row)
        elif row is None:
            s.add(Target(fiscal_year=fy, district_code=district, indicator=key, value=float(after), updated_at=utcnow(),
                         updated_by=_actor_name()))
        else:
            row.value, row.updated_at, row.updated_by = float(after), utcnow(), _actor_name()
        changes.append({"district": district, "indicator": key,
                        "before": None if before is None else format(before, "f"),
                        "after": None if after is None else format(after, "f")})
    if changes:
        from app.auth import audit

        audit.record(audit.Action.TARGET_SET, "targets", str(fy),
                     {"fiscal_year": fy, "source": source, "filename": filename, "changes": changes})
    else:
        s.commit()
    return changes


def _actor_name() -> str | None:
    from flask import g, has_request_context

    user = g.get("user") if has_request_context() else None
    return getattr(user, "username", None)


def parse_form(fy: int, form: dict[str, str], districts: list[District], inds: list[Indicator]) -> tuple[Values, list[Problem]]:
    """Values from the page's inputs named `t-<district code>-<indicator key>` (empty: no target)."""
    values: Values = {}
    problems = []
    for d in districts:
        for ind in inds:
            name = f"t-{d.code}-{ind.key}"
            if name not in form:
                continue
            text = (form.get(name) or "").strip()
            if not text:
                values[(d.code, ind.key)] = None
                continue
            value, problem = check_value(ind, text)
            if problem:
                problem.sheet, problem.row, problem.column = None, None, None
                problem.message_th = f"อำเภอ{d.name_th} · {ind.label_th}: {problem.message_th}"
                problem.message_en = f"{d.name_en} · {ind.label_en}: {problem.message_en}"
                problem.code = name
                problems.append(problem)
            else:
                values[(d.code, ind.key)] = value
    return values, problems


def parse_sheet(filename: str, data: bytes, districts: list[District], inds: list[Indicator]) -> tuple[Values, DistrictSheet]:
    """Values from an imported sheet; empty cells leave a target as it is. All problems located."""
    known = {}
    for ind in inds:
        known.update({ind.key: ind.key, ind.label_th: ind.key, ind.label_en: ind.key})
    sheet = read_district_sheet(filename, data, districts, known)
    by_key = {i.key: i for i in inds}
    values: Values = {}
    for r in sheet.rows:
        for key, (header, text) in r.cells.items():
            if not text:
                continue
            value, problem = check_value(by_key[key], text, sheet=sheet.sheet, row=r.number, column=header)
            if problem:
                sheet.problems.append(problem)
            else:
                values[(r.district.code, key)] = value
    if not sheet.errors and not values and sheet.rows:
        sheet.problems.append(Problem("ไม่มีค่าเป้าหมายในไฟล์", "The file holds no target value.",
                                      "ใส่ตัวเลขในคอลัมน์ของตัวชี้วัด", "Enter numbers in the indicators' columns.",
                                      sheet=sheet.sheet, row=2, code="no_values"))
    return values, sheet


def template_xlsx(fy: int, districts: list[District], inds: list[Indicator], current: dict[str, dict[str, float]]) -> bytes:
    """The import sheet for a fiscal year: one row per district, one column per indicator (its key),
    today's targets filled in; row 1 keys, a note row would break "header in row 1", so the Thai
    labels go in cell comments-free second sheet `คำอธิบาย`."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"targets_{fy}"
    ws.append(["district_code", "district_th", *[i.key for i in inds]])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for d in districts:
        ws.append([d.code, d.name_th, *[current.get(d.code, {}).get(i.key) for i in inds]])
    ws.freeze_panes = "C2"
    for col, width in zip("ABCDEFGHIJ", (14, 18, 16, 16, 16, 16, 16, 16, 16, 16)):
        ws.column_dimensions[col].width = width
    help_ws = wb.create_sheet("คำอธิบาย")
    help_ws.append(["คอลัมน์ / column", "ตัวชี้วัด", "indicator", "หน่วย / unit"])
    help_ws.append(["district_code", "รหัสอำเภอ (หรือชื่ออำเภอ)", "district code (or its name)", ""])
    for i in inds:
        help_ws.append([i.key, i.label_th, i.label_en, UNITS.get(i.unit, ("", ""))[0]])
    help_ws.append([])
    help_ws.append(["ปีงบประมาณ", fy, "ช่องว่าง = ไม่เปลี่ยนค่าเดิม", "an empty cell leaves the target as it is"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
