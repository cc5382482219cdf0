"""Jinja filters shared by every page: Buddhist-Era dates, bilingual text picking."""
from __future__ import annotations

from datetime import date, datetime, timezone, timedelta

from app.xlsform.definition import text_in

THAI_MONTHS_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                     "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
BANGKOK = timezone(timedelta(hours=7))


def be_date(value, with_time: bool = False) -> str:  # noqa: ANN001
    """A date or datetime (or ISO string) shown in the Buddhist Era: '25 พ.ย. 2569 14:05'."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(BANGKOK)
        text = f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + 543}"
        return f"{text} {value:%H:%M}" if with_time else text
    return f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + 543}"


def init_app(app) -> None:  # noqa: ANN001
    app.jinja_env.filters["be_date"] = be_date
    app.jinja_env.filters["be_datetime"] = lambda v: be_date(v, with_time=True)
    app.jinja_env.globals["text_in"] = text_in
    from app.thai_text import keep_words

    app.jinja_env.filters["keepwords"] = keep_words  # Thai words kept whole on a line
