"""The fill page: a published form version rendered for officers, with the browser runtime.

The page carries everything the runtime needs and nothing executable inline: the questions (from
rendering.render_form_html), the primary instance template as XML in a non-executed
<script type="application/xml">, the secondary instances (choice lists) the same way, the form's
logic as JSON (the data-json attribute of #form-binds), and data attributes (form id,
version, languages, submit URL, media URL). External instances and CSV choice lists are fetched by
the runtime from the media route below (the same files ODK Collect downloads through the manifest).

Correction (`/forms/<id>/versions/<v>/fill?correct=<instanceID>`): the same page of the version the
record was filled on, carrying the stored instance XML, its attachments (URLs of /attachments/<id>)
and the server's errors in a second non-executed block (#correction-instance). The runtime
(static/js/form/correction.js) loads that instance, gives it a new meta/instanceID and sets
meta/deprecatedID to the old one, fetches the attachments so they are sent again unchanged (the
server checks the attachments a submission names against those it brings; blobs are content-addressed,
so nothing is stored twice), and shows each error at its question. Receiving files it as an edit
that supersedes the old record. Only the current record of a chain, for users who may correct it
(app/auth/scope.may_correct_submission); anything else is 404 like a missing record. The answer is
`no-store`: the service worker never keeps a page holding a record's answers.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, g, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.forms.definitions import definition_of
from app.forms.lookups import find_version
from app import db
from app.errors import error_response
from app.forms.rendering import (choose_language, csv_instance_xml, form_binds, instance_template, lang_code,
                                 lang_name, render_form_html, script_safe, secondary_instances)
from app.registry.media import registry_lists_of, registry_media
from app.auth.scope import may_correct_submission
from app.models import Form, FormMedia, FormVersion, Submission
from app.scoring.views import fill_scoring_json

bp = Blueprint("fill", __name__)
SUBMISSION_URL = "/submission"  # the OpenRosa Form Submission API (app/forms/openrosa.py)

NOT_FOUND = ("ไม่พบแบบฟอร์มนี้ อาจยังไม่ได้เผยแพร่หรือพิมพ์ที่อยู่ผิด",
             "This form was not found. It may not be published yet, or the address is wrong.")


@bp.get("/forms/<form_id>/fill")
def fill_form(form_id: str):
    form = db.session.scalar(select(Form).where(Form.form_id == form_id))
    if form is None or form.latest is None:
        return error_response(404, *NOT_FOUND)
    if form.state == "closed":
        return _closed(form)
    return _fill_page(form.latest)


def _closed(form: Form):
    from app.forms.lifecycle import CLOSED_PAGE

    return error_response(410, *(m.format(form=form.title) for m in CLOSED_PAGE))


@bp.get("/forms/<form_id>/versions/<version>/fill")
def fill_form_version(form_id: str, version: str):
    fv = find_version(form_id, version)
    if fv is None:
        return error_response(404, *NOT_FOUND)
    correct = request.args.get("correct")
    if correct is not None:
        sub = db.session.scalar(
            select(Submission).where(Submission.instance_id == correct, Submission.form_version_id == fv.id)
            .options(selectinload(Submission.attachments)))
        if not may_correct_submission(sub, g.get("user")):
            abort(404)  # absent, another version's, superseded or out of scope: the same answer
        response = Response(_fill_page(fv, correction=_correction(sub)))
        response.headers["Cache-Control"] = "no-store"
        return response
    if fv.form.state == "closed":
        return _closed(fv.form)
    return _fill_page(fv)


def _correction(sub: Submission) -> dict:
    xml, encoding = script_safe(sub.xml)
    errors = [{"path": e.get("path"), "message_th": e.get("message_th") or "", "message_en": e.get("message_en") or ""}
              for e in (sub.errors or [])
              if isinstance(e, dict) and e.get("level", "error") == "error" and isinstance(e.get("path"), str)]
    attachments = [{"name": a.filename, "type": a.content_type or "application/octet-stream",
                    "url": url_for("submissions.attachment", attachment_id=a.id)} for a in sub.attachments]
    return {
        "instance_id": sub.instance_id, "xml": xml, "encoding": encoding,
        "errors_json": json.dumps(errors, ensure_ascii=False),
        "attachments_json": json.dumps(attachments, ensure_ascii=False),
        "detail_url": url_for("submissions.submission_detail", form_id=sub.form.form_id, instance_id=sub.instance_id),
        "list_url": url_for("submissions.list_submissions", form_id=sub.form.form_id),
    }


@bp.get("/forms/<form_id>/versions/<version>/media/<path:filename>")
def form_media(form_id: str, version: str, filename: str):
    """A media file of a form version (external choice CSVs, itemsets.csv, XML instances). Versions
    are immutable, so the file can be cached for long (the service worker precaches it too)."""
    item = db.session.scalar(
        select(FormMedia).join(FormVersion).join(Form)
        .where(Form.form_id == form_id, FormVersion.version == version, FormMedia.filename == filename)
    )
    if item is None:
        # Registry lists (groups.csv, villages.csv) the form did not bring: generated for the user.
        from app.registry.media import registry_media_for_version

        generated = registry_media_for_version(form_id, version, filename, g.get("user"))
        if generated is None:
            abort(404)
        return Response(generated, content_type="text/csv; charset=utf-8", headers={"Cache-Control": "private, no-cache"})
    return Response(item.blob.content, content_type=item.content_type,
                    headers={"Cache-Control": "private, max-age=31536000, immutable"})


def _fill_page(fv: FormVersion, correction: dict | None = None, instance_xml: str | None = None, *,
               media_url=None, submit_url: str = SUBMISSION_URL, draft: dict | None = None):  # noqa: ANN001
    """The page for `fv` (a FormVersion, or a FormDraft for its test link: app/forms/draft_fill.py,
    which passes its own `media_url(filename)`, submit URL and `draft` facts for the page).
    `instance_xml`: a primary instance to start from instead of the form's own (its values act as
    defaults, e.g. a registration pre-filled from a candidate group, app/otop/prefill.py)."""
    if media_url is None:
        def media_url(filename: str) -> str:
            return url_for("fill.form_media", form_id=fv.form.form_id, version=fv.version, filename=filename)
    definition = definition_of(fv)
    language = choose_language(definition)
    languages = definition.languages or ["default"]
    template_xml, encoding = script_safe(instance_xml or instance_template(fv.xform))
    secondary = []
    inline_lists = registry_lists_of(fv)
    for inst in secondary_instances(fv.xform):
        if "xml" in inst:
            inst["xml"], inst["encoding"] = script_safe(inst["xml"])
        elif inst["src"] in inline_lists:
            # The user's registry list (groups.csv …) travels in the page: the runtime waits for no
            # fetch. The page is the user's anyway (their CSRF token); the worker refetches it when the
            # manifest's registry_version changes (a group approved, another user signed in).
            content = registry_media(inst["src"], g.get("user")) or b""
            inst["xml"], inst["encoding"] = script_safe(csv_instance_xml(content))
        else:  # fetched by the runtime; the page preloads it (fill.html) so it waits for nothing
            inst["url"] = media_url(inst["src"])
        secondary.append(inst)
    return render_template(
        "forms/fill.html",
        form_version=fv,
        definition=definition,
        form_html=render_form_html(definition, language),
        instance_xml=template_xml,
        instance_encoding=encoding,
        languages=[{"index": i, "name": lang_name(lang), "code": lang_code(lang), "key": lang}
                   for i, lang in enumerate(languages)],
        language_index=languages.index(language) if language in languages else 0,
        submit_url=submit_url,
        draft=draft,
        form_state=getattr(fv.form, "state", None) if draft is None else None,
        secondary_instances=secondary,
        binds_json=form_binds(definition),
        scoring_json=fill_scoring_json(fv),  # app/scoring/views.py: the meeting screen's spec, or None
        correction=correction,
        media_url=media_url("x")[:-1],
    )
