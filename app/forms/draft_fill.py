"""A draft's test link: fill the draft on a tablet (offline too) or in ODK Collect; what is sent is a
test submission (app/forms/draft_submissions.py), never a real one.

The link is `/forms/<form_id>/draft/<token>/fill`: staff give it to the officers they choose (the
token is the draft's secret; an account is still needed, as for every fill page). It is the normal
fill page (app/forms/fill.py) of the draft's definition, posting to this draft's own submission URL,
so the browser runtime, drafts and outbox work unchanged (the outbox keeps each record's URL). The
service worker keeps the page and its media in a cache of their own (network first: a replaced
workbook shows at once when online). The same address is an OpenRosa server for ODK Collect
(server URL `https://<host>/forms/<form_id>/draft/<token>`: /formList, /xform.xml, /manifest,
/media/<file>, /submission), like ODK Central's draft testing.

A wrong token, or a draft published or discarded, answers 404: test records sent after that are not
kept (the device says so and keeps its copy until the user deletes it).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, url_for

from app.errors import error_response
from app.forms import openrosa_xml
from app.forms.drafts import find_draft_by_token
from app.forms.fill import _fill_page
from app.forms.openrosa import _answer, _read_submission_request, _submitted_by, manifest_files, md5_hash
from app.forms.openrosa_xml import openrosa_headers
from app.forms.receiving import ReceiveOutcome
from app.models import FormDraft
from app.registry.media import registry_files_needed, registry_media

bp = Blueprint("draft_fill", __name__)

GONE = ("ไม่พบฉบับร่างนี้ อาจเผยแพร่หรือถูกลบไปแล้ว ข้อมูลทดสอบจึงไม่ถูกเก็บ",
        "This draft was not found: it may have been published or discarded, so test records are no longer kept.")


def _draft_or_404(form_id: str, token: str) -> FormDraft:
    draft = find_draft_by_token(form_id, token)
    if draft is None:
        abort(404)
    return draft


def draft_urls(draft: FormDraft, external: bool = False) -> dict[str, str]:
    def u(endpoint: str, **kw) -> str:  # noqa: ANN003
        return url_for(endpoint, form_id=draft.form_id, token=draft.token, _external=external, **kw)

    return {"fill": u("draft_fill.fill"), "collect": u("draft_fill.fill")[:-len("/fill")],
            "submission": u("draft_fill.submission_post")}


@bp.get("/forms/<form_id>/draft/<token>/fill")
def fill(form_id: str, token: str):
    draft = find_draft_by_token(form_id, token)
    if draft is None:
        return error_response(404, *GONE)

    def media_url(filename: str) -> str:
        return url_for("draft_fill.media", form_id=form_id, token=token, filename=filename)

    urls = draft_urls(draft)
    return _fill_page(draft, media_url=media_url, submit_url=urls["submission"],
                      draft={"fill_url": urls["fill"], "version": draft.version})


def _media_response(draft: FormDraft, filename: str, openrosa: bool = False) -> Response:
    item = next((m for m in draft.media if m.filename == filename), None)
    headers = openrosa_headers() if openrosa else {}
    headers["Cache-Control"] = "private, no-cache"  # a draft's files may be replaced
    if item is not None:
        return Response(item.blob.content, content_type=item.content_type, headers=headers)
    content = registry_media(filename, g.get("user")) if filename in registry_files_needed(draft.xform) else None
    if content is None:
        abort(404)
    return Response(content, content_type="text/csv; charset=utf-8", headers=headers)


@bp.get("/forms/<form_id>/draft/<token>/media/<path:filename>")
def media(form_id: str, token: str, filename: str):
    return _media_response(_draft_or_404(form_id, token), filename, openrosa=True)


# --- OpenRosa (ODK Collect, and the browser's submit) ---------------------------------------------

@bp.get("/forms/<form_id>/draft/<token>/formList")
def form_list(form_id: str, token: str):
    draft = _draft_or_404(form_id, token)
    entry = {
        "formID": draft.form_id, "name": f"[ทดสอบ / TEST] {draft.title}", "version": draft.version,
        "hash": md5_hash(draft.xform.encode("utf-8")),
        "downloadUrl": url_for("draft_fill.xform", form_id=form_id, token=token, _external=True),
    }
    if draft.media or registry_files_needed(draft.xform):
        entry["manifestUrl"] = url_for("draft_fill.manifest", form_id=form_id, token=token, _external=True)
    return openrosa_xml.form_list([entry])


@bp.get("/forms/<form_id>/draft/<token>/xform.xml")
def xform(form_id: str, token: str):
    draft = _draft_or_404(form_id, token)
    return Response(draft.xform.encode("utf-8"), content_type="text/xml; charset=utf-8", headers=openrosa_headers())


@bp.get("/forms/<form_id>/draft/<token>/manifest")
def manifest(form_id: str, token: str):
    draft = _draft_or_404(form_id, token)
    return openrosa_xml.manifest(manifest_files(draft, lambda name: url_for(
        "draft_fill.media", form_id=form_id, token=token, filename=name, _external=True)))


@bp.route("/forms/<form_id>/draft/<token>/submission", methods=["HEAD"])
def submission_head(form_id: str, token: str):
    _draft_or_404(form_id, token)
    headers = openrosa_headers()
    headers["X-OpenRosa-Accept-Content-Length"] = str(current_app.config["MAX_CONTENT_LENGTH"])
    return Response(status=204, headers=headers)


@bp.post("/forms/<form_id>/draft/<token>/submission")
def submission_post(form_id: str, token: str):
    from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

    from app.forms.draft_submissions import receive_test_submission

    draft = find_draft_by_token(form_id, token)
    if draft is None:
        return _answer(ReceiveOutcome(404, None, *GONE, False, code="draft_gone"))
    try:
        xml, files = _read_submission_request()
    except RequestEntityTooLarge:
        mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _answer(ReceiveOutcome(413, None, f"ข้อมูลที่ส่งใหญ่เกิน {mb} MB", f"The submission is larger than {mb} MB.",
                                      False, code="too_large"))
    except BadRequest:
        return _answer(ReceiveOutcome(400, None, "อ่านคำขอไม่ได้ (multipart ไม่ถูกต้อง)",
                                      "The request body cannot be read (malformed multipart).", False, code="unreadable"))
    outcome = receive_test_submission(draft, xml, files, _submitted_by(), sender=g.get("user"),
                                      max_attachment_bytes=current_app.config["MAX_ATTACHMENT_BYTES"])
    return _answer(outcome)
