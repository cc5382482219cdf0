"""Drafts: the next version of a form, tried on tablets before officers get it. No Flask here.

Rules (ODK Central's, plus what staff here need):
- One draft per form_id (FormDraft). Uploading a workbook for a form that exists makes or replaces
  its draft; a first upload may be published at once or kept as a draft of a form with no version
  yet (listed for staff only; officers, /formList and the offline manifest see forms only once a
  version is published).
- A draft may lack a data file its form names (a CSV for select_one_from_file or pulldata): it is
  kept, naming the files to attach (`missing_media`), instead of refusing the upload and losing it.
  Attaching them later re-converts the draft. Files attached before are kept when the workbook is
  replaced (unless the new workbook no longer names them).
- Replacing the workbook keeps the draft's test link and test submissions and re-checks them against
  the new workbook (app/forms/draft_submissions.py).
- Publishing runs the normal publish path (app.forms.publishing.publish_workbook) on the draft's
  workbook and media, after `blockers()`: no missing file, a version that is new and sorts after the
  latest published one (app/xlsform/versions.py), content that differs from every published version.
  The draft and its test submissions are then deleted (test data is never kept).
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sqlalchemy import select

from app import db
from app.forms import publishing
from app.models import Blob, Form, FormDraft, FormDraftMedia, FormVersion, utcnow
from app.xlsform.convert import convert_workbook
from app.xlsform.problems import Problem, WorkbookRejected
from app.xlsform.versions import is_newer, next_version


@dataclass
class DraftResult:
    draft: FormDraft
    created: bool  # a new draft (False: an existing draft's workbook or media were replaced)
    problems: list[Problem] = field(default_factory=list)  # warnings
    rechecked: int = 0  # test submissions checked again against the new workbook


def actor_for(by: str):  # noqa: ANN201 - a User or a name, as app.auth.audit.record takes it
    """The signed-in user when `by` is them (the audit row then carries their id), else the name."""
    from flask import g, has_request_context

    user = g.get("user") if has_request_context() else None
    return user if user is not None and user.username == by else by


def find_draft(form_id: str) -> FormDraft | None:
    return db.session.scalar(select(FormDraft).where(FormDraft.form_id == form_id))


def find_draft_by_token(form_id: str, token: str) -> FormDraft | None:
    draft = find_draft(form_id)
    if draft is None or not secrets.compare_digest(draft.token.encode(), (token or "").encode()):
        return None
    return draft


def media_bytes(draft: FormDraft) -> dict[str, bytes]:
    return {m.filename: m.blob.content for m in draft.media}


def _split_missing(warnings: list[Problem]) -> tuple[list[str], list[Problem]]:
    """(data files the form names that are missing, the other warnings)."""
    missing, rest = [], []
    for p in warnings:
        if p.code == "media_missing" and PurePosixPath(p.column or "").suffix.lower() in publishing.DATA_MEDIA:
            missing.append(p.column)
        else:
            rest.append(p)
    return missing, rest


def save_draft(filename: str, data: bytes, by: str, media: Mapping[str, bytes] | None = None,
               max_bytes: int | None = None) -> DraftResult:
    """Make or replace the draft of the workbook's form (see the module docstring). Raises
    WorkbookRejected for a workbook that cannot be converted or a broken media file."""
    conv = convert_workbook(filename, data, publishing._max_bytes(max_bytes))
    existing = find_draft(conv.form_id)
    given = {publishing.media_name(k): v for k, v in (media or {}).items() if publishing.media_name(k)}
    if existing is not None:  # files attached before stay attached
        for name, content in media_bytes(existing).items():
            given.setdefault(name, content)
    needed = set(conv.definition.external_files if conv.definition is not None else [])
    fresh = {publishing.media_name(k) for k in (media or {})}
    given = {k: v for k, v in given.items() if k in needed or k in fresh}
    conv = publishing.attach_media(conv, given, missing_ok=True)
    missing, warnings = _split_missing(list(conv.warnings))
    with db.transaction() as s:
        draft = s.scalar(select(FormDraft).where(FormDraft.form_id == conv.form_id))
        created = draft is None
        if created:
            draft = FormDraft(form_id=conv.form_id, token=secrets.token_urlsafe(24), created_by=by)
            s.add(draft)
        draft.version = conv.version
        draft.title = conv.title
        draft.xlsx_filename = (filename or "form.xlsx")[:255]
        draft.xlsx = data
        draft.xform = conv.xform
        draft.survey = conv.survey
        draft.definition = conv.definition.to_dict() if conv.definition is not None else {}
        draft.content_hash = conv.content_hash
        draft.warnings = [p.to_dict() for p in warnings]
        draft.scoring = conv.scoring
        draft.missing_media = missing
        draft.updated_by = by
        draft.updated_at = utcnow()
        draft.media.clear()
        s.flush()
        for name, content in sorted(conv.media.items()):
            sha = hashlib.sha256(content).hexdigest()
            if s.get(Blob, sha) is None:
                s.add(Blob(sha256=sha, size=len(content), content=content))
            draft.media.append(FormDraftMedia(filename=name, content_type=publishing._media_type(name), sha256=sha))
        s.flush()
    from app.forms.draft_submissions import recheck

    rechecked = recheck(draft)
    from app.auth import audit

    audit.record(audit.Action.DRAFT_UPLOAD, "form_draft", draft.form_id,
                 {"form_id": draft.form_id, "version": draft.version, "filename": draft.xlsx_filename,
                  "replaced": not created, "media": sorted(conv.media), "missing_media": missing,
                  "test_submissions_rechecked": rechecked}, actor=actor_for(by))
    return DraftResult(draft, created, warnings, rechecked)


def attach_draft_media(draft: FormDraft, media: Mapping[str, bytes], by: str) -> DraftResult:
    """Attach (or replace) media files of a draft; its workbook is converted again with them."""
    return save_draft(draft.xlsx_filename, draft.xlsx, by, media=media)


# --- what a draft still needs --------------------------------------------------------------------

def form_of(draft: FormDraft) -> Form | None:
    """The published form the draft is the next version of (None: a new form). By form_id, so a form
    published by other means (`forms import`) after the draft was made is found too."""
    return db.session.scalar(select(Form).where(Form.form_id == draft.form_id))


def published_versions(draft: FormDraft) -> list[FormVersion]:
    return list(db.session.scalars(select(FormVersion).join(Form).where(Form.form_id == draft.form_id)
                                   .order_by(FormVersion.id)))


def suggested_version(draft: FormDraft) -> str:
    """A version that would be accepted: after the latest published one (or now's timestamp)."""
    versions = published_versions(draft)
    taken = {v.version for v in versions}
    if not versions:
        return publishing._new_version(taken)
    auto = publishing._new_version(taken)
    return auto if is_newer(auto, versions[-1].version) else next_version(versions[-1].version, taken)


def blockers(draft: FormDraft) -> list[Problem]:
    """Why the draft cannot be published yet (empty: it can), each in Thai and English with a hint."""
    out: list[Problem] = []
    for name in draft.missing_media or []:
        out.append(Problem(
            f"ขาดไฟล์ {name} ที่แบบฟอร์มใช้", f"The file {name} that the form uses is missing.",
            "แนบไฟล์นี้ในช่อง แนบไฟล์ประกอบ ด้านล่าง", "Attach it under Attach media files below.",
            column=name, code="media_missing"))
    versions = published_versions(draft)
    if not versions:
        return out
    latest = versions[-1]
    same = next((v for v in versions if v.content_hash == draft.content_hash), None)
    if same is not None:
        out.append(Problem(
            f"ฉบับร่างนี้เหมือนรุ่น {same.version} ที่เผยแพร่แล้วทุกประการ",
            f"This draft is the same as the published version {same.version}.",
            "แก้ไขสมุดงานแล้วอัปโหลดใหม่ หรือใช้ เผยแพร่รุ่นนี้อีกครั้ง ในหน้ารายละเอียดแบบฟอร์ม",
            "Change the workbook and upload it again, or use Publish again on the form's page.",
            code="draft_unchanged"))
        return out
    taken = {v.version for v in versions}
    suggestion = suggested_version(draft)
    if draft.version is None:
        if not is_newer(publishing._new_version(taken), latest.version):
            out.append(_version_problem(
                "สมุดงานไม่ได้กำหนดรุ่น และรุ่นที่ระบบจะตั้งให้ไม่ได้ใหม่กว่ารุ่นล่าสุด "
                f"({latest.version})",
                f"The workbook sets no version, and the one the server would give is not newer than the "
                f"latest ({latest.version}).", suggestion))
    elif draft.version in taken:
        out.append(_version_problem(
            f"รุ่น {draft.version} เผยแพร่ไปแล้ว", f"Version {draft.version} is already published.", suggestion))
    elif not is_newer(draft.version, latest.version):
        out.append(_version_problem(
            f"รุ่น {draft.version} ไม่ได้ใหม่กว่ารุ่นล่าสุด ({latest.version})",
            f"Version {draft.version} does not come after the latest version ({latest.version}).", suggestion))
    return out


def _version_problem(th: str, en: str, suggestion: str) -> Problem:
    return Problem(th, en, f"ในชีต settings คอลัมน์ version ใส่รุ่นใหม่ เช่น {suggestion} แล้วอัปโหลดใหม่",
                   f"On the settings sheet, column version, write a newer version such as {suggestion} and "
                   "upload the workbook again.", sheet="settings", row=2, column="version", code="version_not_newer")


# --- publish / discard ---------------------------------------------------------------------------

def publish_draft(draft: FormDraft, by: str) -> publishing.PublishResult:
    """Publish the draft as the next version and delete it with its test submissions.
    Raises WorkbookRejected (the draft stays) when blockers() is not empty or publishing refuses."""
    problems = blockers(draft)
    if problems:
        raise WorkbookRejected(problems)
    tests = len(draft.test_submissions)
    result = publishing.publish_workbook(draft.xlsx_filename, draft.xlsx, by, media=media_bytes(draft))
    fv = result.form_version
    with db.transaction() as s:
        s.delete(draft)
    from app.auth import audit

    audit.record(audit.Action.PUBLISH, "form_version", f"{fv.form.form_id}@{fv.version}",
                 {"form_id": fv.form.form_id, "version": fv.version, "filename": fv.xlsx_filename,
                  "from_draft": True, "test_submissions_discarded": tests}, actor=actor_for(by))
    return result


def discard_draft(draft: FormDraft, by: str) -> int:
    """Delete the draft and its test submissions; returns how many test submissions went with it."""
    tests = len(draft.test_submissions)
    form_id = draft.form_id
    with db.transaction() as s:
        s.delete(draft)
    from app.auth import audit

    audit.record(audit.Action.DRAFT_DISCARD, "form_draft", form_id,
                 {"form_id": form_id, "test_submissions_discarded": tests}, actor=actor_for(by))
    return tests


# --- the upload page's preview ---------------------------------------------------------------------

@dataclass
class UploadPreview:
    """What the upload page offers for a workbook. `draft_only`: the form exists (a new version is
    made as a draft first), it already has a draft, or a data file is missing; otherwise a first
    upload may be published at once (or kept as a draft)."""

    conversion: object  # app.xlsform.convert.Conversion, media attached
    existing: FormVersion | None  # a published version with this exact content
    form_exists: bool
    draft: FormDraft | None  # the form's draft, which saving replaces
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # warnings, and what publishing will need

    @property
    def draft_only(self) -> bool:
        return self.form_exists or self.draft is not None or bool(self.missing)


def preview_upload(filename: str, data: bytes, media: Mapping[str, bytes] | None = None,
                   max_bytes: int | None = None) -> UploadPreview:
    """Convert and compare with what is published and drafted, storing nothing. Raises
    WorkbookRejected for a workbook that cannot be converted or a broken media file."""
    conv = convert_workbook(filename, data, publishing._max_bytes(max_bytes))
    draft = find_draft(conv.form_id)
    given = dict(media or {})
    if draft is not None:  # what the draft has attached stays attached when it is replaced
        for name, content in media_bytes(draft).items():
            given.setdefault(name, content)
    conv = publishing.attach_media(conv, given, missing_ok=True)
    missing, _others = _split_missing(list(conv.warnings))
    form = db.session.scalar(select(Form).where(Form.form_id == conv.form_id))
    existing = None
    needs: list[Problem] = []
    if form is not None:
        existing = db.session.scalar(select(FormVersion).where(
            FormVersion.form_pk == form.id, FormVersion.content_hash == conv.content_hash))
        if existing is None:
            probe = FormDraft(form_id=conv.form_id, version=conv.version,
                              content_hash=conv.content_hash, missing_media=[])
            needs = [replace_level(p) for p in blockers(probe)]
    return UploadPreview(conv, existing, form is not None, draft, missing, list(conv.warnings) + needs)


def replace_level(p: Problem) -> Problem:
    """A blocker shown early, on the upload page, as a warning (the draft can still be saved)."""
    from dataclasses import replace

    return replace(p, level="warning")
