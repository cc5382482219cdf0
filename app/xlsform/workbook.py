"""Look at an uploaded file before pyxform does: refuse what is not a sane .xlsx workbook, with a
message the user can act on (too big, old .xls, CSV renamed, corrupt, zip bomb); read its cells.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any, NoReturn

from app.xlsform.problems import Problem, WorkbookRejected

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# An .xlsx is a zip of XML; real workbooks unpack to a few MB. These limits stop a "zip bomb".
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # uncompressed / compressed, for members larger than 1 MB
MAX_MEMBERS = 5000
# Cells read per sheet for our own checks and the content hash. Like pyxform, stop after a run of
# empty rows (pyxform ignores what follows 60 empty rows; sheets "used" to row 1048576 are common).
MAX_ROWS_PER_SHEET = 100_000
MAX_ADJACENT_EMPTY_ROWS = 60

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

_SAVE_AS_HINT_TH = "เปิดไฟล์ใน Excel แล้วเลือก ไฟล์ › บันทึกเป็น › สมุดงาน Excel (.xlsx)"
_SAVE_AS_HINT_EN = "Open the file in Excel and choose File › Save As › Excel Workbook (.xlsx)."


def _refuse(code: str, th: str, en: str, hint_th: str = _SAVE_AS_HINT_TH,
            hint_en: str = _SAVE_AS_HINT_EN) -> NoReturn:
    raise WorkbookRejected([Problem(th, en, hint_th, hint_en, code=code)])


def _refuse_corrupt() -> NoReturn:
    _refuse(
        "corrupt_zip",
        "ไฟล์เสียหรือไม่สมบูรณ์ เปิดอ่านไม่ได้",
        "The file is damaged or incomplete and cannot be read.",
        "เปิดไฟล์ใน Excel ดูว่าเปิดได้ไหม แล้วบันทึกใหม่เป็น .xlsx หรือดาวน์โหลด/คัดลอกไฟล์มาใหม่",
        "Check that the file opens in Excel, save it again as .xlsx, or download/copy it again.",
    )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}" if n >= 1024 * 1024 else f"{n / (1024 * 1024):.1f}"


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        # A multi-byte character cut at the end of the sample is still text.
        if e.start < len(head) - 4:
            try:
                text = head.decode("cp874")  # Thai Windows code page, common for CSV from Excel
            except UnicodeDecodeError:
                return False
        else:
            text = head[: e.start].decode("utf-8")
    printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
    return printable >= 0.95 * max(len(text), 1)


def sniff_workbook(filename: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise WorkbookRejected (one clear Problem) unless `data` looks like a safe .xlsx workbook."""
    size = len(data)
    if size == 0:
        _refuse("empty_file", "ไฟล์ว่างเปล่า ไม่มีข้อมูล", "The file is empty.",
                "ตรวจว่าเลือกไฟล์ถูกต้อง แล้วอัปโหลดใหม่", "Check that you chose the right file and upload it again.")
    if size > max_bytes:
        _refuse(
            "too_large",
            f"ไฟล์ใหญ่เกินไป ({_mb(size)} MB) รับได้ไม่เกิน {_mb(max_bytes)} MB",
            f"The file is too large ({_mb(size)} MB); the limit is {_mb(max_bytes)} MB.",
            "ลบรูปภาพหรือชีตที่ไม่ใช้ออกจากสมุดงาน แล้วบันทึกใหม่ ฟอร์มทั่วไปมีขนาดไม่ถึง 1 MB",
            "Remove pictures and unused sheets from the workbook and save it again; "
            "a questionnaire is usually well under 1 MB.",
        )
    name = (filename or "").lower()
    head = data[:4096]
    if head.startswith(OLE_MAGIC):
        _refuse(
            "xls_format",
            "ไฟล์นี้เป็น Excel รุ่นเก่า (.xls) หรือถูกตั้งรหัสผ่านไว้ ระบบรับเฉพาะ .xlsx",
            "This is an old Excel file (.xls) or a password-protected workbook; only .xlsx is accepted.",
            "เปิดใน Excel แล้ว บันทึกเป็น › สมุดงาน Excel (.xlsx) และถ้ามีรหัสผ่านให้เอารหัสผ่านออกก่อน",
            "Open it in Excel, Save As › Excel Workbook (.xlsx), and remove any password first.",
        )
    if not head.startswith(ZIP_MAGICS):
        if _looks_like_text(head):
            kind_th, kind_en = ("ไฟล์ CSV หรือข้อความ", "a CSV or text file")
            if name.endswith((".xlsx", ".xlsm")):
                kind_th += " ที่ถูกเปลี่ยนชื่อเป็น .xlsx"
                kind_en += " renamed to .xlsx"
            _refuse(
                "not_xlsx_text",
                f"ไฟล์นี้ไม่ใช่สมุดงาน Excel แต่เป็น{kind_th}",
                f"This is not an Excel workbook but {kind_en}.",
                "การเปลี่ยนนามสกุลไฟล์ไม่ได้แปลงไฟล์ ให้เปิดใน Excel แล้ว บันทึกเป็น › สมุดงาน Excel (.xlsx)",
                "Renaming a file does not convert it: open it in Excel and Save As › Excel Workbook (.xlsx).",
            )
        _refuse(
            "not_xlsx",
            "ไฟล์นี้ไม่ใช่สมุดงาน Excel (.xlsx)",
            "This file is not an Excel workbook (.xlsx).",
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        _refuse_corrupt()
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES or any(
        i.file_size > 1024 * 1024 and i.file_size > MAX_MEMBER_RATIO * max(i.compress_size, 1) for i in infos
    ):
        _refuse(
            "zip_bomb",
            "ไฟล์นี้เมื่อแตกออกมีขนาดใหญ่ผิดปกติ ระบบไม่เปิดอ่านเพื่อความปลอดภัย",
            "This file expands to an abnormal size when unpacked; it is refused for safety.",
            "ตรวจว่าเป็นแบบฟอร์มที่ถูกต้อง ลบข้อมูลที่ไม่ใช้ออก แล้วบันทึกใหม่เป็น .xlsx",
            "Check that it is the right questionnaire, remove unused data and save it again as .xlsx.",
        )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if "word/document.xml" in names:
            what_th, what_en = "ไฟล์ Word", "a Word document"
        elif any(n.startswith("ppt/") for n in names):
            what_th, what_en = "ไฟล์ PowerPoint", "a PowerPoint file"
        elif "content.xml" in names and "mimetype" in names:
            what_th, what_en = "ไฟล์ OpenDocument (.ods)", "an OpenDocument (.ods) file"
        else:
            what_th, what_en = "ไฟล์ zip", "a zip archive"
        _refuse(
            "not_xlsx_zip",
            f"ไฟล์นี้ไม่ใช่สมุดงาน Excel แต่เป็น{what_th}",
            f"This file is not an Excel workbook but {what_en}.",
        )
    if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
        _refuse(
            "xlsb_format",
            "ไฟล์นี้เป็นสมุดงานแบบไบนารี (.xlsb) ระบบรับเฉพาะ .xlsx",
            "This is a binary workbook (.xlsb); only .xlsx is accepted.",
        )
    try:
        bad = zf.testzip()  # CRC of every member; sizes were bounded above
    except Exception:  # noqa: BLE001 - any failure here means a damaged archive
        bad = "?"
    if bad is not None:
        _refuse_corrupt()
    # Excel never writes a DTD. One in any XML part can only be an entity-expansion or external-
    # entity attack on the XML readers behind openpyxl and pyxform: refuse it before they run.
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with zf.open(info) as member:
                head = member.read(4096)
            if _DTD_RE.search(head):
                _refuse(
                    "xml_dtd",
                    "ไฟล์นี้มีส่วนประกอบที่ไม่ปลอดภัย (DOCTYPE/ENTITY) ระบบไม่เปิดอ่าน",
                    "This file contains an unsafe part (a DOCTYPE/ENTITY declaration) and is refused.",
                )


_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def cell_text(value: Any) -> str | None:
    """A cell value as pyxform sees it (numbers without a trailing .0, TRUE/FALSE), or None if empty."""
    if value is None:
        return None
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    text = str(value).replace("\u00a0", " ")
    return text if text.strip() else None


def read_sheets(data: bytes) -> dict[str, list[list[str | None]]]:
    """Every sheet's cell values as text, row by row (row 0 is Excel row 1), trailing empties trimmed.

    Raises WorkbookRejected if openpyxl cannot read the workbook."""
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns (lazily, while rows are read) about extensions it drops; irrelevant here.
            warnings.simplefilter("ignore")
            return _read(load_workbook(io.BytesIO(data), read_only=True, data_only=True))
    except WorkbookRejected:
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds of errors on broken files
        raise WorkbookRejected([Problem(
            "อ่านสมุดงานไม่ได้ ไฟล์อาจเสียหรือบันทึกจากโปรแกรมที่ไม่รองรับ",
            f"The workbook cannot be read; it may be damaged or saved by an unsupported program ({type(e).__name__}).",
            _SAVE_AS_HINT_TH, _SAVE_AS_HINT_EN, code="unreadable_workbook",
        )]) from e


def _read(wb) -> dict[str, list[list[str | None]]]:  # noqa: ANN001
    try:
        sheets: dict[str, list[list[str | None]]] = {}
        for ws in wb.worksheets:
            rows: list[list[str | None]] = []
            empty_run = 0
            for n, row in enumerate(ws.iter_rows(values_only=True)):
                if n >= MAX_ROWS_PER_SHEET:
                    break
                cells = [cell_text(v) for v in row]
                while cells and cells[-1] is None:
                    cells.pop()
                rows.append(cells)
                empty_run = 0 if cells else empty_run + 1
                if empty_run > MAX_ADJACENT_EMPTY_ROWS:
                    break
            while rows and not rows[-1]:
                rows.pop()
            sheets[ws.title] = rows
        return sheets
    finally:
        wb.close()
