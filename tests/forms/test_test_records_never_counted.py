"""One test over all of them (issue 13): a draft's test submissions appear in no report, export, API
list, committee page — nor in any production table.

How: every GET route of the app (walked from app.url_map, so routes added later are covered too) is
fetched as each role, and every table except the draft's own is read, before and after test records
are sent to a draft (through the browser's JSON answer and ODK Collect's XML one, at every level,
for the same groups as real records). Nothing may differ except the draft's own page and the audit
log. A control at the end sends one *real* submission and checks that the same comparison does see it,
so the test cannot pass by comparing nothing."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from app import db
from app.db import Base
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import FormDraft, Score, TestSubmission
from tests.auth.conftest import basic
from tests.conftest import sign_in
from tests.scoring import meeting_workbook as mw

ROLES = ("admin", "province", "district", "officer")
# What may change when test records arrive: the draft's own page, and the audit log ("tested" is a step).
ALLOWED_TO_CHANGE = {"lifecycle.draft_page", "admin.audit"}
# Tables the draft itself owns (and the audit log): everything else is production data.
DRAFT_TABLES = {"test_submissions", "form_drafts", "form_draft_media", "audit_events"}
MARK = "TESTRECORD"

# Flask-WTF's CSRF tokens (signed, timestamped: they change from one second to the next)
_TOKEN = re.compile(r"\bI[\w-]{20,}\.[\w-]{4,}\.[\w-]{10,}")


def normalise(body: bytes, content_type: str) -> bytes:
    """A response body without what changes between two identical requests (CSRF tokens, zip dates)."""
    if body[:2] == b"PK":  # XLSX, ZIP of CSVs: the files inside, not the archive's timestamps
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return b"\n".join(name.encode() + b"\n" + z.read(name) for name in sorted(z.namelist())
                              if not name.startswith("docProps/"))
    text = body.decode("utf-8", errors="replace")
    return _TOKEN.sub("CSRF", text).encode()


@pytest.fixture
def world(app, make_user):
    users = {"admin": make_user("admin", username="root"), "province": make_user("province", username="prov"),
             "district": make_user("district", district="4201", username="dist"),
             "officer": make_user("officer", district="4201", username="off")}
    fv = publish_workbook("meeting.xlsx", mw.workbook("1"), "root").form_version
    real = []
    for i, (group, answers) in enumerate([("g1", {}), ("g2", {"i01": "0", "i02": "0", "i03": "1", "i05": "no"})]):
        out = receive_submission(mw.xml(fv, group=group, instance_id=f"uuid:real-{i}", **answers), {},
                                 "off", sender=users["officer"])
        assert out.status == 201
        real.append(out.submission)
    from app.scoring.committee import create_link

    score = db.session.scalar(select(Score).where(Score.submission_id == real[0].id))
    _link, committee_token = create_link(score, users["district"])
    db.session.commit()
    clients = {}
    for role, user in users.items():
        c = app.test_client()
        sign_in(c, user.username)
        clients[role] = c
    # the draft: the next version of the same form, with the same groups
    from app.forms.drafts import save_draft

    draft = save_draft("meeting.xlsx", mw.workbook("2"), "root").draft
    return {"fv": fv, "users": users, "clients": clients, "draft": draft, "real": real,
            "committee_token": committee_token}


def values(world) -> dict[str, object]:
    return {"form_id": mw.FORM_ID, "version": "1", "instance_id": world["real"][0].instance_id,
            "token": world["draft"].token, "fmt": "csv", "filename": "groups.csv", "attachment_id": 0,
            "group_id": 0, "user_id": world["users"]["officer"].id, "link_id": 0}


def get_urls(app, world) -> list[tuple[str, str]]:
    """(endpoint, url) for every GET route whose arguments we can fill, plus the exports, the test
    record's own id in every route that takes an instance id, and the committee page."""
    from flask import url_for

    vals = values(world)
    urls: list[tuple[str, str]] = []
    skipped = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
            if "GET" not in rule.methods or rule.endpoint in ("static", "offline.service_worker", "auth.signout"):
                continue
            if not set(rule.arguments) <= set(vals):
                skipped.append(rule.endpoint)
                continue
            args = {k: vals[k] for k in rule.arguments}
            urls.append((rule.endpoint, url_for(rule.endpoint, **args)))
            if "instance_id" in rule.arguments:  # the test record's id: must stay unknown everywhere
                urls.append((rule.endpoint, url_for(rule.endpoint, **{**args, "instance_id": "uuid:" + MARK + "-1"})))
            if "fmt" in rule.arguments:
                urls.append((rule.endpoint, url_for(rule.endpoint, **{**args, "fmt": "xlsx"})))
        urls.append(("committee.public_page", url_for("committee.public_page", token=world["committee_token"])))
        urls.append(("lifecycle.changes", url_for("lifecycle.changes", form_id=mw.FORM_ID, to="draft")))
    assert len(urls) > 30, urls
    print("routes not walked (arguments unknown to this test):", skipped)
    return urls


def snapshot(world, urls) -> dict[tuple[str, str, str], tuple[int, bytes]]:
    # Rows as read from the database every time (SQLite hands back naive datetimes, objects still in
    # the session from their creation hold aware ones: the API would print them differently).
    db.session.expire_all()
    out = {}
    for role, client in world["clients"].items():
        for endpoint, url in urls:
            r = client.get(url)
            out[(role, endpoint, url)] = (r.status_code, normalise(r.data, r.content_type or ""))
    anon = world["clients"]["admin"].application.test_client()
    for endpoint, url in urls:
        r = anon.get(url)
        out[("anonymous", endpoint, url)] = (r.status_code, normalise(r.data, r.content_type or ""))
    return out


def tables() -> dict[str, list[tuple]]:
    db.session.expire_all()
    with db.engine().connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(t.select()).all()))
                for t in Base.metadata.sorted_tables if t.name not in DRAFT_TABLES}


def differences(before: dict, after: dict) -> list[tuple]:
    return sorted(k for k in before if before[k] != after.get(k) and k[1] not in ALLOWED_TO_CHANGE)


def send_test_records(world, app) -> None:
    draft, officer = world["draft"], world["users"]["officer"]
    base = f"/forms/{mw.FORM_ID}/draft/{draft.token}"
    answers = [("g1", {}), ("g2", {"i01": "0", "i02": "0", "i03": "0", "i05": "no"}), ("g1", {"i01": "9"})]
    for i, (group, a) in enumerate(answers):
        xml = mw.xml(draft, group=group, instance_id=f"uuid:{MARK}-{i + 1}", **a)
        if i % 2 == 0:  # the browser's outbox: JSON answer, session + CSRF
            r = world["clients"]["officer"].post(f"{base}/submission", data={"xml_submission_file": (io.BytesIO(xml), "x.xml")},
                                                 content_type="multipart/form-data", headers={"Accept": "application/json"})
        else:  # ODK Collect: Basic, OpenRosa XML
            r = app.test_client().post(f"{base}/submission", data={"xml_submission_file": (io.BytesIO(xml), "x.xml")},
                                       content_type="multipart/form-data", headers=basic(officer))
        assert r.status_code == 201, r.data


def test_test_submissions_appear_in_no_list_export_api_report_committee_page_or_table(app, world):
    urls = get_urls(app, world)
    before_pages, before_tables = snapshot(world, urls), tables()

    send_test_records(world, app)
    assert db.session.query(TestSubmission).count() == 3
    levels = {t.instance_id: (t.status, (t.score or {}).get("level", {}) and t.score["level"]["name"])
              for t in db.session.scalars(select(TestSubmission))}
    assert levels[f"uuid:{MARK}-1"] == ("accepted", "good") and levels[f"uuid:{MARK}-2"][1] == "develop"
    assert levels[f"uuid:{MARK}-3"][0] == "needs_correction"

    after_pages, after_tables = snapshot(world, urls), tables()
    assert after_tables == before_tables, [n for n in before_tables if before_tables[n] != after_tables[n]]
    assert not differences(before_pages, after_pages)
    for key, (_status, body) in after_pages.items():
        if key[1] not in ALLOWED_TO_CHANGE and MARK not in key[2]:  # (a 404 may echo the id it was asked)
            assert b"uuid:" + MARK.encode() not in body, key
    # ... while the draft page shows them (what testers are for)
    draft_page = world["clients"]["admin"].get(f"/forms/{mw.FORM_ID}/draft").get_data(as_text=True)
    assert all(f"uuid:{MARK}-{i}" in draft_page for i in (1, 2, 3))

    # control: one real submission is seen by the same comparison (lists, exports, API, score table)
    out = receive_submission(mw.xml(world["fv"], group="g1", instance_id="uuid:real-control"), {}, "off",
                             sender=world["users"]["officer"])
    assert out.status == 201
    seen = {k[1] for k in differences(after_pages, snapshot(world, urls))}
    assert {"submissions.list_submissions", "submissions.export", "api.form_submissions",
            "committee.public_page"} <= seen, seen
    assert tables()["scores"] != after_tables["scores"]

    # publishing the draft deletes its test records; production still holds nothing of them
    assert world["clients"]["admin"].post(f"/forms/{mw.FORM_ID}/draft/publish").status_code == 303
    assert db.session.query(TestSubmission).count() == 0 and db.session.query(FormDraft).count() == 0
    assert all(MARK not in "".join(rows) for rows in tables().values())
