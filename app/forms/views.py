"""Pages to upload, preview and publish workbooks, list forms and see their versions.

The upload page posts with htmx and swaps in `_upload_result.html` (problems, or a preview and a
Publish button); without JavaScript the same form posts normally and gets the full page. The
upload's bytes are kept in the database until Publish is pressed (any server can finish it).
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from app import db
from app.forms import publishing
from app.forms.lookups import form_or_404, version_or_404
from app.models import Form
from app.xlsform.problems import Problem, WorkbookRejected

bp = Blueprint("forms", __name__)
log = logging.getLogger(__name__)


@bp.app_template_global("safe_url")
def safe_url(endpoint: str, fallback: str, **values) -> str:
    """url_for, or `fallback` when the endpoint is not registered (blueprints built by others)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return fallback


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _who() -> str:
    user = g.get("user")
    if user is not None:
        return user.username[:255]
    name = (request.form.get("published_by") or "").strip()
    return (name or request.remote_user or "web")[:255]


def _question_list(definition) -> list[dict]:  # noqa: ANN001
    rows = []
    for node in definition.nodes():
        if node is definition.root or node.path.split("/")[-1] in ("meta", "instanceID", "instanceName"):
            continue
        if "/meta/" in node.path + "/":
            continue
        rows.append({
            "depth": max(0, node.path.count("/") - 2),
            "name": node.name,
            "kind": node.kind,
            "type": node.control or node.datatype if node.kind == "field" else node.kind,
            "label": node.label,
        })
    return rows


def _preview_html(definition) -> Markup | None:  # noqa: ANN001
    """The form as the fill page renders it, if that renderer is available and copes with it."""
    if definition is None:
        return None
    try:
        from app.forms.rendering import render_form_html
    except ImportError:
        return None
    try:
        return render_form_html(definition)
    except Exception:  # noqa: BLE001 - the preview must never break the upload page
        log.exception("preview rendering failed for %s", getattr(definition, "form_id", "?"))
        return None


def _too_large_problem() -> Problem:
    from flask import current_app

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    mb = f"{limit // (1024 * 1024)}"
    return Problem(
        message_th=f"ไฟล์ใหญ่เกินไป ระบบรับไฟล์ได้ไม่เกิน {mb} MB",
        message_en=f"The file is too large; uploads are limited to {mb} MB.",
        hint_th="ลบรูปภาพหรือชีตที่ไม่ใช้ออกจากสมุดงาน แล้วบันทึกใหม่ ฟอร์มทั่วไปมีขนาดไม่ถึง 1 MB",
        hint_en="Remove pictures and unused sheets from the workbook and save it again; "
                "a questionnaire is usually well under 1 MB.",
        code="too_large",
    )


def _upload_response(status: int, **ctx):
    ctx.setdefault("problems", [])
    ctx["errors"] = [p for p in ctx["problems"] if p.is_error]
    ctx["warnings"] = [p for p in ctx["problems"] if not p.is_error]
    template = "forms/_upload_result.html" if _is_htmx() else "forms/upload.html"
    return render_template(template, **ctx), status


@bp.get("/")
@bp.get("/forms")
def index():
    forms = db.session.scalars(select(Form).order_by(Form.title)).all()
    from app.forms.offline import offline_media_urls
    from app.forms.lifecycle import STATE_LABELS, offered_for_new_fills
    from app.models import FormDraft, Role

    user = g.get("user")
    if user is None or user.role == Role.OFFICER:  # closing and closed forms leave officers' list
        forms = [f for f in forms if offered_for_new_fills(f)]
    drafts = db.session.scalars(select(FormDraft).order_by(FormDraft.title)).all() \
        if user is not None and user.role == Role.ADMIN else []
    media_urls = {f.id: offline_media_urls(f.latest) for f in forms if f.latest is not None}
    return render_template("forms/index.html", forms=forms, media_urls=media_urls, state_labels=STATE_LABELS,
                           drafts={d.form_id: d for d in drafts},
                           new_drafts=[d for d in drafts if d.form_id not in {f.form_id for f in forms}])


@bp.route("/forms/upload", methods=["GET", "POST"])
def upload():
    if request.method == "GET":
        return render_template("forms/upload.html", problems=[], errors=[], warnings=[])
    try:
        file = request.files.get("workbook")
    except RequestEntityTooLarge:
        return _upload_response(413, problems=[_too_large_problem()])
    if file is None or not file.filename:
        return _upload_response(400, problems=[Problem(
            "กรุณาเลือกไฟล์ Excel (.xlsx) ก่อนกดอัปโหลด", "Choose an Excel file (.xlsx) before uploading.",
            "กดปุ่ม เลือกไฟล์ แล้วเลือกแบบฟอร์มของคุณ", "Press Choose file and pick your questionnaire.",
            code="no_file")])
    filename = file.filename
    data = file.read()
    # the files the form names (CSV for select_one_from_file / pulldata, XML, images), multiple
    media = {publishing.media_name(m.filename): m.read() for m in request.files.getlist("media")
             if m and publishing.media_name(m.filename or "")}
    from app.forms.drafts import preview_upload

    try:
        # A new version of an existing form becomes a draft first (app/forms/drafts.py).
        preview = preview_upload(filename, data, media=media)
    except WorkbookRejected as e:
        return _upload_response(422, problems=e.problems, filename=filename)
    conv = preview.conversion
    token = None if preview.existing is not None else publishing.store_upload(
        filename, data, _who(), media={k: v for k, v in media.items() if k in conv.media})
    return _upload_response(
        200,
        problems=preview.problems,
        filename=filename,
        conversion=conv,
        existing=preview.existing,
        form_exists=preview.form_exists,
        draft_only=preview.draft_only,
        draft=preview.draft,
        missing=preview.missing,
        token=token,
        preview_html=_preview_html(conv.definition),
        questions=_question_list(conv.definition) if conv.definition is not None else [],
    )


@bp.post("/forms/publish/<token>")
def publish(token: str):
    try:
        result = publishing.publish_upload(token, _who())
    except WorkbookRejected as e:
        problems = e.problems
        return _upload_response(422, problems=problems)
    if result is None:
        return _upload_response(404, problems=[Problem(
            "ไม่พบไฟล์ที่อัปโหลดไว้ อาจเผยแพร่ไปแล้วหรือหมดอายุ กรุณาอัปโหลดใหม่",
            "The uploaded file was not found; it may have been published already or expired. Upload it again.",
            code="upload_missing")])
    fv = result.form_version
    if result.created:
        from app.auth import audit

        audit.record(audit.Action.PUBLISH, "form_version", f"{fv.form.form_id}@{fv.version}",
                     {"form_id": fv.form.form_id, "version": fv.version, "filename": fv.xlsx_filename})
    target = url_for("forms.detail", form_id=fv.form.form_id,
                     published=fv.version if result.created else None,
                     unchanged=fv.version if not result.created else None)
    if _is_htmx():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, code=303)


@bp.get("/forms/<form_id>")
def detail(form_id: str):
    form = form_or_404(form_id)
    versions = list(reversed(form.versions))
    latest = form.latest
    warnings = [Problem(**w) for w in (latest.warnings or [])] if latest else []
    from app.forms.drafts import find_draft
    from app.forms.lifecycle import STATE_LABELS

    return render_template(
        "forms/detail.html", form=form, versions=versions, latest=latest, warnings=warnings,
        published=request.args.get("published"), unchanged=request.args.get("unchanged"),
        draft=find_draft(form.form_id), state_labels=STATE_LABELS, rolled_back=request.args.get("rolled_back"),
        discarded=request.args.get("discarded"), state_changed=request.args.get("state"),
    )


@bp.get("/forms/<form_id>/versions/<version>/workbook.xlsx")
def download_workbook(form_id: str, version: str):
    fv = version_or_404(form_id, version)
    return Response(
        fv.xlsx,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _attachment(f"{form_id}-{version}.xlsx")},
    )


@bp.get("/forms/<form_id>/versions/<version>/form.xml")
def download_xform(form_id: str, version: str):
    fv = version_or_404(form_id, version)
    return Response(fv.xform, mimetype="text/xml",
                    headers={"Content-Disposition": _attachment(f"{form_id}-{version}.xml")})


def _attachment(name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return f'attachment; filename="{safe}"'
