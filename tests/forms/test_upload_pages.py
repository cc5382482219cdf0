"""The upload/preview/publish pages: problems are shown in Thai and English with their location,
bad files get a 4xx (never a 500), a good workbook is previewed and published with one click."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app import db
from app.models import FormVersion, WorkbookUpload
from tests.xlsform.xlsx_builder import make_xlsx, simple_form

HX = {"HX-Request": "true"}


@pytest.fixture
def client(admin_client):
    """Signed in as an admin (staff publish and read every submission)."""
    return admin_client


def upload(client, data: bytes, filename: str = "hh.xlsx", htmx: bool = True):
    return client.post("/forms/upload", data={"workbook": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", headers=HX if htmx else {})


def text(r) -> str:
    return r.get_data(as_text=True)


def test_upload_page_has_an_htmx_multipart_form(client):
    r = client.get("/forms/upload")
    assert r.status_code == 200
    page = text(r)
    assert 'hx-post="/forms/upload"' in page and 'hx-encoding="multipart/form-data"' in page
    assert 'name="workbook"' in page and "เผยแพร่แบบฟอร์ม" in page and "Publish a form" in page
    assert "<script>" not in page


def test_good_workbook_is_previewed_then_published(client):
    r = upload(client, simple_form(version="3"))
    assert r.status_code == 200
    body = text(r)
    assert "<html" not in body  # htmx gets the fragment only
    assert "head_name" in body or "ชื่อ / Name" in body  # the preview shows the questions
    token = re.search(r"/forms/publish/([\w-]+)", body).group(1)
    assert db.session.scalar(select(func.count()).select_from(FormVersion)) == 0  # nothing published yet

    r = client.post(f"/forms/publish/{token}", data={"published_by": "สมชาย"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/forms/hh")
    detail = text(client.get(r.headers["Location"]))
    # The publisher is the signed-in account, not a name typed in the form.
    assert "เผยแพร่รุ่น 3 แล้ว" in detail and client.user.username in detail and "สมชาย" not in detail
    assert "/forms/hh/versions/3/workbook.xlsx" in detail and "/forms/hh/versions/3/form.xml" in detail
    assert db.session.scalar(select(func.count()).select_from(WorkbookUpload)) == 0

    index = text(client.get("/"))
    # Fill links go to the versioned page (the service worker caches it for offline use).
    assert "ครัวเรือน" in index and "/forms/hh/versions/3/fill" in index and "/forms/hh/submissions" in index
    assert re.search(r"25\d\d", index)  # published date in the Buddhist Era
    assert client.get("/forms").status_code == 200


def test_uploading_already_published_content_offers_no_publish_button(client):
    from app.forms.publishing import publish_workbook

    publish_workbook("hh.xlsx", simple_form(version="3"), "a")
    r = upload(client, simple_form(version="3"))
    assert r.status_code == 200
    assert "/forms/publish/" not in text(r) and "already published as version 3" in text(r)


@pytest.mark.parametrize("filename,data,code_th,code_en", [
    ("form.xlsx", b"", "ไฟล์ว่างเปล่า", "empty"),
    ("form.xls", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4000), ".xls", "Save As"),
    ("form.xlsx", "type,name,label\ntext,a,ชื่อ\n".encode(), "CSV", "renamed"),
    ("form.xlsx", simple_form()[:3000], "ไฟล์เสีย", "damaged"),
])
def test_bad_files_get_a_bilingual_4xx(client, filename, data, code_th, code_en):
    for htmx in (True, False):
        r = upload(client, data, filename, htmx=htmx)
        assert r.status_code == 422, text(r)
        assert code_th in text(r) and code_en in text(r)
        assert ("<html" in text(r)) is (not htmx)


def test_workbook_errors_show_sheet_row_and_column(client):
    bad = make_xlsx([["type", "name", "label", "relevant"], ["text", "a", "ก", ""],
                     ["text", "b", "ข", "${a} = 'y' or ${a} = ‘x’"]], None, [["form_id"], ["t"]])
    r = upload(client, bad)
    assert r.status_code == 422
    body = text(r)
    assert "ชีต survey · แถว 3 · คอลัมน์ relevant" in body and "sheet survey · row 3 · column relevant" in body
    assert "ต้องแก้ไขก่อนเผยแพร่" in body and "/forms/publish/" not in body


def test_upload_larger_than_the_workbook_limit_is_refused(client):
    r = upload(client, b"PK\x03\x04" + bytes(11 * 1024 * 1024))
    assert r.status_code == 422
    assert "ใหญ่เกินไป" in text(r) and "too large" in text(r)


def test_fifty_megabyte_upload_gets_a_413_the_htmx_page_can_show(client):
    big = b"PK\x03\x04" + bytes(50 * 1024 * 1024)
    r = upload(client, big)
    assert r.status_code == 413
    assert "<html" not in text(r)  # a fragment for the htmx swap
    assert "ใหญ่เกินไป" in text(r) and "too large" in text(r) and "40 MB" in text(r)
    r = upload(client, big, htmx=False)
    assert r.status_code == 413 and "ใหญ่เกินไป" in text(r)


def test_upload_page_lets_htmx_swap_error_responses(client):
    page = text(client.get("/forms/upload"))
    assert 'name="htmx-config"' in page and '"4..","swap":true' in page


def test_post_without_a_file_asks_for_one(client):
    r = client.post("/forms/upload", data={}, content_type="multipart/form-data", headers=HX)
    assert r.status_code == 400 and "กรุณาเลือกไฟล์" in text(r)


def test_publishing_an_unknown_token_is_a_bilingual_404(client):
    r = client.post("/forms/publish/nope")
    assert r.status_code == 404
    assert "ไม่พบไฟล์ที่อัปโหลดไว้" in text(r) and "Upload it again" in text(r)


def test_same_version_with_new_content_can_only_be_a_draft_that_asks_for_a_new_version(client):
    """A new version of an existing form is a draft first (issue 13); its version is checked at
    publish, and the upload page says so at once, at the settings cell."""
    from app.forms.publishing import publish_workbook

    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    r = upload(client, simple_form(version="1", label="แก้ไขแล้ว"))
    assert r.status_code == 200
    assert "ชีต settings" in text(r) and "Version 1 is already published" in text(r) and "write a newer version" in text(r)
    assert "/forms/publish/" not in text(r) and "/forms/draft/" in text(r)


def test_unknown_form_pages_are_404(client):
    assert client.get("/forms/nope").status_code == 404
    assert client.get("/forms/nope/versions/1/workbook.xlsx").status_code == 404
