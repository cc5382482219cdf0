"""The authorisation matrix: every route of the app (from app.url_map) × every role (anonymous,
officer, district, province, admin) × own/other district → the expected status.

A route with no entry in EXPECTED fails `test_every_route_has_an_expectation`, and a route with no
rule in app/auth/policy.py answers 403 to everyone (deny by default) — so a new route cannot ship
without a decision about who may call it.

"own" objects were sent by the officer of district 4201 (the officer, district and province
accounts' area); "other" objects by an officer of district 9901 in another province. Objects
outside the caller's scope answer 404, exactly like objects that do not exist.
"""
from __future__ import annotations

import pytest
from flask import Blueprint

from app.auth.policy import RULES
from tests.auth.conftest import ROLES


def exp(anonymous, officer, district, province, admin) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, officer, district, province, admin)))


EVERYONE_200 = exp(200, 200, 200, 200, 200)
SIGNED_IN_PAGE = exp(302, 200, 200, 200, 200)  # anonymous browsers are sent to /signin
SIGNED_IN_API = exp(401, 200, 200, 200, 200)  # machines get 401 (with a Basic challenge)
ADMIN_PAGE = exp(302, 403, 403, 403, 200)
SCOPED_PAGE_OTHER = exp(302, 404, 404, 404, 200)
SCOPED_API_OTHER = exp(401, 404, 404, 404, 200)


def admin_post(ok: int) -> dict[str, int]:
    return exp(401, 403, 403, 403, ok)


# endpoint -> [(method, url-template values or a function of the world, expectation, label)]
# Values are filled into the rule's URL; "{own}" style keys come from `values(world, which)`.
EXPECTED: dict[str, list[tuple[str, str, dict[str, int]]]] = {
    "static": [("GET", "own", EVERYONE_200)],
    "health.healthz": [("GET", "own", EVERYONE_200)],  # the proxy's health check
    "auth.signin": [("GET", "own", EVERYONE_200),
                    # anonymous: no CSRF token in the session yet -> 400; others: wrong password -> 401
                    ("POST", "own", exp(400, 401, 401, 401, 401))],
    "auth.signout": [("GET", "own", SIGNED_IN_PAGE)],
    "language.choose": [("POST", "own", exp(400, 303, 303, 303, 303))],  # anonymous: no CSRF token yet  # POST is exercised last (it ends the session)
    "forms.index": [("GET", "own", SIGNED_IN_PAGE)],
    "forms.detail": [("GET", "own", SIGNED_IN_PAGE)],
    "forms.download_workbook": [("GET", "own", SIGNED_IN_PAGE)],
    "forms.download_xform": [("GET", "own", SIGNED_IN_PAGE)],
    "forms.upload": [("GET", "own", ADMIN_PAGE), ("POST", "own", admin_post(400))],
    "forms.publish": [("POST", "own", admin_post(404))],
    "fill.fill_form": [("GET", "own", SIGNED_IN_PAGE)],
    "fill.fill_form_version": [("GET", "own", SIGNED_IN_PAGE)],
    "fill.form_media": [("GET", "own", exp(302, 404, 404, 404, 404))],  # the form has no media
    "offline.service_worker": [("GET", "own", EVERYONE_200)],  # /sw.js (built by `node build.mjs`)
    "offline.manifest": [("GET", "own", SIGNED_IN_PAGE)],
    "openrosa.form_list": [("GET", "own", SIGNED_IN_API)],
    "openrosa.xform": [("GET", "own", SIGNED_IN_API)],
    "openrosa.manifest": [("GET", "own", SIGNED_IN_API)],
    "openrosa.media": [("GET", "own", exp(401, 404, 404, 404, 404))],
    "openrosa.submission_head": [("HEAD", "own", exp(401, 204, 204, 204, 204))],
    "openrosa.submission_post": [("POST", "own", exp(401, 400, 400, 400, 400))],  # empty body
    "submissions.list_submissions": [("GET", "own", SIGNED_IN_PAGE)],
    "submissions.submission_detail": [("GET", "own", SIGNED_IN_PAGE), ("GET", "other", SCOPED_PAGE_OTHER)],
    "submissions.attachment": [("GET", "own", SIGNED_IN_PAGE), ("GET", "other", SCOPED_PAGE_OTHER)],
    "submissions.export": [("GET", "own", exp(302, 403, 200, 200, 200))],
    # a background export's page and file: no such job (someone else's answers the same) -> 404
    "exports.job_page": [("GET", "own", exp(302, 403, 404, 404, 404))],
    "exports.download": [("GET", "own", exp(302, 403, 404, 404, 404))],
    "api.forms": [("GET", "own", SIGNED_IN_API)],
    "api.form_detail": [("GET", "own", SIGNED_IN_API)],
    "api.form_submissions": [("GET", "own", SIGNED_IN_API)],
    "api.submission_detail": [("GET", "own", SIGNED_IN_API), ("GET", "other", SCOPED_API_OTHER)],
    "api.attachment": [("GET", "own", SIGNED_IN_API), ("GET", "other", SCOPED_API_OTHER)],
    # the meeting screen and its JSON: a scored form's submission (world.scored(own/other))
    "scoring.meeting": [("GET", "own", SIGNED_IN_PAGE), ("GET", "other", SCOPED_PAGE_OTHER)],
    "scoring.submission_score": [("GET", "own", SIGNED_IN_API), ("GET", "other", SCOPED_API_OTHER)],
    # committee links (app/scoring/committee.py): made from a scored submission's meeting screen (200: the
    # screen with the QR); the public page and plan form answer 404 for an unknown token (anonymous POSTs
    # without a CSRF token: 400); the district office's list, and revoking link id 0 (none): 404
    "committee.make_link": [("POST", "own", exp(401, 200, 200, 403, 200)),
                            ("POST", "other", exp(401, 404, 404, 403, 200))],
    "committee.public_page": [("GET", "own", exp(404, 404, 404, 404, 404))],
    "committee.record_plan": [("POST", "own", exp(400, 404, 404, 404, 404))],
    "committee.links": [("GET", "own", exp(302, 403, 200, 200, 200))],
    "committee.revoke_link": [("POST", "own", exp(401, 403, 404, 403, 404))],
    "committee.make_group_link": [("POST", "own", exp(401, 403, 404, 403, 404))],  # no group named: 404
    "admin.users": [("GET", "own", ADMIN_PAGE)],
    "admin.user_create": [("POST", "own", admin_post(422))],  # empty form
    "admin.user_deactivate": [("POST", "own", admin_post(303))],
    "admin.user_reactivate": [("POST", "own", admin_post(303))],
    "admin.user_reassign": [("POST", "own", admin_post(422))],  # no role given
    "admin.user_reset_password": [("POST", "own", admin_post(422))],  # no password given
    "admin.audit": [("GET", "own", exp(302, 403, 403, 200, 200))],
    "registry.groups": [("GET", "own", exp(302, 403, 200, 200, 200))],
    # no such group (id 0): 404 for the roles that may decide, 403 for the others
    "registry.approve_group": [("POST", "own", exp(401, 403, 404, 403, 404))],
    "registry.reject_group": [("POST", "own", exp(401, 403, 404, 403, 404))],
    # officer assignments: the target is a 4201 officer; an empty POST removes nothing -> 303
    "assignments.page": [("GET", "own", exp(302, 403, 200, 403, 200))],
    "assignments.save": [("POST", "own", exp(401, 403, 303, 403, 303))],
    # the OTOP pages (app/otop/views.py): profile for every staff reader (export: not officers); candidates
    # and the pre-filled registration name people (not the province; an unknown candidate: 404); the
    # per-household list only for the district office; group id 0: 404; targets: district office and
    # admin (an empty POST clears nothing -> 303). Other districts' areas: tests/otop/test_scope_and_masking.py
    "otop.profile_page": [("GET", "own", SIGNED_IN_PAGE)],
    "otop.profile_xlsx": [("GET", "own", exp(302, 403, 200, 200, 200))],
    "otop.candidates": [("GET", "own", exp(302, 200, 200, 403, 200))],
    "otop.start_registration": [("GET", "own", exp(302, 404, 404, 403, 404))],
    "otop.households": [("GET", "own", exp(302, 403, 200, 403, 403))],
    "otop.households_xlsx": [("GET", "own", exp(302, 403, 200, 403, 403))],
    "otop.groups": [("GET", "own", SIGNED_IN_PAGE)],
    "otop.groups_xlsx": [("GET", "own", exp(302, 403, 200, 200, 200))],
    "otop.group": [("GET", "own", exp(302, 404, 404, 404, 404))],
    "otop.update_path": [("POST", "own", exp(401, 403, 404, 403, 404))],
    "otop.targets": [("GET", "own", exp(302, 403, 200, 403, 200))],
    "otop.save_targets": [("POST", "own", exp(401, 403, 303, 403, 303))],
    # oversight (app/reports/views.py): the province report is the province's and the admin's (district
    # offices and officers: 404, out of scope); /district is each district office's or officer's own list
    # (province and admin are sent on to /province); /district/<code> pages: own district 4201, "other" 9901
    # (another province); targets: a district office reads its own, only province/admin change them (empty
    # POSTs lack the fiscal year: 400)
    "reports.province_report": [("GET", "own", exp(302, 404, 404, 200, 200))],
    "reports.province_export": [("GET", "own", exp(302, 404, 404, 200, 200))],
    "reports.funds_page": [("GET", "own", exp(302, 404, 404, 200, 200))],
    "reports.funds_import": [("POST", "own", exp(401, 404, 404, 400, 400))],
    "reports.district_home": [("GET", "own", exp(302, 200, 200, 302, 302))],
    "reports.district_worklist": [("GET", "own", exp(302, 404, 200, 200, 200)),
                                  ("GET", "other", exp(302, 404, 404, 404, 200))],
    "reports.district_groups": [("GET", "own", exp(302, 404, 200, 200, 200)),
                                ("GET", "other", exp(302, 404, 404, 404, 200))],
    "reports.district_groups_export": [("GET", "own", exp(302, 403, 200, 200, 200)),
                                       ("GET", "other", exp(302, 403, 404, 404, 200))],
    "reports.targets_page": [("GET", "own", exp(302, 403, 200, 200, 200))],
    "reports.targets_template": [("GET", "own", exp(302, 403, 403, 200, 200))],
    "reports.targets_save": [("POST", "own", exp(401, 403, 403, 400, 400))],
    "reports.targets_import": [("POST", "own", exp(401, 403, 403, 400, 400))],
    "reports.targets_add_indicator": [("POST", "own", exp(401, 403, 403, 400, 400))],
    "unsent.device_page": [("GET", "own", SIGNED_IN_PAGE)],
    # form lifecycle (issue 13): the world's form has one version and no draft, so the publishers'
    # draft pages answer 404 (no draft), comparing needs two sides (404), the state form without a
    # state 400, rolling back the latest version 422; a draft's test link with an unknown token: 404
    "lifecycle.save_draft": [("POST", "own", admin_post(404))],
    "lifecycle.draft_page": [("GET", "own", exp(302, 403, 403, 403, 404))],
    "lifecycle.replace_workbook": [("POST", "own", admin_post(404))],
    "lifecycle.draft_media": [("POST", "own", admin_post(404))],
    "lifecycle.draft_workbook": [("GET", "own", exp(302, 403, 403, 403, 404))],
    "lifecycle.publish_draft": [("POST", "own", admin_post(404))],
    "lifecycle.discard_draft": [("POST", "own", admin_post(404))],
    "lifecycle.changes": [("GET", "own", exp(302, 404, 404, 404, 404))],
    "lifecycle.changes_xlsx": [("GET", "own", exp(302, 404, 404, 404, 404))],
    "lifecycle.rescore": [("GET", "own", exp(302, 403, 403, 403, 404))],
    "lifecycle.rescore_xlsx": [("GET", "own", exp(302, 403, 403, 403, 404))],
    "lifecycle.set_state": [("POST", "own", admin_post(400))],
    "lifecycle.rollback": [("POST", "own", admin_post(422))],
    "draft_fill.fill": [("GET", "own", exp(302, 404, 404, 404, 404))],
    "draft_fill.media": [("GET", "own", exp(401, 404, 404, 404, 404))],
    "draft_fill.form_list": [("GET", "own", exp(401, 404, 404, 404, 404))],
    "draft_fill.xform": [("GET", "own", exp(401, 404, 404, 404, 404))],
    "draft_fill.manifest": [("GET", "own", exp(401, 404, 404, 404, 404))],
    "draft_fill.submission_head": [("HEAD", "own", exp(401, 404, 404, 404, 404))],
    "draft_fill.submission_post": [("POST", "own", exp(401, 404, 404, 404, 404))],
    # no file in the POST -> 400 for the roles that may import
    "unsent.import_page": [("GET", "own", exp(302, 403, 200, 403, 200)),
                           ("POST", "own", exp(401, 403, 400, 403, 400))],
}


def values(world, which: str) -> dict[str, object]:
    sub = world.own if which == "own" else world.other
    return {
        "filename": "dist/styles.css",  # static; media routes get a name the form does not have
        "form_id": world.fv.form.form_id, "version": world.fv.version,
        "instance_id": sub.instance_id, "attachment_id": sub.attachments[0].id,
        "fmt": "xlsx", "token": "no-such-upload", "job_token": "no-such-job", "group_id": 0, "user_id": world.target.id, "link_id": 0,
        "key": "village:00000000:otop:9.9",
        "code": "4201" if which == "own" else "9901",
    }


def url_for_rule(rule, world, which: str) -> str:
    vals = values(world, which)
    if rule.endpoint.startswith("scoring.") or rule.endpoint == "committee.make_link":
        vals["instance_id"] = world.scored(which).instance_id
    if rule.endpoint.startswith("api.") and "filename" in rule.arguments:
        vals["filename"] = "p.png"
    elif rule.endpoint in ("openrosa.media", "fill.form_media"):
        vals["filename"] = "nothing.csv"
    with world.app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{k: vals[k] for k in rule.arguments})


def app_routes(app) -> list:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def test_every_route_has_a_policy_rule_and_an_expectation(app):
    missing_rule = sorted({r.endpoint for r in app_routes(app)} - set(RULES))
    missing_expectation = sorted({r.endpoint for r in app_routes(app)} - set(EXPECTED))
    assert not missing_rule, f"routes without a rule in app/auth/policy.py (they answer 403): {missing_rule}"
    assert not missing_expectation, f"routes missing from the authorisation matrix: {missing_expectation}"


def test_a_route_without_a_rule_is_denied_to_everyone(database_url, tmp_path, make_user):
    from app import create_app
    from tests.conftest import TEST_CONFIG, sign_in

    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "INSTANCE_DIR": tmp_path})
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/new-unreviewed-page", "page", lambda: "secret")
    app.register_blueprint(extra)
    admin = make_user("admin")
    with app.app_context():
        c = app.test_client()
        assert c.get("/new-unreviewed-page").status_code == 403
        sign_in(c, admin.username)
        assert c.get("/new-unreviewed-page").status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_matrix(world, role):
    client = world.client(role)
    failures = []
    rules = [r for r in app_routes(world.app) if r.endpoint in EXPECTED]
    seen_rules: set[str] = set()
    for rule in rules:
        if rule.endpoint in seen_rules:  # "/" and "/forms" both map to forms.index: check the first
            continue
        seen_rules.add(rule.endpoint)
        for method, which, expected in EXPECTED[rule.endpoint]:
            if method not in rule.methods:
                continue
            url = url_for_rule(rule, world, which)
            response = client.open(url, method=method, data={} if method == "POST" else None)
            if response.status_code != expected[role]:
                failures.append(f"{method} {url} ({rule.endpoint}, {which}) as {role}: "
                                f"{response.status_code}, expected {expected[role]}")
    # Sign-out last: it ends the session.
    r = client.post("/signout")
    want = 400 if role == "anonymous" else 303
    if r.status_code != want:
        failures.append(f"POST /signout as {role}: {r.status_code}, expected {want}")
    assert not failures, "\n".join(failures)
