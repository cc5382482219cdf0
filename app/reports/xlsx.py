"""Report tables as an XLSX workbook: one sheet per table, Thai headers (English beneath), numbers as
numbers, the total row last. The same Table objects the page shows (app/reports/tables.py)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.reports.tables import Table, excel_value

HEAD = PatternFill("solid", fgColor="DDEBF7")
TOTAL = PatternFill("solid", fgColor="F2F2F2")


def workbook(tables: list[Table], title: str) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for t in tables:
        name = (t.sheet_th or t.key)[:31]
        if name in used:
            name = t.key[:31]
        used.add(name)
        ws = wb.create_sheet(name)
        ws.append([t.title_th])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([t.title_en])
        header_row = 3
        if t.has_groups:
            col = 1
            row = []
            for th, en, span in t.groups:
                row.extend([f"{th} / {en}" if th else None] + [None] * (span - 1))
                if th and span > 1:
                    ws.merge_cells(start_row=header_row, start_column=col, end_row=header_row, end_column=col + span - 1)
                col += span
            for i, v in enumerate(row, start=1):
                c = ws.cell(row=header_row, column=i, value=v)
                c.font, c.fill, c.alignment = Font(bold=True), HEAD, Alignment(horizontal="center", wrap_text=True)
            header_row += 1
        for i, c in enumerate(t.columns, start=1):
            cell = ws.cell(row=header_row, column=i, value=c.th)
            cell.font, cell.fill, cell.alignment = Font(bold=True), HEAD, Alignment(wrap_text=True, vertical="top")
            en = ws.cell(row=header_row + 1, column=i, value=c.en)
            en.font, en.fill, en.alignment = Font(italic=True, color="555555"), HEAD, Alignment(wrap_text=True, vertical="top")
        r = header_row + 2
        for row in t.rows:
            for i, c in enumerate(t.columns, start=1):
                ws.cell(row=r, column=i, value=excel_value(row.get(c.key), c.kind))
            r += 1
        if t.total is not None:
            for i, c in enumerate(t.columns, start=1):
                cell = ws.cell(row=r, column=i, value=excel_value(t.total.get(c.key), c.kind))
                cell.font, cell.fill = Font(bold=True), TOTAL
            r += 1
        if t.note_th:
            ws.cell(row=r + 1, column=1, value=t.note_th)
            ws.cell(row=r + 2, column=1, value=t.note_en)
        ws.freeze_panes = ws.cell(row=header_row + 2, column=3)
        for i, c in enumerate(t.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = 26 if c.kind == "text" else 12
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = title
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_back(data: bytes) -> dict[str, list[list]]:
    """Sheet -> rows of values (tests and the benchmark check what was written)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
