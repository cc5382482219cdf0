"""The fill page: a published form version rendered for officers, with the browser runtime.

The page carries everything the runtime needs and nothing executable inline: the questions (from
rendering.render_form_html), the primary instance template as XML in a non-executed
<script type="application/xml">, the secondary instances (choice lists) the same way, the form's
logic as JSON (the data-json attribute of #form-binds), and data attributes (form id,
version, languages, submit URL, media URL). External instances and CSV choice lists are fetched by
the runtime from the media route below (the same files ODK Collect downloads through the manifest).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, url_for
from sqlalchemy import select

from app.forms.definitions import definition_of
from app import db
from app.errors import error_response
from app.forms.rendering import (choose_language, form_binds, instance_template, lang_code, lang_name,
                                 render_form_html, script_safe, secondary_instances)
from app.models import Form, FormMedia, FormVersion
from app.xlsform.definition import FormDefinition
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
    return _fill_page(form.latest)


@bp.get("/forms/<form_id>/versions/<version>/fill")
def fill_form_version(form_id: str, version: str):
    fv = db.session.scalar(
        select(FormVersion).join(Form).where(Form.form_id == form_id, FormVersion.version == version)
    )
    if fv is None:
        return error_response(404, *NOT_FOUND)
    return _fill_page(fv)


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


def _fill_page(fv: FormVersion):
    definition = definition_of(fv)
    language = choose_language(definition)
    languages = definition.languages or ["default"]
    template_xml, encoding = script_safe(instance_template(fv.xform))
    secondary = []
    for inst in secondary_instances(fv.xform):
        if "xml" in inst:
            inst["xml"], inst["encoding"] = script_safe(inst["xml"])
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
        submit_url=SUBMISSION_URL,
        secondary_instances=secondary,
        binds_json=form_binds(definition),
        scoring_json=fill_scoring_json(fv),  # app/scoring/views.py: the meeting screen's spec, or None
        media_url=url_for("fill.form_media", form_id=fv.form.form_id, version=fv.version, filename="x")[:-1],
    )
