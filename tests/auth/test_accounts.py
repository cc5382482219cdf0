"""Accounts: argon2 hashes, lock-out with back-off, deactivation keeps data, the append-only audit
log, national-ID masking (detail page, API, export) and the reason-logged unmasked export, the
admin pages and the CLI."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from app import db
from app.auth.accounts import LOCK_AFTER, check_credentials, lock_duration
from app.auth.audit import AuditLogIsAppendOnly
from app.models import AuditEvent, Submission, User, utcnow
from tests.auth.conftest import basic
from tests.conftest import TEST_PASSWORD, csrf_token_of, sign_in


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def post_signin(client, username: str, password: str):
    token = csrf_token_of(client.get("/signin").get_data(as_text=True))
    return client.post("/signin", data={"username": username, "password": password, "csrf_token": token})


# ------------------------------------------------------------------ passwords


def test_passwords_are_stored_as_argon2id_hashes(make_user):
    user = make_user("officer")
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_old_parameters_are_upgraded_at_the_next_sign_in(app, make_user):
    user = make_user("officer")
    old = user.password_hash
    app.config["ARGON2_TIME_COST"] = 2
    assert check_credentials(user.username, TEST_PASSWORD).reason == "ok"
    assert user.password_hash != old and "t=2" in user.password_hash


def test_short_passwords_are_refused(make_user):
    from app.auth.accounts import AccountError

    with pytest.raises(AccountError):
        make_user("officer", password="short")


# ------------------------------------------------------------------ lock-out


def test_repeated_failures_lock_the_account_with_growing_back_off(app, make_user):
    user = make_user("officer")
    c = app.test_client()
    for _ in range(LOCK_AFTER - 1):
        assert post_signin(c, user.username, "wrong-password").status_code == 401
    assert user.locked_until is None
    r = post_signin(c, user.username, "wrong-password")  # the 5th failure locks
    assert r.status_code == 401 and "ล็อก" in r.get_data(as_text=True)
    db.session.refresh(user)
    assert user.locked_until is not None
    # While locked even the right password is refused.
    r = post_signin(c, user.username, TEST_PASSWORD)
    assert r.status_code == 401 and "locked" in r.get_data(as_text=True)
    # After the lock, one more failure locks for twice as long.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    post_signin(c, user.username, "wrong-password")
    db.session.refresh(user)
    assert user.failed_logins == LOCK_AFTER + 1
    assert lock_duration(LOCK_AFTER + 1) == 2 * lock_duration(LOCK_AFTER)
    # A success (after the lock) resets everything.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert post_signin(c, user.username, TEST_PASSWORD).status_code == 303
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None
    assert len(events("signin_failed")) == LOCK_AFTER + 2 and len(events("lockout")) == 2


def test_lock_out_is_capped_at_a_day():
    assert lock_duration(100) == timedelta(hours=24)
    assert lock_duration(LOCK_AFTER - 1) == timedelta(0)


def test_basic_auth_failures_count_too(app, make_user):
    user = make_user("officer")
    c = app.test_client()
    for _ in range(LOCK_AFTER):
        assert c.get("/formList", headers=basic(user, "wrong-password")).status_code == 401
    assert c.get("/formList", headers=basic(user)).status_code == 401  # locked
    assert events("lockout")[0].detail["failures"] == LOCK_AFTER


def test_basic_auth_is_verified_once_then_remembered_until_the_password_changes(app, make_user, monkeypatch):
    from app.auth import accounts

    user = make_user("officer")
    c = app.test_client()
    calls = []
    real_verify = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: calls.append(p) or real_verify(h, p))
    for _ in range(3):
        assert c.get("/formList", headers=basic(user)).status_code == 200
    assert len(calls) == 1  # argon2 ran once for three requests from ODK Collect
    accounts.reset_password(user, "a-brand-new-password-2569", actor="test")
    assert c.get("/formList", headers=basic(user)).status_code == 401  # the old password no longer works
    assert c.get("/formList", headers=basic(user, "a-brand-new-password-2569")).status_code == 200


def test_unknown_usernames_are_answered_like_wrong_passwords(app):
    r = post_signin(app.test_client(), "nobody", "whatever-password")
    assert r.status_code == 401 and "ไม่ถูกต้อง" in r.get_data(as_text=True)
    assert events("signin_failed")[0].detail["reason"] == "unknown"


def test_next_is_only_followed_to_this_site(app, make_user):
    user = make_user("officer")
    c = app.test_client()
    token = csrf_token_of(c.get("/signin").get_data(as_text=True))
    r = c.post("/signin", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": token,
                                "next": "//evil.example/x"})
    assert r.headers["Location"] == "/forms"


# ------------------------------------------------------------------ deactivation


def test_deactivation_keeps_everything_they_submitted(world):
    officer = world.users["officer"]
    admin = world.client("admin")
    r = admin.post(f"/admin/users/{officer.id}/deactivate")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, officer.id).active is False
    sub = db.session.get(Submission, world.own.id)
    assert sub is not None and sub.submitted_by == officer.username and sub.submitter_id == officer.id
    # Their district still sees it; they can no longer sign in or use ODK Collect.
    assert world.client("district").get(f"/forms/people/submissions/{sub.instance_id}").status_code == 200
    assert post_signin(world.app.test_client(), officer.username, TEST_PASSWORD).status_code == 401
    assert world.app.test_client().get("/formList", headers=basic(officer)).status_code == 401
    assert events("user_deactivate")[0].actor == "root"


def test_admin_cannot_deactivate_themselves(world):
    admin = world.users["admin"]
    assert world.client("admin").post(f"/admin/users/{admin.id}/deactivate").status_code == 422


def test_admin_pages_add_reassign_and_reset(world):
    c = world.client("admin")
    r = c.post("/admin/users", data={"username": "newbie", "display_name": "นายใหม่", "role": "officer",
                                     "district": "4205", "password": "a-good-password"})
    assert r.status_code == 303
    newbie = db.session.scalar(select(User).where(User.username == "newbie"))
    assert newbie.district.code == "4205" and newbie.role == "officer"
    assert "newbie" in c.get("/admin/users").get_data(as_text=True)
    r = c.post(f"/admin/users/{newbie.id}/reassign", data={"role": "district", "district": "4201"})
    assert r.status_code == 303
    db.session.refresh(newbie)
    assert newbie.role == "district" and newbie.district.code == "4201"
    assert c.post(f"/admin/users/{newbie.id}/password", data={"password": "another-good-one"}).status_code == 303
    assert post_signin(world.app.test_client(), "newbie", "another-good-one").status_code == 303
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert {"user_create", "user_reassign", "user_password_reset"} <= set(actions)
    reassign = events("user_reassign")[0]
    assert reassign.detail["before"]["district"] == "4205" and reassign.detail["after"]["role"] == "district"
    # Bad input is refused with a bilingual message.
    r = c.post("/admin/users", data={"username": "x", "role": "officer", "password": "a-good-password"})
    assert r.status_code == 422 and "District and officer accounts need a district" in r.get_data(as_text=True)


def test_cli_create_and_deactivate(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "create", "clioff", "--role", "officer", "--district", "1",
                            "--password", "cli-password-1"])
    assert r.exit_code == 0, r.output
    user = db.session.scalar(select(User).where(User.username == "clioff"))
    assert user.district.code == "4201"
    r = runner.invoke(args=["users", "create", "prompted", "--role", "province", "--province", "42"],
                      input="prompted-password\nprompted-password\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["users", "deactivate", "clioff"])
    assert r.exit_code == 0
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    assert events("user_deactivate")[0].actor.startswith("cli:")


def test_demo_load_creates_an_account_for_every_role(app):
    from app.demo import DEMO_USERS, load_demo_users

    made = load_demo_users()
    assert {role for _u, role, _p, _c in made} == {"admin", "province", "district", "officer"}
    for username, _n, _r, _d, _p, password in DEMO_USERS:
        assert check_credentials(username, password).reason == "ok"
    assert all(not created for *_x, created in load_demo_users())  # idempotent


# ------------------------------------------------------------------ audit log


def test_audit_log_is_append_only(world):
    from app.auth import audit

    audit.record("export", "form", "people", {"x": 1}, actor="someone")
    event = db.session.scalars(select(AuditEvent)).first()
    event.action = "nothing-happened"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(AuditEvent)).first())
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditEvent).values(action="x"))
    db.session.rollback()
    # Even raw SQL is refused by the database.
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET action = 'x'"))
    db.session.rollback()
    # And no route changes it: the audit page only reads.
    rules = [r for r in world.app.url_map.iter_rules() if r.rule.startswith("/admin/audit")]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)
    assert world.client("admin").post("/admin/audit").status_code == 405


def test_audit_page_for_admin_and_province(world):
    world.client("district").get("/forms/people/export.csv")
    sign_in(world.app.test_client(), world.other_officer.username)  # an account of another province
    post_signin(world.app.test_client(), "ghost-user", "wrong-password")  # no account at all
    world.client("admin").get("/admin/users")
    admin_page = world.client("admin").get("/admin/audit").get_data(as_text=True)
    assert "export" in admin_page and "dist4201" in admin_page and "off9901" in admin_page
    assert 'data-action="export"' in admin_page and "ghost-user" in admin_page
    # A province office reads what accounts of its province did, not another province's or the admin's.
    province_page = world.client("province").get("/admin/audit").get_data(as_text=True)
    assert "export" in province_page and "dist4201" in province_page and "signin" in province_page
    assert "off9901" not in province_page and "ghost-user" not in province_page
    assert 'data-action="export"' in province_page and 'data-action="signin"' in province_page
    assert world.client("district").get("/admin/audit").status_code == 403


def test_publishing_is_audited(world):
    from tests.auth.conftest import people_workbook

    c = world.client("admin")
    r = c.post("/forms/upload", data={"workbook": (io.BytesIO(people_workbook("people", "2")), "people.xlsx")},
               content_type="multipart/form-data")
    # A new version of a form that exists becomes a draft first (issue 13), then is published.
    token = re.search(r"/forms/draft/([\w-]+)", r.get_data(as_text=True)).group(1)
    assert c.post(f"/forms/draft/{token}").status_code == 303
    assert events("draft_upload")[-1].actor == "root"
    assert c.post("/forms/people/draft/publish").status_code == 303
    event = events("publish")[-1]
    assert event.target_id == "people@2" and event.actor == "root"


# ------------------------------------------------------------------ national IDs


def test_national_ids_are_masked_on_the_detail_page_except_for_the_district(world):
    url = f"/forms/people/submissions/{world.own.instance_id}"
    for role in ("officer", "province", "admin"):
        page = world.client(role).get(url).get_data(as_text=True)
        assert "1234567890123" not in page, role
        assert "•••••••••0123" in page, role
    assert "1234567890123" in world.client("district").get(url).get_data(as_text=True)


def test_national_ids_are_masked_in_the_api_except_for_the_district(world):
    url = f"/api/v1/submissions/{world.own.instance_id}"
    data = world.client("officer").get(url).get_json()["data"]
    values = [v for v in data.values() if isinstance(v, str)]
    assert "•••••••••0123" in values and "1234567890123" not in values
    data = world.client("district").get(url).get_json()["data"]
    assert "1234567890123" in data.values()


def test_exports_are_masked_unless_a_reason_is_given_and_logged(world):
    c = world.client("province")
    masked = c.get("/forms/people/export.csv?headers=names").get_data(as_text=True)
    assert "1234567890123" not in masked and "•••••••••0123" in masked
    assert events("export")[-1].detail["national_ids"] == "masked"
    # Ticking without a reason is refused.
    r = c.get("/forms/people/export.csv?include_national_ids=1&reason=")
    assert r.status_code == 400 and "reason" in r.get_data(as_text=True)
    reason = "ตรวจสอบรายชื่อผู้กู้กับสำเนาบัตร / checking borrowers against ID copies"
    r = c.get("/forms/people/export.csv", query_string={"headers": "names", "include_national_ids": "1",
                                                         "reason": reason, "status": "accepted"})
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert any("1234567890123" in row for row in rows)
    event = events("export")[-1]
    assert event.detail["national_ids"] == "unmasked" and event.detail["reason"] == reason
    assert event.detail["filters"]["status"] == "accepted" and event.actor == "prov42"
    # Even the district office's export is masked by default.
    assert "1234567890123" not in world.client("district").get("/forms/people/export.csv").get_data(as_text=True)


def test_the_export_panel_offers_the_unmask_option_only_when_the_form_has_ids(world):
    page = world.client("district").get("/forms/people/submissions").get_data(as_text=True)
    assert 'name="include_national_ids"' in page and 'name="reason"' in page
    assert 'id="export-form"' not in world.client("officer").get("/forms/people/submissions").get_data(as_text=True)


def test_national_id_detection():
    from app.auth.masking import is_national_id, mask_value
    from app.xlsform.definition import Node

    def node(name, **extra):
        return Node(path=f"/d/{name}", name=name, kind="field", extra=extra)

    assert is_national_id(node("national_id")) and is_national_id(node("head_national_id"))
    assert is_national_id(node("citizen_id")) and is_national_id(node("id_card"))
    assert is_national_id(node("pid_of_head", pii="yes"))
    assert not is_national_id(node("group_id")) and not is_national_id(node("instanceID"))
    assert not is_national_id(node("n", pii="no"))
    # A photo of the card, a date or a choice named like one holds no ID number.
    photo = Node(path="/d/president_id_card", name="president_id_card", kind="field", control="upload",
                 datatype="binary")
    when = Node(path="/d/id_card", name="id_card", kind="field", control="input", datatype="date")
    assert not is_national_id(photo) and not is_national_id(when)
    typed = Node(path="/d/president_id_card", name="president_id_card", kind="field", control="input",
                 datatype="string")
    assert is_national_id(typed)
    assert mask_value("1234567890123") == "•••••••••0123" and mask_value("12") == "••"


# ------------------------------------------------------------------ sign-out


def test_sign_out_warns_through_a_hook_and_clears_site_data(world):
    c = world.client("officer")
    page = c.get("/signout").get_data(as_text=True)
    assert "data-signout" in page and "data-unsent-warning" in page
    r = c.post("/signout")
    assert r.status_code == 303 and r.headers["Clear-Site-Data"] == '"cache"'
    assert c.get("/forms").status_code == 302
    assert events("signout")[0].actor == "off4201"
