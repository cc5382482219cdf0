"""The app's one clock: what "today" is for worklists, due dates and the current round.

Everything that asks "is it late?" or "which fiscal year is it?" calls `today()`, never
`date.today()`: a test (or a training server replaying a past year) pins the date with the config
value `TODAY` (ISO date, e.g. "2024-03-21"; also read from the environment as CHUMCHON_TODAY).
Unset, it is today's date in Asia/Bangkok (app.periods.today_in_thailand).
"""
from __future__ import annotations

import os
from datetime import date

from app.periods import today_in_thailand


def _pinned(value) -> date | None:  # noqa: ANN001
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def today() -> date:
    """Today in Asia/Bangkok, unless the app (config TODAY) or the environment (CHUMCHON_TODAY) pins it."""
    from flask import current_app, has_app_context

    if has_app_context():
        pinned = _pinned(current_app.config.get("TODAY"))
        if pinned is not None:
            return pinned
    return _pinned(os.environ.get("CHUMCHON_TODAY")) or today_in_thailand()
