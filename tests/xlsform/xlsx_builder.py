"""Build small XLSForm workbooks in memory for tests (openpyxl), one list of rows per sheet."""
from __future__ import annotations

import io

from openpyxl import Workbook

Row = list  # cell values; the first row of each sheet is its header


def make_xlsx(survey: list[Row], choices: list[Row] | None = None, settings: list[Row] | None = None,
              **other_sheets: list[Row]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    for title, rows in (("choices", choices), ("settings", settings), *other_sheets.items()):
        if rows is None:
            continue
        sheet = wb.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def simple_form(form_id: str = "hh", version: str | None = "1", label: str = "ชื่อ / Name",
                extra_rows: list[Row] | None = None) -> bytes:
    """A valid two-question form with a choice list; `label` and `version` vary its content."""
    settings = [["form_id", "form_title", "version"], [form_id, "ครัวเรือน", version]] if version else \
        [["form_id", "form_title"], [form_id, "ครัวเรือน"]]
    return make_xlsx(
        survey=[["type", "name", "label"],
                ["text", "head_name", label],
                ["select_one yn", "has_fund", "มีกองทุนไหม"],
                *(extra_rows or [])],
        choices=[["list_name", "name", "label"], ["yn", "yes", "ใช่"], ["yn", "no", "ไม่ใช่"]],
        settings=settings,
    )
