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
    "auth.signin": PUBLIC,
    "auth.signout": PUBLIC,  # GET shows the warning page (or sends to sign-in); POST clears the session
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
    # an export prepared in the background (app/reports/views.py): only the user who asked sees it
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
    # registry: groups of the user's area (app/registry/views.py, scoped there; others 404); the district
    # office approves or rejects its district's registrations (admin too)
    "registry.groups": Rule(frozenset({Role.ADMIN, Role.PROVINCE, Role.DISTRICT}), scope="group"),
    "registry.approve_group": Rule(frozenset({Role.ADMIN, Role.DISTRICT}), scope="group"),
    "registry.reject_group": Rule(frozenset({Role.ADMIN, Role.DISTRICT}), scope="group"),
    # officer assignments to registry groups (app/auth/assignments.py): the district office for its
    # district's officers and approved groups, admins for all; officers of another district 404
    "assignments.page": Rule(IMPORTERS, scope="group"),
    "assignments.save": Rule(IMPORTERS, scope="group"),
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
