"""What a record is about, in words people use: the group's registered name and village, the district's
name, the server's level and the assessment date (Buddhist Era in templates). Read from the score table's
columns (group_ref, level_name, assessed_on; never Score.result) joined with the registry.

The list pages read the same joins in bulk (app/forms/listing.py); the detail page asks for one record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app import db
from app.forms.listing import level_label, static_group_name
from app.models import District, Group, Score, Submission, Village


@dataclass
class Subject:
    group_ref: str | None = None
    group_name: str | None = None
    village: str | None = None
    district_th: str | None = None
    district_en: str | None = None
    level: dict[str, str] | None = None
    assessed_on: date | None = None
    percent: float | None = None
    total: float | None = None
    max: float | None = None


def subject_of(sub: Submission) -> Subject:
    """The record's group, village, district and level (empty parts for a plain form)."""
    found = db.session.execute(
        select(Score.group_ref, Score.level_name, Score.assessed_on, Score.form_version_id, Score.percent,
               Score.total, Score.max, Group.name, Village.name_th)
        .outerjoin(Group, Group.code == Score.group_ref)
        .outerjoin(Village, Village.code == Group.village_code)
        .where(Score.submission_id == sub.id)).first()
    subject = Subject()
    if found is not None:
        (subject.group_ref, level_name, subject.assessed_on, version_id, subject.percent, subject.total,
         subject.max, subject.group_name, subject.village) = found
        subject.level = level_label(version_id, level_name)
        if subject.group_ref and not subject.group_name:
            subject.group_name = static_group_name(version_id, subject.group_ref)
    if sub.district_code:
        district = db.session.execute(select(District.name_th, District.name_en)
                                      .where(District.code == sub.district_code)).first()
        if district is not None:
            subject.district_th, subject.district_en = district
    return subject
