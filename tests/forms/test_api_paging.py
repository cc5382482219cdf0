"""The API's submission list pages by cursor (keyset): following `next` gives every row once, newest
first, also when rows share a receipt time; the total is exact up to a limit and then says so;
a cursor the server did not give is a 400 in Thai and English."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import update

from app import db
from app.forms import listing
from app.models import Submission
from tests.forms.openrosa_helpers import new_instance_id, post_submission, publish, submission_xml


@pytest.fixture
def client(admin_client):
    return admin_client


@pytest.fixture
def seven(client, app):
    version = publish("household", "1")
    ids = [new_instance_id() for _ in range(7)]
    for iid in ids:
        assert post_submission(client, submission_xml(version, iid)).status_code == 201
    # Three of them received in the same microsecond: the cursor must still tell them apart.
    same = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
    db.session.execute(update(Submission).where(Submission.instance_id.in_(ids[2:5])).values(received_at=same))
    db.session.commit()
    return ids


def _all_pages(client, url: str) -> list[list[str]]:
    pages = []
    while url:
        body = client.get(url).get_json()
        pages.append([i["instance_id"] for i in body["items"]])
        url = body["next"]
    return pages


def test_following_next_gives_every_submission_once_newest_first(client, seven):
    pages = _all_pages(client, "/api/v1/forms/household/submissions?limit=2")
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    seen = [iid for page in pages for iid in page]
    assert sorted(seen) == sorted(seven)
    whole = client.get("/api/v1/forms/household/submissions?limit=50").get_json()
    assert [i["instance_id"] for i in whole["items"]] == seen  # the same order as one big page
    assert whole["next"] is None and whole["total"] == 7


def test_the_total_is_exact_up_to_the_limit(client, seven, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    body = client.get("/api/v1/forms/household/submissions?limit=2").get_json()
    assert body["total"] == 5 and body["total_capped"] is True
    monkeypatch.setattr(listing, "COUNT_CAP", 7)
    body = client.get("/api/v1/forms/household/submissions?limit=2").get_json()
    assert body["total"] == 7 and body["total_capped"] is False


def test_filters_are_kept_in_the_next_link(client, seven):
    body = client.get("/api/v1/forms/household/submissions?limit=1&current=1").get_json()
    assert "current=1" in body["next"]


@pytest.mark.parametrize("cursor", ["x", "bm90IGEgY3Vyc29y", "MjAyNi0wMy0yMHxhYmM"])
def test_a_cursor_we_did_not_give_is_a_400(client, seven, cursor):
    r = client.get(f"/api/v1/forms/household/submissions?after={cursor}")  # the older name of `cursor`
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["message_th"] and error["message_en"] and "after" in error["fields"]
