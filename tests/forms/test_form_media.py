"""Form media (issue 3): the CSV/XML files a form names (select_one_from_file, pulldata) are attached
on the upload page or picked up by `forms import` from the workbook's folder, checked, stored as
FormMedia + Blob, counted in the content hash, served by the fill page's media route and the
OpenRosa manifest. A form whose data file is missing is not publishable."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app import db
from app.models import Blob, Form, FormMedia, FormVersion, WorkbookUpload

HX = {"HX-Request": "true"}
FORM_ID = "media_demo"
VILLAGES_CSV = ("name,label,district,population\n"
                "v1,บ้านนาดี,d1,120\n"
                "v2,บ้านโคก,d1,80\n"
                "v3,บ้านหาดใหญ่,d2,300\n").encode("utf-8")


def media_workbook(version: str | None = None) -> bytes:
    """District (static choices) -> village (select_one_from_file villages.csv, filtered by district)
    -> population (pulldata from the same CSV)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label::Thai (th)", "choice_filter", "calculation"])
    ws.append(["select_one district", "district", "อำเภอ", "", ""])
    ws.append(["select_one_from_file villages.csv", "village", "หมู่บ้าน", "district=${district}", ""])
    ws.append(["calculate", "population", "", "", "pulldata('villages', 'population', 'name', ${village})"])
    ws.append(["note", "pop_note", "ประชากร ${population} คน", "", ""])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label::Thai (th)"])
    ch.append(["district", "d1", "เมือง"])
    ch.append(["district", "d2", "หาดใหญ่"])
    st = wb.create_sheet("settings")
    st.append(["form_id", "form_title", "default_language"] + (["version"] if version else []))
    st.append([FORM_ID, "หมู่บ้าน / Villages", "Thai (th)"] + ([version] if version else []))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def client(admin_client):
    return admin_client


def upload(client, media: list[tuple[str, bytes]], workbook: bytes | None = None):
    data = {"workbook": (io.BytesIO(workbook or media_workbook()), "villages.xlsx"),
            "media": [(io.BytesIO(content), name) for name, content in media]}
    return client.post("/forms/upload", data=data, content_type="multipart/form-data", headers=HX)


def publish_token(client, html: str):
    token = re.search(r"/forms/publish/([A-Za-z0-9_-]+)", html)
    assert token, html[:2000]
    return client.post(f"/forms/publish/{token.group(1)}", headers=HX)


def test_upload_with_media_previews_publishes_and_serves_it(client):
    r = upload(client, [("villages.csv", VILLAGES_CSV)])
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html[:3000]
    assert "villages.csv" in html  # listed in the summary
    assert db.session.scalar(select(func.count()).select_from(WorkbookUpload)) == 2  # workbook + its CSV
    assert publish_token(client, html).status_code == 204
    fv = db.session.scalar(select(FormVersion).join(Form).where(Form.form_id == FORM_ID))
    media = {m.filename: m for m in fv.media}
    assert set(media) == {"villages.csv"}
    assert media["villages.csv"].content_type == "text/csv"
    assert db.session.get(Blob, media["villages.csv"].sha256).content == VILLAGES_CSV
    assert db.session.scalar(select(func.count()).select_from(WorkbookUpload)) == 0
    # the fill page's media route and the OpenRosa manifest serve it
    served = client.get(f"/forms/{FORM_ID}/versions/{fv.version}/media/villages.csv")
    assert served.status_code == 200 and served.data == VILLAGES_CSV
    manifest = client.get(f"/formList/{FORM_ID}/{fv.version}/manifest", headers={"X-OpenRosa-Version": "1.0"})
    assert manifest.status_code == 200 and b"villages.csv" in manifest.data


def test_missing_media_is_not_publishable_but_kept_as_a_draft_naming_the_file(client):
    """Issue 11, defect 10: not a refusal that loses the upload (the draft: tests/forms/test_drafts.py)."""
    r = upload(client, [])
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "ขาดไฟล์ villages.csv" in html and "The file villages.csv that the form uses is missing" in html
    assert "/forms/publish/" not in html and "/forms/draft/" in html
    assert db.session.scalar(select(func.count()).select_from(Form)) == 0


@pytest.mark.parametrize("content, says", [
    ("name,label\nv1,ก\n".encode("cp874"), "not UTF-8"),
    (b"", "header row"),
    (b"name,,district\nv1,x,d1\n", "header row"),
    (b"name,district\nv1,d1\n", "has no column label"),
])
def test_broken_csv_is_refused(client, content, says):
    r = upload(client, [("villages.csv", content)])
    assert r.status_code == 422
    assert says in r.get_data(as_text=True)


def test_unused_media_is_a_warning_and_not_stored(client):
    r = upload(client, [("villages.csv", VILLAGES_CSV), ("other.csv", b"a,b\n1,2\n")])
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "does not use the file other.csv" in html
    publish_token(client, html)
    fv = db.session.scalar(select(FormVersion).join(Form).where(Form.form_id == FORM_ID))
    assert [m.filename for m in fv.media] == ["villages.csv"]


def test_broken_xml_media_is_refused(app):
    from app.forms.publishing import attach_media
    from app.xlsform.convert import convert_workbook
    from app.xlsform.problems import WorkbookRejected

    conv = convert_workbook("v.xlsx", media_workbook())
    conv.definition.external_files.append("lists.xml")
    with pytest.raises(WorkbookRejected) as e:
        attach_media(conv, {"villages.csv": VILLAGES_CSV, "lists.xml": b"<root><item></root>"})
    assert any(p.code == "media_invalid" and "lists.xml" in p.message_en for p in e.value.problems)
    with pytest.raises(WorkbookRejected):  # entities are refused (defusedxml)
        attach_media(conv, {"villages.csv": VILLAGES_CSV,
                            "lists.xml": b'<!DOCTYPE r [<!ENTITY e "x">]><root>&e;</root>'})
    ok = attach_media(conv, {"villages.csv": VILLAGES_CSV, "lists.xml": b"<root><item/></root>"})
    assert set(ok.media) == {"villages.csv", "lists.xml"}


def test_media_count_in_the_content_hash(app):
    from app.forms.publishing import publish_workbook
    from app.xlsform.problems import WorkbookRejected

    first = publish_workbook("v.xlsx", media_workbook(), "t", media={"villages.csv": VILLAGES_CSV})
    again = publish_workbook("v.xlsx", media_workbook(), "t", media={"villages.csv": VILLAGES_CSV})
    assert first.created and not again.created
    changed = VILLAGES_CSV + "v4,บ้านใหม่,d2,10\n".encode()
    second = publish_workbook("v.xlsx", media_workbook(), "t", media={"villages.csv": changed})
    assert second.created and second.form_version.content_hash != first.form_version.content_hash
    assert db.session.get(Blob, second.form_version.media[0].sha256).content == changed
    # with a settings.version, a changed CSV under the same version is a clash (raise the version)
    publish_workbook("v.xlsx", media_workbook("5"), "t", media={"villages.csv": VILLAGES_CSV})
    with pytest.raises(WorkbookRejected) as e:
        publish_workbook("v.xlsx", media_workbook("5"), "t", media={"villages.csv": changed})
    assert e.value.problems[0].code == "version_exists"


def test_cli_import_attaches_media_lying_next_to_the_workbook(app, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "villages.xlsx").write_bytes(media_workbook())
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["forms", "import", str(folder)])
    assert refused.exit_code == 1 and "villages.csv" in refused.output
    (folder / "villages.csv").write_bytes(VILLAGES_CSV)
    (folder / "unrelated.csv").write_bytes(b"a\n1\n")
    result = runner.invoke(args=["forms", "import", str(folder)])
    assert result.exit_code == 0, result.output
    fv = db.session.scalar(select(FormVersion).join(Form).where(Form.form_id == FORM_ID))
    assert [m.filename for m in fv.media] == ["villages.csv"]
    assert db.session.scalar(select(func.count()).select_from(FormMedia)) == 1
