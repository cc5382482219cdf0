"""OpenRosa APIs for ODK Collect and the browser: Form List, manifests, Form Submission.

Thin: the filing rules live in app.forms.receiving. Paths sit under /formList/ so they never clash
with the staff pages' own XForm downloads. Every response carries X-OpenRosa-Version: 1.0.

POST /submission takes multipart/form-data (part `xml_submission_file` plus one part per
attachment, named by its filename) or, for simple clients, a raw XML body. It answers an
OpenRosa XML message, or JSON when the client asks `Accept: application/json` (the browser
runtime), with the same status code either way.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from app import db
from app.forms import openrosa_xml
from app.forms.lookups import version_or_404
from app.forms.openrosa_xml import openrosa_headers, openrosa_message
from app.forms.receiving import ReceiveOutcome, is_blocking, receive_submission
from app.models import Form, FormMedia, FormVersion
from app.registry.media import registry_files_needed, registry_media

bp = Blueprint("openrosa", __name__)


def md5_hash(data: bytes) -> str:
    return "md5:" + hashlib.md5(data, usedforsecurity=False).hexdigest()


# --- Form List API ------------------------------------------------------------------------------

@bp.get("/formList")
def form_list():
    # The latest version of each form is the one with the highest id (Form.latest's order).
    latest_ids = select(func.max(FormVersion.id)).group_by(FormVersion.form_pk)
    query = (
        # closing and closed forms take no new fills (app/forms/lifecycle.py)
        select(FormVersion).join(Form).where(FormVersion.id.in_(latest_ids), Form.state == "open")
        .options(defer(FormVersion.xlsx), defer(FormVersion.survey), defer(FormVersion.definition),
                 selectinload(FormVersion.media), selectinload(FormVersion.form))
        .order_by(Form.form_id)
    )
    wanted = request.args.get("formID")
    if wanted:
        query = query.where(Form.form_id == wanted)
    entries = []
    for latest in db.session.scalars(query):
        form = latest.form
        entry = {
            "formID": form.form_id,
            "name": latest.title,
            "version": latest.version,
            "hash": md5_hash(latest.xform.encode("utf-8")),
            "downloadUrl": url_for("openrosa.xform", form_id=form.form_id, version=latest.version, _external=True),
        }
        if latest.media or registry_files_needed(latest.xform):
            entry["manifestUrl"] = url_for("openrosa.manifest", form_id=form.form_id, version=latest.version,
                                           _external=True)
        entries.append(entry)
    return openrosa_xml.form_list(entries)


def _version_or_404(form_id: str, version: str) -> FormVersion:
    return version_or_404(form_id, version,
                          defer(FormVersion.xlsx), defer(FormVersion.survey), defer(FormVersion.definition))


@bp.get("/formList/<form_id>/<version>/xform.xml")
def xform(form_id: str, version: str):
    found = _version_or_404(form_id, version)
    return Response(found.xform.encode("utf-8"), content_type="text/xml; charset=utf-8", headers=openrosa_headers())


@bp.get("/formList/<form_id>/<version>/manifest")
def manifest(form_id: str, version: str):
    found = _version_or_404(form_id, version)
    return openrosa_xml.manifest(manifest_files(found, lambda name: url_for(
        "openrosa.media", form_id=form_id, version=version, filename=name, _external=True)))


def manifest_files(found, url_of) -> list[dict]:  # noqa: ANN001 - a FormVersion or a FormDraft; name -> URL
    """The manifest's files: the media attached, and the registry lists the form reads and did not
    bring (app/registry/media.py), as this user sees them."""
    files = [{"filename": m.filename, "hash": md5_hash(m.blob.content), "downloadUrl": url_of(m.filename)}
             for m in found.media]
    have = {m.filename for m in found.media}
    for name in registry_files_needed(found.xform):
        content = registry_media(name, g.get("user"))
        if name not in have and content is not None:
            files.append({"filename": name, "hash": md5_hash(content), "downloadUrl": url_of(name)})
    return files


@bp.get("/formList/<form_id>/<version>/media/<path:filename>")
def media(form_id: str, version: str, filename: str):
    found = _version_or_404(form_id, version)
    item = db.session.scalar(select(FormMedia).where(
        FormMedia.form_version_id == found.id, FormMedia.filename == filename))
    if item is None:
        content = registry_media(filename, g.get("user")) if filename in registry_files_needed(found.xform) else None
        if content is None:
            abort(404)
        headers = openrosa_headers()
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
        headers["Cache-Control"] = "private, no-cache"
        return Response(content, content_type="text/csv; charset=utf-8", headers=headers)
    headers = openrosa_headers()
    headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(item.filename)}"
    return Response(item.blob.content, content_type=item.content_type, headers=headers)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


# --- Form Submission API ------------------------------------------------------------------------

@bp.route("/submission", methods=["HEAD"])
def submission_head():
    headers = openrosa_headers()
    headers["X-OpenRosa-Accept-Content-Length"] = str(current_app.config["MAX_CONTENT_LENGTH"])
    return Response(status=204, headers=headers)


@bp.post("/submission")
def submission_post():
    try:
        xml, files = _read_submission_request()
    except RequestEntityTooLarge:
        limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _answer_error(413, f"ข้อมูลที่ส่งใหญ่เกิน {limit_mb} MB กรุณาลดขนาดไฟล์แนบแล้วส่งใหม่",
                             f"The submission is larger than {limit_mb} MB. Make the attachments smaller and send again.",
                             "too_large")
    except BadRequest:
        return _answer_error(400, "อ่านคำขอไม่ได้ (multipart ไม่ถูกต้อง)", "The request body cannot be read "
                             "(malformed multipart).", "unreadable")
    try:
        outcome = receive_submission(
            xml, files, _submitted_by(), request.args.get("deviceID") or None,
            max_attachment_bytes=current_app.config["MAX_ATTACHMENT_BYTES"], sender=g.get("user"),
        )
    except Exception:
        # Already logged and the XML kept aside by receive_submission; the device keeps its copy.
        return _answer_error(500, "ระบบบันทึกข้อมูลไม่สำเร็จ ข้อมูลในเครื่องของคุณยังอยู่ กรุณาส่งใหม่อีกครั้ง",
                             "The server could not store the submission. Your copy is safe on the device; "
                             "please send it again.", "server_error")
    return _answer(outcome)


def _read_submission_request() -> tuple[bytes, list[tuple[str, bytes, str]]]:
    """The XML and the attachments [(filename, bytes, content type)] of a submission request, every
    part as sent (receiving decides what two parts with one name mean)."""
    files: list[tuple[str, bytes, str]] = []
    xml = b""
    if request.mimetype == "multipart/form-data":
        for field_name, storage in request.files.items(multi=True):
            content = storage.read()
            if field_name == "xml_submission_file" and not xml:
                xml = content
                continue
            files.append((storage.filename or field_name, content, storage.mimetype or "application/octet-stream"))
        if not xml and request.form.get("xml_submission_file"):
            xml = request.form["xml_submission_file"].encode("utf-8")
    else:
        # A raw XML body (curl, simple scripts) is taken as the xml_submission_file.
        xml = request.get_data(cache=False)
    return xml, files


def _submitted_by() -> str | None:
    user = g.get("user")
    for attr in ("username", "name", "email"):
        if user is not None and getattr(user, attr, None):
            return str(getattr(user, attr))[:255]
    return None


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/xml", "application/xml", "application/json"])
    return best == "application/json"


def _answer(outcome: ReceiveOutcome) -> Response:
    if _wants_json():
        stored = outcome.submission if outcome.status < 300 else None
        errors = stored.errors if stored is not None else []
        body = {
            "status": outcome.status,
            "outcome": outcome.code,
            "instance_id": outcome.instance_id,
            "submission_status": stored.status if stored is not None else None,
            "errors": [e for e in errors if is_blocking(e)],
            "warnings": [e for e in errors if not is_blocking(e)],
            "message_th": outcome.message_th,
            "message_en": outcome.message_en,
        }
        response = jsonify(body)
        response.status_code = outcome.status
        response.headers.update(openrosa_headers())
        return response
    nature = "submit_success" if outcome.status < 300 else "error"
    return openrosa_message(f"{outcome.message_th} / {outcome.message_en}", outcome.status, nature)


def _answer_error(status: int, message_th: str, message_en: str, code: str) -> Response:
    return _answer(ReceiveOutcome(status, None, message_th, message_en, False, code=code))
