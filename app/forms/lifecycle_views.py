"""Staff pages of a form's life: its draft (test link, test records, what it still needs, publish,
discard), what changed between two versions (page and XLSX), what the draft's scoring would do to the
results already given (page and XLSX), the form's state and rolling back. Thin: the rules live in
app/forms/drafts.py, draft_submissions.py, lifecycle.py, app/xlsform/diff.py, app/scoring/preview.py.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app import db
from app.forms import drafts, lifecycle, publishing
from app.forms.definitions import definition_of
from app.forms.lookups import form_or_404
from app.models import Form, FormDraft, FormState, Role, WorkbookUpload
from app.xlsform.diff import SECTION_TITLES, by_section, diff_forms
from app.xlsform.problems import Problem, WorkbookRejected

bp = Blueprint("lifecycle", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _who() -> str:
    return g.user.username[:255]


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _go(url: str):
    if _is_htmx():
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, code=303)


def _draft_or_404(form_id: str) -> FormDraft:
    draft = drafts.find_draft(form_id)
    if draft is None:
        abort(404)
    return draft


def _media_files() -> dict[str, bytes]:
    return {publishing.media_name(m.filename): m.read() for m in request.files.getlist("media")
            if m and publishing.media_name(m.filename or "")}


def _problem_page(problems: list[Problem], form_id: str | None, status: int = 422):
    return render_template("forms/draft_problems.html", problems=problems, form_id=form_id,
                           errors=[p for p in problems if p.is_error],
                           warnings=[p for p in problems if not p.is_error]), status


# --- making and replacing a draft --------------------------------------------------------------------

@bp.post("/forms/draft/<token>")
def save_draft(token: str):
    """The upload page's "Save as draft": the stored upload becomes (or replaces) the form's draft."""
    upload = publishing.load_upload(token)
    if upload is None:
        return _problem_page([Problem(
            "ไม่พบไฟล์ที่อัปโหลดไว้ อาจบันทึกไปแล้วหรือหมดอายุ กรุณาอัปโหลดใหม่",
            "The uploaded file was not found; it may have been saved already or expired. Upload it again.",
            code="upload_missing")], None, 404)
    media = {m.filename: m.content for m in db.session.scalars(
        select(WorkbookUpload).where(publishing._media_tokens(token)))}
    try:
        result = drafts.save_draft(upload.filename, upload.content, _who(), media=media)
    except WorkbookRejected as e:
        return _problem_page(e.problems, None)
    with db.transaction() as s:
        s.delete(upload)
        for m in s.scalars(select(WorkbookUpload).where(publishing._media_tokens(token))):
            s.delete(m)
    return _go(url_for("lifecycle.draft_page", form_id=result.draft.form_id,
                       saved="new" if result.created else "replaced"))


@bp.post("/forms/<form_id>/draft/workbook")
def replace_workbook(form_id: str):
    draft = _draft_or_404(form_id)
    file = request.files.get("workbook")
    if file is None or not file.filename:
        return _problem_page([Problem("กรุณาเลือกไฟล์ Excel (.xlsx)", "Choose an Excel file (.xlsx).", code="no_file")],
                             form_id, 400)
    data = file.read()
    try:
        from app.xlsform.convert import convert_workbook

        conv = convert_workbook(file.filename, data, publishing._max_bytes(None))
        if conv.form_id != draft.form_id:
            raise WorkbookRejected([Problem(
                f"สมุดงานนี้เป็นของแบบฟอร์ม {conv.form_id} ไม่ใช่ {draft.form_id}",
                f"This workbook is for form {conv.form_id}, not {draft.form_id}.",
                "ตรวจ form_id ในชีต settings หรืออัปโหลดที่หน้า เผยแพร่แบบฟอร์ม",
                "Check form_id on the settings sheet, or upload it on the Publish page.",
                sheet="settings", column="form_id", code="other_form")])
        drafts.save_draft(file.filename, data, _who(), media=_media_files())
    except WorkbookRejected as e:
        return _problem_page(e.problems, form_id)
    return _go(url_for("lifecycle.draft_page", form_id=form_id, saved="replaced"))


@bp.post("/forms/<form_id>/draft/media")
def draft_media(form_id: str):
    draft = _draft_or_404(form_id)
    media = _media_files()
    if not media:
        return _problem_page([Problem("กรุณาเลือกไฟล์ที่จะแนบ", "Choose the files to attach.", code="no_file")],
                             form_id, 400)
    try:
        drafts.attach_draft_media(draft, media, _who())
    except WorkbookRejected as e:
        return _problem_page(e.problems, form_id)
    return _go(url_for("lifecycle.draft_page", form_id=form_id, saved="media"))


# --- the draft page --------------------------------------------------------------------------------

@bp.get("/forms/<form_id>/draft")
def draft_page(form_id: str):
    draft = _draft_or_404(form_id)
    from app.forms.draft_fill import draft_urls
    from app.scoring.committee import qr_svg

    urls = draft_urls(draft, external=True)
    form = drafts.form_of(draft)
    latest = form.latest if form is not None else None
    changes = diff_forms(definition_of(latest), definition_of(draft), latest.scoring, draft.scoring) \
        if latest is not None else []
    return render_template(
        "forms/draft.html", draft=draft, form=form, latest=latest, urls=urls, qr=qr_svg(urls["fill"]),
        blockers=drafts.blockers(draft), warnings=[Problem(**w) for w in draft.warnings or []],
        tests=draft.test_submissions, sections=by_section(changes), change_count=len(changes),
        first_changes=changes[:12],
        section_titles=SECTION_TITLES, saved=request.args.get("saved"),
        can_rescore=bool(draft.scoring and latest is not None))


@bp.get("/forms/<form_id>/draft/workbook.xlsx")
def draft_workbook(form_id: str):
    from app.forms.views import _attachment

    draft = _draft_or_404(form_id)
    return Response(draft.xlsx, mimetype=XLSX,
                    headers={"Content-Disposition": _attachment(f"{form_id}-draft-{draft.version or 'new'}.xlsx")})


@bp.post("/forms/<form_id>/draft/publish")
def publish_draft(form_id: str):
    draft = _draft_or_404(form_id)
    try:
        result = drafts.publish_draft(draft, _who())
    except WorkbookRejected as e:
        return _problem_page(e.problems, form_id)
    fv = result.form_version
    return _go(url_for("forms.detail", form_id=fv.form.form_id, published=fv.version))


@bp.post("/forms/<form_id>/draft/discard")
def discard_draft(form_id: str):
    draft = _draft_or_404(form_id)
    drafts.discard_draft(draft, _who())
    form = db.session.scalar(select(Form).where(Form.form_id == form_id))
    return _go(url_for("forms.detail", form_id=form_id, discarded=1) if form is not None else url_for("forms.index"))


# --- what changed ----------------------------------------------------------------------------------

def _side(form: Form | None, draft: FormDraft | None, name: str | None):  # noqa: ANN202
    """(label, definition, scoring) of a version name or "draft"; None when there is no such side."""
    if name == "draft":
        if draft is None or g.user.role != Role.ADMIN:
            return None
        return (f"ฉบับร่าง / draft {draft.version or ''}".strip(), definition_of(draft), draft.scoring)
    if form is None:
        return None
    fv = next((v for v in form.versions if v.version == name), None)
    return (fv.version, definition_of(fv), fv.scoring) if fv is not None else None


def _compared(form_id: str):  # noqa: ANN202
    form = db.session.scalar(select(Form).where(Form.form_id == form_id))
    draft = drafts.find_draft(form_id)
    if form is None and draft is None:
        abort(404)
    versions = [v.version for v in form.versions] if form is not None else []
    default_to = "draft" if draft is not None and g.user.role == Role.ADMIN else (versions[-1] if versions else None)
    to = request.args.get("to") or default_to
    default_from = versions[-1] if versions and to == "draft" else (versions[-2] if len(versions) > 1 else None)
    frm = request.args.get("from") or default_from
    before, after = _side(form, draft, frm), _side(form, draft, to)
    if before is None or after is None:
        abort(404)
    return form, draft, versions, frm, to, before, after


@bp.get("/forms/<form_id>/changes")
def changes(form_id: str):
    form, draft, versions, frm, to, before, after = _compared(form_id)
    found = diff_forms(before[1], after[1], before[2], after[2])
    return render_template("forms/changes.html", form_id=form_id, title=(form.title if form else draft.title),
                           sections=by_section(found), count=len(found), section_titles=SECTION_TITLES,
                           frm=frm, to=to, before=before[0], after=after[0], versions=versions,
                           has_draft=draft is not None and g.user.role == Role.ADMIN)


@bp.get("/forms/<form_id>/changes.xlsx")
def changes_xlsx(form_id: str):
    from app.forms.views import _attachment
    from app.reports.changes_xlsx import changes_workbook

    form, _draft, _versions, frm, to, before, after = _compared(form_id)
    found = diff_forms(before[1], after[1], before[2], after[2])
    data = changes_workbook(found, form_id, before[0], after[0])
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": _attachment(f"{form_id}-changes-{frm}-{to}.xlsx")})


# --- re-score preview ------------------------------------------------------------------------------

def _rescore(form_id: str):  # noqa: ANN202
    from app.scoring.preview import level_labels, rescore_preview

    draft = _draft_or_404(form_id)
    form = drafts.form_of(draft)
    if form is None or form.latest is None or not draft.scoring:
        abort(404)
    preview = rescore_preview(form.id, draft.scoring)
    labels = level_labels(form.latest.scoring, draft.scoring)
    found = diff_forms(definition_of(form.latest), definition_of(draft), form.latest.scoring, draft.scoring)
    indicators = {i["name"] for i in draft.scoring.get("indicators") or []}
    calc_changed = sorted({c.item for c in found if c.kind == "calculate" and c.item in indicators})
    return draft, form, preview, labels, found, calc_changed


@bp.get("/forms/<form_id>/draft/rescore")
def rescore(form_id: str):
    draft, form, preview, labels, found, calc_changed = _rescore(form_id)
    scoring_changes = [c for c in found if c.section in ("scoring", "score_groups", "levels")]
    return render_template("forms/rescore.html", draft=draft, form=form, preview=preview, labels=labels,
                           sections=by_section(scoring_changes), section_titles=SECTION_TITLES,
                           calc_changed=calc_changed,
                           districts=_district_names({m.district_code for m in preview.moves}))


@bp.get("/forms/<form_id>/draft/rescore.xlsx")
def rescore_xlsx(form_id: str):
    from app.forms.views import _attachment
    from app.reports.changes_xlsx import changes_workbook

    draft, form, preview, labels, found, _calc = _rescore(form_id)
    data = changes_workbook(found, form_id, form.latest.version, f"draft {draft.version or ''}".strip(), preview, labels)
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": _attachment(f"{form_id}-rescore-draft.xlsx")})


def _district_names(codes: set[str | None]) -> dict[str, str]:
    from app.models import District

    wanted = sorted(c for c in codes if c)
    if not wanted:
        return {}
    return {code: f"{th} {en}" for code, th, en in db.session.execute(
        select(District.code, District.name_th, District.name_en).where(District.code.in_(wanted))).all()}


# --- state and roll back -----------------------------------------------------------------------------

@bp.post("/forms/<form_id>/state")
def set_state(form_id: str):
    form = form_or_404(form_id)
    state = request.form.get("state", "")
    if state not in FormState.ALL:
        return _problem_page([Problem("สถานะไม่ถูกต้อง", "Unknown state.", code="bad_state")], form_id, 400)
    lifecycle.set_state(form, state, _who())
    return _go(url_for("forms.detail", form_id=form_id, state=state))


@bp.post("/forms/<form_id>/versions/<version>/rollback")
def rollback(form_id: str, version: str):
    form = form_or_404(form_id)
    try:
        fv = lifecycle.rollback(form, version, _who())
    except LookupError:
        abort(404)
    except WorkbookRejected as e:
        return _problem_page(e.problems, form_id)
    return _go(url_for("forms.detail", form_id=form_id, published=fv.version, rolled_back=version))
