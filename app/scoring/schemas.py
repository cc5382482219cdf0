"""marshmallow schema of GET /api/v1/submissions/<instance_id>/score (the meeting screen's data)."""
from __future__ import annotations

from marshmallow import Schema, fields


class TextsSchema(Schema):
    th = fields.String()
    en = fields.String()


class PreviousScoreSchema(Schema):
    instance_id = fields.String()
    assessed_on = fields.Date()
    round_year = fields.Integer()
    level_name = fields.String(allow_none=True)
    percent = fields.Float(allow_none=True)
    level_label = fields.Nested(TextsSchema, allow_none=True)


class GroupChangeSchema(Schema):
    before = fields.Raw()  # the previous percent (JSON number)
    before_passed = fields.Boolean(allow_none=True)
    change = fields.Raw()  # percentage points, + or -


class SubmissionScoreSchema(Schema):
    """The server's result of one submission: `result` is app.scoring.ScoreResult.to_dict(), exactly
    what the JavaScript twin computes in the browser; `changes` compares each score group with the
    same group's previous assessment (app.scoring.store.previous_score)."""

    instance_id = fields.String()
    form_id = fields.String()
    version = fields.String()
    group_ref = fields.String(allow_none=True)
    group_label = fields.Nested(TextsSchema)
    assessed_on = fields.Date()
    round_year = fields.Integer()
    district_code = fields.String(allow_none=True)
    is_current = fields.Boolean()
    needs_correction = fields.Boolean()
    scored_at = fields.DateTime(format="iso")
    result = fields.Raw()
    previous = fields.Nested(PreviousScoreSchema, allow_none=True)
    changes = fields.Dict(keys=fields.String(), values=fields.Nested(GroupChangeSchema))
    meeting_url = fields.String()
