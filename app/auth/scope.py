"""District scope: which submissions a user may see. Every query of submissions (pages, exports,
API, OpenRosa edits) goes through `scoped_submissions` or `may_see_submission`.

- admin: every submission;
- province: submissions of the districts of their province;
- district: submissions of their district;
- officer: the submissions they sent themselves, and, within their district only (the submission's
  district_code is the officer's district):
    * the records of an edit chain (same root_instance_id) one of whose records they sent, so a
      correction made by the district office stays visible to the officer who sent the original;
    * the submissions about the registry groups they are assigned to (OfficerAssignment; the group
      must be of the officer's district). A submission is "about" a group when its score row names
      the group: Score.group_ref == Group.code. Decision: Score.group_ref, not the data answer —
      it is written at receipt by app/scoring/store.py from the form's group question (settings
      `group_ref`, else the question named `group`/`group_id`), is indexed, and is the same rule
      the meeting screen and reports use; the JSON `data` column cannot be indexed portably
      (SQLite and PostgreSQL). Forms without scoring have no score row, so only their sender sees
      them (plus the district office).
- anyone else / no user: nothing.
Submissions with no district (sent by admin/province accounts or the CLI) are admin-only.
Objects outside the scope are answered 404 by the views, exactly like objects that do not exist.
"""
from __future__ import annotations

from sqlalchemy import and_, false, func, or_, select, true, union
from sqlalchemy.orm import aliased

from app.models import AuditEvent, District, Group, OfficerAssignment, Role, Score, Submission, User

# Who may open a record in the browser to correct it (a new record via meta/deprecatedID): the
# officer who sent it or an assigned officer, the district office, an admin (within their scope).
# Province accounts read only.
CORRECTORS = frozenset({Role.ADMIN, Role.DISTRICT, Role.OFFICER})


# ---- the district rule, for anything that carries a district code ----------------------------------
# admin: everything; province: the districts of their province; a district account (and, where the
# caller says so, an officer): their own district; anyone else, or an inactive account: nothing.
# Groups, committee links, registry lists and (except for officers) submissions all follow it.

DISTRICT_ROLES = (Role.DISTRICT,)
DISTRICT_AND_OFFICER_ROLES = (Role.DISTRICT, Role.OFFICER)


def _province_districts(user: User):
    return select(District.code).where(District.province_id == user.province_id)


def district_clause(column, user: User | None, own_district_roles=DISTRICT_ROLES):  # noqa: ANN001
    """WHERE clause: rows whose district code `column` lies in `user`'s districts (rule above);
    `own_district_roles` are the roles that see their own district."""
    if user is None or not user.active:
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.PROVINCE:
        return false() if user.province_id is None else column.in_(_province_districts(user))
    if user.role in own_district_roles and user.district is not None:
        return column == user.district.code
    return false()


def district_codes(user: User | None, own_district_roles=DISTRICT_AND_OFFICER_ROLES) -> list[str] | None:
    """The same rule as a list: the district codes `user` covers; None = every district (admin)."""
    if user is None or not user.active:
        return []
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.PROVINCE:
        if user.province_id is None:
            return []
        from app import db

        return list(db.session.scalars(_province_districts(user)))
    if user.role in own_district_roles and user.district is not None:
        return [user.district.code]
    return []


def audit_clause(user: User | None):
    """WHERE clause: the audit events `user` may read. Admin: all. Province: events by accounts of their
    province (its district offices and officers, and province accounts); events with no account
    (unknown usernames tried, the CLI, committee links) are admin-only."""
    if user is None or not user.active:
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.PROVINCE and user.province_id is not None:
        actors = (select(User.id).outerjoin(District, User.district_id == District.id)
                  .where(or_(District.province_id == user.province_id, User.province_id == user.province_id)))
        return AuditEvent.actor_id.in_(actors)
    return false()


# ---- submissions ----------------------------------------------------------------------------------

def submission_clause(user: User | None):
    """A WHERE clause restricting Submission rows to what `user` may see."""
    if user is not None and user.active and user.role == Role.OFFICER:
        return _officer_clause(user)
    return district_clause(Submission.district_code, user)


def _officer_reachable(user: User):
    """The officer rule above as one set of submission ids (a UNION of indexed look-ups: by sender, by
    edit chain, by assigned group), so a query starts from the officer's own few records instead of
    filtering every submission of a form in date order (issue 12: lists at a million rows)."""
    own = select(Submission.id).where(Submission.submitter_id == user.id)
    return union(own, *_officer_others(user))


def _officer_others(user: User) -> list:
    """The records an officer may see besides their own, as selects of ids: the other records of the
    edit chains they sent into, and their assigned groups' records in their district. Small (edits are
    rare, assignments a few groups) however many records the officer sent."""
    code = user.district.code
    # The other records of their edit chains, in two parts that read only edits (rare) instead of
    # looking every one of the officer's records up again by root: the edits whose chain they sent into
    # (partial index on edits' root_instance_id), and the first record of each chain they sent an edit
    # into. A record that is no edit is its chain's first (root_instance_id = instance_id).
    sent, chained, edit, first = (aliased(Submission) for _ in range(4))
    edits_in_chain = select(chained.id).where(
        chained.deprecated_id.is_not(None), chained.district_code == code,
        chained.root_instance_id.in_(select(sent.root_instance_id)
                                     .where(sent.submitter_id == user.id, sent.district_code == code)))
    firsts_of_chain = select(first.id).where(
        first.district_code == code,
        first.instance_id.in_(select(edit.root_instance_id).where(
            edit.submitter_id == user.id, edit.district_code == code, edit.deprecated_id.is_not(None))))
    about = aliased(Submission)
    assigned = (select(Score.submission_id)
                .join(about, about.id == Score.submission_id)
                .join(Group, Group.code == Score.group_ref)
                .join(OfficerAssignment, OfficerAssignment.group_id == Group.id)
                .where(OfficerAssignment.user_id == user.id, Group.district_code == code, about.district_code == code))
    return [edits_in_chain, firsts_of_chain, assigned]


def officer_ids(user: User | None) -> list[int] | None:
    """The ids an officer may see, read once per request, when there are at most OFFICER_IDS_INLINE
    (an officer's records: hundreds, a few thousand); None for other roles or more ids. Lists then
    fetch and order just these (app/forms/listing.py) and count them exactly."""
    if user is None or not user.active or user.role != Role.OFFICER or user.district is None:
        return None
    return _once_per_request(("officer_ids", user.id), lambda: _all_officer_ids(user))


def _all_officer_ids(user: User) -> list[int] | None:
    from app import db

    # Their own records first, up to the limit (an index-only scan): the UNION below removes
    # duplicates, so it is evaluated whole before any LIMIT — for an officer with 70,000 records
    # that alone took ~100 ms on every list page.
    own = db.session.scalar(select(func.count()).select_from(
        select(Submission.id).where(Submission.submitter_id == user.id).limit(OFFICER_IDS_INLINE + 1).subquery()))
    return None if own > OFFICER_IDS_INLINE else _ids_at_most(_officer_reachable(user), OFFICER_IDS_INLINE)


def officer_other_ids(user: User) -> list[int] | None:
    """The ids of `_officer_others` (read once per request), when at most OFFICER_OTHERS_INLINE."""
    return _once_per_request(("officer_other_ids", user.id),
                             lambda: _ids_at_most(union(*_officer_others(user)), OFFICER_OTHERS_INLINE))


def _ids_at_most(ids_select, limit: int) -> list[int] | None:  # noqa: ANN001 - a select (or union) of ids
    from app import db

    ids = list(db.session.scalars(select(ids_select.subquery().c[0]).limit(limit + 1)))
    return ids if len(ids) <= limit else None


def _once_per_request(key: tuple, compute):  # noqa: ANN001, ANN202
    """`compute()` once per request (kept in the WSGI environ), never longer: an assignment changed
    since must count at once. Outside a request (CLI, tests) it is computed every time."""
    from flask import has_request_context, request

    if not has_request_context():
        return compute()
    cache = request.environ.setdefault("chumchon.scope_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _officer_clause(user: User):
    if user.district is None:
        return Submission.submitter_id == user.id
    ids = officer_ids(user)
    if ids is not None:
        return Submission.id.in_(ids) if ids else false()
    return _officer_own_or_listed(user)


def _officer_own_or_listed(user: User):
    """For an officer with more than OFFICER_IDS_INLINE records: their own (a condition the sender
    index answers) or one of the few others they may see, listed: PostgreSQL answers it with a bitmap
    OR of the sender index and the primary key instead of the per-row EXISTS look-ups below
    (docs/ARCHITECTURE.md "An officer with many records" has the figures)."""
    others = officer_other_ids(user)
    if others is None:
        return _officer_per_row(user)
    own = Submission.submitter_id == user.id
    return or_(own, Submission.id.in_(others)) if others else own


def _officer_per_row(user: User):
    """The officer rule as a condition on each row (for an officer with more records than
    OFFICER_IDS_INLINE and more other records than OFFICER_OTHERS_INLINE): a list walks its own index
    in date order and checks each row with indexed look-ups, instead of building the officer's whole
    set first (~0.5 s at 70,000 records)."""
    code = user.district.code
    sent = aliased(Submission)
    in_their_chain = (select(sent.id).where(sent.submitter_id == user.id, sent.district_code == code,
                                            sent.root_instance_id == Submission.root_instance_id)
                      .correlate(Submission).exists())
    assigned = (select(Score.id).join(Group, Group.code == Score.group_ref)
                .join(OfficerAssignment, OfficerAssignment.group_id == Group.id)
                .where(Score.submission_id == Submission.id, OfficerAssignment.user_id == user.id,
                       Group.district_code == code)
                .correlate(Submission).exists())
    return or_(Submission.submitter_id == user.id,
               and_(Submission.district_code == code, or_(in_their_chain, assigned)))


OFFICER_IDS_INLINE = 5000
OFFICER_OTHERS_INLINE = 5000


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
        if sub.submitter_id == user.id:
            return True
        if sub.id is None:
            return False
        from app import db

        return db.session.scalar(select(Submission.id).where(Submission.id == sub.id, _officer_clause(user))) \
            is not None
    return False


def may_correct_submission(sub: Submission | None, user: User | None) -> bool:
    """May `user` open `sub` in the browser to correct it? Only the current record of its edit chain,
    only for CORRECTORS, only within what they may see."""
    return (sub is not None and user is not None and user.role in CORRECTORS and bool(sub.is_current)
            and may_see_submission(sub, user))


def assignable_officers_clause(user: User | None):
    """The officers `user` may assign to groups: a district office its district's, an admin all."""
    if user is None or not user.active:
        return false()
    if user.role == Role.ADMIN:
        return User.role == Role.OFFICER
    if user.role == Role.DISTRICT and user.district_id is not None:
        return and_(User.role == Role.OFFICER, User.district_id == user.district_id)
    return false()


def sees_national_ids(user: User | None) -> bool:
    """District offices see full national IDs (they check ID-card copies to approve registrations);
    everyone else sees them masked (see app.auth.masking)."""
    return user is not None and user.role == Role.DISTRICT


def district_code_of(user: User | None) -> str | None:
    """The district a submission sent by `user` belongs to."""
    if user is not None and user.district is not None:
        return user.district.code
    return None
