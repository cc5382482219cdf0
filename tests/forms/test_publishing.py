"""Publishing stores an immutable FormVersion in one transaction; the same content is never
published twice; changed content needs a new version; a refused workbook stores nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app import db
from app.forms.publishing import preview_workbook, publish_workbook
from app.models import Blob, Form, FormMedia, FormVersion
from app.xlsform.problems import WorkbookRejected
from tests.xlsform.xlsx_builder import make_xlsx, simple_form


@pytest.fixture
def client(admin_client):
    """Signed in as an admin (staff publish and read every submission)."""
    return admin_client


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_publish_stores_form_and_version_with_original_bytes(app):
    data = simple_form(version="2026010101")
    result = publish_workbook("hh.xlsx", data, "somchai")
    assert result.created
    fv = result.form_version
    assert (fv.form.form_id, fv.version, fv.published_by, fv.xlsx_filename) == ("hh", "2026010101", "somchai", "hh.xlsx")
    db.session.expire_all()
    stored = db.session.scalar(select(FormVersion))
    assert stored.xlsx == data
    assert 'version="2026010101"' in stored.xform and "head_name" in stored.xform
    assert stored.survey["id_string"] == "hh"
    assert stored.definition["form_id"] == "hh"
    assert len(stored.content_hash) == 64
    assert count(Form) == 1


def test_republishing_unchanged_workbook_creates_no_new_version(app):
    first = publish_workbook("hh.xlsx", simple_form(), "a").form_version
    again = publish_workbook("renamed.xlsx", simple_form(), "b")
    assert not again.created
    assert again.form_version.id == first.id
    assert count(FormVersion) == 1


def test_changed_workbook_with_new_version_adds_a_version(app):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    result = publish_workbook("hh.xlsx", simple_form(version="2", label="ชื่อหัวหน้าครัวเรือน"), "a")
    assert result.created and result.form_version.version == "2"
    form = db.session.scalar(select(Form))
    assert [v.version for v in form.versions] == ["1", "2"]
    assert form.latest.version == "2"


def test_same_version_with_different_content_is_refused_and_names_the_settings_cell(app):
    publish_workbook("hh.xlsx", simple_form(version="1"), "a")
    changed = simple_form(version="1", label="ชื่อใหม่")
    with pytest.raises(WorkbookRejected) as exc:
        publish_workbook("hh.xlsx", changed, "a")
    p = exc.value.problems[0]
    assert (p.code, p.sheet, p.column) == ("version_exists", "settings", "version")
    assert "version" in p.hint_en.lower() and "รุ่น" in p.message_th
    with pytest.raises(WorkbookRejected):
        preview_workbook("hh.xlsx", changed)
    assert count(FormVersion) == 1


def test_workbook_without_version_gets_a_unique_timestamp_version(app):
    first = publish_workbook("hh.xlsx", simple_form(version=None), "a").form_version
    assert re.fullmatch(r"\d{12}", first.version)
    assert f'version="{first.version}"' in first.xform
    second = publish_workbook("hh.xlsx", simple_form(version=None, label="แก้ไข"), "a").form_version
    assert second.version != first.version and int(second.version) > int(first.version)
    assert publish_workbook("hh.xlsx", simple_form(version=None), "a").created is False


def test_rejected_workbook_publishes_nothing(app):
    bad = make_xlsx([["type", "name", "label"], ["textX", "a", "ก"]], None, [["form_id"], ["bad"]])
    with pytest.raises(WorkbookRejected) as exc:
        publish_workbook("bad.xlsx", bad, "a")
    assert exc.value.problems[0].row == 2
    with pytest.raises(WorkbookRejected):
        publish_workbook("x.xls", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(100), "a")
    assert count(Form) == 0 and count(FormVersion) == 0


def test_external_choices_are_stored_as_form_media(app, corpus):
    result = publish_workbook("ext.xlsx", (corpus / "pyxform-http__external-choices.xlsx").read_bytes(), "a")
    [media] = result.form_version.media
    assert media.filename == "itemsets.csv" and media.content_type == "text/csv"
    assert b"list_name" in db.session.get(Blob, media.sha256).content.splitlines()[0]
    assert count(FormMedia) == 1


def test_warnings_are_kept_with_the_version(app):
    data = simple_form(extra_rows=[["begin group", "empty", "ว่าง"], ["end group", "", ""]])
    result = publish_workbook("hh.xlsx", data, "a")
    assert "empty_group" in {p.code for p in result.problems}
    assert "empty_group" in {w["code"] for w in result.form_version.warnings}


def test_original_workbook_and_xform_are_downloadable(client):
    data = simple_form(version="7")
    publish_workbook("hh.xlsx", data, "a")
    r = client.get("/forms/hh/versions/7/workbook.xlsx")
    assert r.status_code == 200 and r.data == data
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in r.headers["Content-Disposition"]
    r = client.get("/forms/hh/versions/7/form.xml")
    assert r.status_code == 200 and r.mimetype == "text/xml"
    assert b'id="hh"' in r.data and b'version="7"' in r.data
    assert client.get("/forms/hh/versions/8/form.xml").status_code == 404
