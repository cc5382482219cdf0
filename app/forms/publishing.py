"""Publish a workbook: convert it (app.xlsform.convert) and store an immutable FormVersion, in one
transaction. Republishing the same content is a no-op; a changed workbook needs a new version.

Uploads waiting for the Publish click live in the database (WorkbookUpload), not in memory, so
any app server behind the load balancer can finish the publish.

Media. The files a form names (FormDefinition.external_files: CSV/XML/GeoJSON for
select_one_from_file, pulldata, search and external instances; images, audio, video in labels) are
attached by staff next to the workbook (`attach_media`). Data files are checked (CSV: UTF-8 text with
a header row holding the columns the selects read; XML: well-formed, through defusedxml; GeoJSON:
JSON) and a missing one blocks publishing: the form cannot work without it. A missing image or sound
is a warning (the label still shows its text). Media are part of the version: their SHA-256s count
in the content hash, so a changed CSV makes a new version. Files the form does not name are ignored
with a warning. pyxform's own itemsets.csv is generated from the workbook and never uploaded.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import Blob, Form, FormMedia, FormVersion, WorkbookUpload
from app.registry.media import provided_by_registry  # groups.csv, villages.csv: served by the registry
from app.xlsform.convert import Conversion, convert_workbook
from app.xlsform.problems import Problem, WorkbookRejected
from app.xlsform.workbook import DEFAULT_MAX_BYTES

BANGKOK = timezone(timedelta(hours=7))
UPLOAD_TTL = timedelta(days=1)
MEDIA_TYPES = {".csv": "text/csv", ".xml": "text/xml", ".geojson": "application/geo+json",
               ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".mp3": "audio/mpeg",
               ".svg": "image/svg+xml", ".wav": "audio/wav", ".mp4": "video/mp4", ".json": "application/json"}
DATA_MEDIA = (".csv", ".xml", ".geojson")  # the form's logic reads these: missing -> not publishable
DEFAULT_MAX_MEDIA_BYTES = 10 * 1024 * 1024  # per file; app config MAX_MEDIA_BYTES
GENERATED_MEDIA = {"itemsets.csv"}  # written by pyxform from the workbook's external_choices sheet


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


def preview_workbook(filename: str, data: bytes, max_bytes: int | None = None,
                     media: Mapping[str, bytes] | None = None) -> Preview:
    """Convert (with the attached `media`) and compare with what is published, storing nothing.
    Raises WorkbookRejected."""
    conv = attach_media(convert_workbook(filename, data, _max_bytes(max_bytes)), media)
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


# --- media ------------------------------------------------------------------------------------

def media_name(filename: str) -> str:
    """The bare file name of an uploaded file (browsers may send a path)."""
    return PurePosixPath((filename or "").replace("\\", "/")).name


def _max_media_bytes() -> int:
    try:
        from flask import current_app

        return int(current_app.config.get("MAX_MEDIA_BYTES", DEFAULT_MAX_MEDIA_BYTES))
    except RuntimeError:
        return DEFAULT_MAX_MEDIA_BYTES


def _media_problem(name: str, th: str, en: str, hint_th: str = "", hint_en: str = "", level: str = "error",
                   code: str = "media_invalid") -> Problem:
    return Problem(message_th=th, message_en=en, hint_th=hint_th, hint_en=hint_en, column=name, level=level,
                   code=code)


def _columns_read(definition, name: str) -> list[str]:  # noqa: ANN001
    """Columns the form's selects read from the CSV `name` (value and label)."""
    out: list[str] = []
    if definition is None:
        return out
    for node in definition.nodes():
        its = getattr(node, "itemset", None)
        if its is None or its.external_file != name:
            continue
        for ref in (its.value_ref, its.label_ref):
            if ref and ref not in out and all(c.isalnum() or c in "_-." for c in ref):
                out.append(ref)
    return out


def _check_media_file(name: str, content: bytes, definition, limit: int) -> list[Problem]:  # noqa: ANN001
    if len(content) > limit:
        return [_media_problem(
            name, f"ไฟล์ {name} ใหญ่เกินไป (ไม่เกิน {limit // (1024 * 1024)} MB)",
            f"The file {name} is too large (at most {limit // (1024 * 1024)} MB).", code="media_too_large")]
    ext = PurePosixPath(name).suffix.lower()
    if ext == ".csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [_media_problem(
                name, f"ไฟล์ {name} ไม่ใช่ข้อความ UTF-8", f"The file {name} is not UTF-8 text.",
                "ใน Excel เลือก บันทึกเป็น > CSV UTF-8 (คั่นด้วยจุลภาค) แล้วแนบใหม่",
                "In Excel choose Save As > CSV UTF-8 (Comma delimited) and attach it again.")]
        if "\x00" in text:
            return [_media_problem(name, f"ไฟล์ {name} ไม่ใช่ไฟล์ CSV", f"The file {name} is not a CSV file.")]
        try:
            header = next(csv.reader(io.StringIO(text)), [])
        except csv.Error as e:
            return [_media_problem(name, f"อ่านไฟล์ CSV {name} ไม่ได้", f"The CSV file {name} cannot be read ({e}).")]
        header = [h.strip() for h in header]
        if not header or any(not h for h in header):
            return [_media_problem(
                name, f"ไฟล์ {name} ต้องมีแถวหัวตาราง (ชื่อคอลัมน์) ในแถวแรก และทุกคอลัมน์ต้องมีชื่อ",
                f"The file {name} needs a header row (column names) in its first line, with every column named.",
                "ใส่ชื่อคอลัมน์ในแถวแรก เช่น name,label", "Put the column names in the first line, e.g. name,label.")]
        missing = [c for c in _columns_read(definition, name)
                   if c not in header and not any(h.startswith(c + "::") for h in header)]
        if missing:
            cols = ", ".join(missing)
            return [_media_problem(
                name, f"ไฟล์ {name} ไม่มีคอลัมน์ {cols} ที่แบบฟอร์มใช้เป็นตัวเลือก",
                f"The file {name} has no column {cols}, which the form reads its choices from.",
                f"คอลัมน์ที่มี: {', '.join(header)}", f"Columns found: {', '.join(header)}")]
    elif ext == ".xml":
        from defusedxml import ElementTree as SafeET
        from defusedxml.common import DefusedXmlException

        try:
            SafeET.fromstring(content)
        except (SafeET.ParseError, DefusedXmlException, ValueError) as e:
            return [_media_problem(name, f"ไฟล์ {name} ไม่ใช่ XML ที่ถูกต้อง",
                                   f"The file {name} is not well-formed XML ({e}).")]
    elif ext == ".geojson":
        try:
            json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as e:
            return [_media_problem(name, f"ไฟล์ {name} ไม่ใช่ GeoJSON ที่ถูกต้อง",
                                   f"The file {name} is not valid GeoJSON ({e}).")]
    return []


def attach_media(conv: Conversion, media: Mapping[str, bytes] | None = None,
                 media_dir: Path | None = None, missing_ok: bool = False) -> Conversion:
    """The conversion with the media files its form names attached (see the module's docstring).
    Raises WorkbookRejected (with the form's warnings) for a missing or broken data file; with
    `missing_ok` (a draft, app/forms/drafts.py) a missing data file is a warning coded media_missing."""
    definition = conv.definition
    needed = [n for n in (definition.external_files if definition is not None else [])
              if n not in conv.media and n not in GENERATED_MEDIA
              and not (n not in (media or {}) and provided_by_registry(n, conv.xform, definition))]
    given = {media_name(k): v for k, v in (media or {}).items() if media_name(k)}
    if media_dir is not None:
        for name in needed:
            path = Path(media_dir) / name
            if name not in given and media_name(name) == name and path.is_file():
                given[name] = path.read_bytes()
    problems: list[Problem] = []
    attached: dict[str, bytes] = {}
    limit = _max_media_bytes()
    for name, content in sorted(given.items()):
        if name not in needed:
            problems.append(_media_problem(
                name, f"แบบฟอร์มไม่ได้ใช้ไฟล์ {name} จึงไม่ได้แนบไว้",
                f"The form does not use the file {name}; it was not attached.", level="warning",
                code="media_unused"))
            continue
        found = _check_media_file(name, content, definition, limit)
        problems += found
        if not found:
            attached[name] = content
    for name in needed:
        if name in given:
            continue
        data_file = PurePosixPath(name).suffix.lower() in DATA_MEDIA
        problems.append(_media_problem(
            name, f"ขาดไฟล์ {name} ที่แบบฟอร์มใช้" + ("" if data_file else " (จะแสดงเฉพาะข้อความแทน)"),
            f"The file {name} that the form uses is missing" + ("." if data_file else " (the text shows instead)."),
            "แนบไฟล์นี้ในช่อง ไฟล์ประกอบ พร้อมกับสมุดงาน (หรือวางไว้ในโฟลเดอร์เดียวกับสมุดงานเมื่อใช้คำสั่ง forms import)"
            if data_file else "",
            "Attach this file under Media files with the workbook (or put it in the workbook's folder for "
            "`forms import`)." if data_file else "",
            level="error" if data_file and not missing_ok else "warning", code="media_missing"))
    errors = [p for p in problems if p.is_error]
    if errors:
        raise WorkbookRejected(errors + list(conv.warnings) + [p for p in problems if not p.is_error])
    if not attached:
        return replace(conv, warnings=list(conv.warnings) + problems)
    digest = hashlib.sha256(json.dumps(
        [conv.content_hash, [[n, hashlib.sha256(c).hexdigest()] for n, c in sorted(attached.items())]],
        separators=(",", ":")).encode()).hexdigest()
    return replace(conv, media={**conv.media, **attached}, content_hash=digest,
                   warnings=list(conv.warnings) + problems)


def _new_version(taken: set[str]) -> str:
    candidate = datetime.now(BANGKOK).strftime("%Y%m%d%H%M")
    while candidate in taken:
        candidate = str(int(candidate) + 1)
    return candidate


def _media_type(filename: str) -> str:
    dot = filename.rfind(".")
    return MEDIA_TYPES.get(filename[dot:].lower(), "application/octet-stream") if dot >= 0 else \
        "application/octet-stream"


def publish_workbook(filename: str, data: bytes, published_by: str, max_bytes: int | None = None,
                     media: Mapping[str, bytes] | None = None, media_dir: Path | None = None) -> PublishResult:
    """Convert `data` and store it as a new FormVersion (creating the Form on first publish), with
    the media files the form names: from `media` (name -> bytes) or lying in `media_dir`.

    Same content as a published version -> that version, created=False. settings.version equal to a
    published version with other content -> WorkbookRejected. A data file the form names missing ->
    WorkbookRejected. Nothing is stored when it raises."""
    conv = attach_media(convert_workbook(filename, data, _max_bytes(max_bytes)), media, media_dir)
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

# The media attached to an upload wait beside it as rows "<token>.m<n>" (filename = the media name).
def _media_tokens(token: str):  # noqa: ANN202
    return WorkbookUpload.token.startswith(token + ".m", autoescape=True)


def store_upload(filename: str, data: bytes, uploaded_by: str | None = None,
                 media: Mapping[str, bytes] | None = None) -> str:
    """Keep an uploaded workbook (and its media) until it is published; returns its token. Drops
    stale uploads."""
    token = secrets.token_urlsafe(24)
    with db.transaction() as s:
        s.execute(delete(WorkbookUpload).where(WorkbookUpload.created_at < datetime.now(timezone.utc) - UPLOAD_TTL))
        s.add(WorkbookUpload(token=token, filename=(filename or "form.xlsx")[:255], content=data,
                             content_hash=hashlib.sha256(data).hexdigest(), uploaded_by=uploaded_by))
        for i, (name, content) in enumerate(sorted((media or {}).items())):
            s.add(WorkbookUpload(token=f"{token}.m{i}", filename=name[:255], content=content,
                                 content_hash=hashlib.sha256(content).hexdigest(), uploaded_by=uploaded_by))
    return token


def load_upload(token: str) -> WorkbookUpload | None:
    if "." in token:  # a media row is not an upload of its own
        return None
    return db.session().scalar(select(WorkbookUpload).where(WorkbookUpload.token == token))


def publish_upload(token: str, published_by: str) -> PublishResult | None:
    """Publish a stored upload (None if the token is unknown or expired); the upload is then removed."""
    upload = load_upload(token)
    if upload is None:
        return None
    media = {m.filename: m.content for m in db.session().scalars(select(WorkbookUpload).where(_media_tokens(token)))}
    result = publish_workbook(upload.filename, upload.content, published_by, media=media)
    with db.transaction() as s:
        s.execute(delete(WorkbookUpload).where(WorkbookUpload.token == token))
        s.execute(delete(WorkbookUpload).where(_media_tokens(token)))
    return result
