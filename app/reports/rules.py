"""Which rows count in reports: ONE place for every page, export and benchmark of app/reports.

- An assessment counts when its score row is current (the latest record of its edit chain), has a
  group (group_ref) and did not fail the server's checks (needs_correction). A group assessed twice
  in one fiscal year counts once: its latest assessment of that year (queries.round_results).
- A monthly report counts for "reported" when it is the group's counted report of the month
  (MonthlyReport.counted, app/reports/monthly.py); its figures count in totals only when it does not
  need correction.

Other rules that take records out of every report (e.g. test submissions) are added here, and only
here; the stored rows need no rewrite.
"""
from __future__ import annotations

from sqlalchemy import and_

from app.models import MonthlyReport, Score

# The form whose scores are the savings groups' governance assessment (config REPORT_ASSESSMENT_FORM).
DEFAULT_ASSESSMENT_FORM = "sg_assessment_21"
DEFAULT_MONTHLY_FORM = "sg_monthly_status"


def score_counts():
    """WHERE clause: Score rows that count in reports."""
    return and_(Score.is_current.is_(True), Score.needs_correction.is_(False), Score.group_ref.is_not(None))


def monthly_received():
    """WHERE clause: the monthly reports that count as the group's report of their month."""
    return and_(MonthlyReport.counted.is_(True), MonthlyReport.is_current.is_(True))


def monthly_figures_count():
    """Boolean expression: a received report whose figures go into totals."""
    return MonthlyReport.needs_correction.is_(False)


def report_level(levels: list[dict], name: str | None) -> int | None:
    """The report's level (3 good, 2, 1) of a level name under a form version's `levels` (best
    first): the best level is 3, the last is 1, any between is 2 (the province report's three
    columns; the bundled assessment has exactly these three)."""
    names = [lv.get("name") for lv in levels or []]
    if name is None or name not in names:
        return None
    i = names.index(name)
    if i == 0:
        return 3
    if i == len(names) - 1:
        return 1
    return 2
