"""Error pages and JSON errors in Thai and English: no user ever sees a stack trace."""
from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("คำขอไม่ถูกต้อง", "The request is not valid."),
    401: ("กรุณาเข้าสู่ระบบ", "Please sign in."),
    403: ("คุณไม่มีสิทธิ์เข้าถึงหน้านี้", "You do not have access to this page."),
    404: ("ไม่พบหน้าที่ต้องการ", "Page not found."),
    405: ("ไม่รองรับวิธีการนี้", "This method is not allowed here."),
    409: ("ข้อมูลขัดแย้งกับที่มีอยู่", "This conflicts with data already stored."),
    413: ("ไฟล์หรือข้อมูลมีขนาดใหญ่เกินไป", "The file or data is too large."),
    422: ("ข้อมูลไม่ถูกต้อง", "The data is not valid."),
    500: ("ระบบขัดข้อง ข้อมูลของคุณไม่สูญหาย กรุณาลองใหม่อีกครั้ง",
          "Something went wrong on the server. Nothing you sent was lost; please try again."),
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def json_error(status: int, message_th: str, message_en: str, fields: dict | None = None):
    """The JSON error body every JSON answer uses: {"error": {status, message_th, message_en[, fields]}}
    (`fields`: per-field messages of a rejected query or body, app/forms/api.py)."""
    body = {"status": status, "message_th": message_th, "message_en": message_en}
    if fields:
        body["fields"] = fields
    return jsonify({"error": body}), status


def error_response(status: int, message_th: str | None = None, message_en: str | None = None):
    th, en = MESSAGES.get(status, MESSAGES[500])
    th, en = message_th or th, message_en or en
    if request.path in ("/submission", "/formList") or request.headers.get("X-OpenRosa-Version"):
        from app.forms.openrosa_xml import openrosa_message

        return openrosa_message(f"{th} / {en}", status)
    if wants_json():
        return json_error(status, th, en)
    return render_template("errors/error.html", status=status, message_th=th, message_en=en), status


def init_app(app) -> None:  # noqa: ANN001
    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_e):  # noqa: ANN001
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_response(
            413,
            f"ไฟล์หรือข้อมูลใหญ่เกิน {limit_mb} MB กรุณาลดขนาดไฟล์แล้วลองใหม่",
            f"The upload is larger than {limit_mb} MB. Make the file smaller and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        return error_response(e.code or 500)

    from sqlalchemy.exc import DataError

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _unusable_value(e: Exception):
        # A value from the request reached the database without being checked (a number beyond an
        # integer column, text the column cannot hold): the request's fault, answered 400 in Thai and
        # English; logged so the missing check gets written, without a traceback in the log.
        from app import db

        db.session.rollback()
        log.warning("unusable value on %s %s: %s", request.method, request.path, type(e).__name__)
        return error_response(400, "ข้อมูลที่ส่งมามีค่าที่ระบบใช้ไม่ได้ (เช่น ตัวเลขใหญ่เกินไป) กรุณาตรวจสอบแล้วลองใหม่",
                              "The request holds a value the server cannot use (for example a number far too "
                              "large). Check it and try again.")

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
