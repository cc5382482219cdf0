"""Officer assignments: the district office (or an admin) assigns its officers to the district's
approved registry groups; an officer then sees and may correct the submissions about those groups
(app/auth/scope.py). One page per officer: the district's approved groups as checkboxes; saving
replaces the officer's assignments and writes one audit event (`assign`, with what was added and
removed). Officers of another district answer 404, like a missing account.
"""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db
from app.auth import audit
from app.auth.scope import assignable_officers_clause
from app.models import District, Group, GroupStatus, OfficerAssignment, User

bp = Blueprint("assignments", __name__)


def _officers() -> list[User]:
    return db.session.scalars(select(User).where(assignable_officers_clause(g.user))
                              .options(selectinload(User.district))
                              .order_by(User.active.desc(), User.username)).all()


def _officer_or_404(user_id: int) -> User:
    officer = db.session.scalar(select(User).where(User.id == user_id, assignable_officers_clause(g.user)))
    if officer is None or officer.district is None:
        abort(404)
    return officer


def _groups_of(officer: User) -> list[Group]:
    """The groups `officer` may be assigned to: the approved groups of the officer's district."""
    return db.session.scalars(select(Group).where(Group.district_code == officer.district.code,
                                                  Group.status == GroupStatus.APPROVED)
                              .order_by(Group.code)).all()


def _assigned_ids(officer: User) -> set[int]:
    return set(db.session.scalars(select(OfficerAssignment.group_id).where(OfficerAssignment.user_id == officer.id)))


@bp.get("/assignments")
def page():
    officers = _officers()
    selected = None
    wanted = (request.args.get("officer") or "").strip()
    if wanted.isascii() and wanted.isdigit():
        officer_id = db.database_id(wanted)
        if officer_id is None:  # an id no account can have is a missing account, not a server error
            abort(404)
        selected = _officer_or_404(officer_id)
    elif len(officers) == 1 and officers[0].district is not None:
        selected = officers[0]
    groups = _groups_of(selected) if selected else []
    districts = {d.code: d for d in db.session.scalars(select(District))}
    return render_template("assignments/page.html", officers=officers, selected=selected, groups=groups,
                           assigned=_assigned_ids(selected) if selected else set(), districts=districts,
                           done=request.args.get("done"))


@bp.post("/assignments/<int:user_id>")
def save(user_id: int):
    officer = _officer_or_404(user_id)
    allowed = {grp.id: grp for grp in _groups_of(officer)}
    wanted = {gid for gid in map(db.database_id, request.form.getlist("group")) if gid in allowed}
    current = {a.group_id: a for a in db.session.scalars(
        select(OfficerAssignment).where(OfficerAssignment.user_id == officer.id))}
    added = sorted(wanted - set(current))
    # Assignments to groups no longer assignable (rejected later, officer moved) go when unticked too.
    removed = sorted(set(current) - wanted)
    for group_id in added:
        db.session.add(OfficerAssignment(user_id=officer.id, group_id=group_id, assigned_by=g.user.username))
    for group_id in removed:
        db.session.delete(current[group_id])
    if added or removed:
        codes = {grp.id: grp.code for grp in db.session.scalars(select(Group).where(Group.id.in_(added + removed)))}
        audit.record(audit.Action.ASSIGN, "user", officer.username,
                     {"district": officer.district.code, "added": [codes[i] for i in added],
                      "removed": [codes[i] for i in removed]})  # commits with the change
    else:
        db.session.commit()
    return redirect(url_for("assignments.page", officer=officer.id, done="saved"), 303)
