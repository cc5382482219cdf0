"""Attacks the issue names: XXE, a zip bomb (and an entity bomb) inside an .xlsx, CSRF without a
token, formula injection in exports, session fixation, and an officer reading another district's
submission by guessing its ID (pages, API, export, attachment, OpenRosa resend/edit). Plus the
headers (CSP without inline script, cookie flags) and session revocation."""
from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from app import db
from app.models import Submission, UnprocessableSubmission
from tests.auth.conftest import PNG, basic, people_workbook, people_xml
from tests.conftest import TEST_PASSWORD, sign_in, without_csrf

ROOT = Path(__file__).resolve().parents[2]


def post_xml(client, xml: bytes, headers: dict | None = None):
    data = {"xml_submission_file": (io.BytesIO(xml), "submission.xml", "text/xml")}
    return client.post("/submission", data=data, content_type="multipart/form-data",
                       headers=headers or {"X-OpenRosa-Version": "1.0"})


# ------------------------------------------------------------------ XML


def test_xxe_in_a_submission_is_refused_and_nothing_is_read(world, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD")
    root = "data"
    xml = (f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           f'<{root} id="people" version="1"><head_name>&xxe;</head_name>'
           f'<meta><instanceID>uuid:xxe</instanceID></meta></{root}>').encode()
    r = post_xml(world.client("officer"), xml)
    assert r.status_code == 400
    assert b"TOP-SECRET" not in r.data
    assert db.session.scalar(select(Submission).where(Submission.instance_id == "uuid:xxe")) is None
    kept = db.session.scalars(select(UnprocessableSubmission)).all()
    assert len(kept) == 1 and kept[0].reason_code == "unreadable"  # kept byte for byte, never parsed


def test_the_submission_parser_itself_refuses_entities():
    from app.xlsform.submission import SubmissionUnreadable, parse_submission

    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<d id="x"><q>&b;</q><meta><instanceID>uuid:1</instanceID></meta></d>')
    try:
        parse_submission(bomb)
    except SubmissionUnreadable:
        return
    raise AssertionError("an entity declaration was accepted")


# ------------------------------------------------------------------ workbooks


def _zip_bomb_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * (150 * 1024 * 1024) + b"</a>")
    return out.getvalue()


def _upload(client, data: bytes, name: str = "bomb.xlsx"):
    return client.post("/forms/upload", data={"workbook": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers={"HX-Request": "true"})


def test_zip_bomb_xlsx_is_refused_before_it_is_unpacked(world):
    bomb = _zip_bomb_xlsx()
    assert len(bomb) < 1024 * 1024  # 150 MB of XML in well under 1 MB
    started = time.monotonic()
    r = _upload(world.client("admin"), bomb)
    assert r.status_code == 422
    assert "ขนาดใหญ่ผิดปกติ" in r.get_data(as_text=True)
    assert time.monotonic() - started < 5


def test_entity_bomb_inside_an_xlsx_is_refused_quickly(world):
    data = io.BytesIO(people_workbook("bombed", "1"))
    out = io.BytesIO()
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
              + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = laughs.encode()
            dst.writestr(item, content)
    started = time.monotonic()
    r = _upload(world.client("admin"), out.getvalue(), "bombed.xlsx")
    assert r.status_code == 422 and "DOCTYPE" in r.get_data(as_text=True)
    assert time.monotonic() - started < 10


def test_uploads_are_checked_by_content_not_by_name(world):
    r = _upload(world.client("admin"), b"type,name,label\ntext,a,A\n", "form.xlsx")
    assert r.status_code == 422 and "CSV" in r.get_data(as_text=True)


# ------------------------------------------------------------------ CSRF


def test_state_changing_requests_without_a_csrf_token_are_400_in_thai_and_english(world):
    c = world.app.test_client()
    sign_in(c, "root")
    c.environ_base.pop("HTTP_X_CSRFTOKEN")
    for url, data in [("/admin/users", {"username": "mallory", "role": "admin", "password": "x" * 12}),
                      (f"/admin/users/{world.target.id}/deactivate", {}),
                      ("/forms/upload", {}), ("/signout", {})]:
        r = c.post(url, data=data)
        assert r.status_code == 400, url
        body = r.get_data(as_text=True)
        assert "CSRF" in body and "กรุณาโหลดหน้าใหม่" in body and "Reload the page" in body
    assert world.target.active
    # A browser session posting a submission needs the token too (submit.js sends it).
    r = post_xml(c, people_xml(world.fv, "uuid:csrf-less"))
    assert r.status_code == 400
    # ... and a wrong token is no better than none.
    r = c.post("/admin/users", data={"username": "mallory"}, headers={"X-CSRFToken": "forged"})
    assert r.status_code == 400


def test_odk_collect_with_basic_auth_needs_no_csrf_token_but_a_cross_site_browser_does(world):
    c = world.app.test_client()  # no session, no token: what ODK Collect sends
    r = post_xml(c, people_xml(world.fv, "uuid:collect-1"), basic(world.users["officer"]))
    assert r.status_code == 201
    sub = db.session.scalar(select(Submission).where(Submission.instance_id == "uuid:collect-1"))
    assert sub.submitter_id == world.users["officer"].id and sub.district_code == "4201"
    r = post_xml(c, people_xml(world.fv, "uuid:collect-2"),
                 {**basic(world.users["officer"]), "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})
    assert r.status_code == 400


def test_wrong_basic_credentials_get_a_challenge_but_browsers_are_never_prompted(world):
    c = world.app.test_client()
    r = c.get("/formList", headers=basic("off4201", "wrong-password"))
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    r = c.get("/formList", headers={"X-OpenRosa-Version": "1.0", "Sec-Fetch-Mode": "cors"})
    assert r.status_code == 401 and "WWW-Authenticate" not in r.headers


# ------------------------------------------------------------------ exports


def test_formula_injection_is_neutralised_in_csv_and_xlsx_exports(world):
    world.send(world.users["officer"], "uuid:formula", head_name='=HYPERLINK("http://evil.example","x")',
               note="@SUM(1+1)", with_photo=False)
    c = world.client("district")
    r = c.get("/forms/people/export.csv?headers=names")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in cells and "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "@", "+")) for cell in cells)
    r = c.get("/forms/people/export.xlsx?headers=names")
    wb = load_workbook(io.BytesIO(r.data))
    values = [str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v is not None]
    assert not any(v.startswith(("=", "@")) for v in values)


# ------------------------------------------------------------------ sessions


def test_session_fixation_sign_in_starts_a_fresh_session(world):
    c = world.app.test_client()
    c.get("/signin")
    with c.session_transaction() as s:  # what an attacker could have planted in the victim's cookie
        s["planted"] = "by-attacker"
        s["csrf_token"] = "attacker-known-token"
    planted_cookie = c.get_cookie("chumchon_session").value
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/signin").get_data(as_text=True)).group(1)
    r = c.post("/signin", data={"username": "off4201", "password": TEST_PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    with c.session_transaction() as s:
        assert "planted" not in s and s.get("csrf_token") != "attacker-known-token"
        assert s["uid"] == world.users["officer"].id
    # The pre-sign-in cookie the attacker holds is still anonymous.
    attacker = world.app.test_client()
    attacker.set_cookie("chumchon_session", planted_cookie)
    assert attacker.get("/forms").status_code == 302


def test_cookie_flags(world, database_url, tmp_path):
    r = world.app.test_client().get("/signin")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    from app import create_app
    from tests.conftest import TEST_CONFIG

    prod_like = create_app({**TEST_CONFIG, "SESSION_COOKIE_SECURE": True, "DATABASE_URL": database_url,
                            "INSTANCE_DIR": tmp_path})
    assert "Secure" in prod_like.test_client().get("/signin").headers["Set-Cookie"]


def test_signed_in_cookie_lasts_thirty_days_and_is_refreshed(world):
    c = world.client("officer")
    r = c.get("/forms")
    cookie = r.headers.get("Set-Cookie", "")
    assert "Expires=" in cookie  # refreshed on use: the 30 days start again


def test_deactivation_and_reassignment_end_existing_sessions(world):
    from app.auth.accounts import reassign, set_active

    c = world.app.test_client()
    sign_in(c, "target")
    assert c.get("/forms").status_code == 200
    reassign(world.target, "officer", "4209", actor="test")
    assert c.get("/forms").status_code == 302
    sign_in(c, "target")
    set_active(world.target, False, actor="test")
    assert c.get("/forms").status_code == 302
    r = c.post("/signin", data={"username": "target", "password": TEST_PASSWORD,
                                "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                        c.get("/signin").get_data(as_text=True)).group(1)})
    assert r.status_code == 401


# ------------------------------------------------------------------ district scope


def test_officer_guessing_another_districts_submission_gets_404_everywhere(world):
    c = world.client("officer")
    for sub in (world.other, world.neighbour):
        iid = sub.instance_id
        att = sub.attachments[0].id
        assert c.get(f"/forms/people/submissions/{iid}").status_code == 404
        assert c.get(f"/api/v1/submissions/{iid}").status_code == 404
        assert c.get(f"/api/v1/submissions/{iid}/attachments/p.png").status_code == 404
        assert c.get(f"/attachments/{att}").status_code == 404
    # 404 for another district's object is the same answer as for an object that does not exist.
    assert without_csrf(c.get("/forms/people/submissions/uuid:does-not-exist")) == \
        without_csrf(c.get(f"/forms/people/submissions/{world.other.instance_id}"))
    # Lists and the API list show only their own.
    listing = c.get("/forms/people/submissions").get_data(as_text=True)
    assert world.own.instance_id in listing
    assert world.other.instance_id not in listing and world.neighbour.instance_id not in listing
    api = c.get("/api/v1/forms/people/submissions").get_json()
    assert api["total"] == 1 and [i["instance_id"] for i in api["items"]] == [world.own.instance_id]


def test_district_and_province_see_exactly_their_area(world):
    d = world.client("district")
    ids = {i["instance_id"] for i in d.get("/api/v1/forms/people/submissions").get_json()["items"]}
    assert ids == {world.own.instance_id}
    assert d.get(f"/forms/people/submissions/{world.neighbour.instance_id}").status_code == 404
    p = world.client("province")
    ids = {i["instance_id"] for i in p.get("/api/v1/forms/people/submissions").get_json()["items"]}
    assert ids == {world.own.instance_id, world.neighbour.instance_id}  # not province 99's
    a = world.client("admin")
    assert a.get("/api/v1/forms/people/submissions").get_json()["total"] == 3


def test_exports_hold_only_the_exporters_area(world):
    r = world.client("district").get("/forms/people/export.csv?headers=names")
    body = r.get_data(as_text=True)
    assert world.own.instance_id in body
    assert world.other.instance_id not in body and world.neighbour.instance_id not in body
    assert world.client("officer").get("/forms/people/export.csv").status_code == 403


def test_openrosa_cannot_touch_another_districts_record(world):
    c = world.client("officer")
    other = world.neighbour
    before = (other.xml, other.is_current, len(other.attachments))
    # The same instanceID with other content: kept aside (409), nothing of theirs shown or changed.
    r = post_xml(c, people_xml(world.fv, other.instance_id, head_name="hijack"))
    assert r.status_code == 409 and b"8888888888888" not in r.data
    # The exact bytes again: not "already received" with their data, and no attachment added to theirs.
    data = {"xml_submission_file": (io.BytesIO(other.xml.encode()), "s.xml", "text/xml"),
            "extra.png": (io.BytesIO(PNG), "extra.png", "image/png")}
    r = c.post("/submission", data=data, content_type="multipart/form-data", headers={"X-OpenRosa-Version": "1.0"})
    assert r.status_code == 409
    # An "edit" of their record is answered exactly as an edit of a record the server does not hold
    # (409, kept aside for an administrator) and replaces nothing.
    r = post_xml(c, people_xml(world.fv, "uuid:sneaky-edit", deprecated_id=other.instance_id))
    unknown = post_xml(c, people_xml(world.fv, "uuid:edit-of-nothing", deprecated_id="uuid:no-such-record"))
    assert r.status_code == unknown.status_code == 409
    assert r.data.replace(other.instance_id.encode(), b"X").replace(b"sneaky-edit", b"Y") == \
        unknown.data.replace(b"uuid:no-such-record", b"X").replace(b"edit-of-nothing", b"Y")
    db.session.expire_all()
    theirs = db.session.get(Submission, other.id)
    assert (theirs.xml, theirs.is_current, len(theirs.attachments)) == before
    assert db.session.scalar(select(Submission).where(Submission.instance_id == "uuid:sneaky-edit")) is None


def test_an_officers_own_edit_is_logged_as_a_correction(world):
    c = world.client("officer")
    r = post_xml(c, people_xml(world.fv, "uuid:own-edit", head_name="แก้ไข", deprecated_id=world.own.instance_id))
    assert r.status_code == 201
    db.session.expire_all()
    assert db.session.get(Submission, world.own.id).is_current is False
    from app.models import AuditEvent

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "correct"))
    assert event.target_id == "uuid:own-edit" and event.detail["replaces"] == world.own.instance_id
    assert event.actor == "off4201"


# ------------------------------------------------------------------ headers and templates


def test_security_headers_on_every_page(world):
    r = world.client("officer").get("/forms/people/fill")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "style-src 'self'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    api = world.client("officer").get(f"/api/v1/submissions/{world.own.instance_id}")
    assert api.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_scripts_styles_or_handlers():
    offenders = []
    for path in (ROOT / "app" / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b([^>]*)>", text):
            attrs = m.group(1)
            if "src=" not in attrs and 'type="application/xml"' not in attrs:
                offenders.append(f"{path.name}: inline <script{attrs}>")
        if re.search(r"\sstyle\s*=", text):
            offenders.append(f"{path.name}: style attribute")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: inline event handler")
    assert not offenders, offenders


def test_submission_count_is_not_leaked_by_the_unfiltered_count(world):
    # The list's total is the scoped total.
    html = world.client("officer").get("/forms/people/submissions").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 3
    assert re.search(r"\b3\b\s*(รายการ|records|submissions)", html) is None
