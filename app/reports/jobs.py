"""Exports prepared in the background: any size finishes, with a progress bar, on any app server.

A request for an export too large to build while the browser waits (submissions.export) creates an
ExportJob row (app/reports/job_models.py) and starts a thread in the process that answered; the
page it redirects to polls the job's progress. The thread reads the submissions in batches
(export_records, the same rows as a file built at once), writes the file to a temporary file
(CSV streamed, XLSX through openpyxl's write-only mode: memory stays flat) and stores it in the
database in 1 MB chunks; the download streams them with their total length, so an interrupted
transfer can never pass for a complete file, and a job that failed offers no file at all.

No gunicorn worker timeout applies to the thread (the request that started it has long returned),
and nothing lives only in one process: progress, heartbeat and file are rows. A job whose process
died (no heartbeat for STALE_AFTER) is taken over by the next request that looks at it, on whatever
server; the claim is one conditional UPDATE, so only one process runs a job. Jobs and their files
are deleted a day after they finish. `flask --app wsgi exports run-pending` runs waiting jobs in
a process of its own (e.g. from cron on a dedicated machine), if wanted.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import tempfile
import threading
import time
from datetime import timedelta
from typing import Any, Iterator

from sqlalchemy import delete, func, insert, or_, select, update
from werkzeug.datastructures import MultiDict

from app import db
from app.models import Form, User, utcnow
from app.reports.job_models import ExportChunk, ExportJob, ExportStatus

log = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
STALE_AFTER = timedelta(seconds=60)  # no heartbeat for this long: the job's process is gone
HEARTBEAT_EVERY = 10.0  # seconds
PROGRESS_EVERY = 1.0  # seconds between progress writes
KEEP_FOR = timedelta(days=1)
MAX_ATTEMPTS = 3


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def create_job(form: Form, fmt: str, args: MultiDict, user: User, base_url: str) -> ExportJob:
    """Record a job (committed) for `user`; old finished jobs are cleared on the way."""
    s = db.session()
    s.execute(delete(ExportJob).where(ExportJob.finished_at < utcnow() - KEEP_FOR))
    job = ExportJob(token=secrets.token_urlsafe(32), user_id=user.id, form_pk=form.id, fmt=fmt,
                    params=list(args.items(multi=True)), base_url=base_url, status=ExportStatus.QUEUED,
                    rows_done=0, attempts=0, created_at=utcnow())
    s.add(job)
    s.commit()
    return job


def start(app, job_id: int) -> threading.Thread:  # noqa: ANN001
    """Run the job in a daemon thread of this process."""
    thread = threading.Thread(target=run, args=(app, job_id), name=f"export-{job_id}", daemon=True)
    thread.start()
    return thread


def resume_if_stale(app, job: ExportJob) -> bool:  # noqa: ANN001
    """Start the job here when nobody runs it (its process died, or it was never started)."""
    now = utcnow()
    beat = _aware(job.heartbeat_at or job.created_at)
    stale = (job.status == ExportStatus.RUNNING and now - beat > STALE_AFTER) or \
            (job.status == ExportStatus.QUEUED and now - _aware(job.created_at) > timedelta(seconds=15))
    if stale and job.attempts < MAX_ATTEMPTS:
        start(app, job.id)
        return True
    if stale:
        _finish_failed(job.id, "too many attempts")
    return False


def _aware(when):  # noqa: ANN001, ANN202
    from datetime import timezone

    return when if when is None or when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def _claim(job_id: int) -> bool:
    now = utcnow()
    with db.engine().begin() as conn:
        claimed = conn.execute(
            update(ExportJob.__table__).where(
                ExportJob.__table__.c.id == job_id,
                or_(ExportJob.__table__.c.status == ExportStatus.QUEUED,
                    (ExportJob.__table__.c.status == ExportStatus.RUNNING)
                    & (ExportJob.__table__.c.heartbeat_at < now - STALE_AFTER)),
                ExportJob.__table__.c.attempts < MAX_ATTEMPTS)
            .values(status=ExportStatus.RUNNING, worker=worker_name(), heartbeat_at=now, phase="counting",
                    rows_done=0, attempts=ExportJob.__table__.c.attempts + 1))
        return claimed.rowcount == 1


def _set(job_id: int, **values: Any) -> None:
    """Write progress on a connection of its own: the export's own read is still running."""
    values.setdefault("heartbeat_at", utcnow())
    with db.engine().begin() as conn:
        conn.execute(update(ExportJob.__table__).where(ExportJob.__table__.c.id == job_id,
                                                       ExportJob.__table__.c.worker == worker_name())
                     .values(**values))


def _finish_failed(job_id: int, reason: str) -> None:
    with db.engine().begin() as conn:
        conn.execute(delete(ExportChunk.__table__).where(ExportChunk.__table__.c.job_id == job_id))
        conn.execute(update(ExportJob.__table__).where(ExportJob.__table__.c.id == job_id)
                     .values(status=ExportStatus.FAILED, error=reason[:2000], finished_at=utcnow()))


class _Heartbeat(threading.Thread):
    """Keeps the job's heartbeat fresh while a long step (saving an XLSX) writes no progress."""

    def __init__(self, app, job_id: int):  # noqa: ANN001
        super().__init__(name=f"export-{job_id}-heartbeat", daemon=True)
        self.app, self.job_id, self.stopped = app, job_id, threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(HEARTBEAT_EVERY):
                try:
                    _set(self.job_id)
                except Exception:  # noqa: BLE001 - a missed beat only risks a second runner later
                    log.warning("export %s: heartbeat not written", self.job_id, exc_info=True)


def run(app, job_id: int) -> bool:  # noqa: ANN001
    """Prepare the export `job_id` if this process may claim it; True when it finished here."""
    with app.app_context():
        if not _claim(job_id):
            return False
        heartbeat = _Heartbeat(app, job_id)
        heartbeat.start()
        try:
            _build(app, job_id)
            return True
        except Exception as exc:  # noqa: BLE001 - recorded on the job: the page says it failed
            log.exception("export %s failed", job_id)
            db.session.rollback()
            _finish_failed(job_id, f"{type(exc).__name__}: {exc}")
            return False
        finally:
            heartbeat.stopped.set()
            db.session.remove()


def _build(app, job_id: int) -> None:  # noqa: ANN001
    from flask import g

    from app.forms.submissions import BadQuery, export_records, export_rows, prepare_export, write_export

    job = db.session.get(ExportJob, job_id)
    with app.test_request_context(base_url=job.base_url):
        user = db.session.get(User, job.user_id)
        if user is None or not user.active:
            raise PermissionError("the account that asked for the export is no longer active")
        g.user = user  # the export holds what its user may see (app/auth/scope.py)
        form = db.session.get(Form, job.form_pk)
        try:
            spec = prepare_export(form, job.fmt, MultiDict([tuple(p) for p in job.params]))
        except BadQuery as exc:
            raise ValueError(exc.message_en) from None
        total = export_rows(spec)
        _set(job_id, rows_total=total, phase="rows")
        progress = _Progress(job_id)
        records = progress.count(export_records(form, spec.filters, spec.masked))
        with tempfile.TemporaryFile() as out:
            content_type, filename = write_export(spec, records, out,
                                                  on_saving=lambda: _set(job_id, rows_done=progress.rows, phase="saving"))
            _set(job_id, rows_done=progress.rows, phase="saving")
            size = out.tell()
            out.seek(0)
            _store(job_id, out)
        with db.engine().begin() as conn:
            done = conn.execute(update(ExportJob.__table__).where(ExportJob.__table__.c.id == job_id,
                                                                  ExportJob.__table__.c.worker == worker_name())
                                .values(status=ExportStatus.DONE, filename=filename, content_type=content_type,
                                        size=size, rows_done=progress.rows, finished_at=utcnow(),
                                        heartbeat_at=utcnow(), phase=None))
            if done.rowcount != 1:
                raise RuntimeError("another process took the job over")


class _Progress:
    def __init__(self, job_id: int):
        self.job_id, self.rows, self.last = job_id, 0, time.monotonic()

    def count(self, records: Iterator) -> Iterator:
        for record in records:
            self.rows += 1
            now = time.monotonic()
            if now - self.last >= PROGRESS_EVERY:
                self.last = now
                _set(self.job_id, rows_done=self.rows)
            yield record


def _store(job_id: int, out) -> None:  # noqa: ANN001
    """The file into export_chunks, a few chunks per transaction."""
    with db.engine().begin() as conn:
        conn.execute(delete(ExportChunk.__table__).where(ExportChunk.__table__.c.job_id == job_id))
    seq = 0
    while True:
        batch = []
        for _ in range(8):
            data = out.read(CHUNK_BYTES)
            if not data:
                break
            batch.append({"job_id": job_id, "seq": seq, "data": data})
            seq += 1
        if not batch:
            return
        with db.engine().begin() as conn:
            conn.execute(insert(ExportChunk.__table__), batch)
        _set(job_id)


def chunks(job: ExportJob) -> Iterator[bytes]:
    """The finished file, chunk by chunk (one query per chunk: memory stays flat)."""
    count = db.session.scalar(select(func.count()).select_from(ExportChunk).where(ExportChunk.job_id == job.id))
    for seq in range(count or 0):
        data = db.session.scalar(select(ExportChunk.data).where(ExportChunk.job_id == job.id, ExportChunk.seq == seq))
        if data is None:
            raise RuntimeError(f"export {job.id}: chunk {seq} is missing")
        yield bytes(data)


def run_pending(app) -> int:  # noqa: ANN001
    """Run every waiting or abandoned job in this process, one after another; returns how many ran."""
    ran = 0
    with app.app_context():
        ids = db.session.scalars(select(ExportJob.id).where(
            ExportJob.status.in_((ExportStatus.QUEUED, ExportStatus.RUNNING))).order_by(ExportJob.id)).all()
        db.session.remove()
    for job_id in ids:
        ran += run(app, job_id)
    return ran
