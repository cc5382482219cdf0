"""JSON API under /api/v1 (marshmallow schemas): forms, versions, submissions, validation errors.

Errors are JSON in Thai and English: {"error": {status, message_th, message_en[, fields]}};
invalid query parameters are 400, unknown forms or submissions 404.
"""
from __future__ import annotations

import base64
from datetime import datetime, timezone
from urllib.parse import quote

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from marshmallow import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer, selectinload

from app import db
from app.auth.masking import mask_data, mask_errors, national_id_paths
from app.auth.scope import may_see_submission, sees_national_ids, submission_clause
from app.errors import json_error
from app.forms.lookups import find_form, find_scoped_submission
from app.forms.definitions import definition_of
from app.forms.schemas import (
    AttachmentSchema,
    FormDetailSchema,
    FormSummarySchema,
    HistoryEntrySchema,
    SubmissionDetailSchema,
    SubmissionQuerySchema,
    SubmissionSummarySchema,
)
from app.models import Attachment, Form, FormVersion, Submission, SubmissionConflict

bp = Blueprint("api", __name__)

# Versions carry the workbook and XForm; the API only shows their small columns.
_VERSION_COLUMNS = (FormVersion.form_pk, FormVersion.version, FormVersion.title, FormVersion.content_hash,
                    FormVersion.published_by, FormVersion.published_at)


def _versions():
    return selectinload(Form.versions).load_only(*_VERSION_COLUMNS).selectinload(FormVersion.media)


class ApiError(Exception):
    def __init__(self, status: int, message_th: str, message_en: str, fields: dict | None = None):
        super().__init__(message_en)
        self.status, self.message_th, self.message_en, self.fields = status, message_th, message_en, fields


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    return json_error(e.status, e.message_th, e.message_en, e.fields)


def _form_or_404(form_id: str) -> Form:
    form = find_form(form_id, _versions())
    if form is None:
        raise ApiError(404, f"ไม่พบแบบสอบถามรหัส '{form_id}'", f"No form with id '{form_id}'.")
    return form


def _submission_or_404(instance_id: str) -> Submission:
    found = find_scoped_submission(instance_id)
    if found is None:  # absent or outside the user's scope: the same answer
        raise ApiError(404, f"ไม่พบข้อมูลรหัส '{instance_id}'", f"No submission with instanceID '{instance_id}'.")
    return found


@bp.get("/forms")
def forms():
    found = db.session.scalars(
        select(Form).options(_versions()).order_by(Form.form_id)).all()
    return jsonify({"forms": FormSummarySchema(many=True).dump(found)})


@bp.get("/forms/<form_id>")
def form_detail(form_id: str):
    return jsonify(FormDetailSchema().dump(_form_or_404(form_id)))


@bp.get("/forms/<form_id>/submissions")
def form_submissions(form_id: str):
    form = _form_or_404(form_id)
    try:
        params = SubmissionQuerySchema().load(request.args.to_dict())
    except ValidationError as e:
        raise ApiError(400, "พารามิเตอร์ไม่ถูกต้อง", "Invalid query parameters.", e.messages) from None
    where = [Submission.form_pk == form.id, submission_clause(g.user)]
    if "status" in params:
        where.append(Submission.status == params["status"])
    if "current" in params:
        where.append(Submission.is_current.is_(params["current"]))
    # The total is counted on the first page only (a `next` page has none: the client has it), up to
    # COUNT_LIMIT rows: an exact count of a million rows costs more than a page.
    counted = None if "after" in params else db.session.scalar(select(func.count()).select_from(
        select(Submission.id).where(*where).limit(COUNT_LIMIT + 1).subquery()))
    page = where[:]
    if "after" in params:
        received_at, after_id = _cursor(params["after"])
        # Keyset: the rows after the cursor's row in (received_at desc, id desc) order.
        page += [Submission.received_at <= received_at,
                 or_(Submission.received_at < received_at, Submission.id < after_id)]
    limit = params["limit"]
    items = db.session.scalars(
        select(Submission).where(*page)
        .options(defer(Submission.xml), defer(Submission.data), selectinload(Submission.form),
                 selectinload(Submission.form_version).load_only(*_VERSION_COLUMNS))
        .order_by(Submission.received_at.desc(), Submission.id.desc())
        .limit(limit + 1).offset(0 if "after" in params else params["offset"])).all()
    more = len(items) > limit
    items = items[:limit]
    next_url = None
    if more:
        args = {k: v for k, v in request.args.items() if k not in ("after", "offset")}
        next_url = url_for("api.form_submissions", form_id=form.form_id, _external=True,
                           **args, after=_make_cursor(items[-1]))
    return jsonify({
        "form_id": form.form_id,
        "total": counted if counted is not None and counted <= COUNT_LIMIT else None,
        "total_at_least": None if counted is None else min(counted, COUNT_LIMIT + 1),
        "limit": limit,
        "offset": params["offset"] if "after" not in params else None,
        "next": next_url,
        "items": SubmissionSummarySchema(many=True).dump(items),
    })


COUNT_LIMIT = 1_000  # 20 pages of 50: beyond, clients follow `next`


def _make_cursor(sub: Submission) -> str:
    received = sub.received_at
    if received.tzinfo is None:  # SQLite hands back naive UTC
        received = received.replace(tzinfo=timezone.utc)
    raw = f"{received.astimezone(timezone.utc).isoformat()}|{sub.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(text: str) -> tuple[datetime, int]:
    """(received_at, id) of an `after` cursor; a 400 in Thai and English when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        stamp, row_id = raw.rsplit("|", 1)
        received = datetime.fromisoformat(stamp)
        if received.tzinfo is None:
            raise ValueError(stamp)
        return received, int(row_id)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "พารามิเตอร์ไม่ถูกต้อง", "Invalid query parameters.",
                       {"after": ["ไม่ใช่ตำแหน่งหน้าที่เซิร์ฟเวอร์ให้มา / Not a cursor this server gave."]}) from None


@bp.get("/submissions/<instance_id>")
def submission_detail(instance_id: str):
    sub = _submission_or_404(instance_id)
    body = SubmissionDetailSchema(exclude=("attachments", "history", "conflicts_count", "superseded_by")).dump(sub)
    if not sees_national_ids(g.user):
        hidden = national_id_paths(definition_of(sub.form_version), current_app.config["NATIONAL_ID_NAME_PATTERN"])
        body["data"] = mask_data(body.get("data") or {}, hidden)
        body["errors"] = mask_errors(body.get("errors") or [], hidden)
    body["attachments"] = AttachmentSchema(many=True).dump([
        {"filename": a.filename, "content_type": a.content_type, "sha256": a.sha256, "size": a.size,
         "url": url_for("api.attachment", instance_id=sub.instance_id, filename=a.filename, _external=True)}
        for a in sub.attachments
    ])
    chain = db.session.scalars(
        select(Submission).where(Submission.root_instance_id == sub.root_instance_id, submission_clause(g.user))
        .options(defer(Submission.xml), defer(Submission.data),
                 selectinload(Submission.form_version).load_only(*_VERSION_COLUMNS))
        .order_by(Submission.received_at, Submission.id)).all()
    body["history"] = HistoryEntrySchema(many=True).dump(chain)
    replaced_by = db.session.get(Submission, sub.superseded_by_id) if sub.superseded_by_id else None
    body["superseded_by"] = replaced_by.instance_id if may_see_submission(replaced_by, g.user) else None
    body["conflicts_count"] = db.session.scalar(
        select(func.count()).select_from(SubmissionConflict).where(SubmissionConflict.submission_id == sub.id))
    return jsonify(body)


@bp.get("/submissions/<instance_id>/attachments/<path:filename>")
def attachment(instance_id: str, filename: str):
    sub = _submission_or_404(instance_id)
    found = db.session.scalar(select(Attachment).where(
        Attachment.submission_id == sub.id, Attachment.filename == filename))
    if found is None:
        raise ApiError(404, f"ไม่พบไฟล์แนบ '{filename}'", f"No attachment named '{filename}'.")
    return Response(found.blob.content, content_type=found.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename, safe='')}",
        "ETag": f'"{found.sha256}"',
    })
