"""The API's legacy `offset` paging reads the skipped rows and the page's keys in one walk
(app/forms/api.py): its pages must be exactly the pages the `next` cursor walks — same records, same
order, no repeat, no gap — with the right total and a `next` link that goes on from there, for a role
whose scope is a district and for an officer in each form of the officer's scope (ids listed; own or
listed, where some of what they see is a colleague's record about a group assigned to them)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app import db
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import Group, GroupStatus, OfficerAssignment
from tests.conftest import sign_in
from tests.scoring import meeting_workbook as mw


@pytest.fixture
def records(app, make_user):
    fv = publish_workbook("meeting.xlsx", mw.workbook(), "root").form_version
    officer = make_user("officer", district="4201", username="pager")
    colleague = make_user("officer", district="4201", username="colleague")
    for code in ("g1", "g2"):
        db.session.add(Group(code=code, kind="savings", name=f"group {code}", district_code="4201",
                             status=GroupStatus.APPROVED))
    db.session.commit()
    g1 = db.session.query(Group).filter_by(code="g1").one()
    db.session.add(OfficerAssignment(user_id=officer.id, group_id=g1.id, assigned_by="test"))
    db.session.commit()
    sent = []
    for k in range(11):
        sender, group = [(officer, "g2"), (colleague, "g1"), (colleague, "g2")][k % 3]
        iid = f"uuid:page-{k:02d}"
        assert receive_submission(mw.xml(fv, instance_id=iid, group=group), {}, sender.username,
                                  sender=sender).status == 201
        sent.append((iid, sender.username, group))
    return fv, officer, sent


def _local(url: str) -> str:
    """The API's absolute `next` link as the test client's path and query."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _walk_by_cursor(client, form_id: str) -> list[str]:
    seen, url = [], f"/api/v1/forms/{form_id}/submissions?limit=2"
    while url:
        page = client.get(url).get_json()
        seen += [s["instance_id"] for s in page["items"]]
        url = page["next"] and _local(page["next"])
    return seen


@pytest.mark.parametrize("scope_form", ["ids listed", "own or listed"])
@pytest.mark.parametrize("who", ["district", "officer"])
def test_offset_pages_are_the_cursor_pages(app, records, make_user, monkeypatch, who, scope_form):
    from app.auth import scope

    if scope_form == "own or listed":
        monkeypatch.setattr(scope, "OFFICER_IDS_INLINE", 0)
    fv, officer, sent = records
    client = app.test_client()
    if who == "district":
        make_user("district", district="4201", username="office")
        sign_in(client, "office")
        expected = [iid for iid, _u, _g in reversed(sent)]
    else:
        sign_in(client, officer.username)
        expected = [iid for iid, user, group in reversed(sent) if user == officer.username or group == "g1"]
    form_id = fv.form.form_id
    assert _walk_by_cursor(client, form_id) == expected
    for offset in range(0, len(expected) + 2):
        page = client.get(f"/api/v1/forms/{form_id}/submissions?limit=2&offset={offset}").get_json()
        assert [s["instance_id"] for s in page["items"]] == expected[offset:offset + 2], offset
        assert page["total"] == len(expected) and page["offset"] == offset
        if offset + 2 < len(expected):  # the next link goes on from the offset page without a gap
            rest = client.get(_local(page["next"])).get_json()
            assert [s["instance_id"] for s in rest["items"]] == expected[offset + 2:offset + 4]
        else:
            assert page["next"] is None
