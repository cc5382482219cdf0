"""Administration pages: users (admin) and the audit log (admin and province)."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import db
from app.auth import accounts
from app.auth.audit import Action
from app.auth.scope import audit_clause
from app.models import AuditEvent, District, Province, Role, User

bp = Blueprint("admin", __name__)
AUDIT_PER_PAGE = 100
ROLE_TEXT = {
    Role.ADMIN: ("ผู้ดูแลระบบ", "Administrator"),
    Role.PROVINCE: ("สำนักงานจังหวัด", "Province office"),
    Role.DISTRICT: ("สำนักงานอำเภอ", "District office"),
    Role.OFFICER: ("พัฒนากร", "Field officer"),
}


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _users_page(status: int = 200, error: tuple[str, str] | None = None, message: tuple[str, str] | None = None,
                form: dict | None = None):
    users = db.session.scalars(select(User).options(selectinload(User.district), selectinload(User.province))
                               .order_by(User.active.desc(), User.username)).all()
    districts = db.session.scalars(select(District).order_by(District.code)).all()
    provinces = db.session.scalars(select(Province).order_by(Province.code)).all()
    return render_template("admin/users.html", users=users, districts=districts, provinces=provinces,
                           roles=Role.ALL, role_text=ROLE_TEXT, error=error, message=message,
                           form=form or {}), status


@bp.get("/users")
def users():
    done = request.args.get("done")
    messages = {
        "created": ("เพิ่มผู้ใช้แล้ว", "User added."),
        "deactivated": ("ปิดการใช้งานแล้ว ข้อมูลที่ผู้ใช้ส่งไว้ยังอยู่ครบ", "Deactivated; everything they sent is kept."),
        "reactivated": ("เปิดการใช้งานแล้ว", "Reactivated."),
        "reassigned": ("เปลี่ยนบทบาท/อำเภอแล้ว ผู้ใช้ต้องเข้าสู่ระบบใหม่", "Re-assigned; the user must sign in again."),
        "password": ("ตั้งรหัสผ่านใหม่แล้ว ผู้ใช้ต้องเข้าสู่ระบบใหม่", "Password reset; the user must sign in again."),
    }
    return _users_page(message=messages.get(done))


@bp.post("/users")
def user_create():
    f = request.form
    try:
        accounts.create_user(f.get("username", ""), f.get("display_name", ""), f.get("role", ""),
                             f.get("password", ""), district=f.get("district") or None,
                             province=f.get("province") or None, actor=g.user)
    except accounts.AccountError as e:
        db.session.rollback()
        return _users_page(422, error=(e.message_th, e.message_en), form=f.to_dict())
    return redirect(url_for("admin.users", done="created"), code=303)


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    user = _user_or_404(user_id)
    if user.id == g.user.id:
        return _users_page(422, error=("ปิดการใช้งานบัญชีของตัวเองไม่ได้", "You cannot deactivate your own account."))
    accounts.set_active(user, False, actor=g.user)
    return redirect(url_for("admin.users", done="deactivated"), code=303)


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id: int):
    accounts.set_active(_user_or_404(user_id), True, actor=g.user)
    return redirect(url_for("admin.users", done="reactivated"), code=303)


@bp.post("/users/<int:user_id>/reassign")
def user_reassign(user_id: int):
    user = _user_or_404(user_id)
    if user.id == g.user.id and request.form.get("role") != Role.ADMIN:
        return _users_page(422, error=("เปลี่ยนบทบาทของตัวเองไม่ได้", "You cannot change your own role."))
    try:
        accounts.reassign(user, request.form.get("role", ""), request.form.get("district") or None,
                          request.form.get("province") or None, actor=g.user)
    except accounts.AccountError as e:
        db.session.rollback()
        return _users_page(422, error=(e.message_th, e.message_en))
    return redirect(url_for("admin.users", done="reassigned"), code=303)


@bp.post("/users/<int:user_id>/password")
def user_reset_password(user_id: int):
    user = _user_or_404(user_id)
    try:
        accounts.reset_password(user, request.form.get("password", ""), actor=g.user)
    except accounts.AccountError as e:
        db.session.rollback()
        return _users_page(422, error=(e.message_th, e.message_en))
    return redirect(url_for("admin.users", done="password"), code=303)


@bp.get("/audit")
def audit():
    action = (request.args.get("action") or "").strip()
    page_text = (request.args.get("page") or "1").strip()
    page = int(page_text) if page_text.isascii() and page_text.isdigit() and 0 < len(page_text) < 9 else 1
    page = max(page, 1)  # ?page=0 would be a negative OFFSET (an error on PostgreSQL)
    where = [audit_clause(g.user)] + ([AuditEvent.action == action] if action in Action.ALL else [])
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    events = db.session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.id.desc())
                               .limit(AUDIT_PER_PAGE).offset((page - 1) * AUDIT_PER_PAGE)).all()
    return render_template("admin/audit.html", events=events, actions=Action.ALL, action=action, page=page,
                           pages=max(1, -(-total // AUDIT_PER_PAGE)), total=total)
