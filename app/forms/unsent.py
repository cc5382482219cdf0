"""Data kept on the tablet: the "on this device" page and the staff import of an exported file.

- GET /drafts: a server-rendered shell; static/js/offline/page.js fills it from IndexedDB (drafts,
  outbox, needs attention) and offers "send now" and the last-resort export. Nothing on the server
  knows what a tablet holds.
- GET/POST /unsent/import (admin, district): staff upload the file an officer exported
  (static/js/offline/export.js, format "chumchon-unsent"). Every record goes through
  app.forms.receiving.receive_submission once, so the rules of a normal send hold: idempotent by
  instanceID (a second import of the same file stores nothing new), different content under a known
  instanceID kept aside as a conflict, unreadable records quarantined. Unfinished drafts are
  imported only when the importer asks (they would be filed as "needs correction", and finishing
  the draft on the tablet later would then be a conflict).
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from flask import Blueprint, current_app, g, render_template, request

from app import db
from app.forms.receiving import receive_submission
from app.models import Role, User

bp = Blueprint("unsent", __name__)

FORMAT = "chumchon-unsent"
KINDS_SENT = ("outbox", "attention")  # complete submissions; "draft" = unfinished


@dataclass
class ImportRow:
    instance_id: str
    form_id: str
    kind: str
    status: int
    code: str
    message_th: str
    message_en: str


class ImportFileError(ValueError):
    def __init__(self, th: str, en: str):
        super().__init__(en)
        self.th, self.en = th, en


@bp.get("/drafts")
def device_page():
    return render_template("unsent/device.html")


@bp.route("/unsent/import", methods=["GET", "POST"])
def import_page():
    if request.method == "GET":
        return render_template("unsent/import.html", rows=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("unsent/import.html", rows=None, error=(
            "กรุณาเลือกไฟล์ที่ส่งออกจากแท็บเล็ต (.json)", "Choose the file exported from the tablet (.json).")), 400
    try:
        data = read_export(upload.read())
    except ImportFileError as e:
        return render_template("unsent/import.html", rows=None, error=(e.th, e.en)), 400
    include_drafts = request.form.get("include_drafts") == "1"
    rows = import_export(data, g.user, include_drafts=include_drafts)
    from app.auth import audit

    audit.record(audit.Action.IMPORT_UNSENT, "file", (upload.filename or "")[:200], {
        "exported_by": data.get("user", {}), "exported_at": data.get("exported_at"),
        "items": len(data["items"]), "include_drafts": include_drafts,
        "created": sum(r.code == "created" for r in rows),
        "already_received": sum(r.code in ("duplicate", "attachments_added") for r in rows),
    })
    return render_template("unsent/import.html", rows=rows, include_drafts=include_drafts)


def read_export(raw: bytes) -> dict:
    """The parsed export file, checked for shape (not trusted beyond that)."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportFileError("ไฟล์นี้ไม่ใช่ไฟล์ที่ส่งออกจากแอป (อ่าน JSON ไม่ได้)",
                              "This is not a file exported by the app (not readable JSON).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("items"), list):
        raise ImportFileError("ไฟล์นี้ไม่ใช่ไฟล์ข้อมูลที่ยังไม่ได้ส่งของแอปชุมชน",
                              "This is not a chumchon unsent-data export.")
    if not isinstance(data.get("user"), dict):
        data["user"] = {}
    return data


def _files_of(item: dict) -> dict[str, tuple[bytes, str]]:
    files: dict[str, tuple[bytes, str]] = {}
    for a in item.get("attachments") or []:
        if not isinstance(a, dict) or not a.get("name"):
            continue
        try:
            content = base64.b64decode(a.get("base64") or "", validate=True)
        except (binascii.Error, ValueError):
            # A damaged file is left out, not stored empty under its real name: the record is then
            # flagged "attachment missing" and a later good copy of the file can still be added.
            continue
        files[str(a["name"])] = (content, str(a.get("type") or "application/octet-stream"))
    return files


def _officer_of(data: dict, importer: User) -> User | None:
    """The account named in the file when it exists and the importer's scope covers it: the records
    are then filed as that officer's own (district, submitter). Otherwise the importer's."""
    who = data.get("user") or {}
    user_id = db.database_id(who.get("id"))
    if user_id is None:  # no id, or one no account can have ("1e99", 10**30, -1)
        return None
    user = db.session.get(User, user_id)
    if user is None or user.username != who.get("username"):
        return None
    if importer.role == Role.ADMIN or (user.district_id is not None and user.district_id == importer.district_id):
        return user
    return None


def import_export(data: dict, importer: User, *, include_drafts: bool = False) -> list[ImportRow]:
    officer = _officer_of(data, importer)
    sender = officer or importer
    rows: list[ImportRow] = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("kind") or "outbox")
        instance_id = str(item.get("instanceID") or "")
        form_id = str(item.get("formId") or "")
        if item.get("test"):  # a record filled on a draft's test link: test data stays out of production
            rows.append(ImportRow(instance_id, form_id, kind, 0, "skipped_test", "ข้อมูลทดสอบฉบับร่าง (ไม่ได้นำเข้า)",
                                  "A draft's test record (not imported)"))
            continue
        if kind not in KINDS_SENT and not include_drafts:
            rows.append(ImportRow(instance_id, form_id, kind, 0, "skipped_draft", "ฉบับร่าง (ไม่ได้นำเข้า)",
                                  "Unfinished draft (not imported)"))
            continue
        xml = str(item.get("xml") or "").encode("utf-8")
        try:
            outcome = receive_submission(
                xml, _files_of(item), sender.username, f"import:{importer.username}",
                max_attachment_bytes=current_app.config["MAX_ATTACHMENT_BYTES"], sender=sender)
        except Exception:  # logged and the XML kept aside by receive_submission; the file still holds it
            rows.append(ImportRow(instance_id, form_id, kind, 500, "server_error", "ระบบบันทึกข้อมูลไม่สำเร็จ",
                                  "The server could not store it; import the file again later."))
            continue
        rows.append(ImportRow(outcome.instance_id or instance_id, form_id, kind, outcome.status, outcome.code,
                              outcome.message_th, outcome.message_en))
    db.session.commit()
    return rows

