"""Test submissions of a draft: checked and scored like real ones, kept apart, never counted. No Flask.

THE rule (docs/ARCHITECTURE.md, "Form lifecycle"): a test submission never becomes a `Submission`.
It is read by the same parser (app.xlsform.submission), re-validated by the same checker
(receiving._check: app.xlsform.revalidate over the draft's definition and media) and scored by the
same pure core (app.scoring.core.score over the draft's spec) — but it is stored only in
`test_submissions`, with its errors and score, and deleted with its draft on publish or discard. So
no list, export, API, report, committee page or typed report table (scores, monthly status rows,
household profiles, registry entities — everything receiving writes) can ever count it, whatever
query it runs: the rule is where the data goes, not a filter each query must remember.

Attachments are described (name, type, size, SHA-256) and not kept: the check needs their names, and
test data is thrown away. Answers follow receiving's: same instanceID + same bytes -> "already
received"; same instanceID + other bytes -> 409, nothing overwritten.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from app import db
from app.forms.receiving import (Files, ReceiveOutcome, _check, _clean_files, _Refused, is_blocking, read_submission,
                                 sha256_hex)
from app.models import FormDraft, SubmissionStatus, TestSubmission, utcnow

log = logging.getLogger(__name__)

RECEIVED = ("ได้รับข้อมูลทดสอบแล้ว (ไม่นับในรายงานใด ๆ และจะถูกลบเมื่อเผยแพร่)",
            "Test record received (counted in no report; deleted when the draft is published).")


def _refused(status: int, code: str, th: str, en: str, instance_id: str | None = None) -> ReceiveOutcome:
    return ReceiveOutcome(status, None, th, en, False, code=code, instance_id=instance_id)


def _score(draft: FormDraft, data: dict) -> dict | None:
    if not draft.scoring:
        return None
    from app.scoring.core import score

    try:
        return score(draft.scoring, data or {}).to_dict()
    except Exception:  # noqa: BLE001 - a scorer failure leaves the test record unscored, never lost
        log.exception("scoring a test submission of %s failed", draft.form_id)
        return None


def _earlier_draft_note(filled: str | None, draft: FormDraft) -> list[dict]:
    if (filled or None) == (draft.version or None):
        return []
    return [{"path": None, "node_path": None, "code": "earlier_draft", "level": "warning", "value": filled,
             "message_th": f"กรอกจากฉบับร่างก่อนหน้า (รุ่น {filled or '-'}) ตรวจกับฉบับร่างปัจจุบันแล้ว",
             "message_en": f"Filled on an earlier draft (version {filled or '-'}); checked against the current draft."}]


def _check_against(draft: FormDraft, parsed, names: set[str]) -> tuple[str, list[dict], dict, dict | None]:  # noqa: ANN001
    """Checked as if filled on the current draft: a record filled on an earlier draft (its workbook
    replaced since) gets a note, not a version mismatch."""
    from dataclasses import replace

    filled = parsed.version
    errors, data = _check(replace(parsed, version=draft.version or ""), draft, names)
    errors = errors + _earlier_draft_note(filled, draft)
    status = SubmissionStatus.NEEDS_CORRECTION if any(is_blocking(e) for e in errors) else SubmissionStatus.ACCEPTED
    return status, errors, data, _score(draft, data)


def receive_test_submission(draft: FormDraft, xml: bytes, files: Files | None, submitted_by: str | None,
                            *, sender=None, max_attachment_bytes: int | None = None) -> ReceiveOutcome:  # noqa: ANN001
    """File one test submission for `draft` and say what to answer (see the module docstring)."""
    from app.config import Config

    cleaned = _clean_files(files)
    # (issue 11 makes _clean_files also return the names two different files claimed: refused, as for real ones)
    files, clashes = cleaned if isinstance(cleaned, tuple) else (cleaned, [])
    if clashes:
        names = ", ".join(clashes)
        return _refused(400, "duplicate_attachment", f"มีไฟล์แนบต่างกันที่ใช้ชื่อเดียวกัน: {names}",
                        f"Different attachments were sent under the same name: {names}.")
    xml = xml or b""
    try:  # the same reading as every submission (receiving.read_submission): safe XML, an instanceID, sizes
        parsed = read_submission(xml, files, max_attachment_bytes or Config.MAX_ATTACHMENT_BYTES)
    except _Refused as refused:
        return _refused(refused.status, refused.code, refused.message_th, refused.message_en, refused.instance_id)
    iid = parsed.instance_id
    if parsed.form_id != draft.form_id:
        return _refused(400, "other_form", f"ข้อมูลนี้เป็นของแบบฟอร์ม '{parsed.form_id or ''}' ไม่ใช่ฉบับร่างของ {draft.form_id}",
                        f"This record belongs to form '{parsed.form_id or ''}', not to the draft of {draft.form_id}.", iid)
    content_hash = sha256_hex(xml)
    s = db.session()
    existing = s.scalar(select(TestSubmission).where(TestSubmission.draft_id == draft.id,
                                                     TestSubmission.instance_id == iid))
    if existing is not None:
        if existing.content_hash == content_hash:
            return ReceiveOutcome(201, existing, "ได้รับข้อมูลทดสอบนี้แล้วก่อนหน้านี้", "Test record already received.",
                                  False, code="duplicate", instance_id=iid, errors=existing.errors)
        return ReceiveOutcome(409, existing, f"มีข้อมูลทดสอบรหัส {iid} ที่เนื้อหาต่างกันอยู่แล้ว ไม่มีข้อมูลใดถูกเขียนทับ",
                              f"A different test record with instanceID {iid} is already stored; nothing was overwritten.",
                              False, code="conflict", instance_id=iid)
    status, errors, data, score = _check_against(draft, parsed, set(files))
    row = TestSubmission(
        draft_id=draft.id, instance_id=iid, filled_version=(parsed.version or None) and parsed.version[:255],
        xml=xml.decode("utf-8", errors="replace"), content_hash=content_hash, status=status, errors=errors,
        data=data, score=score, submitted_by=submitted_by, submitter_id=getattr(sender, "id", None),
        attachments=[{"filename": n, "content_type": t, "size": len(c), "sha256": sha256_hex(c)}
                     for n, (c, t) in sorted(files.items())],
        checked_hash=draft.content_hash)
    with db.transaction() as s:
        s.add(row)
    from app.auth import audit

    audit.record(audit.Action.DRAFT_TEST, "form_draft", draft.form_id,
                 {"form_id": draft.form_id, "instance_id": iid, "status": status}, actor=sender)
    th, en = RECEIVED
    if status != SubmissionStatus.ACCEPTED:
        n = sum(map(is_blocking, errors))
        th, en = f"{th} ต้องแก้ไข {n} รายการ", f"{en} It needs correction ({n} problem(s))."
    return ReceiveOutcome(201, row, th, en, True, code="created", instance_id=iid, errors=errors)


def recheck(draft: FormDraft) -> int:
    """Check every test submission of `draft` again against its current workbook (after the
    workbook or media changed); returns how many were checked."""
    from app.xlsform.submission import parse_submission

    rows = list(db.session.scalars(select(TestSubmission).where(TestSubmission.draft_id == draft.id)))
    if not rows:
        return 0
    with db.transaction():
        for row in rows:
            if row.checked_hash == draft.content_hash:
                continue
            try:
                parsed = parse_submission(row.xml.encode("utf-8"))
            except Exception:  # noqa: BLE001 - it was readable when received; keep it as it was
                log.exception("test submission %s no longer readable", row.instance_id)
                continue
            row.status, row.errors, row.data, row.score = _check_against(
                draft, parsed, {a["filename"] for a in row.attachments or []})
            row.checked_hash = draft.content_hash
            row.checked_at = utcnow()
    return len(rows)
