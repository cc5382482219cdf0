"""An export prepared in the background: its progress page (polled by htmx), its JSON, its file.

Only the user who asked for it may see it; anyone else gets 404, the same as for no such job.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, g, jsonify, render_template, request, stream_with_context, url_for
from sqlalchemy import select

from app import db
from app.errors import wants_json
from app.reports import jobs
from app.reports.job_models import ExportJob, ExportStatus

bp = Blueprint("exports", __name__)


def _own_job(token: str) -> ExportJob:
    job = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
    if job is None or g.user is None or job.user_id != g.user.id:
        abort(404)
    return job


def _view(job: ExportJob) -> dict:
    total = job.rows_total
    return {
        "status": job.status, "phase": job.phase, "rows_done": job.rows_done or 0, "rows_total": total,
        "percent": (100 if job.status == ExportStatus.DONE else
                    int((job.rows_done or 0) * 100 / total) if total else 0),
        "filename": job.filename, "size": job.size,
        "download_url": url_for("exports.download", job_token=job.token) if job.status == ExportStatus.DONE else None,
    }


@bp.get("/exports/<job_token>")
def job_page(job_token: str):
    job = _own_job(job_token)
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        jobs.resume_if_stale(current_app._get_current_object(), job)
    state = _view(job)
    if wants_json():
        return jsonify(state)
    if request.htmx:
        return render_template("exports/_progress.html", job=job, state=state)
    return render_template("exports/job.html", job=job, state=state)


@bp.get("/exports/<job_token>/file")
def download(job_token: str):
    job = _own_job(job_token)
    if job.status != ExportStatus.DONE:
        abort(404)
    response = Response(stream_with_context(jobs.chunks(job)), content_type=job.content_type)
    # The whole length is announced: a transfer cut short is an incomplete download, never a valid-looking file.
    response.headers["Content-Length"] = str(job.size)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.filename or 'export', safe='')}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
