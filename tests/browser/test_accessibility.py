"""Accessible by default (issue 14): every page each demo role can reach has zero axe-core violations
under the WCAG 2.1 A and AA rules, and no Thai word of app/thai_words.json can break across a line in
its titles, labels and buttons.

Data-driven: the pages are the GET routes of `app.url_map` that the policy table (app/auth/policy.py)
lets the role call, so a page another change adds is walked automatically. Its URL arguments come from
VALUES below; a new argument fails the test naming it (add a value), and a route that is not an HTML page
must be listed in NOT_PAGES with the reason. One browser, one context per role; axe-core (npm
`axe-core`) is injected in a context opened with bypass_csp=True (the app's CSP forbids inline scripts).
A failure names the role, the page and each rule with up to three of its nodes."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from app.auth.policy import RULES, allowed
from tests.browser.conftest import CHROMIUM_ARGS, TABLET, sign_in_page
from tests.browser.test_bundled_assessment import (DISTRICT, GROUP, HEADER, MIXED, assessed_on,  # noqa: F401
                                                   bundled)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ROLES = ("anonymous", "officer", "district", "province", "admin")

# GET routes that are not pages a person reads (files, JSON, XML, redirects): why each is left out.
NOT_PAGES = {
    "static": "files",
    "offline.service_worker": "the service worker script",
    "offline.manifest": "JSON for the service worker",
    "health.healthz": "JSON for the proxy's health check",
    "fill.form_media": "form media files",
    "forms.download_workbook": "an .xlsx download",
    "forms.download_xform": "an XML download",
    "submissions.attachment": "an attachment download",
    "submissions.export": "a CSV/XLSX download",
    "exports.download": "a CSV/XLSX download (its progress page, exports.job_page, is walked)",
    "scoring.submission_score": "JSON",
    # downloads and protocol files of the pages walked
    "draft_fill.media": "a draft's media files",
    "draft_fill.form_list": "ODK Collect's XML form list of a draft",
    "draft_fill.manifest": "ODK Collect's XML manifest of a draft",
    "draft_fill.xform": "a draft's XForm",
    "lifecycle.changes_xlsx": "an .xlsx download",
    "lifecycle.draft_workbook": "an .xlsx download",
    "lifecycle.rescore_xlsx": "an .xlsx download",
    "otop.groups_xlsx": "an .xlsx download",
    "otop.households_xlsx": "an .xlsx download",
    "otop.profile_xlsx": "an .xlsx download",
    "reports.district_groups_export": "an .xlsx download",
    "reports.province_export": "an .xlsx download",
    "reports.targets_template": "an .xlsx download",
    # the fill page itself (walked as fill.fill_form), started from other values
    "draft_fill.fill": "the fill page of a draft version (walked as fill.fill_form)",
    "otop.start_registration": "the registration's fill page pre-filled from a candidate (walked as fill.fill_form)",
}
NOT_PAGE_PREFIXES = ("api.", "openrosa.")  # JSON API, ODK Collect's XML protocol


def page_routes(app) -> list:
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES or rule.endpoint.startswith(NOT_PAGE_PREFIXES):
            continue
        out.append(rule)
    return out


@pytest.fixture
def world(app, bundled, make_user):  # noqa: F811
    """The bundled forms, Loei's demo villages and groups, one account per role in Wang Saphung (4209),
    an assessment, a household mapping and a group registration sent by the officer, a committee link."""
    from app.demo import household_answers, instance_xml, registration_answers, REGISTRATION_FILES
    from app.forms.definitions import definition_of
    from app.forms.receiving import receive_submission
    from app.models import Form
    from app.scoring.committee import create_link
    from app.models import Score
    from app import db
    from sqlalchemy import select

    people = {"officer": make_user("officer", district=DISTRICT, username="a11y-officer"),
              "district": make_user("district", district=DISTRICT, username="a11y-district"),
              "province": make_user("province", username="a11y-province"),
              "admin": make_user("admin", username="a11y-admin")}

    def send(form_id, answers, files=None):
        version = db.session.scalar(select(Form).where(Form.form_id == form_id)).latest
        xml = instance_xml(version.xform, definition_of(version), answers, f"uuid:a11y-{form_id}")
        outcome = receive_submission(xml, files or {}, people["officer"].username, sender=people["officer"])
        assert outcome.status == 201, outcome.message_en
        return outcome.submission

    assessment = send("sg_assessment_21", {**HEADER, **MIXED, "group": GROUP, "assessed_on": assessed_on()})
    send("hh_mapping", household_answers())
    send("group_registration", registration_answers(), REGISTRATION_FILES)
    score = db.session.scalar(select(Score).where(Score.submission_id == assessment.id))
    _link, token = create_link(score, people["district"])
    db.session.commit()
    version = assessment.form_version
    # a draft of the assessment (its page, what changed, the re-score preview)
    import io

    from openpyxl import load_workbook

    from app.forms.drafts import save_draft
    from app.models import Group, GroupStatus

    book = load_workbook(io.BytesIO((ROOT / "app" / "questionnaires" / "sg_assessment_21.xlsx").read_bytes()))
    settings = book["settings"]
    column = [c.value for c in settings[1]].index("version") + 1
    settings.cell(row=2, column=column, value="draft-99")
    out = io.BytesIO()
    book.save(out)
    save_draft("sg_assessment_21.xlsx", out.getvalue(), people["district"].username)
    # an occupational group of the district, for its development-path page
    weavers = Group(code="OG-4209-A11Y", kind="occupational", name="กลุ่มอาชีพทอผ้าบ้านทดสอบ", district_code=DISTRICT,
                    status=GroupStatus.APPROVED)
    db.session.add(weavers)
    db.session.commit()
    # an export being prepared in the background, the district office's (its progress page)
    from app.models import ExportStatus, utcnow
    from app.reports.jobs import create_job
    from werkzeug.datastructures import MultiDict

    job = create_job(version.form, "xlsx", MultiDict({"headers": "labels"}), people["district"], "http://localhost/")
    job.status, job.phase, job.rows_total, job.rows_done, job.attempts = ExportStatus.RUNNING, "rows", 10_000, 4_000, 1
    job.heartbeat_at = utcnow() + timedelta(hours=1)  # nobody takes it over during the walk
    db.session.commit()
    values = {"form_id": "sg_assessment_21", "version": version.version, "instance_id": assessment.instance_id,
              "token": token, "code": DISTRICT, "group_id": weavers.id,
              "job_token": job.token}
    return {"people": people, "values": values}


def url_of(app, rule, values) -> str:
    missing = [a for a in rule.arguments if a not in values]
    assert not missing, (f"page {rule.endpoint} ({rule.rule}) needs a value for {missing}: add it to the "
                         f"world's values in tests/browser/test_accessibility.py, or list the route in NOT_PAGES")
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})


RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    examples: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(1).join(' ').trim())}));
}"""

# Text outside <span class="nw"> in titles, labels and buttons that holds a word a line must not cut.
UNKEPT_WORDS = """(words) => {
  const found = [];
  for (const el of document.querySelectorAll('h1, h2, h3, h4, legend, label, th, caption, button, .btn')) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      // an option's text is drawn on one line by the browser and cannot hold a span
      if (node.parentElement.closest('.nw, option, select, textarea')) continue;
      for (const w of words) if (node.data.includes(w)) found.push(w + ' in ' + el.tagName.toLowerCase() + ': ' + node.data.trim().slice(0, 60));
    }
  }
  return found;
}"""


def test_every_page_of_every_role_has_no_wcag_violations(app, live_server, playwright_instance, world):
    words = json.loads((ROOT / "app" / "thai_words.json").read_text(encoding="utf-8"))["words"]
    axe = AXE.read_text(encoding="utf-8")
    browser = playwright_instance.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    failures: list[str] = []
    visited: dict[str, list[str]] = {}
    try:
        for role in ROLES:
            context = browser.new_context(viewport=TABLET, base_url=live_server, locale="th-TH",
                                          timezone_id="Asia/Bangkok", bypass_csp=True, service_workers="block")
            context.set_default_timeout(15_000)
            page = context.new_page()
            js_errors: list[str] = []
            page.on("pageerror", lambda e: js_errors.append(str(e)))  # noqa: B023
            if role != "anonymous":
                from tests.conftest import TEST_PASSWORD

                sign_in_page(page, world["people"][role].username, TEST_PASSWORD)
            for rule in page_routes(app):
                policy = RULES.get(rule.endpoint)
                if not allowed(policy, None if role == "anonymous" else world["people"][role].role):
                    continue
                if role == "anonymous" and rule.endpoint == "auth.signout":
                    continue  # sends a signed-out browser to the sign-in page
                if role != "anonymous" and rule.endpoint == "committee.public_page":
                    continue  # the same standalone page for everyone: walked once, anonymously
                url = url_of(app, rule, world["values"])
                response = page.goto(url)
                where = f"{role} {url} ({rule.endpoint})"
                if response is not None and response.status == 404:
                    continue  # outside this role's scope (the authorisation matrix checks who gets what)
                if response is None or response.status != 200:
                    failures.append(f"{where}: answered {response.status if response else 'nothing'}, not 200")
                    continue
                if page.locator("#fill").count():
                    page.wait_for_selector("#fill[data-ready=true]")
                page.wait_for_load_state("load")
                page.add_script_tag(content=axe)
                for v in page.evaluate(RUN_AXE, WCAG_TAGS):
                    failures.append(f"{where}: axe rule '{v['id']}' ({v['impact']}, {v['nodes']} node(s)): "
                                    f"{v['help']}\n      " + "\n      ".join(v["examples"]))
                for unkept in page.evaluate(UNKEPT_WORDS, words):
                    failures.append(f"{where}: Thai word may break mid-word (not kept whole): {unkept}")
                visited.setdefault(role, []).append(rule.endpoint)
            if js_errors:
                failures.append(f"{role}: JavaScript errors: {js_errors}")
            context.close()
    finally:
        browser.close()
    assert not failures, "Accessibility failures:\n  " + "\n  ".join(failures)
    # every page was walked by some role (a 404 for every role would hide a page from the walk)
    unvisited = {r.endpoint for r in page_routes(app)} - {e for pages in visited.values() for e in pages}
    assert not unvisited, f"pages no role could open: {sorted(unvisited)}"
    # the walk really covered each role's pages (a broken walk must not pass by visiting nothing)
    assert "auth.signin" in visited["anonymous"] and "committee.public_page" in visited["anonymous"]
    assert {"submissions.submission_detail", "scoring.meeting", "fill.fill_form"} <= set(visited["officer"])
    assert {"committee.links", "registry.groups", "assignments.page"} <= set(visited["district"])
    assert {"admin.users", "admin.audit", "forms.upload"} <= set(visited["admin"])
