"""Small readers over a workbook's sheets as `read_sheets` gives them ({title: rows of cell text}),
shared by our lint and the scoring-spec reader: column names, sheet lookup, cell text."""
from __future__ import annotations

import re

Sheets = dict[str, list[list[str | None]]]


def base_column(header: str | None) -> str:
    """'label::Thai (th)' -> 'label'; 'Choice Filter' -> 'choice_filter'."""
    if not header:
        return ""
    return re.sub(r"\s+", "_", header.split("::")[0].strip().lower())


def find_sheet(sheets: Sheets, name: str) -> tuple[str, list[list[str | None]]] | None:
    """The sheet called `name` (any case, surrounding spaces ignored) as (title as written, rows)."""
    for title, rows in sheets.items():
        if title.strip().lower() == name:
            return title, rows
    return None


def cell(row: list[str | None], ci: int | None) -> str:
    """The stripped text of column `ci` in `row`, '' when absent."""
    if ci is None or ci >= len(row) or row[ci] is None:
        return ""
    return str(row[ci]).strip()


def columns(rows: list[list[str | None]]) -> dict[str, int]:
    """Base column name -> index of its first occurrence in row 1."""
    cols: dict[str, int] = {}
    for i, h in enumerate(rows[0] if rows else []):
        b = base_column(h)
        if b and b not in cols:
            cols[b] = i
    return cols
