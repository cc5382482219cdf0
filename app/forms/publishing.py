"""Publish a workbook: convert it (app.xlsform.convert) and store an immutable FormVersion, in one
transaction. Republishing the same content is a no-op; a changed workbook needs a new version.

Uploads waiting for the Publish click live in the database (WorkbookUpload), not in memory, so
any app server behind the load balancer can finish the publish.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import Blob, Form, FormMedia, FormVersion, WorkbookUpload
from app.xlsform.convert import Conversion, convert_workbook
from app.xlsform.problems import Problem, WorkbookRejected
from app.xlsform.workbook import DEFAULT_MAX_BYTES

BANGKOK = timezone(timedelta(hours=7))
UPLOAD_TTL = timedelta(days=1)
MEDIA_TYPES = {".csv": "text/csv", ".xml": "text/xml", ".geojson": "application/geo+json",
               ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".mp3": "audio/mpeg"}


@dataclass
class PublishResult:
    form_version: FormVersion
    created: bool  # False: the same content was already published; form_version is that version
    problems: list[Problem] = field(default_factory=list)  # warnings (never errors)


@dataclass
class Preview:
    conversion: Conversion
    existing: FormVersion | None  # the version already published with this exact content, if any
    form_exists: bool
    problems: list[Problem] = field(default_factory=list)


def _max_bytes(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    try:
        from flask import current_app

        return int(current_app.config.get("MAX_WORKBOOK_BYTES", DEFAULT_MAX_BYTES))
    except RuntimeError:  # outside an app context
        return DEFAULT_MAX_BYTES


def _version_clash(form_id: str, version: str) -> Problem:
    return Problem(
        message_th=f"ฟอร์ม {form_id} รุ่น (version) {version} เผยแพร่ไปแล้วด้วยเนื้อหาที่ต่างกัน",
        message_en=f"Form {form_id} version {version} is already published with different content.",
        hint_th="เพิ่มเลขรุ่นในชีต settings คอลัมน์ version (เช่น จาก 2026010101 เป็น 2026010102) แล้วอัปโหลดใหม่ "
                "เพื่อไม่ให้ข้อมูลที่เก็บไปแล้วปนกับฟอร์มที่แก้ไข",
        hint_en="Increase the version on the settings sheet, column version (e.g. 2026010101 -> 2026010102), "
                "and upload again, so answers already collected stay tied to the old form.",
        sheet="settings", row=2, column="version", code="version_exists",
    )


def preview_workbook(filename: str, data: bytes, max_bytes: int | None = None) -> Preview:
    """Convert and compare with what is published, storing nothing. Raises WorkbookRejected."""
    conv = convert_workbook(filename, data, _max_bytes(max_bytes))
    s = db.session()
    form = s.scalar(select(Form).where(Form.form_id == conv.form_id))
    existing = None
    if form is not None:
        existing = s.scalar(select(FormVersion).where(
            FormVersion.form_pk == form.id, FormVersion.content_hash == conv.content_hash))
        if existing is None and conv.version is not None and s.scalar(select(FormVersion.id).where(
                FormVersion.form_pk == form.id, FormVersion.version == conv.version)) is not None:
            raise WorkbookRejected([_version_clash(conv.form_id, conv.version)] + conv.warnings)
    return Preview(conv, existing, form is not None, list(conv.warnings))


def _new_version(taken: set[str]) -> str:
    candidate = datetime.now(BANGKOK).strftime("%Y%m%d%H%M")
    while candidate in taken:
        candidate = str(int(candidate) + 1)
    return candidate


def _media_type(filename: str) -> str:
    dot = filename.rfind(".")
    return MEDIA_TYPES.get(filename[dot:].lower(), "application/octet-stream") if dot >= 0 else \
        "application/octet-stream"


def publish_workbook(filename: str, data: bytes, published_by: str, max_bytes: int | None = None) -> PublishResult:
    """Convert `data` and store it as a new FormVersion (creating the Form on first publish).

    Same content as a published version -> that version, created=False. settings.version equal to a
    published version with other content -> WorkbookRejected. Nothing is stored when it raises."""
    conv = convert_workbook(filename, data, _max_bytes(max_bytes))
    try:
        return _store(conv, filename, data, published_by)
    except IntegrityError:
        # Someone published the same form at the same moment: look again (likely the same content).
        db.session.rollback()
        return _store(conv, filename, data, published_by)


def _store(conv: Conversion, filename: str, data: bytes, published_by: str) -> PublishResult:
    with db.transaction() as s:
        form = s.scalar(select(Form).where(Form.form_id == conv.form_id))
        if form is not None:
            same = s.scalar(select(FormVersion).where(
                FormVersion.form_pk == form.id, FormVersion.content_hash == conv.content_hash))
            if same is not None:
                return PublishResult(same, False, list(conv.warnings))
            taken = set(s.scalars(select(FormVersion.version).where(FormVersion.form_pk == form.id)))
        else:
            taken = set()
            form = Form(form_id=conv.form_id, title=conv.title)
            s.add(form)
        if conv.version is None:
            conv = conv.with_version(_new_version(taken))
        elif conv.version in taken:
            raise WorkbookRejected([_version_clash(conv.form_id, conv.version)] + conv.warnings)
        form.title = conv.title
        version = FormVersion(
            form=form,
            version=conv.version,
            title=conv.title,
            xlsx_filename=(filename or "form.xlsx")[:255],
            xlsx=data,
            xform=conv.xform,
            survey=conv.survey,
            definition=conv.definition.to_dict() if conv.definition is not None else {},
            content_hash=conv.content_hash,
            warnings=[p.to_dict() for p in conv.warnings],
            scoring=conv.scoring,
            published_by=published_by,
        )
        s.add(version)
        for name, content in sorted(conv.media.items()):
            sha = hashlib.sha256(content).hexdigest()
            if s.get(Blob, sha) is None:
                s.add(Blob(sha256=sha, size=len(content), content=content))
            version.media.append(FormMedia(filename=name, content_type=_media_type(name), sha256=sha))
        s.flush()
    return PublishResult(version, True, list(conv.warnings))


# --- uploads waiting for the Publish click -------------------------------------------------------

def store_upload(filename: str, data: bytes, uploaded_by: str | None = None) -> str:
    """Keep an uploaded workbook until it is published; returns its token. Drops stale uploads."""
    token = secrets.token_urlsafe(24)
    with db.transaction() as s:
        s.execute(delete(WorkbookUpload).where(WorkbookUpload.created_at < datetime.now(timezone.utc) - UPLOAD_TTL))
        s.add(WorkbookUpload(token=token, filename=(filename or "form.xlsx")[:255], content=data,
                             content_hash=hashlib.sha256(data).hexdigest(), uploaded_by=uploaded_by))
    return token


def load_upload(token: str) -> WorkbookUpload | None:
    return db.session().scalar(select(WorkbookUpload).where(WorkbookUpload.token == token))


def publish_upload(token: str, published_by: str) -> PublishResult | None:
    """Publish a stored upload (None if the token is unknown or expired); the upload is then removed."""
    upload = load_upload(token)
    if upload is None:
        return None
    result = publish_workbook(upload.filename, upload.content, published_by)
    with db.transaction() as s:
        s.execute(delete(WorkbookUpload).where(WorkbookUpload.token == token))
    return result
