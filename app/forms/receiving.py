"""Receive one OpenRosa submission: file it under its form version, idempotently, never losing it.

No Flask here: the OpenRosa blueprint (and the CLI, benchmarks, tests) call `receive_submission`
with the XML bytes and the attachments, and turn the `ReceiveOutcome` into a response.

Rules (DESIGN.md, data flow 4-5):
- The instance root's `id` and `version` name the FormVersion; an old version stays valid.
- `meta/instanceID` makes a send idempotent. The same XML again (sha256) is "already received":
  no new record, but attachments the stored record lacks are added (ODK Collect splits a large
  submission over several POSTs carrying the same XML). Different XML under a known instanceID is a
  conflict: kept aside in SubmissionConflict with its files, nothing overwritten, 409.
- `meta/deprecatedID` makes the submission an edit: a new record that supersedes the one it names
  (which stays, is_current=False). An edit naming an instance we do not hold is accepted as a new
  record with a warning note, and its chain root is the named instance, so if the original arrives
  later it joins the chain already superseded.
- Answers are re-checked against the form; errors make the record "needs_correction" (still stored).
- Anything that cannot be filed under a form (unreadable XML, no instanceID, unknown form or
  version, an attachment over the size limit, a failure of ours) is kept in UnprocessableSubmission.
- A submission, its attachments and their blobs are written in one transaction; two identical POSTs
  racing each other end as one record (the unique instance_id decides, the loser reads it back).

Notes that are not errors (e.g. "deprecatedID unknown") are stored in `Submission.errors` with
`"level": "warning"`; only entries without a level or with level "error" make a record
"needs_correction".
"""
from __future__ import annotations

import hashlib
import logging
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from app import db
from app.forms.definitions import definition_of, media_of, published_version
from app.config import Config
from app.models import (
    Attachment,
    Blob,
    Form,
    FormVersion,
    Submission,
    SubmissionConflict,
    SubmissionStatus,
    UnprocessableSubmission,
    utcnow,
)

log = logging.getLogger(__name__)

# filename -> (content, content_type)
Files = dict[str, tuple[bytes, str]]

# A submission never needs a DTD; refusing one up front keeps entity-expansion bombs away from any parser.
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class ReceiveOutcome:
    status: int  # the HTTP status to answer
    submission: Submission | None
    message_th: str
    message_en: str
    created: bool  # a new Submission row was written
    # Machine-readable outcome: created, duplicate, attachments_added, conflict, unreadable,
    # no_instance_id, unknown_form, unknown_version, too_large, server_error.
    code: str = "created"
    instance_id: str | None = None
    errors: list[dict] = field(default_factory=list)
    attachments_added: list[str] = field(default_factory=list)

    @property
    def submission_status(self) -> str | None:
        return self.submission.status if self.submission is not None else None


class _Refused(Exception):
    """Internal: the submission cannot be filed; quarantine it and answer `status`."""

    def __init__(self, status: int, code: str, message_th: str, message_en: str,
                 form_id: str | None = None, version: str | None = None, instance_id: str | None = None):
        super().__init__(message_en)
        self.status, self.code = status, code
        self.message_th, self.message_en = message_th, message_en
        self.form_id, self.version, self.instance_id = form_id, version, instance_id


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_blocking(error: dict) -> bool:
    """True for a validation error; False for a note stored with level "warning"."""
    return error.get("level", "error") == "error"


def receive_submission(
    xml: bytes,
    files: Files,
    submitted_by: str | None,
    device_id: str | None = None,
    *,
    max_attachment_bytes: int | None = None,
    sender=None,  # noqa: ANN001 - app.models.User
) -> ReceiveOutcome:
    """File one submission (see the module docstring for the rules) and say what to answer.

    `sender` is the signed-in account: the record gets its id and district (app/auth/scope.py), and
    it may resend or edit (deprecatedID) only records it may see; a record outside its scope is
    treated as unknown (never touched, never linked). Without a sender (CLI, demo, tests) nothing is
    restricted."""
    if max_attachment_bytes is None:
        max_attachment_bytes = Config.MAX_ATTACHMENT_BYTES
    files = _clean_files(files)
    xml = xml or b""
    parsed = None
    try:
        try:
            parsed, version = _identify(xml, files, max_attachment_bytes)
        except _Refused as refused:
            _quarantine(xml, files, refused, submitted_by, device_id, max_attachment_bytes, sender)
            return ReceiveOutcome(refused.status, None, refused.message_th, refused.message_en, False,
                                  code=refused.code, instance_id=refused.instance_id)
        # Up to three attempts: another one runs when a concurrent request (on any app server) stored
        # the same instanceID between our read and our commit — it then finds that record and answers
        # as for a resend — and once more when that record differs and a concurrent request kept the
        # same conflicting copy first (one SubmissionConflict row per content).
        for attempt in range(3):
            try:
                return _file(xml, files, parsed, version, submitted_by, device_id, sender)
            except IntegrityError:
                db.session.rollback()
                if attempt == 2:
                    raise
                log.info("instanceID %s stored concurrently; reading it back", parsed.instance_id)
        raise AssertionError("unreachable")
    except Exception:
        db.session.rollback()
        instance_id = getattr(parsed, "instance_id", None)
        log.exception("could not store submission %s", instance_id)
        refused = _Refused(500, "server_error", "ระบบบันทึกข้อมูลไม่สำเร็จ", "The server could not store it.",
                           getattr(parsed, "form_id", None), getattr(parsed, "version", None), instance_id)
        try:
            # Keep the XML (not the files: the device still holds them and will send again).
            _quarantine(xml, files, refused, submitted_by, device_id, max_attachment_bytes, sender, keep_blobs=False)
        except Exception:
            db.session.rollback()
            log.exception("could not quarantine submission %s either", instance_id)
        raise


# --- identifying the form version ---------------------------------------------------------------

def _identify(xml: bytes, files: Files, max_attachment_bytes: int):
    from app.xlsform.submission import SubmissionUnreadable, parse_submission

    if not xml.strip():
        raise _Refused(400, "unreadable", "ไม่พบไฟล์ข้อมูลแบบสอบถาม (xml_submission_file)",
                       "The submission has no xml_submission_file part.")
    if _DTD.search(xml):
        raise _Refused(400, "unreadable", "ไฟล์ข้อมูลมี DOCTYPE หรือ ENTITY ซึ่งไม่อนุญาต",
                       "The submission XML contains a DOCTYPE or ENTITY declaration, which is not allowed.")
    try:
        parsed = parse_submission(xml)
    except SubmissionUnreadable as e:
        # The reader refuses a missing instanceID too; keep that reason apart for whoever reviews it.
        code = e.code
        raise _Refused(400, code, f"อ่านไฟล์ข้อมูลไม่ได้: {e.message_th}",
                       f"The submission XML cannot be read: {e.message_en}") from None
    except Exception:
        # A reader failure on odd input is still the input's problem for the device: answer 400
        # (not 500, which clients retry forever) and keep the bytes for an administrator.
        log.exception("parse_submission failed")
        raise _Refused(400, "unreadable", "อ่านไฟล์ข้อมูลไม่ได้", "The submission XML cannot be read.") from None

    form_id, version_name, instance_id = parsed.form_id, parsed.version, parsed.instance_id
    if not instance_id:
        raise _Refused(400, "no_instance_id", "ข้อมูลไม่มีรหัสชุดข้อมูล (meta/instanceID)",
                       "The submission has no meta/instanceID.", form_id, version_name)
    if len(instance_id) > 255 or (parsed.deprecated_id and len(parsed.deprecated_id) > 255):
        raise _Refused(400, "unreadable", "รหัสชุดข้อมูล (instanceID) ยาวเกินไป",
                       "The instanceID is too long.", form_id, version_name, instance_id[:255])

    too_big = [name for name, (content, _t) in files.items() if len(content) > max_attachment_bytes]
    if too_big:
        limit_mb = max_attachment_bytes / (1024 * 1024)
        names = ", ".join(too_big)
        raise _Refused(413, "too_large",
                       f"ไฟล์แนบใหญ่เกิน {limit_mb:g} MB: {names} กรุณาลดขนาดไฟล์แล้วส่งใหม่",
                       f"Attachment larger than {limit_mb:g} MB: {names}. Make it smaller and send again.",
                       form_id, version_name, instance_id)

    # The version's small columns, kept per process (versions are immutable): no query once known.
    version = published_version(form_id or "", version_name or "")
    if version is not None:
        return parsed, version
    form = db.session.scalar(select(Form).where(Form.form_id == (form_id or "")))
    if form is None:
        raise _Refused(404, "unknown_form", f"ไม่พบแบบสอบถามรหัส '{form_id or ''}' บนเซิร์ฟเวอร์นี้",
                       f"No form with id '{form_id or ''}' is published on this server.",
                       form_id, version_name, instance_id)
    if version is None:
        raise _Refused(422, "unknown_version",
                       f"แบบสอบถาม '{form.form_id}' ไม่มีรุ่น '{version_name or ''}' กรุณาดาวน์โหลดแบบสอบถามใหม่",
                       f"Form '{form.form_id}' has no version '{version_name or ''}'. Download the form again.",
                       form_id, version_name, instance_id)
    return parsed, version


# --- filing -------------------------------------------------------------------------------------

def _in_scope(sub: Submission | None, sender) -> bool:  # noqa: ANN001 - app.models.User
    """May `sender` resend/edit `sub`? (Always, without a sender.)"""
    if sub is None or sender is None:
        return True
    from app.auth.scope import may_see_submission

    return may_see_submission(sub, sender)


def _file(xml: bytes, files: Files, parsed, version: FormVersion, submitted_by, device_id,
          sender) -> ReceiveOutcome:  # noqa: ANN001 - sender: app.models.User
    content_hash = sha256_hex(xml)
    s = db.session()
    # One look-up for the record itself and for edits of it that arrived before it (out-of-order sync).
    found = s.scalars(_RECORD_AND_EARLY_EDITS, {"iid": parsed.instance_id}).all()
    existing = next((x for x in found if x.instance_id == parsed.instance_id), None)
    early_edits = sorted((x for x in found if x.instance_id != parsed.instance_id), key=lambda x: x.id)
    if existing is not None:
        if existing.content_hash == content_hash and _in_scope(existing, sender):
            return _resend(existing, files, parsed, version)
        return _conflict(existing, xml, content_hash, files, submitted_by, sender)

    errors, data = _check(parsed, version, set(files))
    notes: list[dict] = []
    deprecated_claim = parsed.deprecated_id or None
    root_instance_id = parsed.instance_id
    previous: Submission | None = None
    if parsed.deprecated_id:
        # Locked (PostgreSQL) until this transaction ends: two edits of one record arriving at once on
        # two app servers are filed one after the other, so the second steps the first down.
        previous = s.scalar(select(Submission).where(Submission.instance_id == parsed.deprecated_id)
                            .with_for_update())
        if previous is not None and not _in_scope(previous, sender):
            # Another district's record: treated exactly as unknown, and not linked to its chain.
            previous = None
            notes.append(_unknown_deprecated_note(parsed.deprecated_id))
            deprecated_claim = None
        elif previous is None:
            root_instance_id = parsed.deprecated_id
            notes.append(_unknown_deprecated_note(parsed.deprecated_id))
        elif previous.form_pk != version.form_pk:
            notes.append(_note("deprecated_id_other_form", parsed.deprecated_id,
                               "deprecatedID อ้างถึงข้อมูลของแบบสอบถามอื่น จึงไม่ได้แทนที่ข้อมูลเดิม",
                               "The deprecatedID names a record of another form; nothing was replaced."))
            previous = None
        else:
            root_instance_id = previous.root_instance_id
    status = SubmissionStatus.NEEDS_CORRECTION if any(is_blocking(e) for e in errors) else SubmissionStatus.ACCEPTED

    try:
        xml_text = xml.decode("utf-8")
    except UnicodeDecodeError:
        xml_text = xml.decode("utf-8", errors="replace")
    submission = Submission(
        instance_id=parsed.instance_id,
        form_pk=version.form_pk,
        form_version_id=version.id,
        deprecated_id=deprecated_claim,
        root_instance_id=root_instance_id,
        is_current=True,
        status=status,
        errors=errors + notes,
        xml=xml_text,
        content_hash=content_hash,
        data=data,
        instance_name=(parsed.instance_name or None) and parsed.instance_name[:500],
        submitted_by=submitted_by,
        submitter_id=getattr(sender, "id", None),
        # An edit of a record in the sender's scope stays in that record's district (an admin's or a
        # moved officer's correction must not take it out of its district office's view).
        district_code=previous.district_code if previous is not None else _district_of(sender),
        device_id=device_id,
    )
    with db.transaction() as s:
        for name, (content, content_type) in files.items():
            sha = _store_blob(content)
            submission.attachments.append(
                Attachment(filename=name, content_type=content_type, sha256=sha, size=len(content)))
        _add_and_insert(s, submission)
        _link_edit_chain(s, submission, previous, deprecated_claim, early_edits)
        _score(s, submission, version, new=True)
        _entities(s, submission, version)
        if submission.deprecated_id:  # a correction: audited in the same transaction, never lost or doubled
            from app.auth import audit

            audit.record(audit.Action.CORRECT, "submission", submission.instance_id,
                         {"form_id": version.form.form_id, "replaces": submission.deprecated_id},
                         actor=sender, commit=False)
    if status == SubmissionStatus.ACCEPTED:
        th, en = "ได้รับข้อมูลแล้ว", "Submission received."
    else:
        th = f"ได้รับข้อมูลแล้ว แต่ต้องแก้ไข {sum(map(is_blocking, errors))} รายการ"
        en = f"Submission received, but it needs correction ({sum(map(is_blocking, errors))} problem(s))."
    return ReceiveOutcome(201, submission, th, en, True, code="created",
                          instance_id=submission.instance_id, errors=submission.errors)


# Statements of the hot path, built once (building a statement costs more than running it).
_RECORD_AND_EARLY_EDITS = select(Submission).where(or_(Submission.instance_id == bindparam("iid"),
                                                       Submission.deprecated_id == bindparam("iid")))
_INSERT_SUBMISSION = insert(Submission.__table__).returning(Submission.__table__.c.id)


def _add_and_insert(s, submission: Submission) -> None:  # noqa: ANN001
    """`s.add(submission); s.flush()`, cheaper for a submission without attachments: one Core INSERT
    (the ORM's unit of work costs more than the statement), after which the object is persistent in
    the session as if loaded; later changes to it are flushed as UPDATEs as usual."""
    if submission.attachments:
        s.add(submission)
        s.flush()
        return
    from sqlalchemy.orm import make_transient_to_detached

    table = Submission.__table__
    values = {}
    for column in table.columns:
        if column.key == "id":
            continue
        value = getattr(submission, column.key)
        if value is None and column.default is not None:
            value = column.default.arg if column.default.is_scalar else column.default.arg(None)
            setattr(submission, column.key, value)
        values[column.key] = value
    submission.id = s.connection().execute(_INSERT_SUBMISSION, values).scalar_one()
    make_transient_to_detached(submission)
    s.add(submission)


def _score(s, submission: Submission, version: FormVersion, new: bool = False) -> None:
    """Inside the storing transaction: the score rows of a scored form (app/scoring/store.py), and
    for an edit the chain's scores follow their records' is_current. A failure of the scorer is
    logged and leaves the submission unscored, never unsaved. The score is computed before anything
    is written and its rows are plain INSERTs (no savepoint); on PostgreSQL a database error while
    writing them fails the whole transaction, so the submission is answered 500 and kept aside, and
    the device sends it again. `new`: the submission was stored in this transaction."""
    if not version.scoring and not submission.deprecated_id:
        return
    from app.scoring.store import rescore, sync_current

    try:
        if version.scoring:
            rescore(submission, version, new=new)
        if submission.deprecated_id:
            sync_current(submission)
    except Exception:
        log.exception("scoring failed for %s; stored unscored", submission.instance_id)


def _entities(s, submission: Submission, version: FormVersion) -> None:
    """Inside the storing transaction: the registry entity a form with an `entities` sheet makes
    (app/registry/entities.py). A failure is logged and leaves the submission stored (savepoint)."""
    from app.registry.entities import apply_entities, entity_spec_of

    try:
        if entity_spec_of(s, version) is None:
            return  # the form makes no entity (most forms): no savepoint
        with s.begin_nested():
            apply_entities(s, submission, version)
    except Exception:
        log.exception("entity of %s not created", submission.instance_id)


def _link_edit_chain(s, submission: Submission, previous: Submission | None, deprecated_id: str | None,
                     early_edits: list[Submission]) -> None:
    """Inside the storing transaction: the record this one edits steps down; edits of this one that
    arrived before it (out-of-order sync; `early_edits`, read with the look-up of its instanceID)
    join its chain and make it step down. A new record that edits nothing costs no query here."""
    if previous is not None:
        # The chain's current record (normally `previous` itself; another edit of it when two
        # devices edited the same record) steps down; every record stays.
        current = s.scalars(select(Submission).where(
            Submission.root_instance_id == previous.root_instance_id,
            Submission.is_current.is_(True), Submission.id != submission.id)).all()
        for old in current:
            old.is_current = False
            old.superseded_by_id = submission.id
        if not previous.is_current and previous.superseded_by_id not in (None, submission.id):
            submission.errors = submission.errors + [_note(
                "edit_of_old_version", deprecated_id,
                "ข้อมูลนี้แก้ไขจากฉบับที่ถูกแก้ไขไปแล้ว กรุณาตรวจสอบว่าไม่มีข้อมูลตกหล่น",
                "This edit was made on a version that had already been edited; check nothing was lost.")]
    # Edits that named this instance before it arrived were rooted at it: move them to our root.
    if submission.root_instance_id != submission.instance_id:
        for early in s.scalars(select(Submission).where(
                Submission.root_instance_id == submission.instance_id, Submission.id != submission.id)):
            early.root_instance_id = submission.root_instance_id
    later = early_edits[0] if early_edits else None
    if later is not None and not _early_edit_in_scope(later, submission):
        later = None
    if later is not None:
        submission.is_current = False
        submission.superseded_by_id = later.id


def _district_of(sender) -> str | None:  # noqa: ANN001 - app.models.User
    from app.auth.scope import district_code_of

    return district_code_of(sender)


def _early_edit_in_scope(edit: Submission, original: Submission) -> bool:
    """An edit that arrived before its original counts only if its sender may see the original."""
    if edit.submitter_id is None:
        return True
    from app.auth.scope import may_see_submission
    from app.models import User

    return may_see_submission(original, db.session.get(User, edit.submitter_id))


def _resend(existing: Submission, files: Files, parsed, version: FormVersion) -> ReceiveOutcome:
    """The same XML again: add the attachments the record lacks (multi-POST sends), re-check."""
    have = {a.filename for a in existing.attachments}
    missing = {name: f for name, f in files.items() if name not in have}
    if missing:
        with db.transaction() as s:
            for name, (content, content_type) in sorted(missing.items()):
                sha = _store_blob(content)
                existing.attachments.append(
                    Attachment(filename=name, content_type=content_type, sha256=sha, size=len(content)))
            names = have | set(missing)
            # A file missing on the first POST may have been an error; check again with all files.
            errors, data = _check(parsed, version, names)
            notes = [e for e in (existing.errors or []) if e.get("code") in _RECEIVING_NOTES]
            existing.errors = errors + notes
            existing.data = data
            existing.status = (SubmissionStatus.NEEDS_CORRECTION if any(map(is_blocking, errors))
                               else SubmissionStatus.ACCEPTED)
            s.flush()
            _score(s, existing, version)
            _entities(s, existing, version)
        return ReceiveOutcome(201, existing, "ได้รับไฟล์แนบเพิ่มเติมแล้ว",
                              "Already received; the missing attachments were added.", False,
                              code="attachments_added", instance_id=existing.instance_id,
                              errors=existing.errors, attachments_added=sorted(missing))
    return ReceiveOutcome(201, existing, "ได้รับข้อมูลนี้แล้วก่อนหน้านี้", "Already received.", False,
                          code="duplicate", instance_id=existing.instance_id, errors=existing.errors)


def _conflict(existing: Submission, xml: bytes, content_hash: str, files: Files, submitted_by,
              sender) -> ReceiveOutcome:  # noqa: ANN001 - sender: app.models.User
    """Different XML under a known instanceID: keep the copy aside (once per content), overwrite nothing."""
    with db.transaction() as s:
        conflict = s.scalar(select(SubmissionConflict).where(
            SubmissionConflict.instance_id == existing.instance_id,
            SubmissionConflict.content_hash == content_hash))
        described = []
        for name, (content, content_type) in files.items():
            sha = _store_blob(content)
            described.append({"filename": name, "content_type": content_type, "sha256": sha, "size": len(content)})
        if conflict is None:
            s.add(SubmissionConflict(
                instance_id=existing.instance_id, submission_id=existing.id,
                xml=xml.decode("utf-8", errors="replace"), content_hash=content_hash,
                attachments=described, submitted_by=submitted_by, district_code=_district_of(sender)))
        else:
            known = {a["filename"] for a in conflict.attachments or []}
            extra = [a for a in described if a["filename"] not in known]
            if extra:
                conflict.attachments = list(conflict.attachments or []) + extra
    return ReceiveOutcome(
        409, existing,
        f"มีข้อมูลรหัส {existing.instance_id} ที่เนื้อหาต่างกันอยู่แล้ว เก็บฉบับนี้แยกไว้ให้ผู้ดูแลตรวจสอบ ไม่มีข้อมูลใดถูกเขียนทับ",
        f"A different submission with instanceID {existing.instance_id} is already stored. "
        "This copy was kept aside for review; nothing was overwritten.",
        False, code="conflict", instance_id=existing.instance_id)


def _check(parsed, version: FormVersion, attachment_names: set[str]) -> tuple[list[dict], dict]:
    """Validation errors and answers; a failure of the checker itself never loses the submission.

    The form's logic (relevance, calculates, required, constraints) is re-evaluated by
    app.xlsform.revalidate; the stored data carries the server's calculates."""
    from app.xlsform.revalidate import media_needed, revalidate
    from app.xlsform.submission import check_submission, extract_answers

    try:
        definition = definition_of(version)
    except Exception:
        log.exception("form version %s has an unreadable definition", version.id)
        return [_error("server_check_failed", None, "เซิร์ฟเวอร์ตรวจข้อมูลนี้ไม่ได้ กรุณาแจ้งผู้ดูแลระบบ",
                       "The server could not check this submission; tell an administrator.")], {}
    try:
        needed = media_needed(definition)  # CSVs read by pulldata()/instance(); usually none
        media = media_of(version, needed) if needed else None
        result = revalidate(parsed, definition, attachment_names, media=media)
        return [dict(e) for e in result.errors], result.data
    except Exception:
        log.exception("revalidate failed for %s; plain checks only", parsed.instance_id)
    try:
        data = extract_answers(parsed, definition)
    except Exception:
        log.exception("extract_answers failed for %s", parsed.instance_id)
        data = {}
    try:
        errors = [dict(e) for e in check_submission(parsed, definition, attachment_names)]
    except Exception:
        log.exception("check_submission failed for %s", parsed.instance_id)
        errors = [_error("server_check_failed", None, "เซิร์ฟเวอร์ตรวจข้อมูลนี้ไม่ได้ กรุณาแจ้งผู้ดูแลระบบ",
                         "The server could not check this submission; tell an administrator.")]
    return errors, data


# Notes this module adds (the checker's own warnings are recomputed on every check).
_RECEIVING_NOTES = {"deprecated_id_unknown", "deprecated_id_other_form", "edit_of_old_version"}


def _error(code: str, value: Any, th: str, en: str) -> dict:
    return {"path": None, "node_path": None, "code": code, "level": "error",
            "message_th": th, "message_en": en, "value": value}


def _note(code: str, value: Any, th: str, en: str) -> dict:
    return {**_error(code, value, th, en), "level": "warning"}


def _unknown_deprecated_note(deprecated_id: str) -> dict:
    return _note("deprecated_id_unknown", deprecated_id,
                 "ข้อมูลนี้เป็นการแก้ไขชุดข้อมูลที่เซิร์ฟเวอร์ยังไม่มี (deprecatedID) จึงบันทึกเป็นชุดใหม่",
                 "This edit names a record the server does not hold (deprecatedID); it was stored as a new record.")


# --- storage helpers ----------------------------------------------------------------------------

def _store_blob(content: bytes) -> str:
    """Insert the bytes under their sha256 unless already there; safe against a concurrent insert."""
    sha = sha256_hex(content)
    s = db.session()
    dialect = s.get_bind().dialect.name
    values = {"sha256": sha, "size": len(content), "content": content}
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        s.execute(pg_insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        s.execute(sqlite_insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
    elif s.scalar(select(func.count()).select_from(Blob).where(Blob.sha256 == sha)) == 0:
        s.execute(insert(Blob).values(**values))
    return sha


def _clean_files(files: Files | None) -> Files:
    """Attachment names as plain file names (no directories), content types bounded."""
    cleaned: Files = {}
    for name, (content, content_type) in (files or {}).items():
        base = posixpath.basename((name or "").replace("\\", "/")).strip()[:255] or "attachment"
        cleaned[base] = (content, (content_type or "application/octet-stream")[:100])
    return cleaned


def _quarantine(xml: bytes, files: Files, refused: _Refused, submitted_by, device_id,
                max_attachment_bytes: int, sender, keep_blobs: bool = True) -> None:  # noqa: ANN001
    """Keep what could not be filed. The same bytes refused for the same reason are kept once."""
    content_hash = sha256_hex(xml)
    with db.transaction() as s:
        described = []
        for name, (content, content_type) in files.items():
            store = keep_blobs and len(content) <= max_attachment_bytes
            sha = _store_blob(content) if store else sha256_hex(content)
            described.append({"filename": name, "content_type": content_type, "sha256": sha,
                              "size": len(content), "stored": store})
        row = s.scalar(select(UnprocessableSubmission).where(
            UnprocessableSubmission.content_hash == content_hash,
            UnprocessableSubmission.reason_code == refused.code).order_by(UnprocessableSubmission.id))
        if row is None:
            s.add(UnprocessableSubmission(
                xml=xml, content_hash=content_hash, reason_code=refused.code,
                reason_th=refused.message_th, reason_en=refused.message_en,
                form_id=(refused.form_id or None) and refused.form_id[:255],
                version=(refused.version or None) and refused.version[:255],
                instance_id=(refused.instance_id or None) and refused.instance_id[:255],
                attachments=described, submitted_by=submitted_by, district_code=_district_of(sender),
                device_id=device_id))
        else:
            row.times_received = (row.times_received or 1) + 1
            row.last_received_at = utcnow()
            by_name = {a["filename"]: a for a in row.attachments or []}
            for a in described:
                if a["filename"] not in by_name or (a["stored"] and not by_name[a["filename"]].get("stored")):
                    by_name[a["filename"]] = a
            row.attachments = list(by_name.values())
