"""Committee links (app/scoring/committee.py): a group's results on a member's phone without an account.

Tokens are unguessable and stored only hashed; unknown, revoked and expired tokens answer the same 404;
the page shows its own group only (no other group, no submission ids, no names); only the group's
district office (or an admin) revokes; a plan recorded through the link is shown to the officer at the
next round; making, revoking and planning are in the audit log."""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import db
from app.auth.audit import Action
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import AuditEvent, CommitteeLink, CommitteePlan, utcnow
from tests.conftest import csrf_token_of, sign_in, without_csrf
from tests.scoring import meeting_workbook as mw

LINK = re.compile(r'<a href="(http://[^"]+/c/([^"]+))" rel="noreferrer" class="committee-url">')


@pytest.fixture
def fv(app):
    return publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version


@pytest.fixture
def people(make_user):
    return {"officer": make_user("officer", district="4201", username="off-a"),
            "neighbour": make_user("officer", district="4209", username="off-b"),
            "district": make_user("district", district="4201", username="dist-a"),
            "other_district": make_user("district", district="4209", username="dist-b")}


def send(fv, user, **answers):
    outcome = receive_submission(mw.xml(fv, **answers), {}, user.username, sender=user)
    assert outcome.status == 201, outcome.message_en
    return outcome.submission


def client_of(app, user):
    c = app.test_client()
    sign_in(c, user.username)
    return c


def make_link(app, user, sub) -> tuple[str, str]:
    r = client_of(app, user).post(f"/submissions/{sub.instance_id}/committee-link")
    assert r.status_code == 200
    found = LINK.search(r.get_data(as_text=True))
    assert found, "the meeting screen shows no committee link"
    assert '<svg viewBox="0 0' in r.get_data(as_text=True) and 'class="qr"' in r.get_data(as_text=True)
    return found.group(1), found.group(2)


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_tokens_are_unguessable_and_stored_hashed(app, fv, people):
    sub = send(fv, people["officer"], instance_id="uuid:a-2567")
    url1, token1 = make_link(app, people["officer"], sub)
    url2, token2 = make_link(app, people["officer"], sub)
    assert token1 != token2 and len(token1) >= 43 and len(token2) >= 43  # token_urlsafe(32): 256 bits
    links = db.session.scalars(select(CommitteeLink).order_by(CommitteeLink.id)).all()
    assert [link.token_hash for link in links] == [hashlib.sha256(t.encode()).hexdigest() for t in (token1, token2)]
    for link in links:  # the token itself is stored nowhere
        assert token1 not in repr({c.name: getattr(link, c.name) for c in CommitteeLink.__table__.columns})
        assert link.group_ref == "g1" and link.district_code == "4201" and link.created_by == "off-a"
        assert timedelta(days=364) < link.expires_at - link.created_at <= timedelta(days=366)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == Action.COMMITTEE_LINK)).all()
    assert len(events) == 2 and events[0].actor == "off-a" and events[0].detail["group_ref"] == "g1"
    assert all(token1 not in repr(e.detail) for e in events)
    r = app.test_client().get(path_of(url1))
    assert r.status_code == 200 and r.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in r.headers["Cache-Control"]


def test_revoked_and_expired_links_answer_like_unknown_ones(app, fv, people):
    sub = send(fv, people["officer"])
    url_a, _ = make_link(app, people["officer"], sub)
    url_b, _ = make_link(app, people["officer"], sub)
    anon = app.test_client()
    unknown = anon.get("/c/" + "x" * 43)
    assert unknown.status_code == 404 and "ไม่พบ" in unknown.get_data(as_text=True)
    assert anon.get(path_of(url_a)).status_code == 200

    dist = client_of(app, people["district"])
    link_a, link_b = db.session.scalars(select(CommitteeLink).order_by(CommitteeLink.id)).all()
    assert dist.post(f"/registry/committee-links/{link_a.id}/revoke").status_code == 303
    link_b.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    revoked, expired = anon.get(path_of(url_a)), anon.get(path_of(url_b))
    assert revoked.status_code == expired.status_code == 404
    # Byte for byte, but for the session's CSRF token, which is timestamped (changes each second).
    assert without_csrf(revoked) == without_csrf(expired) == without_csrf(unknown)
    # a plan through a dead link is refused the same way
    token = csrf_token_of(anon.get("/signin").get_data(as_text=True))
    assert anon.post(path_of(url_a) + "/plan", data={"csrf_token": token}).status_code == 404


def test_the_page_shows_its_own_group_only(app, fv, people):
    mine = send(fv, people["officer"], group="g1", assessed_on="2024-03-10", i03="0", rate="18",
                instance_id="uuid:mine-2567")
    send(fv, people["officer"], group="g1", assessed_on="2023-03-12", i01="1", i05="no", instance_id="uuid:mine-2566")
    send(fv, people["officer"], group="g2", assessed_on="2024-03-11", instance_id="uuid:g2-2567")
    send(fv, people["neighbour"], group="g1", assessed_on="2022-03-12", instance_id="uuid:g1-4209-2565")
    url, token = make_link(app, people["officer"], mine)
    html = app.test_client().get(path_of(url)).get_data(as_text=True)
    assert "กลุ่มออมทรัพย์บ้านนาดี" in html and "บ้านหนองบัว" not in html  # not the other group of the form
    assert "2567" in html and "2566" in html and "2565" not in html  # its rounds, not another district's g1
    assert html.count("data-round=") == 2
    assert "uuid:" not in html and "off-a" not in html and "4201" not in html  # no ids, no names, no district
    assert 'data-group="law"' in html and "สมาชิกร่วมกันทบทวนระเบียบกลุ่ม" not in html  # law passed: no advice
    assert "อบรมการทำบัญชีอย่างง่าย" in html  # the advice of a failed principle
    assert "<script" not in html and "style=" not in html


def test_only_the_groups_district_office_revokes(app, fv, people):
    sub = send(fv, people["officer"])
    url, _ = make_link(app, people["officer"], sub)
    link = db.session.scalar(select(CommitteeLink))
    other = client_of(app, people["other_district"])
    assert other.post(f"/registry/committee-links/{link.id}/revoke").status_code == 404
    assert f'data-link-id="{link.id}"' not in other.get("/registry/committee-links").get_data(as_text=True)
    assert client_of(app, people["officer"]).post(f"/registry/committee-links/{link.id}/revoke").status_code == 403
    db.session.refresh(link)
    assert link.revoked_at is None
    dist = client_of(app, people["district"])
    page = dist.get("/registry/committee-links").get_data(as_text=True)
    assert f'data-link-id="{link.id}" data-state="valid"' in page and "กลุ่มออมทรัพย์บ้านนาดี" in page
    assert dist.post(f"/registry/committee-links/{link.id}/revoke").status_code == 303
    db.session.refresh(link)
    assert link.revoked_at is not None and link.revoked_by == "dist-a"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == Action.REVOKE))
    assert event.actor == "dist-a" and event.target_type == "committee_link" and event.target_id == str(link.id)
    assert f'data-link-id="{link.id}" data-state="revoked"' in dist.get("/registry/committee-links").get_data(as_text=True)
    assert app.test_client().get(path_of(url)).status_code == 404


def test_a_plan_is_recorded_and_shown_to_the_officer_at_the_next_round(app, fv, people):
    first = send(fv, people["officer"], assessed_on="2024-03-10", instance_id="uuid:round-2567")
    url, _ = make_link(app, people["officer"], first)
    phone = app.test_client()
    page = phone.get(path_of(url)).get_data(as_text=True)
    token = csrf_token_of(page)
    target = date.today() + timedelta(days=60)
    plan = {"csrf_token": token, "score_group": "money", "action": "อบรมทำบัญชีทุกเดือน",
            "responsible": "เหรัญญิกกลุ่ม", "day": str(target.day), "month": str(target.month),
            "year": str(target.year + 543)}
    assert phone.post(path_of(url) + "/plan", data={**plan, "csrf_token": ""}).status_code == 400
    assert phone.post(path_of(url) + "/plan", data={**plan, "score_group": "nope"}).status_code == 422
    past = date.today() - timedelta(days=1)
    bad = phone.post(path_of(url) + "/plan", data={**plan, "day": str(past.day), "month": str(past.month),
                                                   "year": str(past.year + 543)})
    assert bad.status_code == 422 and "The date cannot be in the past" in bad.get_data(as_text=True)
    r = phone.post(path_of(url) + "/plan", data=plan)
    assert r.status_code == 303
    saved = db.session.scalar(select(CommitteePlan))
    assert (saved.score_group, saved.target_date, saved.round_year, saved.group_ref) == ("money", target, 2567, "g1")
    shown = phone.get(r.headers["Location"]).get_data(as_text=True)
    assert "บันทึกแผนแล้ว" in shown and "อบรมทำบัญชีทุกเดือน" in shown
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == Action.COMMITTEE_PLAN))
    assert event.actor == f"committee-link:{saved.link_id}" and event.detail["score_group"] == "money"

    officer = client_of(app, people["officer"])
    same_round = officer.get(f"/submissions/{first.instance_id}/meeting").get_data(as_text=True)
    assert "แผนของกลุ่มจากรอบนี้" in same_round and "อบรมทำบัญชีทุกเดือน" in same_round
    nxt = send(fv, people["officer"], assessed_on="2025-03-09", instance_id="uuid:round-2568")
    html = officer.get(f"/submissions/{nxt.instance_id}/meeting").get_data(as_text=True)
    assert "แผนของกลุ่มจากรอบที่แล้ว" in html and "The group&#39;s plan from last round" in html
    assert "อบรมทำบัญชีทุกเดือน" in html and "เหรัญญิกกลุ่ม" in html and "หลักความโปร่งใส" in html
    # another group's meeting screen does not show it
    g2 = send(fv, people["officer"], group="g2", assessed_on="2025-03-09")
    assert "อบรมทำบัญชีทุกเดือน" not in officer.get(f"/submissions/{g2.instance_id}/meeting").get_data(as_text=True)


def test_province_accounts_do_not_make_links(app, fv, people, make_user):
    sub = send(fv, people["officer"])
    province = client_of(app, make_user("province", username="prov"))
    html = province.get(f"/submissions/{sub.instance_id}/meeting").get_data(as_text=True)
    assert "mt-make-link" not in html
    assert province.post(f"/submissions/{sub.instance_id}/committee-link").status_code == 403


def test_the_links_page_finds_a_group_and_makes_or_replaces_its_link_in_one_step(app, fv, people):
    from app.models import Group, GroupStatus, Village

    db.session.add(Village(code="42010101", name_th="บ้านนาดี", tambon_code="420101", tambon_th="ตำบลกุดป่อง",
                           district_code="4201"))
    db.session.add(Group(code="g1", kind="savings", name="กลุ่มออมทรัพย์เพื่อการผลิตบ้านนาดี", village_code="42010101",
                         district_code="4201", status=GroupStatus.APPROVED))
    db.session.commit()
    send(fv, people["officer"], instance_id="uuid:links-page")
    dist = client_of(app, people["district"])
    found = dist.get("/registry/committee-links", query_string={"q": "นาดี"}).get_data(as_text=True)
    assert 'data-group="g1"' in found and "สร้างลิงก์และคิวอาร์" in found
    token = csrf_token_of(found)
    made = dist.post("/registry/committee-links/make", data={"group": "g1", "q": "นาดี", "csrf_token": token})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    first_url = LINK.search(made.get_data(as_text=True)).group(1)
    assert 'class="qr"' in made.get_data(as_text=True)
    assert app.test_client().get(path_of(first_url)).status_code == 200
    # the group now has a valid link: the search offers to replace it, which revokes the old one
    again = dist.get("/registry/committee-links", query_string={"q": "g1"}).get_data(as_text=True)
    assert "แทนที่ลิงก์และคิวอาร์" in again
    replaced = dist.post("/registry/committee-links/make", data={"group": "g1", "replace": "1", "csrf_token": token})
    second_url = LINK.search(replaced.get_data(as_text=True)).group(1)
    assert second_url != first_url
    assert app.test_client().get(path_of(first_url)).status_code == 404
    assert app.test_client().get(path_of(second_url)).status_code == 200
    listed = dist.get("/registry/committee-links").get_data(as_text=True)
    assert listed.count('data-state="valid"') == 1 and listed.count('data-state="revoked"') == 1
    assert "กลุ่มออมทรัพย์เพื่อการผลิตบ้านนาดี" in listed and "บ้านนาดี" in listed
    # another district's office finds nothing and cannot make one
    other = client_of(app, people["other_district"])
    assert 'data-group="g1"' not in other.get("/registry/committee-links?q=g1").get_data(as_text=True)
    assert other.post("/registry/committee-links/make", data={"group": "g1"}).status_code == 404


def test_the_links_page_is_paged_and_reads_names_in_one_query(app, fv, people, monkeypatch):
    from sqlalchemy import event

    from app.scoring import committee

    monkeypatch.setattr(committee, "LINKS_PER_PAGE", 3)
    sub = send(fv, people["officer"], instance_id="uuid:paged")
    for _ in range(5):
        make_link(app, people["officer"], sub)
    dist = client_of(app, people["district"])
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine(), "before_cursor_execute", listener)
    try:
        page = dist.get("/registry/committee-links").get_data(as_text=True)
    finally:
        event.remove(db.engine(), "before_cursor_execute", listener)
    assert page.count("data-link-id=") == 3
    link_queries = [s for s in statements if "committee_links" in s]
    assert len(link_queries) == 1, link_queries  # the page and its group names: one query, not one per link
    older = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert dist.get(older).get_data(as_text=True).count("data-link-id=") == 2
