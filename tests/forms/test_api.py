"""JSON API /api/v1: forms, versions, submissions (filters, paging), one submission with its history;
bad parameters are 400 and unknown things 404, in Thai and English, never 500."""
from __future__ import annotations

import hashlib
from datetime import datetime

import pytest

from tests.forms.openrosa_helpers import new_instance_id, post_submission, publish, submission_xml

JPEG = b"\xff\xd8\xff\xe0 api photo"


@pytest.fixture
def client(admin_client):
    """Signed in as an admin (staff publish and read every submission)."""
    return admin_client


def assert_json_error(r, status: int) -> dict:
    assert r.status_code == status
    assert r.mimetype == "application/json"
    error = r.get_json()["error"]
    assert error["status"] == status
    assert error["message_th"] and error["message_en"]
    return error


def test_forms_lists_each_form_with_its_latest_version(client, app):
    publish("household", "1", "Household")
    publish("household", "2", "Household v2", extra_question=True)
    publish("savings_group", "3", "Savings group")
    r = client.get("/api/v1/forms")
    assert r.status_code == 200
    forms = {f["form_id"]: f for f in r.get_json()["forms"]}
    assert set(forms) == {"household", "savings_group"}
    assert forms["household"]["latest_version"]["version"] == "2"
    assert forms["household"]["latest_version"]["title"] == "Household v2"
    assert forms["household"]["versions_count"] == 2


def test_form_detail_lists_versions_with_hash_publisher_and_iso_time(client, app):
    v1 = publish("household", "1")
    publish("household", "2", extra_question=True)
    r = client.get("/api/v1/forms/household")
    assert r.status_code == 200
    body = r.get_json()
    assert body["form_id"] == "household"
    assert [v["version"] for v in body["versions"]] == ["1", "2"]
    first = body["versions"][0]
    assert first["content_hash"] == v1.content_hash
    assert first["published_by"] == "tester"
    datetime.fromisoformat(first["published_at"])


def test_unknown_form_is_404_json(client, app):
    assert_json_error(client.get("/api/v1/forms/nothing"), 404)
    assert_json_error(client.get("/api/v1/forms/nothing/submissions"), 404)


@pytest.fixture
def three_submissions(client, app):
    """One accepted and edited once (two records, one current), one needing correction."""
    version = publish("household", "1")
    first, edit, bad = new_instance_id(), new_instance_id(), new_instance_id()
    assert post_submission(client, submission_xml(version, first, age="30")).status_code == 201
    assert post_submission(client, submission_xml(version, edit, age="31", deprecated_id=first)).status_code == 201
    assert post_submission(client, submission_xml(version, bad, age="forty")).status_code == 201
    return {"first": first, "edit": edit, "bad": bad}


def test_submissions_are_filtered_by_status_and_currency(client, three_submissions):
    ids = three_submissions
    every = client.get("/api/v1/forms/household/submissions").get_json()
    assert every["total"] == 3
    assert {s["instance_id"] for s in every["items"]} == set(ids.values())

    bad = client.get("/api/v1/forms/household/submissions?status=needs_correction").get_json()
    assert [s["instance_id"] for s in bad["items"]] == [ids["bad"]]
    assert bad["items"][0]["errors_count"] >= 1

    accepted = client.get("/api/v1/forms/household/submissions?status=accepted").get_json()
    assert {s["instance_id"] for s in accepted["items"]} == {ids["first"], ids["edit"]}

    current = client.get("/api/v1/forms/household/submissions?current=1").get_json()
    assert current["total"] == 2
    assert {s["instance_id"] for s in current["items"]} == {ids["edit"], ids["bad"]}

    old = client.get("/api/v1/forms/household/submissions?current=0").get_json()
    assert [s["instance_id"] for s in old["items"]] == [ids["first"]]


def test_submissions_are_paged_with_the_total_count(client, three_submissions):
    seen = []
    for offset in (0, 2):
        page = client.get(f"/api/v1/forms/household/submissions?limit=2&offset={offset}").get_json()
        assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == offset
        seen += [s["instance_id"] for s in page["items"]]
    assert len(seen) == 3 and set(seen) == set(three_submissions.values())


def test_submissions_are_paged_by_cursor_without_repeats_or_gaps(client, three_submissions, monkeypatch):
    from app.forms import listing

    first = client.get("/api/v1/forms/household/submissions?limit=2").get_json()
    assert len(first["items"]) == 2 and first["next_cursor"] and first["total_capped"] is False
    second = client.get(f"/api/v1/forms/household/submissions?limit=2&cursor={first['next_cursor']}").get_json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    seen = [s["instance_id"] for s in first["items"] + second["items"]]
    assert sorted(seen) == sorted(three_submissions.values())
    monkeypatch.setattr(listing, "COUNT_CAP", 2)  # above the cap the total says so instead of counting on
    capped = client.get("/api/v1/forms/household/submissions").get_json()
    assert capped["total"] == 2 and capped["total_capped"] is True and len(capped["items"]) == 3


@pytest.mark.parametrize("query", [
    "status=bogus", "limit=abc", "limit=0", "limit=100000", "offset=-1", "current=maybe",
    "offset=99999999999999999999999", "offset=10001", "cursor=not-a-cursor",
])
def test_invalid_query_parameters_are_400_json_in_thai_and_english(client, app, query):
    publish("household", "1")
    error = assert_json_error(client.get(f"/api/v1/forms/household/submissions?{query}"), 400)
    assert error["fields"]


def test_one_submission_has_data_errors_attachments_history_and_conflicts(client, app):
    version = publish("household", "1")
    first, edit = new_instance_id(), new_instance_id()
    post_submission(client, submission_xml(version, first, age="30"))
    post_submission(client, submission_xml(version, edit, age="forty", photo="p.jpg", deprecated_id=first),
                    [("p.jpg", JPEG, "image/jpeg")])
    assert post_submission(client, submission_xml(version, edit, name="Someone else")).status_code == 409

    r = client.get(f"/api/v1/submissions/{edit}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["form_id"] == "household" and body["version"] == "1"
    assert body["status"] == "needs_correction"
    assert any(e["path"].endswith("/age") for e in body["errors"])
    assert any(str(v) == "forty" for v in body["data"].values())
    [att] = body["attachments"]
    assert att["filename"] == "p.jpg"
    assert att["sha256"] == hashlib.sha256(JPEG).hexdigest() and att["size"] == len(JPEG)
    assert client.get(att["url"]).data == JPEG
    assert [h["instance_id"] for h in body["history"]] == [first, edit]
    assert [h["is_current"] for h in body["history"]] == [False, True]
    assert body["conflicts_count"] == 1
    assert body["root_instance_id"] == first

    old = client.get(f"/api/v1/submissions/{first}").get_json()
    assert old["is_current"] is False and old["superseded_by"] == edit
    assert old["conflicts_count"] == 0


def test_unknown_submission_or_attachment_is_404_json(client, app):
    version = publish("household", "1")
    iid = new_instance_id()
    post_submission(client, submission_xml(version, iid))
    assert_json_error(client.get("/api/v1/submissions/uuid:nothing"), 404)
    assert_json_error(client.get(f"/api/v1/submissions/{iid}/attachments/none.jpg"), 404)
