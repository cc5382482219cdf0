"""Ids and page numbers no row can have (20 digits, non-ASCII digits such as "²", page 0) are
answered like a missing object or the first page: never a 500 (SQLite overflows on a 20-digit
integer, PostgreSQL rejects an out-of-range integer or a negative OFFSET)."""
from __future__ import annotations

import pytest

from app.scoring.committee import _target_date

HUGE = "9" * 23


@pytest.mark.parametrize("method,url,status", [
    ("get", "/admin/audit?page=0", 200),
    ("get", "/admin/audit?page=%C2%B2", 200),
    ("get", f"/assignments?officer={HUGE}", 404),
    ("get", f"/attachments/{HUGE}", 404),
    ("post", f"/registry/groups/{HUGE}/approve", 404),
    ("post", f"/registry/groups/{HUGE}/reject", 404),
    ("post", f"/admin/users/{HUGE}/deactivate", 404),
    ("post", f"/admin/users/{HUGE}/password", 404),
    ("post", f"/registry/committee-links/{HUGE}/revoke", 404),
    ("post", f"/assignments/{HUGE}", 404),
])
def test_impossible_ids_are_not_server_errors(admin_client, method, url, status):
    assert getattr(admin_client, method)(url).status_code == status


def test_assignment_page_ignores_non_ascii_digits(admin_client):
    response = admin_client.get("/assignments?officer=%C2%B2")
    assert response.status_code == 200


def test_submission_filters_reject_cursors_that_are_not_ours():
    from datetime import datetime, timezone

    from werkzeug.datastructures import MultiDict

    from app.forms.listing import Cursor
    from app.forms.submissions import BadQuery, parse_filters

    for token in ("\u00b2", "0", HUGE, "MjAyNC0wMy0wNVQwMzozMDowMHx4"):  # the last: a time and no id
        for key in ("after", "before"):
            with pytest.raises(BadQuery):
                parse_filters(MultiDict({key: token}))
    mark = Cursor(datetime(2024, 3, 5, 3, 30, tzinfo=timezone.utc), 42)
    assert parse_filters(MultiDict({"after": mark.encode()})).after == mark


def test_plan_date_with_an_absurd_year_is_invalid_not_an_error():
    assert _target_date({"year": "9" * 25, "month": "1", "day": "1"}) is None
    assert _target_date({"year": "2570", "month": "2", "day": "30"}) is None
