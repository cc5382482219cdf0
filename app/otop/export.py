"""The OTOP pages' tables as one XLSX workbook (openpyxl): a sheet per table, Thai and English headers,
numbers as numbers (percent cut to two decimals as on the page). Pure: no Flask, no database."""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from app.otop.profile import Table
from app.reports.export import safe_text

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FORMATS = {"percent": "0.00", "money": "#,##0.00", "number": "0.00", "int": "#,##0", "date": "yyyy-mm-dd"}


def header(th: str, en: str) -> str:
    if th and en and th != en:
        return f"{th} ({en})"
    return th or en


def workbook_bytes(about: Sequence[tuple[str, str, str]], tables: Sequence[Table]) -> bytes:
    """about: [(Thai, English, value)] on the first sheet; then one sheet per table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "about"
    ws.append(["รายการ", "Item", "ค่า (Value)"])
    for th, en, value in about:
        ws.append([th, en, _cell(value)])
    _style(ws, [30, 30, 40])
    for table in tables:
        ws = wb.create_sheet(table.key[:31])
        ws.append([header(c.th, c.en) for c in table.columns])
        for row in table.rows + ([table.total] if table.total else []):
            ws.append([_cell(v) for v in row])
            for ci, c in enumerate(table.columns, start=1):
                if c.kind in FORMATS:
                    ws.cell(row=ws.max_row, column=ci).number_format = FORMATS[c.kind]
        _style(ws, [34 if c.kind == "text" else 16 for c in table.columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(v):  # noqa: ANN001, ANN202
    if isinstance(v, str):
        return safe_text(v)  # names and products typed in the field: never a formula
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and abs(v) < 2**53 else float(v)
    return v


def _style(ws, widths: list[int]) -> None:  # noqa: ANN001
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = w
