"""A problem found in a workbook or a submission, said in Thai and English, pointing at where to fix it."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Problem:
    message_th: str
    message_en: str
    hint_th: str = ""
    hint_en: str = ""
    sheet: str | None = None  # "survey", "choices", "settings", ...
    row: int | None = None  # 1-based Excel row number
    column: str | None = None  # the column header as written ("relevant", "label::Thai (th)")
    level: str = "error"  # "error" blocks publishing; "warning" does not
    code: str = "error"  # short stable key, e.g. "smart_quotes", "pyxform"

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def where_th(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"ชีต {self.sheet}")
        if self.row:
            parts.append(f"แถว {self.row}")
        if self.column:
            parts.append(f"คอลัมน์ {self.column}")
        return " · ".join(parts)

    def where_en(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return " · ".join(parts)

    def to_dict(self) -> dict:
        return asdict(self)


class WorkbookRejected(Exception):
    """Raised when a workbook cannot be published; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = problems
