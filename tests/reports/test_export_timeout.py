"""An export of ~100,000 submissions finishes on a real gunicorn whose worker timeout (2 s) is far
shorter than the export takes, and the downloaded file has every row: the export is prepared in the
background (app/reports/jobs.py), never inside a request a worker timeout could cut."""
from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from app import db
from app.models import ExportJob, Form, FormVersion, Submission
from tests.conftest import TEST_PASSWORD
from tests.gunicorn_server import Browser, gunicorn
from tests.reports.helpers import flat_definition

ROWS = 100_000
WORKER_TIMEOUT = 2  # seconds


def _flat_form() -> FormVersion:
    definition = flat_definition()
    form = Form(form_id="flat", title=definition.title)
    fv = FormVersion(form=form, version="1", title=definition.title, xlsx_filename="flat.xlsx", xlsx=b"",
                     xform="<h:html/>", survey={}, definition=definition.to_dict(),
                     content_hash=hashlib.sha256(b"flat").hexdigest(), published_by="test")
    db.session.add(fv)
    db.session.commit()
    return fv


def _bulk(fv: FormVersion) -> None:
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    table = Submission.__table__
    for first in range(0, ROWS, 10_000):
        db.session.execute(table.insert(), [
            {"instance_id": f"uuid:bulk-{n:06d}", "form_pk": fv.form_pk, "form_version_id": fv.id,
             "root_instance_id": f"uuid:bulk-{n:06d}", "is_current": True, "status": "accepted", "errors": [],
             "xml": "<data/>", "content_hash": "0" * 64, "data": {"/data/name": f"สมาชิก {n}", "/data/n": str(n)},
             "submitted_by": "bulk", "received_at": start + timedelta(seconds=n), "updated_at": start}
            for n in range(first, min(first + 10_000, ROWS))])
    db.session.commit()


@pytest.fixture
def bulk_rows(app):
    fv = _flat_form()
    _bulk(fv)
    yield fv
    # PostgreSQL checks the submissions' self-reference (superseded_by_id, not indexed) row by row when the
    # next test empties the table: 100,000 rows would take hours. Submissions are never deleted in use.
    db.session.remove()
    with db.engine().begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE submissions, export_jobs CASCADE"))


@pytest.mark.slow
def test_an_export_of_100k_rows_outlasts_the_worker_timeout_and_has_every_row(app, bulk_rows, database_url, tmp_path,
                                                                              make_user):
    admin = make_user("admin")
    # Sync workers: the arbiter kills one whose request runs longer than the timeout, so an export
    # built inside the request (as before) is cut; the background job is not.
    with gunicorn(database_url, tmp_path, "--workers", "2", "--worker-class", "sync", "--timeout", str(WORKER_TIMEOUT),
                  "--graceful-timeout", "2", EXPORT_INLINE_ROWS="2000") as port:
        browser = Browser(port)
        browser.sign_in(admin.username, TEST_PASSWORD)
        asked = browser.get("/forms/flat/export.csv?headers=names")
        asked.read()
        assert asked.status == 303
        page = asked.getheader("Location")
        deadline = time.monotonic() + 900
        while True:
            resp = browser.get(page, {"Accept": "application/json"})
            state = json.loads(resp.read())
            if state["status"] in ("done", "failed"):
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.5)
        assert state["status"] == "done", state
        file = browser.get(state["download_url"])
        body = file.read()
        assert file.status == 200 and int(file.getheader("Content-Length")) == len(body)
        lines = body.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("_instance_id") and len(lines) == ROWS + 1
        assert lines[-1].startswith("uuid:bulk-")
    job = db.session.scalar(select(ExportJob))
    db.session.refresh(job)
    took = (job.finished_at - job.created_at).total_seconds()
    assert took > WORKER_TIMEOUT, f"the export took {took:.1f} s: not longer than the worker timeout"
    assert job.attempts == 1  # never cut and restarted
