"""The OTOP proposal's typed tables, written at receipt in the submission's own transaction (as the score
table is): reports count rows here with SQL and never parse submission XML. No Flask, no commit.

`record_submission(s, submission, version)` is THE one call receiving makes (app/forms/receiving._otop,
beside `_entities`, in a savepoint); anything that must not reach these tables is skipped there, in one
place. It dispatches on the form id; the bundled forms' question names are the contract:

- `hh_mapping` -> HouseholdProfile (+ HouseholdOccupation, OccupationProblem, HouseholdChoice): one row per
  current record of an edit chain. A record that needs correction is written with needs_correction
  set (the officer corrects it by an edit, which replaces the row). The fiscal year is the one of
  `surveyed_on` (else the day it was received, in Bangkok). `counted` marks the row reports count:
  of the accepted rows of one house (village + house number) in one fiscal year, the latest survey
  (ties: the later submission). National IDs are not copied here (the household entity keeps them).
- `group_registration` (accepted, current, occupational) -> GroupPath.formed_on = `founded_on`, and
  `candidate_ref` (the candidate group it was started from) while the district has not decided.
- `group_followup` (accepted, current) -> the group's path: each stage answered "yes" gets its date
  (the latest follow-up received wins; "no" clears nothing: the district corrects a date on the
  group's page). A follow-up about a group of another district than the sender's is ignored.
"""
from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, false, func, insert, select, update

from app.models import (Group, GroupPath, HouseholdChoice, HouseholdOccupation, HouseholdProfile, OccupationProblem,
                        Submission, SubmissionStatus, Village, utcnow)
from app.periods import fiscal_year

log = logging.getLogger(__name__)

HOUSEHOLD_FORM, REGISTRATION_FORM, FOLLOWUP_FORM = "hh_mapping", "group_registration", "group_followup"
CHOICE_QUESTIONS = ("saves_in", "training_wanted")
OCCUPATION_REPEAT = "occupation"
PROBLEM_PREFIX = "occ_problems_"
FOLLOWUP_STAGES = ("product_developed", "otop_registered", "selling_online")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def handles(version) -> bool:  # noqa: ANN001 - FormVersion
    """Does `version` belong to a form these tables count?"""
    return version.form.form_id in _HANDLERS


def record_submission(s, submission: Submission, version) -> None:  # noqa: ANN001 - session, FormVersion
    """Write what the OTOP pages count of `submission` (see the module docstring). Call it after the
    submission is flushed and its entity applied, inside the storing transaction."""
    handler = _HANDLERS.get(version.form.form_id)
    if handler is not None:
        handler(s, submission)


# ------------------------------------------------------------------------------------ answers

def answers_by_name(data: dict[str, Any]) -> dict[str, Any]:
    """Submission.data (answers by path) by question name; a repeat is a list of such dicts."""
    out: dict[str, Any] = {}
    for path, value in (data or {}).items():
        name = path.rsplit("/", 1)[-1]
        if isinstance(value, list):
            out[name] = [answers_by_name(item) for item in value if isinstance(item, dict)]
        elif not isinstance(value, dict) and not name.startswith("@"):
            out[name] = value
    return out


def _text(a: dict, name: str, limit: int = 255) -> str | None:
    v = a.get(name)
    if v is None or isinstance(v, (list, dict)):
        return None
    text = str(v).strip()
    return text[:limit] or None


def _decimal(a: dict, name: str) -> Decimal | None:
    text = _text(a, name)
    if text is None:
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() and abs(d) < Decimal("1e12") else None


def _int(a: dict, name: str) -> int | None:
    d = _decimal(a, name)
    return int(d) if d is not None and d == d.to_integral_value() and abs(d) < 2**31 else None


def _yes(a: dict, name: str) -> bool:
    return _text(a, name) == "yes"


def _date(a: dict, name: str) -> date | None:
    m = _DATE.match(_text(a, name) or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _values(a: dict, name: str) -> list[str]:
    """The options of a select_multiple answer, each once, in order."""
    seen: list[str] = []
    for v in (_text(a, name, 10_000) or "").split():
        if v not in seen:
            seen.append(v[:64])
    return seen


# --------------------------------------------------------------------------- household mapping

def _household(s, submission: Submission) -> None:  # noqa: ANN001
    chain = {submission.root_instance_id, submission.instance_id}
    stale = select(Submission.id).where(Submission.root_instance_id.in_(chain), Submission.is_current.is_(False))
    old = s.execute(select(HouseholdProfile.id, HouseholdProfile.village_code, HouseholdProfile.house_no,
                           HouseholdProfile.fiscal_year)
                    .where((HouseholdProfile.submission_id == submission.id)
                           | HouseholdProfile.submission_id.in_(stale))).all()
    houses = {(v, h, fy) for _id, v, h, fy in old}
    delete_profiles(s, [row[0] for row in old])
    if submission.is_current:
        house = _profile_row(s, submission)
        if house is not None:
            houses.add(house)
    for house in houses:
        recount_house(s, *house)


def _profile_row(s, submission: Submission) -> tuple[str, str, int] | None:  # noqa: ANN001
    """Insert the profile rows of `submission` (Core inserts: no unit-of-work flush on the receiving hot
    path); returns the house key, or None when nothing places the household."""
    a = answers_by_name(submission.data or {})
    village, house_no = _text(a, "village", 16), _text(a, "house_no", 64)
    if not village or not house_no:
        return None  # no consent, or nothing to place the household by
    place = s.execute(select(Village.tambon_code, Village.district_code).where(Village.code == village)).first()
    from app.scoring.store import assessment_date

    surveyed = _date(a, "surveyed_on") or assessment_date(submission, None)
    per_person, threshold = _decimal(a, "income_per_person"), _decimal(a, "income_threshold")
    profile_id = s.execute(_statements().insert_profile, dict(
        submission_id=submission.id,
        district_code=(place.district_code if place else None) or _text(a, "district", 16) or submission.district_code,
        tambon_code=(place.tambon_code if place else None) or _text(a, "tambon", 16),
        village_code=village, house_no=house_no, head_name=_text(a, "head_name"),
        surveyed_on=surveyed, fiscal_year=fiscal_year(surveyed),
        kkcj_target=_yes(a, "kkcj_target"), members=_int(a, "members"),
        members_working=_int(a, "members_working"), members_elderly=_int(a, "members_elderly"),
        kkcj_borrowed=_yes(a, "kkcj_borrowed"), loan_outstanding=_decimal(a, "loan_outstanding"),
        loan_default=_yes(a, "loan_default"),
        income_total=_decimal(a, "income_total"), income_per_person=per_person, income_threshold=threshold,
        below_threshold=per_person is not None and threshold is not None and per_person < threshold,
        expense_total=_decimal(a, "expense_total"), debt_formal=_decimal(a, "debt_formal"),
        debt_community=_decimal(a, "debt_community"), debt_informal=_decimal(a, "debt_informal"),
        join_group=_yes(a, "join_group"), otop_register=_yes(a, "otop_register"),
        needs_correction=submission.status == SubmissionStatus.NEEDS_CORRECTION, counted=False,
        recorded_at=utcnow())).scalar_one()
    choices = [{"profile_id": profile_id, "question": question, "value": value}
               for question in CHOICE_QUESTIONS for value in _values(a, question)]
    if choices:
        s.execute(insert(HouseholdChoice.__table__), choices)
    problems = []
    for position, occ in enumerate(a.get(OCCUPATION_REPEAT) or [], start=1):
        occupation_id = s.execute(_statements().insert_occupation, dict(
            profile_id=profile_id, position=position, category=_text(occ, "occ_category", 64),
            product=_text(occ, "occ_product"), otop_type=_text(occ, "occ_otop_type", 16),
            otop_subgroup=_text(occ, "occ_otop_subgroup", 16), income=_decimal(occ, "occ_income"),
            potential=_int(occ, "occ_potential"))).scalar_one()
        problems += [{"occupation_id": occupation_id, "area": name[len(PROBLEM_PREFIX):][:32], "problem": problem}
                     for name in sorted(k for k in occ if k.startswith(PROBLEM_PREFIX)) for problem in _values(occ, name)]
    if problems:
        s.execute(insert(OccupationProblem.__table__), problems)
    return village, house_no, fiscal_year(surveyed)


def delete_profiles(s, ids: list[int]) -> None:  # noqa: ANN001
    if not ids:
        return
    occupations = select(HouseholdOccupation.id).where(HouseholdOccupation.profile_id.in_(ids))
    s.execute(delete(OccupationProblem).where(OccupationProblem.occupation_id.in_(occupations)))
    s.execute(delete(HouseholdOccupation).where(HouseholdOccupation.profile_id.in_(ids)))
    s.execute(delete(HouseholdChoice).where(HouseholdChoice.profile_id.in_(ids)))
    s.execute(delete(HouseholdProfile).where(HouseholdProfile.id.in_(ids)))


def recount_house(s, village_code: str, house_no: str, fy: int) -> None:  # noqa: ANN001
    """counted = the latest accepted survey of the house in the fiscal year (module docstring): one UPDATE."""
    s.execute(_statements().recount, {"v": village_code, "h": house_no, "fy": fy})


@cache
def _statements() -> SimpleNamespace:
    """The writer's INSERT/UPDATE statements, built once: their cache keys (and the alias's columns) are
    not rebuilt for every submission on the receiving path."""
    profiles, occupations = HouseholdProfile.__table__, HouseholdOccupation.__table__
    other = profiles.alias("other")
    winner = (select(other.c.id).where(other.c.village_code == bindparam("v"), other.c.house_no == bindparam("h"),
                                       other.c.fiscal_year == bindparam("fy"), other.c.needs_correction.is_(False))
              .order_by(other.c.surveyed_on.desc(), other.c.submission_id.desc()).limit(1).scalar_subquery())
    return SimpleNamespace(
        insert_profile=insert(profiles).returning(profiles.c.id),
        insert_occupation=insert(occupations).returning(occupations.c.id),
        recount=update(profiles).where(profiles.c.village_code == bindparam("v"), profiles.c.house_no == bindparam("h"),
                                       profiles.c.fiscal_year == bindparam("fy"))
        .values(counted=func.coalesce(profiles.c.id == winner, false())))


# ------------------------------------------------------------------ occupational groups' paths

def path_of(s, group: Group) -> GroupPath:  # noqa: ANN001
    """The group's path row, created when missing (flushed)."""
    path = s.scalar(select(GroupPath).where(GroupPath.group_id == group.id))
    if path is None:
        path = GroupPath(group_id=group.id, district_code=group.district_code)
        s.add(path)
        s.flush()
    return path


def _registration(s, submission: Submission) -> None:  # noqa: ANN001
    if submission.status != SubmissionStatus.ACCEPTED or not submission.is_current:
        return
    group = s.scalar(select(Group).where(Group.entity_id == submission.root_instance_id))
    if group is None or group.kind != "occupational":
        return
    existing = s.scalar(select(GroupPath).where(GroupPath.group_id == group.id))
    if existing is not None and group.source_instance_id != submission.instance_id:
        return  # decided: the registered data (and its founding date) stays as approved/rejected
    a = answers_by_name(submission.data or {})
    path = existing or path_of(s, group)
    path.district_code = group.district_code
    path.formed_on = _date(a, "founded_on")
    path.candidate_key = _text(a, "candidate_ref", 128) or path.candidate_key
    path.updated_via, path.updated_by = "registration", submission.submitted_by
    s.flush()


def _followup(s, submission: Submission) -> None:  # noqa: ANN001
    if submission.status != SubmissionStatus.ACCEPTED or not submission.is_current:
        return
    a = answers_by_name(submission.data or {})
    code = _text(a, "group", 64)
    group = s.scalar(select(Group).where(Group.code == code, Group.kind == "occupational")) if code else None
    if group is None:
        log.info("follow-up %s names no occupational group (%r)", submission.instance_id, code)
        return
    if submission.district_code is not None and group.district_code != submission.district_code:
        log.warning("follow-up %s from district %s about group %s of district %s ignored",
                    submission.instance_id, submission.district_code, group.code, group.district_code)
        return
    path = path_of(s, group)
    path.district_code = group.district_code
    for stage in FOLLOWUP_STAGES:
        on = _date(a, f"{stage}_on")
        if _yes(a, stage) and on is not None:
            setattr(path, f"{stage}_on", on)
    if _yes(a, "product_developed") and _text(a, "product_name"):
        path.product_name = _text(a, "product_name")
    if _yes(a, "otop_registered") and _text(a, "otop_registration_no"):
        path.otop_registration_no = _text(a, "otop_registration_no", 64)
    if _yes(a, "selling_online") and _values(a, "online_channels"):
        path.online_channels = " ".join(_values(a, "online_channels"))[:255]
    path.updated_via, path.updated_by = "followup", submission.submitted_by
    s.flush()


_HANDLERS = {HOUSEHOLD_FORM: _household, REGISTRATION_FORM: _registration, FOLLOWUP_FORM: _followup}
