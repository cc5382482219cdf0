"""Ids taken from input that no row can have — beyond a 32-bit integer, negative, exponent notation,
booleans — are treated as ids of nothing (a missing account, a 404), never sent to the database as
they are (PostgreSQL "integer out of range", SQLite OverflowError: a 500)."""
from __future__ import annotations

import io
import json

import pytest

from app.db import DB_INT_MAX, database_id
from tests.conftest import csrf_token_of, sign_in
from tests.forms.openrosa_helpers import new_instance_id, publish, submission_xml

ABSURD = [10**30, 2**63, DB_INT_MAX + 1, -1, 0, "1e99", "99999999999999999999", True, "٣", " 12 ", None, [], {}]


def test_database_id_accepts_only_ids_a_row_can_have():
    assert [database_id(v) for v in (1, "42", DB_INT_MAX, " 7 ")] == [1, 42, DB_INT_MAX, 7]
    assert [database_id(v) for v in ABSURD if v != " 12 "] == [None] * (len(ABSURD) - 1)


@pytest.mark.parametrize("user_id", ABSURD)
def test_an_unsent_export_naming_an_absurd_user_id_is_filed_as_the_importers(app, make_user, user_id):
    fv = publish()
    staff = make_user("district", username="importer")
    client = app.test_client()
    sign_in(client, staff.username)
    token = csrf_token_of(client.get("/unsent/import").get_data(as_text=True))
    iid = new_instance_id()
    export = {"format": "chumchon-unsent", "user": {"id": user_id, "username": "somchai"},
              "items": [{"instanceID": iid, "xml": submission_xml(fv, iid).decode(), "attachments": [],
                         "kind": "outbox"}]}
    r = client.post("/unsent/import", data={"csrf_token": token,
                                            "file": (io.BytesIO(json.dumps(export).encode()), "export.json")},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    from app import db
    from app.models import Submission

    assert db.session.query(Submission).filter_by(instance_id=iid).one().submitted_by == "importer"


@pytest.mark.parametrize("officer", ["99999999999", "2147483648", "9" * 40])
def test_the_assignments_page_answers_404_for_an_officer_id_no_account_has(district_client, officer):
    assert district_client.get(f"/assignments?officer={officer}").status_code == 404
