"""THE authorisation policy: every endpoint of the app and who may call it.

One table, enforced for every request by `app.auth.enforce` (a before_request hook). An endpoint
missing from RULES answers 403 to everyone (deny by default), and the authorisation-matrix test
(tests/auth/test_authorisation_matrix.py) fails for it, so a new route cannot ship without a rule.

A Rule says which roles may call the endpoint (None: anyone, signed in or not) and whether HTTP
Basic credentials are accepted (ODK Collect, scripts) besides the session cookie. What a role may
see *within* an endpoint is the view's job, through app.auth.scope (`scope` names the check, for
readers and for the matrix test): other-district objects answer 404, never 403.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.models import Role

ANY = frozenset(Role.ALL)
STAFF_READERS = frozenset({Role.ADMIN, Role.PROVINCE, Role.DISTRICT, Role.OFFICER})
EXPORTERS = frozenset({Role.ADMIN, Role.PROVINCE, Role.DISTRICT})
ADMIN = frozenset({Role.ADMIN})
AUDITORS = frozenset({Role.ADMIN, Role.PROVINCE})
IMPORTERS = frozenset({Role.ADMIN, Role.DISTRICT})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] | None  # None: public
    basic: bool = False  # HTTP Basic accepted (then CSRF-exempt: no ambient browser credential)
    scope: str | None = None  # "submission": objects filtered by app.auth.scope; others 404

    @property
    def public(self) -> bool:
        return self.roles is None


PUBLIC = Rule(None)

RULES: dict[str, Rule] = {
    # assets and accounts
    "static": PUBLIC,
    "health.healthz": PUBLIC,  # the proxy's health check (app/health.py): no session, no data
    "auth.signin": PUBLIC,
    "auth.signout": PUBLIC,
    # the app's screen language (Thai only / Thai + English): a cookie, and the user's own setting
    "language.choose": PUBLIC,  # GET shows the warning page (or sends to sign-in); POST clears the session
    # forms: every signed-in role may see and fill every published form (forms are not district data)
    "forms.index": Rule(ANY),
    "forms.detail": Rule(ANY),
    "forms.download_workbook": Rule(ANY),
    "forms.download_xform": Rule(ANY),
    "forms.upload": Rule(ADMIN),
    "forms.publish": Rule(ADMIN),
    "fill.fill_form": Rule(ANY),
    "fill.fill_form_version": Rule(ANY),
    "fill.form_media": Rule(ANY),  # media route the form-logic team may add
    # offline: the service worker script (no data in it; registered from every page, signed in or
    # not) and the list of forms the signed-in user may fill, for the worker to keep on the tablet
    "offline.service_worker": PUBLIC,
    "offline.manifest": Rule(ANY),
    # data kept on the tablet: the drafts/outbox page (a shell filled from IndexedDB, so nothing
    # district-scoped on the server) for everyone who fills forms; importing an exported file files
    # submissions, as district offices and admins may (app/forms/unsent.py)
    "unsent.device_page": Rule(ANY),
    "unsent.import_page": Rule(IMPORTERS),
    # OpenRosa (ODK Collect with Basic; the browser with its session)
    "openrosa.form_list": Rule(ANY, basic=True),
    "openrosa.xform": Rule(ANY, basic=True),
    "openrosa.manifest": Rule(ANY, basic=True),
    "openrosa.media": Rule(ANY, basic=True),
    "openrosa.submission_head": Rule(ANY, basic=True),
    "openrosa.submission_post": Rule(ANY, basic=True, scope="submission"),
    # submissions (pages): read scoped; export for the roles that report
    "submissions.list_submissions": Rule(STAFF_READERS, scope="submission"),
    "submissions.submission_detail": Rule(STAFF_READERS, scope="submission"),
    "submissions.attachment": Rule(STAFF_READERS, scope="submission"),
    "submissions.export": Rule(EXPORTERS, scope="submission"),
    # an export prepared in the background (app/reports/export_views.py): only the user who asked sees it
    "exports.job_page": Rule(EXPORTERS, scope="export_job"),
    "exports.download": Rule(EXPORTERS, scope="export_job"),
    # JSON API (read-only; Basic accepted for scripts)
    "api.forms": Rule(ANY, basic=True),
    "api.form_detail": Rule(ANY, basic=True),
    "api.form_submissions": Rule(STAFF_READERS, basic=True, scope="submission"),
    "api.submission_detail": Rule(STAFF_READERS, basic=True, scope="submission"),
    "api.attachment": Rule(STAFF_READERS, basic=True, scope="submission"),
    # scores: the meeting screen and its JSON (app/scoring/views.py), scoped like the submission
    "scoring.meeting": Rule(STAFF_READERS, scope="submission"),
    "scoring.submission_score": Rule(STAFF_READERS, basic=True, scope="submission"),
    # committee links (app/scoring/committee.py): whoever fills assessments makes one from the meeting
    # screen (scoped like it; province accounts only read); the link's page and its plan form are public
    # (the unguessable token is the credential; unknown/revoked/expired: 404); the district office lists
    # and revokes its district's links (others 404)
    "committee.make_link": Rule(frozenset({Role.ADMIN, Role.DISTRICT, Role.OFFICER}), scope="submission"),
    "committee.public_page": PUBLIC,
    "committee.record_plan": PUBLIC,
    "committee.links": Rule(frozenset({Role.ADMIN, Role.PROVINCE, Role.DISTRICT}), scope="committee_link"),
    "committee.revoke_link": Rule(frozenset({Role.ADMIN, Role.DISTRICT}), scope="committee_link"),
    # ... and makes (or replaces) a group's link from the links page, found by search (issue 14)
    "committee.make_group_link": Rule(frozenset({Role.ADMIN, Role.DISTRICT}), scope="committee_link"),
    # registry: groups of the user's area (app/registry/views.py, scoped there; others 404); the district
    # office approves or rejects its district's registrations (admin too)
    "registry.groups": Rule(frozenset({Role.ADMIN, Role.PROVINCE, Role.DISTRICT}), scope="group"),
    "registry.approve_group": Rule(frozenset({Role.ADMIN, Role.DISTRICT}), scope="group"),
    "registry.reject_group": Rule(frozenset({Role.ADMIN, Role.DISTRICT}), scope="group"),
    # officer assignments to registry groups (app/auth/assignments.py): the district office for its
    # district's officers and approved groups, admins for all; officers of another district 404
    "assignments.page": Rule(IMPORTERS, scope="group"),
    "assignments.save": Rule(IMPORTERS, scope="group"),
    # the OTOP proposal (app/otop/views.py; scope app/auth/scope.district_codes, others 404): the profile and
    # the groups' path for every staff reader of the district (exports for the roles that report); candidate
    # groups and the pre-filled registration name people, so not for the province; the per-household list
    # only for the district office (audited); stage dates and กข.คจ. targets set by the district office
    "otop.profile_page": Rule(STAFF_READERS, scope="district"),
    "otop.profile_xlsx": Rule(EXPORTERS, scope="district"),
    "otop.candidates": Rule(frozenset({Role.ADMIN, Role.DISTRICT, Role.OFFICER}), scope="district"),
    "otop.start_registration": Rule(frozenset({Role.ADMIN, Role.DISTRICT, Role.OFFICER}), scope="district"),
    "otop.households": Rule(frozenset({Role.DISTRICT}), scope="district"),
    "otop.households_xlsx": Rule(frozenset({Role.DISTRICT}), scope="district"),
    "otop.groups": Rule(STAFF_READERS, scope="group"),
    "otop.groups_xlsx": Rule(EXPORTERS, scope="group"),
    "otop.group": Rule(STAFF_READERS, scope="group"),
    "otop.update_path": Rule(IMPORTERS, scope="group"),
    "otop.targets": Rule(IMPORTERS, scope="district"),
    "otop.save_targets": Rule(IMPORTERS, scope="district"),
    # form lifecycle (app/forms/lifecycle_views.py): drafts, re-score preview, state and roll back are the
    # publishers'; comparing published versions is for everyone who sees the form (a draft side: admins
    # only, else 404). A draft's test link (app/forms/draft_fill.py) is for any signed-in user holding
    # its token (wrong token: 404), with Basic for ODK Collect.
    "lifecycle.save_draft": Rule(ADMIN),
    "lifecycle.draft_page": Rule(ADMIN),
    "lifecycle.replace_workbook": Rule(ADMIN),
    "lifecycle.draft_media": Rule(ADMIN),
    "lifecycle.draft_workbook": Rule(ADMIN),
    "lifecycle.publish_draft": Rule(ADMIN),
    "lifecycle.discard_draft": Rule(ADMIN),
    "lifecycle.changes": Rule(ANY),
    "lifecycle.changes_xlsx": Rule(ANY),
    "lifecycle.rescore": Rule(ADMIN),
    "lifecycle.rescore_xlsx": Rule(ADMIN),
    "lifecycle.set_state": Rule(ADMIN),
    "lifecycle.rollback": Rule(ADMIN),
    "draft_fill.fill": Rule(ANY),
    "draft_fill.media": Rule(ANY, basic=True),
    "draft_fill.form_list": Rule(ANY, basic=True),
    "draft_fill.xform": Rule(ANY, basic=True),
    "draft_fill.manifest": Rule(ANY, basic=True),
    "draft_fill.submission_head": Rule(ANY, basic=True),
    "draft_fill.submission_post": Rule(ANY, basic=True),
    # oversight (app/reports/views.py): the province report for province offices and admins (district
    # offices and officers get 404 inside: out of scope); the worklist for everyone with a district or
    # assigned groups; a district's view and its groups for the district office, its province and admins
    # (another district: 404); targets set by the province (a district office reads its own); the other
    # funds' levels imported by the province
    "reports.province_report": Rule(STAFF_READERS, scope="district"),
    "reports.province_export": Rule(STAFF_READERS, scope="district"),
    "reports.funds_page": Rule(STAFF_READERS, scope="district"),
    "reports.funds_import": Rule(STAFF_READERS, scope="district"),
    "reports.district_home": Rule(STAFF_READERS, scope="district"),
    "reports.district_worklist": Rule(STAFF_READERS, scope="district"),
    "reports.district_groups": Rule(STAFF_READERS, scope="district"),
    "reports.district_groups_export": Rule(EXPORTERS, scope="district"),
    "reports.targets_page": Rule(EXPORTERS, scope="district"),
    "reports.targets_template": Rule(EXPORTERS, scope="district"),
    "reports.targets_save": Rule(frozenset({Role.ADMIN, Role.PROVINCE}), scope="district"),
    "reports.targets_import": Rule(frozenset({Role.ADMIN, Role.PROVINCE}), scope="district"),
    "reports.targets_add_indicator": Rule(frozenset({Role.ADMIN, Role.PROVINCE}), scope="district"),
    # administration
    "admin.users": Rule(ADMIN),
    "admin.user_create": Rule(ADMIN),
    "admin.user_deactivate": Rule(ADMIN),
    "admin.user_reactivate": Rule(ADMIN),
    "admin.user_reassign": Rule(ADMIN),
    "admin.user_reset_password": Rule(ADMIN),
    "admin.audit": Rule(AUDITORS),
}


def rule_for(endpoint: str | None) -> Rule | None:
    return RULES.get(endpoint or "")


def allowed(rule: Rule | None, role: str | None) -> bool:
    if rule is None:
        return False
    if rule.public:
        return True
    return role is not None and role in rule.roles
