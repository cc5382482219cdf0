"""Every export as every role that may export gives the whole file: the rows of its scope, all of them
(a district's streamed CSV stopped after the header when the user's district was read lazily inside the
stream, after the request's session had let go of it)."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from app import db
from app.models import Form, FormVersion
from tests.conftest import as_in_production
from tests.forms.test_submissions_pages import add_submission, make_form
from tests.reports.helpers import flat_definition

ROWS = 7


def _flat_form() -> FormVersion:
    s = db.session()
    form = Form(form_id="flat", title="Flat")
    fv = FormVersion(form=form, version="1", title="Flat", xlsx_filename="f.xlsx", xlsx=b"", xform="",
                     survey={}, definition=flat_definition().to_dict(), content_hash="x", published_by="t")
    s.add_all([form, fv])
    s.commit()
    return fv


def _csv_rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize("role", ["admin", "province", "district"])
@pytest.mark.parametrize("fmt", ["flat.csv", "household.csv", "household.xlsx"])
@pytest.mark.parametrize("encoding", ["identity", "gzip, deflate, br"])
def test_every_exporting_role_gets_every_row_of_its_district(app, login, role, fmt, encoding):
    flat, household = _flat_form(), make_form()
    for i in range(ROWS):
        for fv in (flat, household):
            sub = add_submission(fv, f"uuid:{fv.form.form_id}-{i}",
                                 data={"/data/name": f"n{i}", "/data/n": str(i)} if fv is flat else None)
            sub.district_code = "4201"
    add_submission(flat, "uuid:other", data={"/data/name": "x", "/data/n": "1"}).district_code = "4209"
    add_submission(household, "uuid:other-h").district_code = "4209"
    db.session.commit()
    client = app.test_client()
    login(client, role, district="4201" if role == "district" else None)
    form_id, ext = fmt.split(".")
    with as_in_production(app):
        resp = client.get(f"/forms/{form_id}/export.{ext}?headers=names", headers={"Accept-Encoding": encoding})
        assert resp.status_code == 200
        body = resp.get_data()  # the whole stream: a failure inside it raises here
    # Admin and province (Loei) see both districts; the district office (4201) its own.
    expected = ROWS if role == "district" else ROWS + 1
    if ext == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).worksheets[0]
        ids = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    elif form_id == "flat":
        ids = [r[0] for r in _csv_rows(body)[1:]]
    else:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            ids = [r[0] for r in _csv_rows(zf.read(zf.namelist()[0]))[1:]]
    assert len(ids) == expected, (role, fmt, ids)
    assert all(i.startswith(f"uuid:{form_id}-") or i.startswith("uuid:other") for i in ids)


def test_a_failure_while_an_export_is_built_gives_no_file_and_says_so(app, login, monkeypatch):
    """An export that fails half-way must not end like a complete file: a small export is built whole
    before its first byte (app.forms.submissions.export), so a failure answers the error page in Thai
    and English with no file at all; a large one fails its background job (tests/reports/test_export_jobs.py)."""
    from app.forms import submissions

    flat = _flat_form()
    for i in range(3):
        add_submission(flat, f"uuid:flat-{i}", data={"/data/name": f"n{i}", "/data/n": str(i)})
    real = submissions._export_rows

    def failing(query, masked):
        rows = real(query, masked)
        yield next(rows)
        raise RuntimeError("database went away")

    monkeypatch.setattr(submissions, "_export_rows", failing)
    client = app.test_client()
    login(client, "admin", district=None)
    with as_in_production(app):
        resp = client.get("/forms/flat/export.csv?headers=names")
    assert resp.status_code == 500
    assert "attachment" not in resp.headers.get("Content-Disposition", "")
    body = resp.get_data(as_text=True)
    assert "ระบบขัดข้อง" in body and "uuid:flat-0" not in body and "Traceback" not in body
