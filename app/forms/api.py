"""JSON API under /api/v1 (marshmallow schemas): forms, versions, submissions, validation errors.

Errors are JSON in Thai and English: {"error": {status, message_th, message_en[, fields]}};
invalid query parameters are 400, unknown forms or submissions 404.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from app import db
from app.auth.masking import mask_data, mask_errors, national_id_paths
from app.auth.scope import may_see_submission, officer_ids, sees_national_ids, submission_clause
from app.errors import json_error
from app.forms.listing import BadCursor, Cursor, page_of
from app.forms.lookups import find_form, find_scoped_submission
from app.forms.definitions import definition_of
from app.forms.schemas import (
    AttachmentSchema,
    FormDetailSchema,
    FormSummarySchema,
    HistoryEntrySchema,
    SubmissionDetailSchema,
    SubmissionQuerySchema,
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
    """A page of the form's submissions, newest first, with the group, district and level named.
    `total` is exact up to COUNT_CAP (1,000); above it `total_capped` is true (no COUNT(*) of millions)."""
    form = _form_or_404(form_id)
    try:
        params = SubmissionQuerySchema().load(request.args.to_dict())
        named = "cursor" if params.get("cursor") else "after"  # `after`: the name early clients used
        after = Cursor.decode(params[named]) if params.get(named) else None
    except ValidationError as e:
        raise ApiError(400, "พารามิเตอร์ไม่ถูกต้อง", "Invalid query parameters.", e.messages) from None
    except BadCursor:
        raise ApiError(400, "cursor ไม่ถูกต้อง ใช้ค่า next_cursor จากหน้าก่อน",
                       "Invalid cursor: use the next_cursor of the previous page.",
                       {named: ["not a cursor of this list"]}) from None
    where = [Submission.form_pk == form.id, submission_clause(g.user)]
    if "status" in params:
        where.append(Submission.status == params["status"])
    if "current" in params:
        where.append(Submission.is_current.is_(params["current"]))
    offset = 0 if after is not None else params["offset"]
    limit = params["limit"]
    few, known = officer_ids(g.user) is not None, None
    if offset:
        # legacy offset paging (kept for old clients): the skipped rows and the page's keys in one walk
        keys = db.session.execute(
            select(Submission.received_at, Submission.id).where(*where)
            .order_by(Submission.received_at.desc(), Submission.id.desc()).offset(offset).limit(limit + 1)).all()
        few, known = False, ([i for _t, i in keys[:limit]], len(keys) > limit)
    page = page_of(where, after=after, per_page=limit, few=few, known=known)
    return jsonify({
        "form_id": form.form_id,
        "total": page.count,
        "total_capped": page.capped,
        "limit": limit,
        "offset": offset,
        "next_cursor": page.older.encode() if page.older else None,
        "next": _next_url(form, page.older.encode()) if page.older else None,
        "items": [_summary(form, row) for row in page.rows],
    })


def _next_url(form: Form, cursor: str) -> str:
    """The next page's URL with the same filters (what a client follows until it is null)."""
    args = {k: v for k, v in request.args.items() if k not in ("cursor", "after", "offset")}
    return url_for("api.form_submissions", form_id=form.form_id, _external=True, **args, cursor=cursor)


def _summary(form: Form, row) -> dict:  # noqa: ANN001
    sub = row.sub
    return {
        "instance_id": sub.instance_id, "form_id": form.form_id, "version": row.version, "status": sub.status,
        "is_current": bool(sub.is_current), "instance_name": sub.instance_name, "submitted_by": sub.submitted_by,
        "received_at": _iso(sub.received_at),
        "errors_count": sum(1 for e in sub.errors or [] if isinstance(e, dict) and e.get("level", "error") == "error"),
        "district_code": sub.district_code, "district_name": row.district_th,
        "group_ref": row.group_ref, "group_name": row.group_name, "village": row.village,
        "level": row.level["name"] if row.level else None, "level_label": row.level["th"] if row.level else None,
        "assessed_on": row.assessed_on.isoformat() if row.assessed_on else None,
    }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


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
