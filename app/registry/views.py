"""Registry pages: the groups of the user's area and the district office's approval of registrations.

Scope (app/auth/policy.py rules; objects outside the scope answer 404): a district office sees and
decides its district's groups; a province account sees its province's (read only); an admin all.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app import db
from app.auth import audit
from app.auth.scope import DISTRICT_AND_OFFICER_ROLES, district_clause
from app.models import District, Group, GroupStatus, Role, User, utcnow

bp = Blueprint("registry", __name__, url_prefix="/registry")
PER_PAGE = 200
STATUS_TEXT = {GroupStatus.SUBMITTED: ("รอการรับรอง", "waiting for approval"),
               GroupStatus.APPROVED: ("รับรองแล้ว", "approved"), GroupStatus.REJECTED: ("ไม่รับรอง", "rejected")}
KIND_TEXT = {"savings": ("กลุ่มออมทรัพย์เพื่อการผลิต", "savings group"), "occupational": ("กลุ่มอาชีพ", "occupational group")}


def group_clause(user: User | None):
    """WHERE clause: the groups `user` may see (officers: their district's)."""
    return district_clause(Group.district_code, user, DISTRICT_AND_OFFICER_ROLES)


def _group_or_404(group_id: int) -> Group:
    group = db.session.scalar(select(Group).where(Group.id == group_id, group_clause(g.user)))
    if group is None:
        abort(404)
    return group


def _page(status_code: int = 200, error: tuple[str, str] | None = None, done: str | None = None):
    wanted = request.values.get("status") or GroupStatus.SUBMITTED
    if wanted not in GroupStatus.ALL:
        wanted = GroupStatus.SUBMITTED
    scope = group_clause(g.user)
    counts = dict(db.session.execute(select(Group.status, func.count()).where(scope).group_by(Group.status)).all())
    groups = db.session.scalars(select(Group).where(scope, Group.status == wanted)
                                .order_by(Group.district_code, Group.created_at.desc(), Group.id).limit(PER_PAGE)).all()
    districts = {d.code: d for d in db.session.scalars(select(District))}
    return render_template("registry/groups.html", groups=groups, status=wanted, counts=counts,
                           status_text=STATUS_TEXT, kind_text=KIND_TEXT, districts=districts, error=error,
                           done=done, may_decide=g.user.role in (Role.DISTRICT, Role.ADMIN),
                           today=date.today().isoformat()), status_code


@bp.get("/groups")
def groups():
    return _page(done=request.args.get("done"))


@bp.post("/groups/<int:group_id>/approve")
def approve_group(group_id: int):
    group = _group_or_404(group_id)
    number = (request.form.get("registration_no") or "").strip()[:64]
    try:
        on = date.fromisoformat((request.form.get("registered_on") or "").strip())
    except ValueError:
        on = None
    if not number or on is None or on > date.today():
        return _page(422, ("ใส่เลขทะเบียนและวันที่รับรอง (ไม่เกินวันนี้)",
                           "Enter the registration number and the date of registration (not in the future)."))
    if group.status != GroupStatus.SUBMITTED:
        return _page(409, ("กลุ่มนี้ได้รับการพิจารณาแล้ว", "This group has already been decided."))
    group.status = GroupStatus.APPROVED
    group.registration_no, group.registered_on = number, on
    group.decided_by, group.decided_at = g.user.username, utcnow()
    audit.record(audit.Action.APPROVE, "group", group.code,
                 {"registration_no": number, "registered_on": on.isoformat(), "district": group.district_code,
                  "name": group.name})  # commits with the change
    return redirect(url_for("registry.groups", done="approved"), 303)


@bp.post("/groups/<int:group_id>/reject")
def reject_group(group_id: int):
    group = _group_or_404(group_id)
    note = (request.form.get("note") or "").strip()[:2000]
    if not note:
        return _page(422, ("ระบุเหตุผลที่ไม่รับรอง", "Give the reason for the rejection."))
    if group.status != GroupStatus.SUBMITTED:
        return _page(409, ("กลุ่มนี้ได้รับการพิจารณาแล้ว", "This group has already been decided."))
    group.status = GroupStatus.REJECTED
    group.decision_note = note
    group.decided_by, group.decided_at = g.user.username, utcnow()
    audit.record(audit.Action.REJECT, "group", group.code, {"note": note, "district": group.district_code,
                                                            "name": group.name})
    return redirect(url_for("registry.groups", status=GroupStatus.SUBMITTED, done="rejected"), 303)
