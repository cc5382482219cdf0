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
  (which stays, is_current=False). An edit must name the **current head** of a chain the sender may
  see, of the same form (as ODK Central): an edit of a record we do not hold (or may not show the
  sender, or of another form) is refused 409 and its bytes kept in quarantine; an edit of a record
  that was already edited is refused 409 and kept aside as a conflict beside the chain. The head
  steps down by a conditional UPDATE (only while it is still current), so two edits racing for one
  head end as one edit and one conflict. History is therefore a line that grows at its head: it can
  never fork or form a cycle, and every chain has exactly one current record.
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

from sqlalchemy import bindparam, func, insert, select
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
# The parts of a request as sent, in order, names possibly repeated: (filename, content, content_type)
FileParts = list[tuple[str, bytes, str]]

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
    # no_instance_id, too_deep, unknown_form, unknown_version, too_large, duplicate_attachment,
    # edit_of_unknown, edit_of_old_version, server_error.
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
                 form_id: str | None = None, version: str | None = None, instance_id: str | None = None,
                 keep: bool = True):
        super().__init__(message_en)
        self.status, self.code, self.keep = status, code, keep
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
    files, clashes = _clean_files(files)
    submitted_by, device_id = db.without_nul(submitted_by), db.without_nul(device_id)
    xml = xml or b""
    parsed = None
    try:
        try:
            if clashes:
                raise _duplicate_files(clashes)
            parsed, version = _identify(xml, files, max_attachment_bytes)
            for attempt in range(3):
                try:
                    return _file(xml, files, parsed, version, submitted_by, device_id, sender)
                except (IntegrityError, _HeadMoved) as exc:
                    # A concurrent request stored the same instanceID, or edited the same head, between
                    # our read and our commit; the next attempt reads what it did and answers for that.
                    db.session.rollback()
                    if attempt == 2:
                        raise
                    log.info("%s for %s; reading again", type(exc).__name__, parsed.instance_id)
            raise AssertionError("unreachable")
        except _Refused as refused:
            db.session.rollback()
            if refused.keep:
                _quarantine(xml, files, refused, submitted_by, device_id, max_attachment_bytes, sender)
            return ReceiveOutcome(refused.status, None, refused.message_th, refused.message_en, False,
                                  code=refused.code, instance_id=refused.instance_id)
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
    parsed = read_submission(xml, files, max_attachment_bytes)
    return parsed, _find_version(parsed)


def read_submission(xml: bytes, files: Files, max_attachment_bytes: int):  # noqa: ANN201 - ParsedSubmission
    """The checks every submission passes before its form is looked up (readable, safe XML, an
    instanceID, attachments within the limit); also a draft's test records (app/forms/draft_submissions.py).
    Raises _Refused."""
    from app.xlsform.submission import SubmissionUnreadable, parse_submission

    if not xml.strip():
        raise _Refused(400, "unreadable", "ไม่พบไฟล์ข้อมูลแบบสอบถาม (xml_submission_file)",
                       "The submission has no xml_submission_file part.")
    if len(xml) > Config.MAX_SUBMISSION_XML_BYTES:
        limit_mb = Config.MAX_SUBMISSION_XML_BYTES / (1024 * 1024)
        raise _Refused(413, "too_large", f"ไฟล์ข้อมูลแบบสอบถามใหญ่เกิน {limit_mb:g} MB",
                       f"The submission XML is larger than {limit_mb:g} MB.")
    if _DTD.search(xml):
        raise _Refused(400, "unreadable", "ไฟล์ข้อมูลมี DOCTYPE หรือ ENTITY ซึ่งไม่อนุญาต",
                       "The submission XML contains a DOCTYPE or ENTITY declaration, which is not allowed.")
    try:
        parsed = parse_submission(xml)
    except SubmissionUnreadable as e:
        # The reader refuses a missing instanceID, too deep or too large input too; keep each reason
        # apart for whoever reviews it.
        raise _Refused(413 if e.code == "too_large" else 400, e.code, f"อ่านไฟล์ข้อมูลไม่ได้: {e.message_th}",
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
    return parsed



def _find_version(parsed):  # noqa: ANN001, ANN201 - PublishedVersion
    form_id, version_name, instance_id = parsed.form_id, parsed.version, parsed.instance_id
    # The version's small columns, kept per process (versions are immutable): no query once known.
    # Its form's state (open/closing/closed) is not: it is read with the record's look-up (_file).
    version = published_version(form_id or "", version_name or "")
    if version is not None:
        return version
    form = db.session.scalar(select(Form).where(Form.form_id == (form_id or "")))
    if form is None:
        raise _unknown_form(form_id, version_name, instance_id)
    # the form is published but not this version (else published_version found it)
    raise _Refused(422, "unknown_version",
                   f"แบบสอบถาม '{form.form_id}' ไม่มีรุ่น '{version_name or ''}' กรุณาดาวน์โหลดแบบสอบถามใหม่",
                   f"Form '{form.form_id}' has no version '{version_name or ''}'. Download the form again.",
                   form_id, version_name, instance_id)


def _unknown_form(form_id: str | None, version_name: str | None, instance_id: str | None) -> _Refused:
    return _Refused(404, "unknown_form", f"ไม่พบแบบสอบถามรหัส '{form_id or ''}' บนเซิร์ฟเวอร์นี้",
                    f"No form with id '{form_id or ''}' is published on this server.",
                    form_id, version_name, instance_id)


def _closed(version, instance_id: str) -> _Refused:  # noqa: ANN001 - PublishedVersion
    """A closed form (app/forms/lifecycle.py) takes nothing new: refused, not kept (the device keeps
    its copy). Only a resend of what it already holds is let through (answered "already received")."""
    from app.forms.lifecycle import CLOSED_MESSAGE

    th, en = (m.format(form=version.form_id) for m in CLOSED_MESSAGE)
    return _Refused(422, "form_closed", th, en, version.form_id, version.version, instance_id, keep=False)


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
    found = s.execute(_STATE_AND_RECORD, {"form_pk": version.form_pk, "iid": parsed.instance_id}).first()
    if found is None:  # the form row is gone (deleted by hand) since its version was kept
        raise _unknown_form(version.form_id, version.version, parsed.instance_id)
    state, existing = found
    if state == "closed" and (existing is None or existing.content_hash != content_hash):
        raise _closed(version, parsed.instance_id)
    if existing is not None:
        if existing.content_hash == content_hash and _in_scope(existing, sender):
            return _resend(existing, files, parsed, version)
        return _conflict(existing, xml, content_hash, files, submitted_by, sender)

    previous: Submission | None = None
    root_instance_id = parsed.instance_id
    if parsed.deprecated_id:
        previous = s.scalar(select(Submission).where(Submission.instance_id == parsed.deprecated_id))
        if previous is None or not _in_scope(previous, sender) or previous.form_pk != version.form_pk:
            # Another district's record is answered exactly as one we do not hold.
            raise _Refused(
                409, "edit_of_unknown",
                f"ข้อมูลนี้เป็นการแก้ไขชุดข้อมูล {parsed.deprecated_id} ที่ไม่มีบนเซิร์ฟเวอร์ (deprecatedID) "
                "จึงเก็บแยกไว้ให้ผู้ดูแลตรวจสอบ กรุณาส่งข้อมูลฉบับเดิมก่อน หรือส่งเป็นชุดข้อมูลใหม่",
                f"This is an edit of {parsed.deprecated_id}, a record this server does not hold (deprecatedID). "
                "It was kept aside for an administrator; send the original first, or send it as a new record.",
                version.form.form_id, version.version, parsed.instance_id)
        if not previous.is_current:
            # Our instanceID was looked up before: a copy of this very edit that a concurrent request
            # (another app server) filed since is what stepped the head down. Then this is a resend:
            # read again (_HeadMoved), and the next attempt answers it as one.
            if s.scalar(select(Submission.id).where(Submission.instance_id == parsed.instance_id)) is not None:
                raise _HeadMoved()
            return _edit_of_old_version(previous, xml, content_hash, files, submitted_by, sender, parsed)
        root_instance_id = previous.root_instance_id
    errors, data = _check(parsed, version, set(files))
    status = SubmissionStatus.NEEDS_CORRECTION if any(is_blocking(e) for e in errors) else SubmissionStatus.ACCEPTED

    xml_text = _instance_text(xml)  # decoded by its own declaration: TIS-620 or UTF-16 arrive intact
    submission = Submission(
        instance_id=parsed.instance_id,
        form_pk=version.form_pk,
        form_version_id=version.id,
        deprecated_id=previous.instance_id if previous is not None else None,
        root_instance_id=root_instance_id,
        is_current=True,
        status=status,
        errors=errors,
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
        if previous is not None and not _step_down(s, previous, submission):
            raise _HeadMoved()
        _score(s, submission, version, new=True)
        _entities(s, submission, version)
        _otop(s, submission, version)
        _monthly(s, submission, version, new=True)
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
# The form's state and the record already held under this instanceID (if any), in one statement.
_STATE_AND_RECORD = (select(Form.state, Submission).select_from(Form)
                     .outerjoin(Submission, Submission.instance_id == bindparam("iid"))
                     .where(Form.id == bindparam("form_pk")))
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


def _otop(s, submission: Submission, version: FormVersion) -> None:
    """Inside the storing transaction, after the entity: the household profile and group-path rows the
    OTOP pages count (app/otop/store.py). A failure is logged and leaves the submission stored (savepoint)."""
    from app.otop.store import handles, record_submission

    if not handles(version):
        return  # most forms: no savepoint, no query
    try:
        with s.begin_nested():
            record_submission(s, submission, version)
    except Exception:
        log.exception("OTOP tables not written for %s", submission.instance_id)


class _HeadMoved(Exception):
    """Internal: the record an edit names stopped being current while the edit was being filed."""


def _step_down(s, head: Submission, edit: Submission) -> bool:  # noqa: ANN001
    """Inside the storing transaction: the chain's head steps down for `edit`, only if it is still
    current (a concurrent edit may have taken it); False when it was not."""
    from sqlalchemy import update

    moved = s.execute(update(Submission).where(Submission.id == head.id, Submission.is_current.is_(True))
                      .values(is_current=False, superseded_by_id=edit.id)
                      .execution_options(synchronize_session=False)).rowcount
    if moved == 1:
        head.is_current, head.superseded_by_id = False, edit.id
        return True
    return False


def _instance_text(xml: bytes) -> str:
    from app.xlsform.submission import instance_text

    return instance_text(xml)


def _duplicate_files(names: list[str]) -> _Refused:
    shown = ", ".join(names[:5])
    return _Refused(400, "duplicate_attachment",
                    f"มีไฟล์แนบต่างกันหลายไฟล์ใช้ชื่อเดียวกัน ({shown}) เซิร์ฟเวอร์จึงไม่รู้ว่าแบบสอบถามหมายถึงไฟล์ใด "
                    "ข้อมูลทั้งชุดถูกเก็บแยกไว้ให้ผู้ดูแลตรวจสอบ กรุณาตั้งชื่อไฟล์ไม่ให้ซ้ำแล้วส่งใหม่",
                    f"Different attachments share one name ({shown}), so the server cannot tell which one the form "
                    "means. The whole submission was kept aside for an administrator; give each file its own name "
                    "and send again.")


def _monthly(s, submission: Submission, version: FormVersion, new: bool = False) -> None:
    """Inside the storing transaction: the typed row of a monthly status report (app/reports/monthly.py).
    A failure is logged and leaves the submission stored (savepoint)."""
    from app.reports.monthly import monthly_paths, store_monthly_report

    if monthly_paths(version) is None:
        return  # not a monthly status form: no savepoint, no query
    try:
        with s.begin_nested():
            store_monthly_report(submission, version, new=new)
    except Exception:
        log.exception("monthly report of %s not stored", submission.instance_id)


def _district_of(sender) -> str | None:  # noqa: ANN001 - app.models.User
    from app.auth.scope import district_code_of

    return district_code_of(sender)


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
            _otop(s, existing, version)
            _monthly(s, existing, version)
        return ReceiveOutcome(201, existing, "ได้รับไฟล์แนบเพิ่มเติมแล้ว",
                              "Already received; the missing attachments were added.", False,
                              code="attachments_added", instance_id=existing.instance_id,
                              errors=existing.errors, attachments_added=sorted(missing))
    return ReceiveOutcome(201, existing, "ได้รับข้อมูลนี้แล้วก่อนหน้านี้", "Already received.", False,
                          code="duplicate", instance_id=existing.instance_id, errors=existing.errors)


def _edit_of_old_version(named: Submission, xml: bytes, content_hash: str, files: Files, submitted_by,
                         sender, parsed) -> ReceiveOutcome:  # noqa: ANN001
    """An edit of a record that was already edited: kept aside beside the chain (nothing replaced),
    409 naming the record that is current now, so the user edits that one."""
    head = db.session.scalar(select(Submission).where(
        Submission.root_instance_id == named.root_instance_id, Submission.is_current.is_(True)))
    current = head.instance_id if head is not None else named.superseded_by_id
    _keep_conflict(named, parsed.instance_id, xml, content_hash, files, submitted_by, sender)
    return ReceiveOutcome(
        409, named,
        f"ข้อมูล {named.instance_id} ถูกแก้ไขไปแล้ว (ฉบับล่าสุดคือ {current}) การแก้ไขนี้จึงเก็บแยกไว้ให้ผู้ดูแลตรวจสอบ "
        "ไม่มีข้อมูลใดถูกเขียนทับ กรุณาเปิดฉบับล่าสุดแล้วแก้ไขอีกครั้ง",
        f"{named.instance_id} was already edited (the current version is {current}). This edit was kept aside "
        "for review and nothing was overwritten; open the current version and edit that.",
        False, code="edit_of_old_version", instance_id=parsed.instance_id)


def _conflict(existing: Submission, xml: bytes, content_hash: str, files: Files, submitted_by,
              sender) -> ReceiveOutcome:  # noqa: ANN001 - sender: app.models.User
    """Different XML under a known instanceID: keep the copy aside (once per content), overwrite nothing."""
    _keep_conflict(existing, existing.instance_id, xml, content_hash, files, submitted_by, sender)
    return ReceiveOutcome(
        409, existing,
        f"มีข้อมูลรหัส {existing.instance_id} ที่เนื้อหาต่างกันอยู่แล้ว เก็บฉบับนี้แยกไว้ให้ผู้ดูแลตรวจสอบ ไม่มีข้อมูลใดถูกเขียนทับ",
        f"A different submission with instanceID {existing.instance_id} is already stored. "
        "This copy was kept aside for review; nothing was overwritten.",
        False, code="conflict", instance_id=existing.instance_id)


def _keep_conflict(existing: Submission, instance_id: str, xml: bytes, content_hash: str, files: Files,
                   submitted_by, sender) -> None:  # noqa: ANN001
    """A SubmissionConflict beside `existing` (once per instanceID and content; later files added)."""
    with db.transaction() as s:
        conflict = s.scalar(select(SubmissionConflict).where(
            SubmissionConflict.instance_id == instance_id,
            SubmissionConflict.content_hash == content_hash))
        described = []
        for name, (content, content_type) in files.items():
            sha = _store_blob(content)
            described.append({"filename": name, "content_type": content_type, "sha256": sha, "size": len(content)})
        if conflict is None:
            s.add(SubmissionConflict(
                instance_id=instance_id, submission_id=existing.id,
                xml=_instance_text(xml), content_hash=content_hash,
                attachments=described, submitted_by=submitted_by, district_code=_district_of(sender)))
        else:
            known = {a["filename"] for a in conflict.attachments or []}
            extra = [a for a in described if a["filename"] not in known]
            if extra:
                conflict.attachments = list(conflict.attachments or []) + extra


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
    # A failure of ours: the record is kept with what can still be read, and flagged, never accepted
    # unchecked.
    errors = [_error("server_check_failed", None, "เซิร์ฟเวอร์ตรวจข้อมูลนี้ไม่ได้ กรุณาแจ้งผู้ดูแลระบบ",
                     "The server could not check this submission; tell an administrator.")]
    try:
        data = extract_answers(parsed, definition)
    except Exception:
        log.exception("extract_answers failed for %s", parsed.instance_id)
        data = {}
    try:
        errors += [dict(e) for e in check_submission(parsed, definition, attachment_names)]
    except Exception:
        log.exception("check_submission failed for %s", parsed.instance_id)
    return errors, data


# Notes this module added to records stored before edits had to name the current head (kept when such
# a record is re-checked; the checker's own warnings are recomputed on every check).
_RECEIVING_NOTES = {"deprecated_id_unknown", "deprecated_id_other_form", "edit_of_old_version"}


def _error(code: str, value: Any, th: str, en: str) -> dict:
    return {"path": None, "node_path": None, "code": code, "level": "error",
            "message_th": th, "message_en": en, "value": value}


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


def _clean_files(files: Files | FileParts | None) -> tuple[Files, list[str]]:
    """Attachment names as plain file names (no directories: the XML names files by their base name),
    content types bounded; and the names two *different* files claimed (`dir1/same.jpg` and
    `dir2/same.jpg`, or one name sent twice with other bytes). Those are kept under numbered names
    ("same (2).jpg") so that a refused submission still keeps every byte; the same file sent twice
    is kept once."""
    parts = files.items() if isinstance(files, dict) else ((n, (c, t)) for n, c, t in files or ())
    cleaned: Files = {}
    clashes: list[str] = []
    for name, (content, content_type) in parts:
        # as the database will hold it (NUL -> U+FFFD, db.without_nul), so a resend compares like with like
        base = db.without_nul(posixpath.basename((name or "").replace("\\", "/")).strip()[:255]) or "attachment"
        if base in cleaned:
            if cleaned[base][0] == content:
                continue
            if base not in clashes:
                clashes.append(base)
            stem, dot, ext = base.rpartition(".") if "." in base else (base, "", "")
            n = 2
            while (renamed := f"{stem} ({n}){dot}{ext}") in cleaned:
                n += 1
            base = renamed
        cleaned[base] = (content, db.without_nul((content_type or "application/octet-stream")[:100]))
    return cleaned, clashes


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
