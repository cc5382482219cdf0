"""Reading a province's "one row per district" sheet (targets, the other funds' levels): an .xlsx
(first sheet) or a UTF-8 .csv, header in row 1. Every problem is a Problem located by sheet, row and
column (Excel numbering, the header as written) in Thai and English, like a workbook's problems.
No Flask here."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from app.models import District
from app.xlsform.problems import Problem, WorkbookRejected
from app.xlsform.workbook import read_sheets, sniff_workbook

DISTRICT_HEADERS = ("district_code", "district", "district_no", "amphoe", "อำเภอ", "รหัสอำเภอ", "ลำดับ")
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class SheetRow:
    number: int  # Excel row number
    district: District
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (header as written, text)


@dataclass
class DistrictSheet:
    sheet: str
    rows: list[SheetRow]
    columns: dict[str, str]  # key -> header as written
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower())


def read_table(filename: str, data: bytes) -> tuple[str, list[list[str | None]]]:
    """(sheet title, rows of text) of an .xlsx's first sheet or a .csv; WorkbookRejected otherwise."""
    if (filename or "").lower().endswith(".csv"):
        if len(data) > MAX_BYTES:
            raise WorkbookRejected([Problem("ไฟล์ใหญ่เกิน 5 MB", "The file is larger than 5 MB.", code="too_large")])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WorkbookRejected([Problem(
                "ไฟล์ CSV ต้องเข้ารหัส UTF-8", "A CSV file must be UTF-8 encoded.",
                "ใน Excel เลือก บันทึกเป็น › CSV UTF-8", "In Excel choose Save As › CSV UTF-8.", code="encoding")]) from None
        return "csv", [[c if c.strip() else None for c in r] for r in csv.reader(io.StringIO(text))]
    sniff_workbook(filename or "upload.xlsx", data, MAX_BYTES)
    sheets = read_sheets(data)
    if not sheets:
        raise WorkbookRejected([Problem("สมุดงานไม่มีชีต", "The workbook has no sheet.", code="empty")])
    title = next(iter(sheets))
    return title, sheets[title]


def read_district_sheet(filename: str, data: bytes, districts: list[District], known: dict[str, str]) -> DistrictSheet:
    """Rows of a per-district sheet. `districts`: those the importer may set (others are an error at
    their row); `known`: accepted column names (key, Thai or English label, any case) -> key."""
    title, rows = read_table(filename, data)
    problems: list[Problem] = []
    header = rows[0] if rows else []
    district_ci = None
    columns: dict[str, str] = {}
    col_keys: dict[int, str] = {}
    lookup = {_norm(k): v for k, v in known.items()}
    for ci, h in enumerate(header):
        name = _norm(h)
        if not name:
            continue
        if district_ci is None and name in DISTRICT_HEADERS:
            district_ci = ci
        elif name in lookup and lookup[name] not in columns:
            columns[lookup[name]] = h or ""
            col_keys[ci] = lookup[name]
        elif name in ("district_th", "district_en", "ชื่ออำเภอ", "name", "หมายเหตุ", "note"):
            continue
        else:
            problems.append(Problem(
                f"ไม่รู้จักคอลัมน์ “{h}” จึงไม่นำเข้าคอลัมน์นี้", f"Unknown column “{h}”: it is not imported.",
                "ใช้ชื่อคอลัมน์ตามไฟล์ตัวอย่างที่ดาวน์โหลดจากหน้านี้", "Use the column names of the template downloaded from this page.",
                sheet=title, row=1, column=h, level="warning", code="unknown_column"))
    if district_ci is None:
        problems.append(Problem(
            "ไม่พบคอลัมน์อำเภอ (district_code) ในแถวที่ 1", "No district column (district_code) in row 1.",
            "แถวแรกต้องเป็นหัวคอลัมน์ และมีคอลัมน์ district_code (รหัสอำเภอ เช่น 4201) หรือชื่ออำเภอ",
            "Row 1 must hold the headers, with a district_code column (e.g. 4201) or the district's name.",
            sheet=title, row=1, code="no_district_column"))
        return DistrictSheet(title, [], columns, problems)
    by_key: dict[str, District] = {}
    for d in districts:
        for k in (d.code, str(d.district_no), d.name_th, d.name_en, f"อ.{d.name_th}", f"อำเภอ{d.name_th}"):
            by_key.setdefault(_norm(k), d)
    district_header = header[district_ci] or "district_code"
    out: list[SheetRow] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows[1:], start=2):
        if not any(c not in (None, "") for c in row):
            continue
        raw = (row[district_ci] if district_ci < len(row) else None) or ""
        district = by_key.get(_norm(raw))
        if district is None:
            if _norm(raw) in ("รวม", "total", "รวมทั้งจังหวัด"):
                continue  # a totals row is allowed and ignored (totals are computed)
            problems.append(Problem(
                f"ไม่รู้จักอำเภอ “{raw}” หรืออำเภอนี้ไม่อยู่ในจังหวัดของท่าน" if raw else "ไม่ได้ระบุอำเภอ",
                f"Unknown district “{raw}”, or it is not in your province." if raw else "The district is missing.",
                "ใส่รหัสอำเภอ 4 หลัก (เช่น 4201) หรือชื่ออำเภอตามทะเบียน",
                "Enter the 4-digit district code (e.g. 4201) or the district's registered name.",
                sheet=title, row=i, column=district_header, code="unknown_district"))
            continue
        if district.code in seen:
            problems.append(Problem(
                f"อำเภอ{district.name_th} ซ้ำกับแถว {seen[district.code]}",
                f"{district.name_en} is also in row {seen[district.code]}.",
                "เหลืออำเภอละหนึ่งแถว", "Keep one row per district.",
                sheet=title, row=i, column=district_header, code="duplicate_district"))
            continue
        seen[district.code] = i
        cells = {}
        for ci, key in col_keys.items():
            text = (row[ci] if ci < len(row) else None) or ""
            cells[key] = (header[ci] or key, text.strip())
        out.append(SheetRow(i, district, cells))
    return DistrictSheet(title, out, columns, problems)


def number_problem(sheet: str, row: int, column: str, text: str, *, integer: bool = False,
                   maximum: Decimal | None = None) -> tuple[Decimal | None, Problem | None]:
    """(the cell's number, None) or (None, a located problem): not a number, negative, a fraction
    where a count is wanted, above `maximum`. Thousands separators are accepted."""
    cleaned = text.replace(",", "").replace(" ", "").rstrip("%")
    try:
        value = Decimal(cleaned)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return None, Problem(f"“{text}” ไม่ใช่ตัวเลข", f"“{text}” is not a number.", "ใส่ตัวเลขเท่านั้น หรือเว้นว่าง",
                             "Enter a number only, or leave it empty.", sheet=sheet, row=row, column=column,
                             code="not_a_number")
    if value < 0:
        return None, Problem("ต้องไม่ติดลบ", "Cannot be negative.", sheet=sheet, row=row, column=column, code="negative")
    if integer and value != value.to_integral_value():
        return None, Problem("ต้องเป็นจำนวนเต็ม", "Must be a whole number.", sheet=sheet, row=row, column=column,
                             code="not_integer")
    if maximum is not None and value > maximum:
        return None, Problem(f"ต้องไม่เกิน {maximum}", f"Cannot be more than {maximum}.", sheet=sheet, row=row,
                             column=column, code="too_large")
    if abs(value) >= Decimal("1e12"):
        return None, Problem("ตัวเลขใหญ่เกินไป", "The number is too large.", sheet=sheet, row=row, column=column,
                             code="too_large")
    return value, None
