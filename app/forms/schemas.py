"""marshmallow schemas of the JSON API: query parameters in, forms and submissions out."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from app.models import SubmissionStatus


class SubmissionQuerySchema(Schema):
    """?status=accepted|needs_correction&current=1&limit=50&cursor=... (unknown parameters are ignored).

    Pages follow `next_cursor` (keyset on received_at, id: every page costs the same at any depth);
    `offset` still works for the first MAX_OFFSET rows (it reads and drops every row before it)."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(SubmissionStatus.ALL))
    current = fields.Boolean()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))
    cursor = fields.String(validate=validate.Length(max=200))
    after = fields.String(validate=validate.Length(max=200))  # the older name of cursor


class FormVersionSchema(Schema):
    version = fields.String()
    title = fields.String()
    content_hash = fields.String()
    published_by = fields.String()
    published_at = fields.DateTime(format="iso")
    media = fields.Method("_media")

    def _media(self, obj) -> list[str]:  # noqa: ANN001
        return [m.filename for m in obj.media]


class FormSummarySchema(Schema):
    form_id = fields.String()
    title = fields.String()
    created_at = fields.DateTime(format="iso")
    state = fields.String()  # open | closing | closed (app/forms/lifecycle.py)
    latest_version = fields.Nested(FormVersionSchema, attribute="latest", allow_none=True)
    versions_count = fields.Method("_versions_count")

    def _versions_count(self, obj) -> int:  # noqa: ANN001
        return len(obj.versions)


class FormDetailSchema(FormSummarySchema):
    versions = fields.List(fields.Nested(FormVersionSchema))


class AttachmentSchema(Schema):
    filename = fields.String()
    content_type = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    url = fields.String()  # set by the view (needs url_for)


class SubmissionSummarySchema(Schema):
    instance_id = fields.String()
    form_id = fields.String(attribute="form.form_id")
    version = fields.String(attribute="form_version.version")
    status = fields.String()
    is_current = fields.Boolean()
    instance_name = fields.String(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    received_at = fields.DateTime(format="iso")
    errors_count = fields.Method("_errors_count")

    def _errors_count(self, obj) -> int:  # noqa: ANN001
        return sum(1 for e in obj.errors or [] if e.get("level", "error") == "error")


class HistoryEntrySchema(Schema):
    instance_id = fields.String()
    deprecated_id = fields.String(allow_none=True)
    version = fields.String(attribute="form_version.version")
    status = fields.String()
    is_current = fields.Boolean()
    received_at = fields.DateTime(format="iso")
    submitted_by = fields.String(allow_none=True)


class SubmissionDetailSchema(SubmissionSummarySchema):
    deprecated_id = fields.String(allow_none=True)
    root_instance_id = fields.String()
    superseded_by = fields.String(allow_none=True)  # set by the view: the instance_id that replaced it
    device_id = fields.String(allow_none=True)
    updated_at = fields.DateTime(format="iso")
    content_hash = fields.String()
    errors = fields.Raw()
    data = fields.Raw()
    attachments = fields.List(fields.Nested(AttachmentSchema))
    history = fields.List(fields.Nested(HistoryEntrySchema))
    conflicts_count = fields.Integer()
