"""The bundled questionnaires end to end in Chromium (issue 5's proof): an officer fills the real
21-indicator assessment (app/questionnaires/sg_assessment_21.xlsx) for an approved demo savings group
picked from the registry's groups.csv on a 10-inch tablet (800x1280); "show to the group" gives the
level and the six principles' bars the Python scoring gives for the same answers; the server's meeting
screen shows the same after the submit; the committee link made there opens on a phone without an
account. Offline, the meeting screen shows the same result marked provisional while the submission
waits in the outbox, and the server's result after the sync equals it. Each bundled form's fill page
opens without JavaScript errors."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import db
from app.demo import instance_xml, publish_bundled
from app.forms.definitions import definition_of
from app.models import Form, Group, GroupStatus, Score, Submission
from app.scoring import score
from tests.browser.conftest import TABLET, sign_in_context, sign_in_page
from tests.browser.test_meeting_screen import SHOWN
from tests.conftest import TEST_PASSWORD

PHONE = {"width": 360, "height": 780}
DISTRICT = "4209"  # Wang Saphung, one of Loei's districts seeded with the accounts
GROUP = "SG-4209-T001"
GROUP_NAME = "กลุ่มออมทรัพย์เพื่อการผลิตบ้านทดสอบ"
OTHER_GROUP = "SG-4209-T002"

# Header answers (numbers the form's calculates turn into indicators 3, 5, 6, 13 and 19).
HEADER = {"assessor_name": "นางสาวพัฒนา ทดสอบ", "members_total": "40", "members_present": "31",
          "fund_total": "500000", "loans_outstanding": "400000"}
# A mixed assessment: some principles pass, some fail (the level is computed below, not assumed).
MIXED = {"i01": "3", "i02": "3", "i03_practice": "3", "interest_rate": "12", "i04": "2",
         "savers_all_year": "20", "loans_overdue": "8000", "i07": "3", "i08": "1",
         "i09": "1", "i10": "1", "i11": "0", "i12": "2",
         "agm_present": "36", "i14": "2", "i15": "3",
         "i16": "1", "i17": "0", "i18": "1",
         "i20": "2", "i21": "2"}
# A weak one for the offline round: low numbers, mostly the second-lowest evidence.
WEAK = {**{f"i{n:02d}": "1" for n in (1, 2, 4, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21)},
        "i01": "3", "i09": "3", "i03_practice": "1", "interest_rate": "18", "savers_all_year": "12",
        "loans_overdue": "40000", "agm_present": "10"}
WEAK_HEADER = {**HEADER, "members_present": "18", "loans_outstanding": "100000"}


# ---------------------------------------------------------------------------------------- set-up

def assessment():
    return db.session.scalar(select(Form).where(Form.form_id == "sg_assessment_21")).latest


def add_group(code: str, name: str, district: str, status: str = GroupStatus.APPROVED, kind: str = "savings"):
    """A registry group as app/registry/seed.py makes them (in the first demo village of the district)."""
    db.session.add(Group(code=code, kind=kind, name=name, village_code=f"{district}0101", district_code=district,
                         status=status, registration_no=f"{district}/{code[-3:]}", registered_on=date(2015, 6, 1),
                         decided_by="test" if status == GroupStatus.APPROVED else None, entity_id=f"test:{code}",
                         properties={}))
    db.session.commit()


@pytest.fixture
def bundled(app):
    """The three bundled workbooks published, the demo villages, and the registry around the officer's
    district: two approved savings groups there, and groups the officer's list must not show."""
    from app.auth.accounts import seed_districts
    from app.registry.seed import seed_villages

    seed_districts()  # Loei's districts (idempotent; the app fixture seeded them)
    publish_bundled()
    seed_villages()
    add_group(GROUP, GROUP_NAME, DISTRICT)
    add_group(OTHER_GROUP, "กลุ่มออมทรัพย์เพื่อการผลิตบ้านอื่น", DISTRICT)
    add_group("SG-4209-T003", "กลุ่มออมทรัพย์ที่ยังไม่อนุมัติ", DISTRICT, status=GroupStatus.SUBMITTED)
    add_group("OC-4209-T004", "กลุ่มอาชีพทอผ้า", DISTRICT, kind="occupational")
    add_group("SG-4201-T005", "กลุ่มออมทรัพย์อำเภออื่น", "4201")
    return assessment()


@pytest.fixture
def officer(make_user, bundled):
    return make_user("officer", district=DISTRICT, username="officer-wangsaphung")


def expected(version, header: dict, answers: dict):
    """The Python scoring of the same answers: the calculated indicators are computed by the server's
    own form logic (re-validation of the instance), then app.scoring.score on FormVersion.scoring."""
    from app.xlsform.revalidate import revalidate
    from app.xlsform.submission import parse_submission

    definition = definition_of(version)
    values = {**header, **answers, "group": GROUP, "assessed_on": assessed_on()}
    xml = instance_xml(version.xform, definition, values, "uuid:expected-probe")
    data = revalidate(parse_submission(xml), definition, set()).data
    spec = version.scoring
    by_indicator = {ind["name"]: str(data.get(ind["path"], "") or "") for ind in spec["indicators"]}
    assert all(by_indicator.values()), f"an indicator is not answered: {by_indicator}"
    return spec, score(spec, by_indicator)


def assessed_on() -> str:
    return (date.today() - timedelta(days=3)).isoformat()


def bars_of(result) -> list[list[str]]:
    return [[g["name"], str(g["percent"]), str(g["passed"]).lower()] for g in result.groups]


def level_label(spec, name: str) -> str:
    return next(lv for lv in spec["levels"] if lv["name"] == name)["label"]["Thai (th)"]


# ---------------------------------------------------------------------------------------- filling

def q(path_end: str) -> str:
    return f'.q[data-path$="/{path_end}"]'


def fill_assessment(page, header: dict, answers: dict) -> None:
    """Opens the bundled assessment's fill page and answers every page as an officer would."""
    page.goto("/forms/sg_assessment_21/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    page.check(f'{q("group")} input[value="{GROUP}"]')
    page.fill(f'{q("assessed_on")} input', assessed_on())
    for name, value in header.items():
        page.fill(f"{q(name)} input", value)
    pages = page.locator("#fill .page")
    for index in range(1, pages.count()):
        page.click(".page-next")
        current = pages.nth(index)
        current.wait_for(state="visible")
        for question in current.locator(".q[data-path]").all():
            name = question.get_attribute("data-path").rsplit("/", 1)[1]
            if name not in answers:
                continue
            if question.locator("input[type=radio]").count():
                question.locator(f'input[value="{answers[name]}"]').check()
            else:
                question.locator("input").fill(answers[name])
    missing = set(answers) - set(page.evaluate(
        "Array.from(document.querySelectorAll('#fill .q[data-path]')).map((q) => q.dataset.path.split('/').pop())"))
    assert not missing, f"questions not on the form: {missing}"
    assert page.locator(".fill-pager .submit").is_visible()  # the last page


def check_screen(shown: dict, spec, result) -> None:
    level = result.level["name"]
    assert shown["level"] == level and shown["levelText"].startswith(level_label(spec, level))
    assert [b[:3] for b in shown["bars"]] == bars_of(result)
    assert len(shown["bars"]) == 6
    assert f"{result.to_dict()['total']} / {result.to_dict()['max']}" in shown["total"]
    # The group comes from the registry's groups.csv: the screen shows its registered name, not its code.
    assert shown["group"].startswith(GROUP_NAME)
    failed = [g for g in result.groups if g["passed"] is False]
    assert len(shown["advice"]) == len(failed)


def new_context(browser, live_server, viewport, **extra):
    ctx = browser.new_context(viewport=viewport, base_url=live_server, locale="th-TH", timezone_id="Asia/Bangkok",
                              **extra)
    ctx.set_default_timeout(15_000)
    return ctx


# ---------------------------------------------------------------------------------------- tests

def test_officer_assesses_a_demo_group_with_the_bundled_form_and_the_committee_opens_its_link(
        browser, live_server, bundled, officer):
    spec, result = expected(bundled, HEADER, MIXED)
    # The answers land in the middle level with passed and failed principles (so bars and advice vary).
    assert result.level["name"] == spec["levels"][1]["name"]
    assert {g["passed"] for g in result.groups} == {True, False}

    errors: list[str] = []
    tablet = new_context(browser, live_server, TABLET, bypass_csp=True)
    phone = new_context(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    try:
        page = tablet.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in_page(page, officer.username, TEST_PASSWORD)

        # The group list is the registry's groups.csv for the officer: approved savings groups of the district.
        page.goto("/forms/sg_assessment_21/fill")
        page.wait_for_selector("#fill[data-ready=true]")
        offered = page.locator(f'{q("group")} input[type=radio]')
        assert sorted(offered.evaluate_all("(els) => els.map((e) => e.value)")) == [GROUP, OTHER_GROUP]
        assert GROUP_NAME in page.locator(q("group")).inner_text()

        fill_assessment(page, HEADER, MIXED)
        page.click(".fill-pager .show-meeting")
        meeting = page.locator("#meeting")
        meeting.wait_for(state="visible")
        assert meeting.get_attribute("data-source") == "provisional"
        provisional = meeting.evaluate(SHOWN)
        assert provisional["provisional"] is True
        check_screen(provisional, spec, result)

        page.click("#meeting .mt-close")
        page.click(".fill-pager .submit")
        page.wait_for_selector("#fill[data-state=done]")
        page.wait_for_selector("#fill[data-score-loaded=true]")
        instance_id = page.inner_text(".done-id").strip()
        db.session.remove()
        row = db.session.scalar(select(Score).join(Submission, Score.submission_id == Submission.id)
                                .where(Submission.instance_id == instance_id))
        assert (row.group_ref, row.district_code, row.level_name) == (GROUP, DISTRICT, result.level["name"])

        page.goto(f"/submissions/{instance_id}/meeting")
        server = page.locator("#meeting").evaluate(SHOWN)
        assert server["provisional"] is False
        check_screen(server, spec, result)
        assert {**server, "provisional": None} == {**provisional, "provisional": None}

        with page.expect_navigation():
            page.click("#meeting .mt-make-link")
        card = page.locator("#committee-link")
        card.wait_for(state="visible")
        url = card.locator("a.committee-url").get_attribute("href")
        assert url.startswith(live_server + "/c/")

        # A committee member's phone: a second context, no account, the real Content-Security-Policy.
        member = phone.new_page()
        member.on("pageerror", lambda e: errors.append(str(e)))
        assert member.goto(url).status == 200
        assert "/signin" not in member.url
        level = result.level["name"]
        assert member.locator(".cm-level").get_attribute("data-level") == level
        assert member.locator(".cm-level .mt-level-name").inner_text().startswith(level_label(spec, level))
        bars = member.locator(".cm-bar")
        assert [[bars.nth(i).get_attribute(a) for a in ("data-group", "data-percent", "data-passed")]
                for i in range(bars.count())] == bars_of(result)
        assert member.locator(".cm-group").inner_text().startswith(GROUP_NAME)  # the registry's name
    finally:
        tablet.close()
        phone.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_the_bundled_assessment_works_offline_provisionally(live_server, launch_profile, bundled, officer):
    spec, result = expected(bundled, WEAK_HEADER, WEAK)
    assert result.level["name"] == spec["levels"][-1]["name"]  # the lowest level, every principle advised

    # The group's assessment of an earlier round: the offline screen shows it as "last time" from the
    # registry list in the page (groups.csv last_assessed, last_percent, last_level).
    from app.forms.receiving import receive_submission

    earlier = (date.today() - timedelta(days=200)).isoformat()
    values = {**HEADER, **MIXED, "group": GROUP, "assessed_on": earlier}
    xml = instance_xml(bundled.xform, definition_of(bundled), values, "uuid:earlier-round")
    assert receive_submission(xml, {}, officer.username, sender=officer).status == 201
    before = db.session.scalar(select(Score).join(Submission, Score.submission_id == Submission.id)
                               .where(Submission.instance_id == "uuid:earlier-round"))

    ctx = launch_profile(live_server)  # 800x1280, service workers blocked so the route sees /submission
    page = sign_in_context(ctx, officer.username)
    ctx.route("**/submission", lambda route: route.abort("internetdisconnected"))
    fill_assessment(page, WEAK_HEADER, WEAK)
    page.click(".fill-pager .submit")
    page.wait_for_selector(".done[data-kind=saved]")
    instance_id = page.inner_text(".done-id").strip()
    page.wait_for_function("document.querySelector('[data-offline-badge]').dataset.count === '1'")

    page.click(".done .show-meeting")
    meeting = page.locator("#meeting")
    meeting.wait_for(state="visible")
    assert meeting.get_attribute("data-source") == "provisional"
    provisional = meeting.evaluate(SHOWN)
    assert provisional["provisional"] is True
    assert page.locator(".mt-provisional").inner_text().startswith("ผลเบื้องต้น ยังไม่ได้ส่ง")
    check_screen(provisional, spec, result)
    from app.scoring.views import whole
    from app.templating import be_date

    last_level = level_label(spec, before.level_name)
    assert provisional["previous"].startswith(
        f"ครั้งก่อน last time {be_date(date.fromisoformat(earlier))}: {last_level} {whole(before.percent)}%")
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1  # only the earlier round

    # Reachable again: the outbox sends by itself when the app is opened.
    ctx.unroute("**/submission")
    page.goto("/forms")
    for _ in range(80):  # page.wait_for_timeout, not time.sleep: Playwright serves the page meanwhile
        db.session.remove()
        if db.session.scalar(select(func.count()).select_from(Submission)) == 2:
            break
        page.wait_for_timeout(250)
    assert db.session.scalar(select(Submission.instance_id).order_by(Submission.id.desc()).limit(1)) == instance_id
    page.wait_for_function("document.querySelector('[data-offline-badge]').dataset.count === '0'")

    page.goto(f"/submissions/{instance_id}/meeting")
    server = page.locator("#meeting").evaluate(SHOWN)
    assert server["provisional"] is False
    # The same result and the same "last time" line; the server adds each principle's change.
    assert {**server, "provisional": None, "changes": None} == {**provisional, "provisional": None, "changes": None}


@pytest.mark.parametrize("form_id", ["sg_assessment_21", "hh_mapping", "group_registration", "group_followup"])
def test_every_bundled_form_opens_without_console_errors(page, bundled, form_id):
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(f"/forms/{form_id}/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    assert page.locator("#fill .q").count() > 5
    assert page.js_errors == []
    assert console == []


# Chromium breaks Thai at ICU's dictionary boundaries, which cut "ธรรมาภิบาล" (ธร|รมาภิ|บาล) and split
# compounds; app/thai_words.json lists the words kept whole (app/thai_text.py).
LINES = """(sel) => Array.from(document.querySelectorAll(sel)).filter((el) => el.getClientRects().length).map((el) => {
    const lines = []; let top = null; let line = '';
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); const r = document.createRange(); let t;
    while ((t = walker.nextNode())) {
        if (!t.parentElement.getClientRects().length) continue;
        for (let i = 0; i < t.length; i++) {
            r.setStart(t, i); r.setEnd(t, i + 1); const rc = r.getClientRects()[0]; if (!rc) continue;
            if (top !== null && rc.top > top + 2) { lines.push(line); line = ''; }
            top = rc.top; line += t.data[i];
        }
    }
    lines.push(line); return lines;
})"""


@pytest.mark.parametrize("width", [360, 800])
def test_thai_titles_and_labels_do_not_break_inside_words(page, bundled, width):
    import json
    from pathlib import Path

    words = json.loads((Path(__file__).parents[2] / "app" / "thai_words.json").read_text(encoding="utf-8"))["words"]
    page.set_viewport_size({"width": width, "height": 1280})
    page.goto("/forms/sg_assessment_21/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    broken, wrapped = [], 0
    for index in range(page.evaluate("window.chumchon.view.pages.length")):
        page.evaluate(f"window.chumchon.view.showPage({index})")
        for lines in page.evaluate(LINES, ".fill-title, .group-label, .q-label, .choice-label, .q-hint"):
            wrapped += len(lines) > 1
            for a, b in zip(lines, lines[1:]):
                joint = a[-12:] + "|" + b[:12]
                broken += [f"{w}: {joint}" for w in words
                           if any(joint.find(w[:k] + "|" + w[k:]) >= 0 for k in range(1, len(w)))]
    assert wrapped > 0  # the check saw lines that wrap
    assert broken == []
