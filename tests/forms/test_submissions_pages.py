"""The submissions pages: list with filters and paging (htmx partial), detail laid out like the
form, attachments, CSV/XLSX exports, and bilingual 404/400 pages."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from app import db
from app.models import Attachment, Blob, Form, FormVersion, Submission
from tests.reports.helpers import EN, sample_data, sample_definition

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
BKK = timezone(timedelta(hours=7))


# ------------------------------------------------------------------ rows made directly


@pytest.fixture
def client(admin_client):
    """Signed in as an admin (staff publish and read every submission)."""
    return admin_client


def make_form(form_id="household", version="2024030101") -> FormVersion:
    definition = sample_definition(form_id, version)
    s = db.session()
    form = s.query(Form).filter_by(form_id=form_id).one_or_none()
    if form is None:
        form = Form(form_id=form_id, title=definition.title)
        s.add(form)
    fv = FormVersion(form=form, version=version, title=definition.title, xlsx_filename=f"{form_id}.xlsx",
                     xlsx=b"", xform="<h:html/>", survey={}, definition=definition.to_dict(),
                     content_hash=hashlib.sha256(version.encode()).hexdigest(), published_by="test")
    s.add(fv)
    s.commit()
    return fv


def add_submission(fv: FormVersion, instance_id: str, *, data=None, status="accepted", errors=None,
                   received_at=None, is_current=True, deprecated_id=None, root=None, submitted_by="officer1",
                   files: dict[str, tuple[bytes, str]] | None = None) -> Submission:
    s = db.session()
    sub = Submission(
        instance_id=instance_id, form_pk=fv.form_pk, form_version_id=fv.id, deprecated_id=deprecated_id,
        root_instance_id=root or instance_id, is_current=is_current, status=status, errors=errors or [],
        xml="<data/>", content_hash=hashlib.sha256(instance_id.encode()).hexdigest(),
        data=sample_data() if data is None else data, submitted_by=submitted_by,
        # In UTC as the app stores it (SQLite keeps the wall-clock time and drops the offset).
        received_at=(received_at or datetime.now(timezone.utc)).astimezone(timezone.utc))
    s.add(sub)
    for filename, (content, content_type) in (files or {}).items():
        sha = hashlib.sha256(content).hexdigest()
        if s.get(Blob, sha) is None:
            s.add(Blob(sha256=sha, size=len(content), content=content))
        sub.attachments.append(Attachment(filename=filename, content_type=content_type, sha256=sha,
                                          size=len(content)))
    s.commit()
    return sub


def rows_of(html: str) -> list[str]:
    return re.findall(r'data-instance-id="([^"]+)"', html)


def answer_tag(html: str, anchor: str) -> str:
    return re.search(rf'<div [^>]*id="{anchor}"[^>]*>', html).group(0)


def answer_block(html: str, anchor: str) -> str:
    """The HTML of one answer on the detail page, up to the next answer or section."""
    start = html.index(answer_tag(html, anchor))
    end = re.compile(r'<div class="answer[ "]|<section|<div class="repeat-entry').search(html, start + 10)
    return html[start:end.start() if end else len(html)]


def assert_bilingual(resp, status):
    assert resp.status_code == status
    html = resp.get_data(as_text=True)
    assert re.search(r"[\u0e00-\u0e7f]", html), "page must carry Thai text"
    assert re.search(r'class="en"', html), "page must carry the English text"


@pytest.fixture
def fv(app):
    return make_form()


# ------------------------------------------------------------------ list


def test_list_shows_newest_first(client, fv):
    now = datetime.now(timezone.utc)
    add_submission(fv, "uuid:old", received_at=now - timedelta(days=2))
    add_submission(fv, "uuid:new", received_at=now)
    add_submission(fv, "uuid:mid", received_at=now - timedelta(days=1))
    resp = client.get("/forms/household/submissions")
    assert resp.status_code == 200
    assert rows_of(resp.get_data(as_text=True)) == ["uuid:new", "uuid:mid", "uuid:old"]


def test_list_filters_by_status(client, fv):
    add_submission(fv, "uuid:ok")
    add_submission(fv, "uuid:bad", status="needs_correction",
                   errors=[{"path": "/data/age", "code": "constraint", "message_th": "อายุผิด",
                            "message_en": "Bad age", "value": "200"}])
    html = client.get("/forms/household/submissions?status=needs_correction").get_data(as_text=True)
    assert rows_of(html) == ["uuid:bad"]
    html = client.get("/forms/household/submissions?status=accepted").get_data(as_text=True)
    assert rows_of(html) == ["uuid:ok"]
    html = client.get("/forms/household/submissions?status=all").get_data(as_text=True)
    assert sorted(rows_of(html)) == ["uuid:bad", "uuid:ok"]


def test_list_filters_by_received_date_in_thai_days(client, fv):
    # 23:30 Bangkok on 4 March is still 4 March for the officer, though 16:30 UTC.
    add_submission(fv, "uuid:mar4", received_at=datetime(2024, 3, 4, 23, 30, tzinfo=BKK))
    add_submission(fv, "uuid:mar5", received_at=datetime(2024, 3, 5, 0, 30, tzinfo=BKK))
    add_submission(fv, "uuid:mar7", received_at=datetime(2024, 3, 7, 12, 0, tzinfo=BKK))
    get = lambda q: rows_of(client.get(f"/forms/household/submissions?{q}").get_data(as_text=True))  # noqa: E731
    assert get("from=2024-03-05&to=2024-03-05") == ["uuid:mar5"]
    assert get("to=2024-03-04") == ["uuid:mar4"]
    assert get("from=2024-03-05") == ["uuid:mar7", "uuid:mar5"]
    assert get("from=2567-03-07") == ["uuid:mar7"]  # a Buddhist-Era year is understood too


def test_list_shows_dates_in_buddhist_era(client, fv):
    add_submission(fv, "uuid:a", received_at=datetime(2024, 3, 5, 3, 0, tzinfo=timezone.utc))
    html = client.get("/forms/household/submissions?from=2024-03-01").get_data(as_text=True)
    assert "5 มี.ค. 2567 10:00" in html
    assert "1 มี.ค. 2567" in html  # the filter's range, summarised in the Buddhist Era


def test_list_hides_superseded_versions_unless_asked(client, fv):
    old = add_submission(fv, "uuid:v1", is_current=False, received_at=datetime.now(timezone.utc) - timedelta(hours=1))
    add_submission(fv, "uuid:v2", deprecated_id="uuid:v1", root=old.instance_id)
    assert rows_of(client.get("/forms/household/submissions").get_data(as_text=True)) == ["uuid:v2"]
    html = client.get("/forms/household/submissions?superseded=1").get_data(as_text=True)
    assert rows_of(html) == ["uuid:v2", "uuid:v1"]


def test_htmx_request_gets_only_the_rows_partial(client, fv):
    add_submission(fv, "uuid:a")
    full = client.get("/forms/household/submissions").get_data(as_text=True)
    partial = client.get("/forms/household/submissions", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" in full and 'id="submission-rows"' in full and 'id="filters"' in full
    assert "<html" not in partial and 'id="filters"' not in partial
    assert rows_of(partial) == ["uuid:a"]


def test_filter_form_and_pager_use_htmx_and_push_the_url(client, fv):
    base = datetime.now(timezone.utc)
    for i in range(51):
        add_submission(fv, f"uuid:{i:03d}", received_at=base - timedelta(minutes=i))
    html = client.get("/forms/household/submissions").get_data(as_text=True)
    form_tag = re.search(r'<form id="filters"[^>]*>', html).group(0)
    assert 'hx-get="/forms/household/submissions"' in form_tag
    assert 'hx-target="#submission-rows"' in form_tag and 'hx-push-url="true"' in form_tag
    next_link = re.search(r'<a[^>]*rel="next"[^>]*>', html).group(0)
    assert re.search(r'hx-get="/forms/household/submissions\?after=[A-Za-z0-9_-]+"', next_link)
    assert 'hx-target="#submission-rows"' in next_link


def link_of(html: str, rel: str) -> str | None:
    found = re.search(rf'<a[^>]*rel="{rel}"[^>]*href="([^"]+)"', html) or re.search(
        rf'<a[^>]*href="([^"]+)"[^>]*rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_list_pages_fifty_at_a_time_by_keyset(client, fv):
    base = datetime.now(timezone.utc)
    for i in range(53):
        add_submission(fv, f"uuid:{i:03d}", received_at=base - timedelta(minutes=i))
    # two submissions received in the same instant: the id breaks the tie, none is lost or repeated
    add_submission(fv, "uuid:tie", received_at=base - timedelta(minutes=49))
    html = client.get("/forms/household/submissions").get_data(as_text=True)
    first = rows_of(html)
    assert len(first) == 50 and first[0] == "uuid:000" and link_of(html, "prev") is None
    older = link_of(html, "next")
    second_html = client.get(older, headers={"HX-Request": "true"}).get_data(as_text=True)
    second = rows_of(second_html)
    assert sorted(first + second) == sorted([f"uuid:{i:03d}" for i in range(53)] + ["uuid:tie"])
    assert len(second) == 4 and link_of(second_html, "next") is None
    back = rows_of(client.get(link_of(second_html, "prev")).get_data(as_text=True))
    assert back == first


def test_list_count_stops_at_a_thousand(client, fv, monkeypatch):
    from app.forms import listing

    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    for i in range(5):
        add_submission(fv, f"uuid:{i:03d}")
    html = client.get("/forms/household/submissions").get_data(as_text=True)
    assert "พบมากกว่า <strong>3</strong> รายการ" in html and "More than 3 submissions" in html
    html = client.get("/forms/household/submissions?q=uuid:001").get_data(as_text=True)
    assert "พบ <strong>1</strong> รายการ" in html and rows_of(html) == ["uuid:001"]


def test_paging_keeps_the_filters(client, fv):
    base = datetime.now(timezone.utc)
    for i in range(51):
        add_submission(fv, f"uuid:{i:03d}", status="needs_correction", received_at=base - timedelta(minutes=i))
    html = client.get("/forms/household/submissions?status=needs_correction").get_data(as_text=True)
    assert re.search(r'href="/forms/household/submissions\?status=needs_correction&amp;after=[^"]+" rel="next"|'
                     r'rel="next" href="/forms/household/submissions\?status=needs_correction&amp;after=', html)


def test_list_has_export_panel_with_header_choice_languages_and_both_formats(client, fv):
    html = client.get("/forms/household/submissions?status=accepted").get_data(as_text=True)
    panel = html[html.index('id="export-form"'):]
    assert 'name="headers" value="labels"' in panel and 'name="headers" value="names"' in panel
    assert '<option value="Thai (th)" selected>' in panel and '<option value="English (en)"' in panel
    assert "/forms/household/export.xlsx" in panel and "/forms/household/export.csv" in panel
    assert 'form="export-form" name="status" value="accepted"' in html


# ------------------------------------------------------------------ detail


def test_detail_shows_answers_with_choice_labels_groups_and_numbered_repeats(client, fv):
    add_submission(fv, "uuid:d1")
    resp = client.get("/forms/household/submissions/uuid:d1")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "สมชาย ใจดี" in html
    assert '<span class="choice-label" data-value="m">ชาย</span>' in answer_block(html, "q-data-sex")
    assert 'data-value="rice">ข้าว' in html and 'data-value="rubber">ยางพารา' in html
    assert 'class="group-title">ที่อยู่' in html  # the group as a headed section
    assert "สมาชิก #1" in html and "สมาชิก #2" in html and "การเยี่ยม #2" in html
    assert "ยินดีต้อนรับ" not in html  # notes carry no answer
    assert "17.486" in html and "openstreetmap.org/?mlat=17.486" in html
    assert "1 มี.ค. 2567" in html  # a date answer in the Buddhist Era


def test_detail_in_another_language(client, fv):
    add_submission(fv, "uuid:d1")
    html = client.get(f"/forms/household/submissions/uuid:d1?lang={EN}").get_data(as_text=True)
    assert "Head of household" in html and "Rubber" in html


def test_detail_shows_the_photo_inline_as_a_thumbnail_linking_to_full_size(client, fv):
    sub = add_submission(fv, "uuid:p1", files={"house.jpg": (PNG, "image/png")})
    html = client.get("/forms/household/submissions/uuid:p1").get_data(as_text=True)
    att = sub.attachments[0]
    assert re.search(rf'<a class="thumb" href="/attachments/{att.id}"[^>]*>\s*<img src="/attachments/{att.id}"', html)


def test_detail_shows_errors_at_top_and_next_to_the_question(client, fv):
    errors = [{"path": "/data/age", "code": "constraint", "message_th": "อายุต้องไม่เกิน 120",
               "message_en": "Age must be at most 120", "value": "200"},
              {"path": "/data/members[2]/mage", "code": "required", "message_th": "ต้องกรอกอายุสมาชิก",
               "message_en": "Member age is required", "value": ""}]
    add_submission(fv, "uuid:e1", status="needs_correction", errors=errors)
    html = client.get("/forms/household/submissions/uuid:e1").get_data(as_text=True)
    summary = html[html.index("errors-summary"):html.index('class="card answers"')]
    assert "อายุต้องไม่เกิน 120" in summary and 'href="#q-data-age"' in summary
    assert "อายุต้องไม่เกิน 120" in answer_block(html, "q-data-age")
    assert "has-error" in answer_tag(html, "q-data-age")
    assert "ต้องกรอกอายุสมาชิก" in answer_block(html, "q-data-members-2-mage")
    assert "ต้องกรอกอายุสมาชิก" not in answer_block(html, "q-data-members-1-mage")
    assert "อายุต้องไม่เกิน 120" not in answer_block(html, "q-data-balance")
    assert "ต้องแก้ไข" in html  # status badge


def test_detail_shows_the_edit_history(client, fv):
    add_submission(fv, "uuid:v1", is_current=False, received_at=datetime.now(timezone.utc) - timedelta(hours=1))
    add_submission(fv, "uuid:v2", deprecated_id="uuid:v1", root="uuid:v1")
    html = client.get("/forms/household/submissions/uuid:v2").get_data(as_text=True)
    history = html[html.index("ประวัติการแก้ไข"):]
    assert 'href="/forms/household/submissions/uuid:v1"' in history and "ฉบับนี้" in history
    old = client.get("/forms/household/submissions/uuid:v1").get_data(as_text=True)
    assert "ถูกแก้ไขแทนแล้ว" in old and 'href="/forms/household/submissions/uuid:v2"' in old


# ------------------------------------------------------------------ attachments


def test_attachment_is_served_inline_with_its_type_and_nosniff(client, fv):
    sub = add_submission(fv, "uuid:p1", files={"house.jpg": (PNG, "image/png")})
    resp = client.get(f"/attachments/{sub.attachments[0].id}")
    assert resp.status_code == 200 and resp.data == PNG
    assert resp.mimetype == "image/png"
    assert resp.headers["Content-Disposition"].startswith("inline")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_non_image_or_svg_attachment_is_downloaded_not_shown(client, fv):
    sub = add_submission(fv, "uuid:p2", files={"x.svg": (b"<svg onload='alert(1)'/>", "image/svg+xml"),
                                               "a.html": (b"<script>alert(1)</script>", "text/html")})
    for att in sub.attachments:
        resp = client.get(f"/attachments/{att.id}")
        assert resp.headers["Content-Disposition"].startswith("attachment")
        assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_attachment_is_a_bilingual_404(client, fv):
    assert_bilingual(client.get("/attachments/999999"), 404)


# ------------------------------------------------------------------ exports


def test_xlsx_export_opens_and_holds_the_rows(client, fv):
    add_submission(fv, "uuid:x1", received_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    add_submission(fv, "uuid:x2", status="needs_correction", data=sample_data("สมหญิง"))
    resp = client.get("/forms/household/export.xlsx?headers=names")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    stamp = datetime.now(BKK).strftime("%Y%m%d")
    assert f"household-{stamp}.xlsx" in resp.headers["Content-Disposition"]
    assert resp.headers["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["household", "members", "visits"]
    main = list(wb["household"].values)
    assert [r[0] for r in main[1:]] == ["uuid:x1", "uuid:x2"]
    assert main[2][main[0].index("name")] == "สมหญิง"
    assert len(list(wb["members"].values)) == 5


def test_xlsx_export_with_labels_in_english_and_status_filter(client, fv):
    add_submission(fv, "uuid:x1")
    add_submission(fv, "uuid:x2", status="needs_correction")
    resp = client.get(f"/forms/household/export.xlsx?headers=labels&lang={EN}&status=accepted")
    rows = list(load_workbook(io.BytesIO(resp.data))["household"].values)
    assert len(rows) == 2 and rows[1][0] == "uuid:x1"
    assert rows[1][rows[0].index("Sex")] == "Male"


def test_csv_export_of_form_with_repeats_is_a_zip_of_csvs(client, fv):
    add_submission(fv, "uuid:c1")
    resp = client.get("/forms/household/export.csv?headers=names")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert re.search(r"household-\d{8}\.zip", resp.headers["Content-Disposition"])
    with zipfile.ZipFile(io.BytesIO(resp.data)) as zf:
        main = list(csv.reader(io.StringIO(zf.read(next(n for n in zf.namelist() if "-members" not in n
                                                         and "-visits" not in n)).decode("utf-8-sig"))))
        members = [n for n in zf.namelist() if n.endswith("-members.csv")]
        assert members
        member_rows = list(csv.reader(io.StringIO(zf.read(members[0]).decode("utf-8-sig"))))
    assert main[1][0] == "uuid:c1" and "สมชาย ใจดี" in main[1]
    assert member_rows[1][0] == "uuid:c1"


def test_csv_export_of_form_without_repeats_is_one_csv(client, app):
    from tests.reports.helpers import flat_definition

    s = db.session()
    form = Form(form_id="flat", title="Flat")
    definition = flat_definition()
    fv = FormVersion(form=form, version="1", title="Flat", xlsx_filename="f.xlsx", xlsx=b"", xform="",
                     survey={}, definition=definition.to_dict(), content_hash="x", published_by="t")
    s.add_all([form, fv])
    s.commit()
    add_submission(fv, "uuid:f1", data={"/data/name": "=1+1", "/data/n": "-5"})
    resp = client.get("/forms/flat/export.csv?headers=names")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert re.search(r'filename="flat-\d{8}\.csv"', resp.headers["Content-Disposition"])
    assert resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[1][-2:] == ["'=1+1", "-5"]


def test_an_export_keeps_the_answers_to_a_question_the_latest_version_dropped(client, app):
    from tests.reports.helpers import flat_definition

    s = db.session()
    form = Form(form_id="flat", title="Flat")
    v1 = FormVersion(form=form, version="1", title="Flat", xlsx_filename="f.xlsx", xlsx=b"", xform="",
                     survey={}, definition=flat_definition().to_dict(), content_hash="x1", published_by="t")
    latest = flat_definition()
    latest.version = "2"
    latest.root.children = [c for c in latest.root.children if c.name != "n"]  # v2 no longer asks n
    v2 = FormVersion(form=form, version="2", title="Flat", xlsx_filename="f.xlsx", xlsx=b"", xform="",
                     survey={}, definition=latest.to_dict(), content_hash="x2", published_by="t")
    s.add_all([form, v1, v2])
    s.commit()
    add_submission(v1, "uuid:old", data={"/data/name": "ก่อน", "/data/n": "7"})
    add_submission(v2, "uuid:new", data={"/data/name": "หลัง"})
    rows = list(csv.reader(io.StringIO(client.get("/forms/flat/export.csv?headers=names").data.decode("utf-8-sig"))))
    by_id = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert rows[0][-2:] == ["name", "n"]
    assert by_id["uuid:old"]["n"] == "7" and by_id["uuid:new"]["n"] == ""
    assert by_id["uuid:old"]["_version"] == "1"


def test_export_follows_the_superseded_toggle(client, fv):
    add_submission(fv, "uuid:v1", is_current=False)
    add_submission(fv, "uuid:v2", deprecated_id="uuid:v1", root="uuid:v1")
    current = list(load_workbook(io.BytesIO(client.get("/forms/household/export.xlsx").data))["household"].values)
    both = list(load_workbook(io.BytesIO(client.get("/forms/household/export.xlsx?superseded=1").data))
                ["household"].values)
    assert [r[0] for r in current[1:]] == ["uuid:v2"]
    assert sorted(r[0] for r in both[1:]) == ["uuid:v1", "uuid:v2"]


# ------------------------------------------------------------------ 404 and 400


@pytest.mark.parametrize("url", [
    "/forms/nope/submissions",
    "/forms/nope/submissions/uuid:x",
    "/forms/household/submissions/uuid:missing",
    "/forms/nope/export.xlsx",
    "/forms/household/export.pdf",
])
def test_unknown_form_or_submission_is_a_bilingual_404(client, fv, url):
    assert_bilingual(client.get(url), 404)


@pytest.mark.parametrize("query", [
    "status=deleted", "from=2024-13-01", "to=yesterday", "from=2024-03-09&to=2024-03-01", "after=abc",
    "before=bm90LWEtY3Vyc29y", "superseded=maybe", "district=42%2701",
])
def test_bad_list_parameters_are_a_bilingual_400(client, fv, query):
    assert_bilingual(client.get(f"/forms/household/submissions?{query}"), 400)


@pytest.mark.parametrize("query", ["headers=codes", "lang=Klingon", "status=x", "from=2024-02-30"])
def test_bad_export_parameters_are_a_bilingual_400(client, fv, query):
    assert_bilingual(client.get(f"/forms/household/export.xlsx?{query}"), 400)
    assert_bilingual(client.get(f"/forms/household/export.csv?{query}"), 400)


def test_bad_language_on_detail_is_a_bilingual_400(client, fv):
    add_submission(fv, "uuid:d1")
    assert_bilingual(client.get("/forms/household/submissions/uuid:d1?lang=xx"), 400)


# ------------------------------------------------------------------ through the real services

E2E_XML = """<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"
 id="all_types" version="2026010101"><start/><end/><intro_note/><respondent>สมศรี</respondent><comments/>
<age>-5</age><income>12.5</income><village>=HYPERLINK("http://x")</village>
<when><visit_date>2024-03-05</visit_date><visit_time/><visit_dt/></when>
<choices><has_fund>yes</has_fund><fund_minimal/><fund_likert>2</fund_likert><fund_horizontal/><fund_compact/>
<fund_columns/><fund_columns3/><crops>rice cassava</crops></choices>
<consent/><satisfaction/><location>17.1 101.2 0 5</location><photo>p.png</photo><age_next_year/>
<hidden_code>H1</hidden_code>
<members><member_name>ก</member_name><member_detail><member_age>3</member_age></member_detail></members>
<members><member_name>ข</member_name><member_detail><member_age>4</member_age></member_detail></members>
<rounds_count>2</rounds_count><rounds><attendees>1</attendees></rounds><rounds><attendees>2</attendees></rounds>
<unsupported><code/><path/><voice/></unsupported><thanks/>
<meta><instanceID>uuid:e2e-1</instanceID></meta></data>"""


@pytest.fixture
def published(app):
    from app.forms.publishing import publish_workbook
    from app.forms.receiving import receive_submission
    from tests.fixtures.workbooks import all_types_workbook

    publish_workbook("all_types.xlsx", all_types_workbook(), "test")
    outcome = receive_submission(E2E_XML.encode(), {"p.png": (PNG, "image/png")}, "officer9")
    assert outcome.created, outcome.message_en
    return outcome.submission


def test_published_form_and_received_submission_show_in_list_detail_and_exports(client, published):
    assert rows_of(client.get("/forms/all_types/submissions").get_data(as_text=True)) == ["uuid:e2e-1"]
    html = client.get("/forms/all_types/submissions/uuid:e2e-1").get_data(as_text=True)
    assert 'data-value="yes">ใช่' in html and 'data-value="cassava">มันสำปะหลัง' in html
    assert "ก" in answer_block(html, "q-data-members-1-member_name")
    assert re.search(r'<img src="/attachments/\d+"', html)
    assert "ขอบคุณ" not in html  # the closing note has no answer

    wb = load_workbook(io.BytesIO(client.get("/forms/all_types/export.xlsx?headers=names").data))
    main = list(wb["all_types"].values)
    row = dict(zip(main[0], main[1]))
    assert row["age"] == -5 and row["income"] == 12.5
    assert row["village"] == "'=HYPERLINK(\"http://x\")"
    assert row["choices/crops/cassava"] == 1 and row["choices/crops/rubber"] == 0
    members = list(wb["members"].values)
    assert members[0] == ("_parent_key", "_key", "member_name", "member_detail/member_age")
    assert members[2] == ("uuid:e2e-1", "uuid:e2e-1:/data/members[2]", "ข", 4)


def test_an_officer_pages_through_their_own_records_by_keyset_with_an_exact_count(app, fv, make_user):
    from tests.conftest import sign_in

    officer = make_user("officer", district="4201", username="pager-officer")
    base = datetime.now(timezone.utc)
    for i in range(53):
        sub = add_submission(fv, f"uuid:mine-{i:03d}", received_at=base - timedelta(minutes=i))
        sub.submitter_id, sub.district_code = officer.id, "4201"
    add_submission(fv, "uuid:not-mine", received_at=base)  # another sender's: never listed
    add_submission(fv, "uuid:mine-tie", received_at=base - timedelta(minutes=49))
    db.session.execute(Submission.__table__.update().where(Submission.instance_id == "uuid:mine-tie")
                       .values(submitter_id=officer.id, district_code="4201"))
    db.session.commit()
    client = app.test_client()
    sign_in(client, officer.username)
    html = client.get("/forms/household/submissions").get_data(as_text=True)
    first = rows_of(html)
    assert len(first) == 50 and first[0] == "uuid:mine-000" and "พบ <strong>54</strong> รายการ" in html
    second_html = client.get(link_of(html, "next")).get_data(as_text=True)
    second = rows_of(second_html)
    assert sorted(first + second) == sorted([f"uuid:mine-{i:03d}" for i in range(53)] + ["uuid:mine-tie"])
    assert link_of(second_html, "next") is None
    assert rows_of(client.get(link_of(second_html, "prev")).get_data(as_text=True)) == first
    api = client.get("/api/v1/forms/household/submissions?limit=40").get_json()
    rest = client.get(f"/api/v1/forms/household/submissions?limit=40&cursor={api['next_cursor']}").get_json()
    assert api["total"] == 54 and len(api["items"]) + len(rest["items"]) == 54 and rest["next_cursor"] is None
