"""A report table as data: columns (Thai and English headers, a kind) and rows of values. The page
(templates/reports/_table.html), the XLSX export (app/reports/xlsx.py) and the tests read the same
Table, so every figure on screen is the same number in the export. No Flask here."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.periods import format_percent


@dataclass(frozen=True)
class Column:
    key: str
    th: str
    en: str = ""
    kind: str = "int"  # text | int | percent | decimal
    group_th: str = ""  # a header spanning the columns that share it
    group_en: str = ""
    link: str | None = None  # row key holding this cell's URL
    bar: bool = False  # percent drawn as a bar (green when the row's `<key>_met` is true)


@dataclass
class Table:
    key: str  # also the XLSX sheet's name (short, ASCII)
    title_th: str
    title_en: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] | None = None
    note_th: str = ""
    note_en: str = ""
    sheet_th: str = ""  # the sheet's Thai name in the XLSX (<= 31 characters)

    @property
    def groups(self) -> list[tuple[str, str, int]]:
        """Header groups in column order: (Thai, English, span); ("", "", n) for ungrouped runs."""
        out: list[list] = []
        for c in self.columns:
            if out and out[-1][0] == c.group_th and out[-1][1] == c.group_en:
                out[-1][2] += 1
            else:
                out.append([c.group_th, c.group_en, 1])
        return [tuple(g) for g in out]  # type: ignore[misc]

    @property
    def has_groups(self) -> bool:
        return any(c.group_th for c in self.columns)


def display(value: Any, kind: str) -> str:
    """The text a cell shows: thousands separators for counts, '55.31' for percents, '–' for none."""
    if value is None or value == "":
        return "–"
    if kind == "percent":
        return format_percent(Decimal(str(value)))
    if kind == "plain":  # an input's value: no separators, no trailing zeros
        return format(Decimal(str(value)).normalize(), "f")
    if kind == "int":
        return f"{int(value):,}"
    if kind == "decimal":
        text = f"{Decimal(str(value)):,.2f}"
        return text[:-3] if text.endswith(".00") else text
    return str(value)


def excel_value(value: Any, kind: str) -> Any:
    """The cell's value in the XLSX: numbers as numbers (the same figure the page shows)."""
    if value is None or value == "":
        return None
    if kind == "int":
        return int(value)
    if kind in ("percent", "decimal"):
        d = Decimal(str(value))
        return int(d) if d == d.to_integral_value() else float(d)
    return str(value)
