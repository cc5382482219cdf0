"""An export of ~100,000 submissions finishes on a real gunicorn whose worker timeout (2 s) is far
shorter than the export takes, and the downloaded file has every row: the export is prepared in the
background (app/reports/jobs.py), never inside a request a worker timeout could cut."""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app import db
from app.models import ExportJob, Form, FormVersion, Submission
from tests.conftest import ROOT, TEST_PASSWORD
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


class _Browser:
    """Just enough of a browser: cookies kept, CSRF token from the sign-in page."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.jar: dict[str, str] = {}

    def get(self, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        return self.request("GET", path, headers=headers)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        for header in resp.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            self.jar.update({k: m.value for k, m in cookie.items()})
        return resp

    def sign_in(self, username: str) -> None:
        html = self.get("/signin").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        resp = self.request("POST", "/signin", urlencode({"username": username, "password": TEST_PASSWORD,
                                                          "csrf_token": token}),
                            {"Content-Type": "application/x-www-form-urlencoded"})
        resp.read()
        assert resp.status == 303


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_an_export_of_100k_rows_outlasts_the_worker_timeout_and_has_every_row(app, database_url, tmp_path, make_user):
    fv = _flat_form()
    _bulk(fv)
    admin = make_user("admin")
    port = _free_port()
    env = dict(os.environ, EXPORT_INLINE_ROWS="2000",
               DATABASE_URL=database_url, SECRET_KEY="export-timeout-test", SESSION_COOKIE_SECURE="0",
               CHUMCHON_INSTANCE=str(tmp_path), ARGON2_TIME_COST="1", ARGON2_MEMORY_KIB="8", ARGON2_PARALLELISM="1")
    server = subprocess.Popen(
        # Sync workers: the arbiter kills one whose request runs longer than the timeout, so an
        # export built inside the request (as before) is cut; the background job is not.
        [str(Path(ROOT) / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "sync", "--timeout", str(WORKER_TIMEOUT), "--graceful-timeout", "2",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        browser = _Browser(port)
        browser.sign_in(admin.username)
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
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    job = db.session.scalar(select(ExportJob))
    db.session.refresh(job)
    took = (job.finished_at - job.created_at).total_seconds()
    assert took > WORKER_TIMEOUT, f"the export took {took:.1f} s: not longer than the worker timeout"
    assert job.attempts == 1  # never cut and restarted
