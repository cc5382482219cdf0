"""District scope: which submissions a user may see. Every query of submissions (pages, exports,
API, OpenRosa edits) goes through `scoped_submissions` or `may_see_submission`.

- admin: every submission;
- province: submissions of the districts of their province;
- district: submissions of their district;
- officer: the submissions they sent themselves (their assigned groups' come with the registry);
- anyone else / no user: nothing.
Submissions with no district (sent by admin/province accounts or the CLI) are admin-only.
Objects outside the scope are answered 404 by the views, exactly like objects that do not exist.
"""
from __future__ import annotations

from sqlalchemy import false, select

from app.models import District, Role, Submission, User


def submission_clause(user: User | None):
    """A WHERE clause restricting Submission rows to what `user` may see."""
    if user is None or not user.active:
        return false()
    if user.role == Role.ADMIN:
        return Submission.id.is_not(None)
    if user.role == Role.PROVINCE:
        if user.province_id is None:
            return false()
        return Submission.district_code.in_(select(District.code).where(District.province_id == user.province_id))
    if user.role == Role.DISTRICT:
        if user.district is None:
            return false()
        return Submission.district_code == user.district.code
    if user.role == Role.OFFICER:
        return Submission.submitter_id == user.id
    return false()


def scoped_submissions(stmt, user: User | None):  # noqa: ANN001
    """`stmt` (a select involving Submission) limited to the user's scope."""
    return stmt.where(submission_clause(user))


def may_see_submission(sub: Submission | None, user: User | None) -> bool:
    if sub is None or user is None or not user.active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.PROVINCE:
        if user.province_id is None or sub.district_code is None:
            return False
        from app import db

        return db.session.scalar(select(District.province_id).where(District.code == sub.district_code)) \
            == user.province_id
    if user.role == Role.DISTRICT:
        return user.district is not None and sub.district_code == user.district.code
    if user.role == Role.OFFICER:
        return sub.submitter_id == user.id
    return False


def sees_national_ids(user: User | None) -> bool:
    """District offices see full national IDs (they check ID-card copies to approve registrations);
    everyone else sees them masked (see app.auth.masking)."""
    return user is not None and user.role == Role.DISTRICT


def district_code_of(user: User | None) -> str | None:
    """The district a submission sent by `user` belongs to."""
    if user is not None and user.district is not None:
        return user.district.code
    return None
