"""The monthly status reports as typed figures: one `MonthlyReport` row per submission of a monthly
form, written by `store_monthly_report` inside the transaction that stores the submission (called
from app.forms.receiving, like the score table), so reports never read submission XML. No Flask here.

Rules (documented for the worklist and the province report, which read this table):

- **Which forms**: a form version whose definition has, outside repeats, a question named `group`
  (the registry group's code) and one named `report_month` (a date; its month is what counts). The
  figures are read from the questions named in FIGURES when the form has them (the bundled
  sg_monthly_status has all). Any other form costs one cached lookup and writes nothing.
- **One report per group and month**: among the current records of one (group, month) the edit chain
  received first is `counted`; a second chain (another tablet sending its own report instead of
  correcting the first) is stored and kept, not counted, and its submission gets a warning note
  saying which report counts and how to change it (correct that one: deprecatedID). Correcting the
  counted report (an edit) keeps it counted, with the new figures.
- **On time**: the chain's first record reached the server by the 20th of the following month
  (app.periods.reported_on_time, Asia/Bangkok date). A later correction does not make it late.
- **needs_correction**: a report the server's checks flagged is stored and counted as received (the
  group did report) but its figures are left out of totals until it is corrected
  (app/reports/rules.py).
"""
from __future__ import annotations

import re
from collections import OrderedDict
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from threading import Lock
from typing import Any

from sqlalchemy import func, select, update

from app import db
from app.forms.definitions import definition_of
from app.models import FormVersion, MonthlyReport, Submission, SubmissionStatus
from app.periods import fiscal_year, month_start, reported_on_time
from app.templating import BANGKOK

GROUP = "group"
MONTH = "report_month"
# question name -> (column, kind)
FIGURES: dict[str, tuple[str, str]] = {
    "members_end": ("members", "int"),
    "new_members": ("new_members", "int"),
    "left_members": ("left_members", "int"),
    "savings_balance": ("savings_balance", "decimal"),
    "special_savings": ("special_savings", "decimal"),
    "loans_outstanding": ("loans_outstanding", "decimal"),
    "borrowers": ("borrowers", "int"),
    "loans_overdue": ("loans_overdue", "decimal"),
    "meeting_held": ("meeting_held", "yes_no"),
    "meeting_date": ("meeting_date", "date"),
}
DUPLICATE_NOTE = "duplicate_monthly_report"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")

_paths: OrderedDict[tuple[int, str], dict[str, str] | None] = OrderedDict()
_lock = Lock()


def monthly_paths(version: FormVersion) -> dict[str, str] | None:
    """{question name: path} of a monthly form version (cached: versions are immutable), or None."""
    key = (version.id, version.content_hash)
    with _lock:
        if key in _paths:
            return _paths[key]
    from app.scoring.store import _plain_fields

    fields = {f.name: f.path for f in _plain_fields(definition_of(version))}
    found = None
    if GROUP in fields and MONTH in fields:
        found = {name: fields[name] for name in (GROUP, MONTH, *FIGURES) if name in fields}
    with _lock:
        _paths[key] = found
        while len(_paths) > 64:
            _paths.popitem(last=False)
    return found


def _text(data: dict[str, Any], path: str | None) -> str | None:
    value = data.get(path) if path else None
    if value is None or isinstance(value, (list, dict)):
        return None
    text = str(value).strip()
    return text or None


def parse_date(text: str | None) -> date | None:
    m = _DATE.match(text or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _value(text: str | None, kind: str) -> Any:
    if text is None:
        return None
    if kind == "date":
        return parse_date(text)
    if kind == "yes_no":
        return {"yes": True, "no": False}.get(text.lower())
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if kind == "int":
        return int(number) if abs(number) < 2**31 else None
    return float(number) if abs(number) < Decimal("1e14") else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)  # SQLite: naive UTC


def store_monthly_report(submission: Submission, version: FormVersion, *, new: bool = False) -> MonthlyReport | None:
    """Write (or replace) the submission's MonthlyReport in the current session (no commit); the edit
    chain's rows follow their records' is_current and the (group, month) keys are recounted.
    `new`: the submission was just inserted (no row of its own yet): one query fewer on the hot path."""
    paths = monthly_paths(version)
    if paths is None:
        return None
    s = db.session()
    data = submission.data or {}
    month = parse_date(_text(data, paths.get(MONTH)))
    group_ref = _text(data, paths.get(GROUP))
    row = None if new else s.scalar(select(MonthlyReport).where(MonthlyReport.submission_id == submission.id))
    touched: set[tuple[str | None, date]] = set()
    if row is not None:
        touched.add((row.group_ref, row.month))
    # A plain first report (no edit, no edit that arrived before it) needs no look at its chain.
    plain = (not submission.deprecated_id and submission.root_instance_id == submission.instance_id
             and bool(submission.is_current))
    if month is None:
        if row is not None:  # the answer that named the month is gone: the record no longer reports one
            s.delete(row)
            row = None
    else:
        first = submission.received_at if plain else s.scalar(select(func.min(Submission.received_at)).where(
            Submission.root_instance_id == submission.root_instance_id))
        first = _aware(first or submission.received_at or datetime.now(timezone.utc))
        month = month_start(month)
        counted = False
        if plain and new:  # the usual case: counted unless the group already has a report for the month
            counted = group_ref is not None and s.scalar(select(MonthlyReport.id).where(
                MonthlyReport.group_ref == group_ref[:255], MonthlyReport.month == month,
                MonthlyReport.counted.is_(True)).limit(1)) is None
        if row is None:
            row = MonthlyReport(submission_id=submission.id, counted=counted)
            s.add(row)
        row.form_pk = submission.form_pk
        row.root_instance_id = submission.root_instance_id
        row.group_ref = group_ref[:255] if group_ref else None
        row.district_code = submission.district_code
        row.month = month
        row.fiscal_year = fiscal_year(month)
        for name, (column, kind) in FIGURES.items():
            setattr(row, column, _value(_text(data, paths.get(name)), kind))
        row.first_received_at = first
        row.on_time = reported_on_time(month, first.astimezone(BANGKOK).date())
        row.is_current = bool(submission.is_current)
        row.needs_correction = submission.status == SubmissionStatus.NEEDS_CORRECTION
        touched.add((row.group_ref, month))
    s.flush()
    if not plain or not new:
        touched |= _sync_chain(submission)
        for group, when in touched:
            _recount(group, when)
    if row is not None:
        _note_duplicate(submission, row)
    return row


def _sync_chain(submission: Submission) -> set[tuple[str | None, date]]:
    """MonthlyReport.is_current = Submission.is_current along the edit chain; the keys that changed."""
    s = db.session()
    roots = {submission.root_instance_id, submission.instance_id}
    chain = dict(s.execute(select(Submission.id, Submission.is_current).where(
        Submission.root_instance_id.in_(roots))).all())
    keys = set()
    for r in s.scalars(select(MonthlyReport).where(MonthlyReport.submission_id.in_(chain))):
        if r.is_current != bool(chain[r.submission_id]):
            r.is_current = bool(chain[r.submission_id])
            keys.add((r.group_ref, r.month))
    s.flush()
    return keys


def _recount(group_ref: str | None, month: date) -> None:
    """Exactly one counted row per (group, month): the current one whose chain arrived first."""
    s = db.session()
    same = MonthlyReport.group_ref.is_(None) if group_ref is None else MonthlyReport.group_ref == group_ref
    rows = s.execute(select(MonthlyReport.id, MonthlyReport.is_current, MonthlyReport.counted)
                     .where(same, MonthlyReport.month == month)
                     .order_by(MonthlyReport.first_received_at, MonthlyReport.id)).all()
    winner = next((r.id for r in rows if r.is_current and group_ref is not None), None)
    for r in rows:
        if bool(r.counted) != (r.id == winner):
            s.execute(update(MonthlyReport).where(MonthlyReport.id == r.id).values(counted=r.id == winner)
                      .execution_options(synchronize_session="fetch"))


def _note_duplicate(submission: Submission, row: MonthlyReport) -> None:
    """A current report that does not count says so on its submission (a warning: not an error)."""
    notes = [e for e in (submission.errors or []) if e.get("code") != DUPLICATE_NOTE]
    if row.is_current and not row.counted and row.group_ref is not None:
        counted = db.session.scalar(select(Submission.instance_id).join(
            MonthlyReport, MonthlyReport.submission_id == Submission.id).where(
            MonthlyReport.group_ref == row.group_ref, MonthlyReport.month == row.month,
            MonthlyReport.counted.is_(True)))
        month = f"{row.month:%m}/{row.month.year + 543}"
        notes.append({"path": None, "node_path": None, "code": DUPLICATE_NOTE, "level": "warning",
                      "value": counted,
                      "message_th": f"กลุ่ม {row.group_ref} มีรายงานเดือน {month} แล้ว ({counted}) รายงานนี้เก็บไว้แต่ไม่นับ "
                                    "หากต้องการเปลี่ยนตัวเลข ให้แก้ไขรายงานฉบับที่ส่งก่อน",
                      "message_en": f"Group {row.group_ref} already has a report for {month} ({counted}); this one is "
                                    "kept but not counted. To change the figures, correct the report sent first."})
    if notes != list(submission.errors or []):
        submission.errors = notes
