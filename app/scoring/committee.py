"""Committee links: a group's results on a committee member's own phone, without an account.

- POST /submissions/<instance_id>/committee-link (officer, district, admin; scoped like the meeting
  screen): makes a link for the submission's group and shows it with its QR code on the meeting
  screen. The token (secrets.token_urlsafe(32)) is shown this once; only its SHA-256 is stored.
- GET /c/<token>: the group's latest result, its rounds and the advice; POST /c/<token>/plan: the
  committee records the weakness it will work on first (score group, action, who, by when).
  Unknown, revoked and expired tokens answer the same 404 page. Nothing of other groups, no
  submission ids, no answers (so no names or national IDs): only scores, levels, advice, plans.
- GET /registry/committee-links and POST /registry/committee-links/<id>/revoke: the district office
  lists its district's links and revokes them (audit `revoke`); another district's link is 404.

A group is (form, group_ref, district), as for app.scoring.store.previous_score. Links expire a
year after they are made. Several links of one group may be valid at once (each meeting can make
one); the district page lists them all.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta, timezone
from typing import Any

import segno
from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from app import db
from app.auth import audit
from app.auth.scope import district_clause, submission_clause
from app.models import (CommitteeLink, CommitteePlan, FormVersion, Group, Role, Score, Submission,
                        User, utcnow)
from app.scoring.store import BUDDHIST_ERA_OFFSET

bp = Blueprint("committee", __name__)

LINK_LIFETIME = timedelta(days=365)
PLANS_SHOWN = 5
THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
               "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
LIMITS = {"action": 1000, "responsible": 200}


# ------------------------------------------------------------------ tokens and links


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite hands back naive UTC
        return value.replace(tzinfo=timezone.utc)
    return value


def is_valid(link: CommitteeLink, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return link.revoked_at is None and _aware(link.expires_at) > now


def create_link(score: Score, actor: User) -> tuple[CommitteeLink, str]:
    """A new link for the score's group (not committed); returns it and its token (never stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = CommitteeLink(form_pk=score.form_pk, group_ref=score.group_ref, district_code=score.district_code,
                         token_hash=hash_token(token), created_by=actor.username, created_at=now,
                         expires_at=now + LINK_LIFETIME)
    db.session.add(link)
    db.session.flush()
    return link, token


def link_of_token(token: str) -> CommitteeLink | None:
    """The valid link of `token`, or None (unknown, revoked and expired alike)."""
    if not token or len(token) > 128:
        return None
    link = db.session.scalar(select(CommitteeLink).where(CommitteeLink.token_hash == hash_token(token)))
    return link if link is not None and is_valid(link) else None


def _district(code: str | None):
    return CommitteeLink.district_code.is_(None) if code is None else CommitteeLink.district_code == code


def group_scores(form_pk: int, group_ref: str, district_code: str | None) -> list[Score]:
    """The group's current scores, oldest first (its rounds)."""
    district = Score.district_code.is_(None) if district_code is None else Score.district_code == district_code
    return list(db.session.scalars(
        select(Score).where(Score.form_pk == form_pk, Score.group_ref == group_ref, district,
                            Score.is_current.is_(True))
        .order_by(Score.assessed_on, Score.submission_id)))


def group_plans(form_pk: int, group_ref: str, district_code: str | None,
                up_to_round: int | None = None) -> list[CommitteePlan]:
    district = (CommitteePlan.district_code.is_(None) if district_code is None
                else CommitteePlan.district_code == district_code)
    stmt = select(CommitteePlan).where(CommitteePlan.form_pk == form_pk, CommitteePlan.group_ref == group_ref,
                                       district)
    if up_to_round is not None:
        stmt = stmt.where(CommitteePlan.round_year <= up_to_round)
    return list(db.session.scalars(stmt.order_by(CommitteePlan.created_at.desc(), CommitteePlan.id.desc())
                                   .limit(PLANS_SHOWN)))


def group_name(score: Score) -> dict[str, str]:
    """The group's own name: the registry's (Group.code = group_ref), else as the form names it."""
    from app.scoring.views import group_label

    group = db.session.scalar(select(Group).where(Group.code == score.group_ref))
    if group is not None:
        return {"th": group.name, "en": ""}
    sub = db.session.get(Submission, score.submission_id)
    return group_label(sub, db.session.get(FormVersion, score.form_version_id), score.group_ref)


def group_label_names(result: dict[str, Any]) -> dict[str, dict[str, str]]:
    from app.scoring.views import texts

    return {gr["name"]: texts(gr.get("label")) for gr in result.get("groups") or []}


def plans_view(plans: list[CommitteePlan], result: dict[str, Any]) -> list[dict[str, Any]]:
    names = group_label_names(result)
    return [{"id": p.id, "group": names.get(p.score_group, {"th": p.score_group, "en": ""}), "action": p.action,
             "responsible": p.responsible, "target_date": p.target_date, "round_year": p.round_year,
             "created_at": p.created_at} for p in plans]


def meeting_plans(score: Score) -> dict[str, list[dict[str, Any]]]:
    """The group's plans for the meeting screen of `score`: {"last": plans from earlier rounds,
    "this": plans recorded in this round} (newest first)."""
    if not score.group_ref:
        return {"last": [], "this": []}
    plans = plans_view(group_plans(score.form_pk, score.group_ref, score.district_code, score.round_year),
                       score.result)
    return {"last": [p for p in plans if p["round_year"] < score.round_year],
            "this": [p for p in plans if p["round_year"] == score.round_year]}


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG (no style attributes: CSP style-src 'self')."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass="qr-line",
                                  dark="#000", light="#fff"))


def _public_headers(response):  # noqa: ANN001
    # The token is in the URL: never sent on as a Referer, never cached, never indexed.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ------------------------------------------------------------------ the officer: make a link


@bp.post("/submissions/<instance_id>/committee-link")
def make_link(instance_id: str):
    from app.scoring.views import render_meeting

    sub = db.session.scalar(select(Submission).where(Submission.instance_id == instance_id,
                                                     submission_clause(g.user)))
    row = db.session.scalar(select(Score).where(Score.submission_id == sub.id)) if sub is not None else None
    if row is None:
        abort(404)
    if not row.group_ref:
        abort(422)
    link, token = create_link(row, g.user)
    audit.record(audit.Action.COMMITTEE_LINK, "committee_link", link.id,
                 {"group_ref": row.group_ref, "district": row.district_code, "form_pk": row.form_pk,
                  "expires_at": link.expires_at.isoformat()})  # commits with the link
    url = url_for("committee.public_page", token=token, _external=True)
    response = make_response(render_meeting(sub, committee={"url": url, "qr": qr_svg(url),
                                                            "expires_at": link.expires_at}))
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ the committee: the public page


def _target_date(form) -> date | None:  # noqa: ANN001
    try:
        year_be, month, day = int(form.get("year", "")), int(form.get("month", "")), int(form.get("day", ""))
        return date(year_be - BUDDHIST_ERA_OFFSET, month, day)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a year of 20 digits
        return None


def _public(link: CommitteeLink, status: int = 200, errors: list[tuple[str, str]] | None = None,
            values: dict[str, str] | None = None, saved: bool = False):
    from app.scoring.views import SCREEN_LISTED, screen, texts

    scores = group_scores(link.form_pk, link.group_ref, link.district_code)
    if not scores:
        abort(404)
    latest = scores[-1]
    payload = {"group_label": group_name(latest), "result": latest.result, "changes": {}, "previous": None,
               "assessed_on": latest.assessed_on, "round_year": latest.round_year}
    view = screen(payload)
    rounds = []
    for s in reversed(scores):
        level = (s.result or {}).get("level")
        rounds.append({"round_year": s.round_year, "assessed_on": s.assessed_on, "percent": s.percent,
                       "level": None if level is None else {**texts(level.get("label")), "name": level["name"]}})
    plans = plans_view(group_plans(link.form_pk, link.group_ref, link.district_code), latest.result)
    today = date.today()
    response = make_response(render_template(
        "scoring/committee.html", view=view, listed=SCREEN_LISTED, rounds=rounds, plans=plans,
        token_url=request.path.removesuffix("/plan"), errors=errors or [], values=values or {}, saved=saved,
        months=THAI_MONTHS, years=[today.year + BUDDHIST_ERA_OFFSET + i for i in range(0, 4)],
        limits=LIMITS), status)
    return _public_headers(response)


@bp.get("/c/<token>")
def public_page(token: str):
    link = link_of_token(token)
    if link is None:
        abort(404)
    return _public(link, saved=request.args.get("saved") == "1")


@bp.post("/c/<token>/plan")
def record_plan(token: str):
    link = link_of_token(token)
    if link is None:
        abort(404)
    scores = group_scores(link.form_pk, link.group_ref, link.district_code)
    if not scores:
        abort(404)
    latest = scores[-1]
    form = request.form
    values = {k: (form.get(k) or "").strip() for k in ("score_group", "action", "responsible", "day", "month", "year")}
    errors: list[tuple[str, str]] = []
    if values["score_group"] not in group_label_names(latest.result):
        errors.append(("เลือกหลักที่จะพัฒนา", "Choose the principle to work on."))
    if not values["action"]:
        errors.append(("เขียนสิ่งที่จะทำ", "Write what you will do."))
    if not values["responsible"]:
        errors.append(("ใส่ชื่อผู้รับผิดชอบ", "Enter who is responsible."))
    target = _target_date(form)
    if target is None:
        errors.append(("เลือกวันที่ให้ถูกต้อง", "Choose a valid date."))
    elif target < date.today():
        errors.append(("วันที่ต้องไม่ก่อนวันนี้", "The date cannot be in the past."))
    if errors:
        return _public(link, 422, errors, values)
    plan = CommitteePlan(link_id=link.id, form_pk=link.form_pk, group_ref=link.group_ref,
                         district_code=link.district_code, round_year=latest.round_year,
                         score_group=values["score_group"], action=values["action"][:LIMITS["action"]],
                         responsible=values["responsible"][:LIMITS["responsible"]], target_date=target)
    db.session.add(plan)
    db.session.flush()
    audit.record(audit.Action.COMMITTEE_PLAN, "committee_plan", plan.id,
                 {"link": link.id, "group_ref": link.group_ref, "district": link.district_code,
                  "score_group": plan.score_group, "target_date": target.isoformat()},
                 actor=f"committee-link:{link.id}")
    return _public_headers(redirect(url_for("committee.public_page", token=token, saved=1) + "#plans", 303))


# ------------------------------------------------------------------ the district office: list and revoke


def link_clause(user: User | None):
    """WHERE clause: the committee links `user` manages (district offices, province, admin)."""
    return district_clause(CommitteeLink.district_code, user)


LINKS_PER_PAGE = 50
GROUPS_FOUND = 20


def _link_cursor(token: str | None) -> tuple[datetime, int] | None:
    """The keyset cursor of the links list: "<created_at ISO>~<id>" of the last row shown."""
    if not token:
        return None
    stamp, _, ident = token.partition("~")
    try:
        when = datetime.fromisoformat(stamp)
        return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)), int(ident)
    except ValueError:
        abort(400)


def links_page(user: User, after: tuple[datetime, int] | None) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the committee links `user` manages, newest first, with each group's registered name and
    village joined in (one query however many links; a name the registry lacks comes from the form's
    own options)."""
    from app.forms.listing import static_group_name
    from app.models import District, Village

    stmt = (select(CommitteeLink, Group.name, Village.name_th, District.name_th)
            .outerjoin(Group, Group.code == CommitteeLink.group_ref)
            .outerjoin(Village, Village.code == Group.village_code)
            .outerjoin(District, District.code == CommitteeLink.district_code)
            .where(link_clause(user)))
    if after is not None:
        stamp, ident = after
        stmt = stmt.where(CommitteeLink.created_at <= stamp,
                          (CommitteeLink.created_at < stamp) | (CommitteeLink.id < ident))
    rows = db.session.execute(stmt.order_by(CommitteeLink.created_at.desc(), CommitteeLink.id.desc())
                              .limit(LINKS_PER_PAGE + 1)).all()
    more = len(rows) > LINKS_PER_PAGE
    rows = rows[:LINKS_PER_PAGE]
    now = utcnow()
    latest_version: dict[int, int | None] = {}
    shown = []
    for link, name, village, district in rows:
        if name is None:
            if link.form_pk not in latest_version:
                latest_version[link.form_pk] = db.session.scalar(
                    select(func.max(FormVersion.id)).where(FormVersion.form_pk == link.form_pk))
            version_id = latest_version[link.form_pk]
            name = static_group_name(version_id, link.group_ref) if version_id else None
        state = ("revoked" if link.revoked_at is not None else
                 "expired" if _aware(link.expires_at) <= now else "valid")
        shown.append({"link": link, "group": {"th": name or link.group_ref, "en": ""}, "village": village,
                      "district": district, "state": state})
    last = rows[-1][0] if rows else None
    cursor = f"{_aware(last.created_at).isoformat()}~{last.id}" if more and last is not None else None
    return shown, cursor


def find_groups(user: User, text: str) -> list[dict[str, Any]]:
    """Registry groups in `user`'s area whose name, code or village name holds `text`, each with its
    latest assessment (form, date, level) and how many valid links it has: one query for the groups,
    one for their scores, one for their links."""
    from app.forms.listing import level_label, matching_group_codes
    from app.models import Village

    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    codes = matching_group_codes(text, user, limit=GROUPS_FOUND)
    if not codes:
        return []
    groups = db.session.execute(
        select(Group.code, Group.name, Group.district_code, Village.name_th)
        .outerjoin(Village, Village.code == Group.village_code)
        .where(Group.code.in_(codes), district_clause(Group.district_code, user))
        .order_by(Group.name)).all()
    codes = [row[0] for row in groups]
    if not codes:
        return []
    latest: dict[str, Score] = {}
    for score in db.session.scalars(
            select(Score).where(Score.group_ref.in_(codes), Score.is_current.is_(True),
                                district_clause(Score.district_code, user))
            .options(load_only(Score.id, Score.form_pk, Score.group_ref, Score.district_code, Score.assessed_on,
                               Score.level_name, Score.form_version_id, Score.submission_id))
            .order_by(Score.assessed_on, Score.submission_id)):
        latest[score.group_ref] = score  # oldest first: the last one seen is the latest
    valid = dict(db.session.execute(
        select(CommitteeLink.group_ref, func.count()).where(
            CommitteeLink.group_ref.in_(codes), CommitteeLink.revoked_at.is_(None),
            CommitteeLink.expires_at > utcnow(), link_clause(user))
        .group_by(CommitteeLink.group_ref)).all())
    found = []
    for code, name, district, village in groups:
        score = latest.get(code)
        found.append({"code": code, "name": name, "village": village, "district": district, "score": score,
                      "level": level_label(score.form_version_id, score.level_name) if score else None,
                      "valid_links": valid.get(code, 0)})
    return found


def _links_response(made: dict[str, Any] | None = None, status: int = 200):
    q = " ".join((request.values.get("q") or "").split())[:100]
    shown, cursor = links_page(g.user, _link_cursor(request.args.get("after")))
    may_make = g.user.role in (Role.DISTRICT, Role.ADMIN)
    response = make_response(render_template(
        "scoring/committee_links.html", links=shown, next_cursor=cursor, first_page=not request.args.get("after"),
        may_revoke=may_make, may_make=may_make, q=q, found=find_groups(g.user, q) if q else [],
        made=made, done=request.args.get("done")), status)
    if made is not None:
        response.headers["Cache-Control"] = "no-store"  # the token is on this page, once
    return response


@bp.get("/registry/committee-links")
def links():
    return _links_response()


@bp.post("/registry/committee-links/make")
def make_group_link():
    """Make a committee link (and QR) for a group found by search, in one step; `replace` revokes the
    group's valid links first (a lost phone, a new committee)."""
    code = (request.form.get("group") or "").strip()
    score = db.session.scalar(
        select(Score).where(Score.group_ref == code, Score.is_current.is_(True),
                            district_clause(Score.district_code, g.user))
        .order_by(Score.assessed_on.desc(), Score.submission_id.desc()).limit(1)) if code else None
    if score is None:
        abort(404)
    replaced = []
    if request.form.get("replace") == "1":
        district = _district(score.district_code)
        for old in db.session.scalars(select(CommitteeLink).where(
                CommitteeLink.form_pk == score.form_pk, CommitteeLink.group_ref == score.group_ref, district,
                CommitteeLink.revoked_at.is_(None))):
            old.revoked_at, old.revoked_by = utcnow(), g.user.username
            replaced.append(old.id)
            audit.record(audit.Action.REVOKE, "committee_link", old.id,
                         {"group_ref": old.group_ref, "district": old.district_code, "replaced": True})
    link, token = create_link(score, g.user)
    audit.record(audit.Action.COMMITTEE_LINK, "committee_link", link.id,
                 {"group_ref": score.group_ref, "district": score.district_code, "form_pk": score.form_pk,
                  "expires_at": link.expires_at.isoformat(), "replaces": replaced})  # commits with the link
    url = url_for("committee.public_page", token=token, _external=True)
    name = db.session.scalar(select(Group.name).where(Group.code == score.group_ref)) or score.group_ref
    return _links_response(made={"url": url, "qr": qr_svg(url), "expires_at": link.expires_at, "group": name,
                                 "replaced": len(replaced)})


@bp.post("/registry/committee-links/<int:link_id>/revoke")
def revoke_link(link_id: int):
    link = db.session.scalar(select(CommitteeLink).where(CommitteeLink.id == link_id, link_clause(g.user)))
    if link is None:
        abort(404)
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = utcnow(), g.user.username
        audit.record(audit.Action.REVOKE, "committee_link", link.id,
                     {"group_ref": link.group_ref, "district": link.district_code})  # commits with the change
    return redirect(url_for("committee.links", done="revoked"), 303)
