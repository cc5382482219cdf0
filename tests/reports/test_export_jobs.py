"""Exports prepared in the background (app/reports/jobs.py): a large export answers with a progress
page, finishes in a thread, and is downloaded whole with its length; only its owner sees it; a job
that fails offers no file; a job whose process died is taken over by the next look at it."""
from __future__ import annotations

import csv
import io
import time
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from app import db
from app.models import ExportChunk, ExportJob, utcnow
from app.reports import jobs
from tests.conftest import sign_in
from tests.forms.test_submissions_pages import add_submission, make_form


@pytest.fixture
def client(admin_client):
    return admin_client


@pytest.fixture
def five(app):
    app.config["EXPORT_INLINE_ROWS"] = 2  # anything larger goes to the background
    fv = make_form("flat")
    return [add_submission(fv, f"uuid:job-{n}").instance_id for n in range(5)]


def wait_done(client, page_url: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        state = client.get(page_url, headers={"Accept": "application/json"}).get_json()
        if state["status"] in ("done", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def test_a_large_export_is_prepared_in_the_background_and_downloaded_whole(client, five):
    r = client.get("/forms/flat/export.csv?headers=names")
    assert r.status_code == 303 and r.headers["Location"].startswith("/exports/")
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<progress" in html and "hx-get" in html  # polls itself while the job runs
    state = wait_done(client, r.headers["Location"])
    assert state["status"] == "done" and state["rows_done"] == state["rows_total"] == 5
    assert 'download' in client.get(r.headers["Location"]).get_data(as_text=True)
    file = client.get(state["download_url"])
    assert file.status_code == 200 and file.mimetype == "application/zip"  # the form has repeats
    assert int(file.headers["Content-Length"]) == len(file.data) == state["size"]
    with zipfile.ZipFile(io.BytesIO(file.data)) as archive:
        main = next(n for n in archive.namelist() if n.count("-") == 1)  # flat-YYYYMMDD.csv
        rows = list(csv.reader(io.StringIO(archive.read(main).decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == sorted(five)


def test_an_xlsx_export_in_the_background_has_every_row(client, five):
    r = client.get("/forms/flat/export.xlsx?headers=names")
    state = wait_done(client, r.headers["Location"])
    sheet = load_workbook(io.BytesIO(client.get(state["download_url"]).data)).worksheets[0]
    assert sheet.max_row == 6  # header + 5


def test_a_small_export_is_still_sent_at_once_with_its_length(client, app, five):
    app.config["EXPORT_INLINE_ROWS"] = 100
    r = client.get("/forms/flat/export.csv?headers=names")
    assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(r.data)


def test_only_the_user_who_asked_sees_the_job_and_its_file(client, app, five, make_user):
    r = client.get("/forms/flat/export.csv")
    state = wait_done(client, r.headers["Location"])
    other = app.test_client()
    sign_in(other, make_user("admin").username)
    assert other.get(r.headers["Location"]).status_code == 404
    assert other.get(state["download_url"]).status_code == 404


def test_a_failed_export_offers_no_file(client, five, monkeypatch):
    from app.forms import submissions

    def broken(spec, records, out, on_saving=None):  # noqa: ANN001
        out.write(b"_instance_id\r\nuuid:job-0\r\n")  # half a file, then the failure
        raise OSError("disk full")

    monkeypatch.setattr(submissions, "write_export", broken)
    r = client.get("/forms/flat/export.csv")
    state = wait_done(client, r.headers["Location"])
    assert state["status"] == "failed" and state["download_url"] is None
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "ไม่สำเร็จ" in html and "could not be prepared" in html
    token = r.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/exports/{token}/file").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0


def test_a_job_whose_process_died_is_taken_over(client, app, five, monkeypatch):
    monkeypatch.setattr(jobs, "start", lambda app, job_id: None)  # the first process never runs it
    r = client.get("/forms/flat/export.csv")
    token = r.headers["Location"].rsplit("/", 1)[1]
    db.session.execute(update(ExportJob).where(ExportJob.token == token).values(
        status="running", worker="gone:1", attempts=1, heartbeat_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    monkeypatch.undo()
    state = wait_done(client, r.headers["Location"])
    assert state["status"] == "done" and state["rows_done"] == 5
    job = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
    db.session.refresh(job)
    assert job.attempts == 2 and job.worker == jobs.worker_name()
