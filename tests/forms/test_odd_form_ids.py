"""Forms written for other tools keep ids like "Spec test" and versions like Excel's date-time
"2022-04-11 16:26:28.971000": they publish and then open, fill, download and receive through every
URL (each one encodes them). What no URL can carry ("/", "\\", "..") is refused at publish, located
in the settings sheet, with a replacement to write."""
from __future__ import annotations

import io
import re
from html import unescape
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree as ET

import pytest
from openpyxl import Workbook

from app.forms.publishing import publish_workbook
from app.xlsform.convert import convert_workbook
from app.xlsform.problems import WorkbookRejected
from tests.auth.conftest import basic

ODD_ID = "Spec test <1> & ก.x"
ODD_VERSION = "2022-04-11 16:26:28.971000"


def workbook(form_id: str, version: str) -> bytes:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["text", "name", "Name"])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Odd", form_id, version])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def path_of(url: str) -> str:
    parts = urlsplit(unescape(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_an_odd_form_id_and_version_open_fill_download_and_receive_everywhere(app, login, make_user):
    fv = publish_workbook("odd.xlsx", workbook(ODD_ID, ODD_VERSION), "test").form_version
    assert (fv.form.form_id, fv.version) == (ODD_ID, ODD_VERSION)
    client = app.test_client()
    officer = login(client, "officer")
    enc_id, enc_v = quote(ODD_ID, safe=""), quote(ODD_VERSION, safe="")

    # The pages and files a user reaches from the form list
    listing = client.get("/forms").get_data(as_text=True)
    links = {path_of(h) for h in re.findall(r'href="([^"]+)"', listing) if ODD_ID in unquote(unescape(h))}
    assert links, "the form list links to the form"
    for url in links | {f"/forms/{enc_id}", f"/forms/{enc_id}/fill", f"/forms/{enc_id}/versions/{enc_v}/fill",
                        f"/forms/{enc_id}/versions/{enc_v}/form.xml"}:
        r = client.get(url, follow_redirects=True)
        assert r.status_code == 200, url

    # The offline manifest's URLs are fetchable as they are written
    manifest = client.get("/offline/manifest.json").get_json()
    urls = [u for f in manifest["forms"] for u in [f.get("fill_url"), f.get("url"), *f.get("media", [])]
            if isinstance(u, str)]
    ours = [u for u in urls if ODD_ID in unquote(u)]
    assert ours and all(client.get(path_of(u)).status_code == 200 for u in ours), ours

    # ODK Collect: the form list's download and manifest URLs work
    form_list = client.get("/formList", headers=basic(officer)).get_data(as_text=True)
    ns = {"x": "http://openrosa.org/xforms/xformsList"}
    entry = next(x for x in ET.fromstring(form_list).findall("x:xform", ns) if x.findtext("x:formID", namespaces=ns) == ODD_ID)
    for tag in ("downloadUrl", "manifestUrl"):
        url = entry.findtext(f"x:{tag}", namespaces=ns)
        if url:
            assert client.get(path_of(url), headers=basic(officer)).status_code == 200, (tag, url)

    # A submission for it is received and then listed and shown
    xml = (f'<data id="{ODD_ID.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}" '
           f'version="{ODD_VERSION}"><name>Somchai</name><meta><instanceID>uuid:odd-1</instanceID></meta></data>').encode()
    r = client.post("/submission", data={"xml_submission_file": (io.BytesIO(xml), "submission.xml", "text/xml")},
                    content_type="multipart/form-data", headers=basic(officer))
    assert r.status_code == 201, r.data
    district = app.test_client()
    login(district, "district")
    page = district.get(f"/forms/{enc_id}/submissions").get_data(as_text=True)
    assert "uuid:odd-1" in page or "odd-1" in page
    detail = next(path_of(h) for h in re.findall(r'href="([^"]+)"', page) if "odd-1" in unquote(h))
    assert district.get(detail).status_code == 200
    assert district.get(f"/forms/{enc_id}/export.xlsx").status_code == 200
    assert district.get(f"/forms/{enc_id}/versions/{enc_v}/workbook.xlsx").status_code == 200
    assert client.get(f"/api/v1/forms/{enc_id}").status_code == 200


@pytest.mark.parametrize("column, value, better", [
    ("version", "2026/03/15", "2026-03-15"), ("version", "..", "1"), ("form_id", "a/b", "a-b"),
    ("form_id", "a\\b", "a-b"), ("version", "x/../y", "x-..-y"),
])
def test_what_no_url_carries_is_refused_at_its_settings_cell(column, value, better):
    form_id, version = ("ok_form", value) if column == "version" else (value, "1")
    with pytest.raises(WorkbookRejected) as e:
        convert_workbook("x.xlsx", workbook(form_id, version))
    problem = next(p for p in e.value.problems if p.code == f"bad_{column}")
    assert (problem.sheet, problem.row, problem.column) == ("settings", 2, column)
    assert f"“{better}”" in problem.hint_en and f"“{better}”" in problem.hint_th
    assert "/" in problem.message_th and problem.message_en
