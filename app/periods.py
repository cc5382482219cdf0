"""The calendar of the department's work: Thai fiscal years, rounds, monthly due dates, attainment.

Pure rules, no Flask and no database: reports, worklists, the group picker and the profile pages all
ask here, so "this fiscal year", "late" and "101.44 %" mean the same on every page and in every export.

- **Fiscal year** (ปีงบประมาณ): 1 October to 30 September, named by the Buddhist-Era year it ends in:
  FY 2567 = 1 Oct 2023 - 30 Sep 2024. B.E. = C.E. + 543.
- **Assessment round**: the governance assessment is yearly and reported in March of the fiscal
  year, so a group's round is the fiscal year of its assessment date.
- **Monthly report**: the report for a month (its first day names it) is due by the 20th of the
  following month; on the 21st it is late.
- **Attainment** = actual / target x 100, cut (not rounded) to two decimals, as the province's own
  report prints it: 12,206 new members of a 12,032 target is 101.44 % (rounding would give 101.45),
  35 new groups of 31 is 112.90 %. A target is met when actual >= target.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

BUDDHIST_ERA_OFFSET = 543
FISCAL_YEAR_START_MONTH = 10  # October
MONTHLY_REPORT_DUE_DAY = 20

THAI_MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
               "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
THAI_MONTHS_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                     "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
ENGLISH_MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def be_year(ce_year: int) -> int:
    return ce_year + BUDDHIST_ERA_OFFSET


def ce_year(be: int) -> int:
    return be - BUDDHIST_ERA_OFFSET


# ------------------------------------------------------------------------------- fiscal years

def fiscal_year(day: date) -> int:
    """The Buddhist-Era fiscal year a date falls in (1 Oct 2023 -> 2567; 30 Sep 2024 -> 2567)."""
    year = day.year + 1 if day.month >= FISCAL_YEAR_START_MONTH else day.year
    return be_year(year)


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """(first day, last day) of a Buddhist-Era fiscal year: 2567 -> (2023-10-01, 2024-09-30)."""
    end_ce = ce_year(fy)
    return date(end_ce - 1, FISCAL_YEAR_START_MONTH, 1), date(end_ce, FISCAL_YEAR_START_MONTH - 1, 30)


def fiscal_year_months(fy: int) -> list[date]:
    """The twelve months of a fiscal year, October first, each as its first day."""
    start, _ = fiscal_year_bounds(fy)
    return [add_months(start, i) for i in range(12)]


def assessment_round(day: date) -> int:
    """The round (fiscal year, B.E.) an assessment made on `day` counts for."""
    return fiscal_year(day)


# ------------------------------------------------------------------------------------ months

def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after day's month (negative: before)."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def monthly_report_due(month: date) -> date:
    """The last day a month's report is on time: the 20th of the following month."""
    return add_months(month, 1).replace(day=MONTHLY_REPORT_DUE_DAY)


def is_late(month: date, today: date) -> bool:
    """Is a month's report overdue on `today` (i.e. not received and past its due date)?"""
    return today > monthly_report_due(month)


def reported_on_time(month: date, received_on: date) -> bool:
    return received_on <= monthly_report_due(month)


def last_due_month(today: date) -> date:
    """The latest month whose report is already overdue on `today` if missing: before the 21st that
    is two months back, from the 21st the previous month (on 20 Nov the October report is still
    on time; on 21 Nov it is late)."""
    previous = add_months(today, -1)
    return previous if is_late(previous, today) else add_months(today, -2)


def month_label_th(month: date) -> str:
    """'ตุลาคม 2566'."""
    return f"{THAI_MONTHS[month.month - 1]} {be_year(month.year)}"


def month_label_th_short(month: date) -> str:
    """'ต.ค. 66' (a table's column header)."""
    return f"{THAI_MONTHS_SHORT[month.month - 1]} {str(be_year(month.year))[2:]}"


def month_label_en(month: date) -> str:
    return f"{ENGLISH_MONTHS_SHORT[month.month - 1]} {month.year}"


# -------------------------------------------------------------------------------- attainment

@dataclass(frozen=True)
class Attainment:
    actual: Decimal
    target: Decimal | None
    percent: Decimal | None  # actual / target x 100, cut to 2 decimals; None without a target > 0
    met: bool | None  # None without a target

    @property
    def bar_percent(self) -> Decimal:
        """Width of a progress bar, 0..100."""
        if self.percent is None:
            return Decimal(0)
        return max(Decimal(0), min(Decimal(100), self.percent))


def percent_cut(numerator: Decimal | int | float, denominator: Decimal | int | float, places: int = 2) -> Decimal | None:
    """numerator / denominator x 100 cut (toward zero) to `places` decimals; None when the
    denominator is not positive."""
    den = Decimal(str(denominator))
    if den <= 0:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(str(numerator)) * 100 / den).quantize(quantum, rounding=ROUND_DOWN)


def attainment(actual: Decimal | int | float, target: Decimal | int | float | None) -> Attainment:
    act = Decimal(str(actual or 0))
    if target is None:
        return Attainment(act, None, None, None)
    tgt = Decimal(str(target))
    return Attainment(act, tgt, percent_cut(act, tgt), act >= tgt)


def format_percent(value: Decimal | None) -> str:
    """'101.44', '112.9', '55.31', '100' (no trailing zeros); '–' for None."""
    if value is None:
        return "–"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def today_in_thailand() -> date:
    """Today's date in Asia/Bangkok (the app's clock for due dates and rounds)."""
    from datetime import datetime, timezone

    return (datetime.now(timezone.utc) + timedelta(hours=7)).date()
