"""The two other funds of the province's yearly table, whose levels the department assesses
elsewhere: กข.คจ. village funds (levels 1/2/3) and Mother-of-the-Land villages (levels A/B/C).
Imported per fiscal year from an Excel sheet (or CSV) laid out like the province's table, one row
per district; audited. No Flask here."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete

from app import db
from app.models import District, FundLevelCount
from app.reports.district_sheet import DistrictSheet, number_problem, read_district_sheet
from app.xlsform.problems import Problem


@dataclass(frozen=True)
class Fund:
    key: str
    label_th: str
    label_en: str
    levels: tuple[str, ...]  # best last, as the province's table prints them (1, 2, 3 / A, B, C)
    level_columns: tuple[str, ...]
    total_column: str


KKCJ = Fund("kkcj", "กองทุนหมู่บ้าน กข.คจ.", "กข.คจ. village funds", ("1", "2", "3"),
            ("kkcj_level1", "kkcj_level2", "kkcj_level3"), "kkcj_funds")
MOL = Fund("mol", "หมู่บ้านกองทุนแม่ของแผ่นดิน", "Mother-of-the-Land fund villages", ("A", "B", "C"),
           ("mol_level_a", "mol_level_b", "mol_level_c"), "mol_funds")
FUNDS = (KKCJ, MOL)


def known_columns() -> dict[str, str]:
    cols = {}
    for f in FUNDS:
        for c in (*f.level_columns, f.total_column):
            cols[c] = c
    # the savings groups' columns of the same table are computed by the app: accepted and ignored
    for c in ("sg_groups", "sg_level1", "sg_level2", "sg_level3"):
        cols[c] = "ignore:" + c
    return cols


Parsed = dict[tuple[str, str, str], int]  # (district, fund, level) -> count


def parse_sheet(filename: str, data: bytes, districts: list[District]) -> tuple[Parsed, DistrictSheet]:
    sheet = read_district_sheet(filename, data, districts, known_columns())
    values: Parsed = {}
    present = [f for f in FUNDS if all(c in sheet.columns for c in f.level_columns)]
    for f in FUNDS:
        if f not in present and any(c in sheet.columns for c in f.level_columns):
            missing = [c for c in f.level_columns if c not in sheet.columns]
            sheet.problems.append(Problem(
                f"{f.label_th}: ไม่มีคอลัมน์ {', '.join(missing)}", f"{f.label_en}: missing column(s) {', '.join(missing)}.",
                "ต้องมีครบทุกระดับของกองทุน", "Every level of the fund needs its column.", sheet=sheet.sheet, row=1,
                code="missing_level_column"))
    if not present and not sheet.errors:
        sheet.problems.append(Problem(
            "ไม่พบคอลัมน์ระดับของกองทุน (kkcj_level1… หรือ mol_level_a…)",
            "No fund level columns (kkcj_level1… or mol_level_a…).",
            "ใช้ไฟล์ตัวอย่างจากหน้านี้", "Use the template from this page.", sheet=sheet.sheet, row=1, code="no_columns"))
    for r in sheet.rows:
        for f in present:
            counts = []
            for level, col in zip(f.levels, f.level_columns):
                header, text = r.cells[col]
                value, problem = number_problem(sheet.sheet, r.number, header, text or "0", integer=True)
                if problem:
                    sheet.problems.append(problem)
                    counts = None
                    break
                counts.append((level, int(value)))
            if counts is None:
                continue
            if f.total_column in r.cells and r.cells[f.total_column][1]:
                header, text = r.cells[f.total_column]
                total, problem = number_problem(sheet.sheet, r.number, header, text, integer=True)
                if problem:
                    sheet.problems.append(problem)
                    continue
                if total != sum(n for _l, n in counts):
                    sheet.problems.append(Problem(
                        f"จำนวนกองทุน {total} ไม่เท่ากับผลรวมของระดับ ({sum(n for _l, n in counts)})",
                        f"The number of funds {total} differs from the sum of its levels ({sum(n for _l, n in counts)}).",
                        "แก้ให้จำนวนกองทุนเท่ากับผลรวมของทุกระดับ", "Make the total equal the levels' sum.",
                        sheet=sheet.sheet, row=r.number, column=header, code="total_mismatch"))
                    continue
            for level, n in counts:
                values[(r.district.code, f.key, level)] = n
    return values, sheet


def save_fund_levels(fy: int, values: Parsed, *, filename: str | None) -> int:
    """Replace the imported districts' rows of the fiscal year (per fund present); audit; commit."""
    s = db.session()
    pairs = {(d, f) for d, f, _l in values}
    for district, fund in pairs:
        s.execute(delete(FundLevelCount).where(FundLevelCount.fiscal_year == fy, FundLevelCount.district_code == district,
                                               FundLevelCount.fund == fund))
    actor = None
    from flask import g, has_request_context

    if has_request_context() and g.get("user") is not None:
        actor = g.user.username
    for (district, fund, level), n in sorted(values.items()):
        s.add(FundLevelCount(fiscal_year=fy, district_code=district, fund=fund, level=level, count=n, imported_by=actor))
    from app.auth import audit

    totals = {f.key: sum(n for (_d, fund, _l), n in values.items() if fund == f.key) for f in FUNDS}
    audit.record(audit.Action.FUND_LEVELS_IMPORT, "fund_levels", str(fy),
                 {"fiscal_year": fy, "filename": filename, "districts": len({d for d, _f in pairs}), "totals": totals})
    return len(values)


