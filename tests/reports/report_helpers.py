"""Reading the province report back: its tables on screen (data-key / data-value cells) and in the
XLSX export, so tests compare every figure of one with the other."""
from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import load_workbook

SHEETS = {"levels": "ระดับกองทุน", "targets": "เป้าหมายและผล", "discipline": "วินัยการรายงาน",
          "changes": "การเปลี่ยนระดับ", "principles": "หลักธรรมาภิบาล", "otop": "เส้นทาง OTOP"}


def screen_tables(html: str) -> dict[str, list[dict[str, str]]]:
    """{table key: [row {column key: data-value}], the total row last}."""
    out = {}
    for key, body in re.findall(r'<table class="report-table" data-sortable id="table-(\w+)">(.*?)</table>', html, re.S):
        rows = []
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = dict(re.findall(r'<td class="[^"]*" data-key="(\w+)" data-value="([^"]*)"', tr))
            if cells:
                rows.append(cells)
        out[key] = rows
    return out


def xlsx_tables(data: bytes) -> dict[str, list[list]]:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def number(value) -> Decimal | None:  # noqa: ANN001
    if value in (None, "", "None"):
        return None
    try:
        return Decimal(str(value))
    except Exception:  # noqa: BLE001 - text cells
        return None


def assert_screen_equals_export(html: str, data: bytes) -> None:
    """Every numeric cell of every table on screen is the same number in the sheet of the export."""
    screen = screen_tables(html)
    sheets = xlsx_tables(data)
    assert set(SHEETS) <= set(screen), screen.keys()
    for key, sheet in SHEETS.items():
        rows = sheets[sheet]
        header = next(i for i, r in enumerate(rows) if r and r[0] == "ที่")
        body = [r for r in rows[header + 2:] if any(v is not None for v in r)]
        shown = screen[key]
        assert len(body) >= len(shown), (key, len(body), len(shown))
        keys = list(shown[0])
        for i, row in enumerate(shown):
            for j, k in enumerate(keys):
                if k in ("no", "district"):
                    continue
                a, b = number(row.get(k)), number(body[i][j])
                assert a == b, f"{key} row {i} column {k}: screen {row.get(k)!r} != xlsx {body[i][j]!r}"
