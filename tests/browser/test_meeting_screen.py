"""The meeting screen ("show to the group"): a scored form filled on a 10-inch tablet shows its
provisional result (the JavaScript twin) before it is sent; after the submit the same screen shows the
server's result, equal to the provisional one; the server's meeting route shows the change since the
group's previous assessment; nothing scrolls at 1280x800 or 800x1280; the print is one A4 page."""
from __future__ import annotations

import re

import pytest

from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from tests.browser.conftest import sign_in_context
from tests.scoring import meeting_workbook as mw

# What the filled answers give: law 4/6 (66.67 %, pass), money 2/6 (33.33 %, fail: rate 18 scores 0),
# meet 0/2 (0 %, fail); total 6/14 = 42.86 % -> "develop". The screen shows whole percentages.
EXPECTED_BARS = [["law", "66.67", "true"], ["money", "33.33", "false"], ["meet", "0", "false"]]
# The previous assessment (2566): law 2/6 = 33.33, money 4/6 = 66.67, meet 2/2 = 100.
EXPECTED_CHANGES = {"law": "33.34", "money": "-33.34", "meet": "-100"}

SHOWN = """(el) => ({
    level: el.querySelector('.mt-level').dataset.level,
    levelText: el.querySelector('.mt-level-name').textContent.trim(),
    total: el.querySelector('.mt-total').textContent.replace(/\\s+/g, ' ').trim(),
    group: el.querySelector('.mt-group').textContent.replace(/\\s+/g, ' ').trim(),
    date: el.querySelector('.mt-date').textContent.replace(/\\s+/g, ' ').trim(),
    bars: Array.from(el.querySelectorAll('.mt-bar')).map((b) => [b.dataset.group, b.dataset.percent, b.dataset.passed,
        b.querySelector('.mt-bar-fill').getAttribute('width')]),
    overview: Array.from(el.querySelectorAll('.mt-ov')).map((li) => li.textContent.replace(/\\s+/g, ' ').trim()),
    strengths: Array.from(el.querySelectorAll('.mt-strengths li')).map((li) => li.textContent.trim()),
    weaknesses: Array.from(el.querySelectorAll('.mt-weaknesses li')).map((li) => li.textContent.trim()),
    advice: Array.from(el.querySelectorAll('.mt-advice li')).map((li) => li.textContent.replace(/\\s+/g, ' ').trim()),
    changes: Object.fromEntries(Array.from(el.querySelectorAll('.mt-bar')).map((b) =>
        [b.dataset.group, b.querySelector('.mt-bar-change')?.dataset.change ?? null])),
    previous: el.querySelector('.mt-previous')?.textContent.replace(/\\s+/g, ' ').trim() ?? null,
    provisional: !el.querySelector('.mt-provisional').hidden,
})"""

# Meeting mode, checked on every screen of the meeting element (tests step through them): the sizes
# the issue asks at a 10-inch tablet's 800 px short side (the level 96 px, names and verdicts 40 px,
# advice 28 px), contrast >= 7:1 of every text against what is behind it (the level badge: its own
# fill), nothing cut (no element wider inside than it shows, no block below the stage), whole %.
READABLE = """(el) => {
    const problems = [];
    const shown = (n) => { const r = n.getBoundingClientRect(); return r.width > 0 && r.height > 0
        && getComputedStyle(n).visibility !== 'hidden' && !n.closest('[hidden], .mt-off'); };
    const px = (n) => parseFloat(getComputedStyle(n).fontSize);
    const unit = Math.min(innerWidth, innerHeight) / 800;  // the rules scale with the short side
    const sizes = [['.mt-level-name .mt-th', 96], ['.mt-ov-name .mt-th', 40], ['.mt-ov-verdict', 40],
                   ['.mt-bar-label .mt-th', 40], ['.mt-bar-verdict', 40], ['.mt-bar-advice', 28]];
    for (const [sel, min] of sizes) for (const n of el.querySelectorAll(sel))
        if (shown(n) && px(n) < Math.max(min * unit, 16) - 0.05) problems.push(`${sel}: ${px(n)} px < ${min * unit}`);
    for (const n of [el, ...el.querySelectorAll('*')]) {
        if (n instanceof SVGElement || !shown(n)) continue;
        if (n.scrollWidth > n.clientWidth + 1 && n.clientWidth > 0) problems.push(`cut: ${n.className} ${n.scrollWidth} > ${n.clientWidth}`);
    }
    const stage = el.querySelector('.mt-screen').getBoundingClientRect();
    for (const b of el.querySelectorAll('.mt-block:not(.mt-off)'))
        if (b.getBoundingClientRect().bottom > stage.bottom + 1 && !el.classList.contains('mt-tall')) problems.push(`below the stage: ${b.className}`);
    const rgb = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 && m[3] === 0 ? null : m.slice(0, 3); };
    const lum = (c) => { const [r, g, b] = c.map((x) => { x /= 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const behind = (n) => {
        const badge = n.closest('.mt-level');
        const rect = badge && badge.querySelector('.mt-level-bg rect');
        if (rect) { const h = rect.getAttribute('fill').slice(1); return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)); }
        for (let a = n; a; a = a.parentElement) { const c = rgb(getComputedStyle(a).backgroundColor); if (c) return c; }
        return [255, 255, 255];
    };
    for (const n of el.querySelectorAll('*')) {
        if (n instanceof SVGElement || !shown(n)) continue;
        if (!Array.from(n.childNodes).some((c) => c.nodeType === 3 && c.data.trim())) continue;
        const style = getComputedStyle(n);
        let opacity = 1;
        for (let a = n; a; a = a.parentElement) opacity *= Number(getComputedStyle(a).opacity);
        const [l1, l2] = [lum(rgb(style.color)), lum(behind(n))].sort((a, b) => b - a);
        const ratio = (l1 + 0.05) / (l2 + 0.05);
        if (ratio < 7 || opacity < 1) problems.push(`contrast ${ratio.toFixed(2)} (opacity ${opacity}): "${n.textContent.trim().slice(0, 30)}"`);
    }
    if (/\\d[.,]\\d+\\s*%/.test(el.innerText)) problems.push('a percentage with decimals: ' + el.innerText.match(/\\d[.,]\\d+\\s*%/)[0]);
    return problems;
}"""


def readable_on_every_screen(page, meeting) -> list[str]:
    """Steps through every screen of the meeting element; READABLE's problems, and a problem for a
    block that no screen shows. Returns the problems (empty: meeting mode holds)."""
    problems, seen = [], set()
    total = int(meeting.locator(".mt-step-total").inner_text() or "1")
    for step in range(total):
        assert meeting.get_attribute("data-step") == str(step)
        problems += [f"screen {step + 1}/{total}: {p}" for p in meeting.evaluate(READABLE)]
        seen |= set(meeting.evaluate("(el) => Array.from(el.querySelectorAll('.mt-block:not(.mt-off)')).map((b) => b.dataset.group || b.dataset.block || b.dataset.plans)"))
        if step < total - 1:
            meeting.locator(".mt-step-next").click()
    everything = set(meeting.evaluate("(el) => Array.from(el.querySelectorAll('.mt-block')).map((b) => b.dataset.group || b.dataset.block || b.dataset.plans)"))
    problems += [f"never shown: {b}" for b in everything - seen]
    return problems


@pytest.fixture
def form_version(app):
    return publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version


@pytest.fixture
def previous(form_version, context):
    """The group's assessment a year before, sent by the same (admin) account."""
    xml = mw.xml(form_version, assessed_on="2023-03-12", i01="1", i02="1", i03="1", rate="12", i05="yes",
                 instance_id="uuid:previous-2566")
    outcome = receive_submission(xml, {}, context.user.username, sender=context.user)
    assert outcome.status == 201
    return outcome.submission


def fill(page, form_version) -> None:
    page.goto(f"/forms/{form_version.form.form_id}/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    page.check('.q[data-path$="/group"] input[value="g1"]')
    page.fill('.q[data-path$="/assessed_on"] input', "2024-03-10")
    page.click(".page-next")
    assert page.is_hidden(".fill-pager .show-meeting")  # only on the last page, with Submit
    page.check('.q[data-path$="/i01"] input[value="3"]')
    page.check('.q[data-path$="/i02"] input[value="1"]')
    page.click(".page-next")
    page.check('.q[data-path$="/i03"] input[value="2"]')
    page.fill('.q[data-path$="/rate"] input', "18")
    page.click(".page-next")
    page.check('.q[data-path$="/i05"] input[value="no"]')


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}
PHONE = {"width": 360, "height": 780}


def resize(page, meeting, size) -> None:
    """A new viewport; waits until the meeting screen is laid out for it (back on its first screen)."""
    page.set_viewport_size(size)
    page.wait_for_selector(f'#meeting[data-laid-out="{size["width"]}x{size["height"]}"]')
    while meeting.get_attribute("data-step") != "0":
        meeting.locator(".mt-step-back").click()


def test_show_to_the_group_before_and_after_sending(page, form_version, previous):
    fill(page, form_version)
    button = page.locator(".fill-pager .show-meeting")
    button.wait_for()  # on the last page, with Submit (its bundle loads when the page is reached)
    button.click()
    meeting = page.locator("#meeting")
    meeting.wait_for(state="visible")
    assert meeting.get_attribute("data-source") == "provisional"
    shown = meeting.evaluate(SHOWN)
    assert shown["provisional"] is True
    assert page.locator(".mt-provisional").inner_text().startswith("ผลเบื้องต้น ยังไม่ได้ส่ง")
    assert shown["level"] == "develop" and shown["levelText"].startswith("ระดับ ต้องพัฒนา")
    assert shown["total"].startswith("43%") and "6 / 14" in shown["total"]  # whole percentages
    assert shown["group"].startswith("กลุ่มออมทรัพย์บ้านนาดี")
    assert shown["date"].startswith("10 มี.ค. 2567 · ปีงบประมาณ 2567")
    assert [b[:3] for b in shown["bars"]] == EXPECTED_BARS
    assert [b[3] for b in shown["bars"]] == ["66.67", "33.33", "0"]  # SVG widths, no inline style
    assert shown["overview"] == ["หลักนิติธรรม Rule of law 67% ✓ ผ่าน pass", "หลักความโปร่งใส Transparency 33% ✗ ไม่ผ่าน not yet",
                                 "หลักการมีส่วนร่วม Participation 0% ✗ ไม่ผ่าน not yet"]
    assert shown["advice"][0].startswith("หลักความโปร่งใส: อบรมการทำบัญชีอย่างง่าย")
    assert readable_on_every_screen(page, meeting) == []  # 800x1280 portrait

    page.click("#meeting .mt-close")
    assert meeting.is_hidden()
    page.click(".fill-pager .submit")
    page.wait_for_selector("#fill[data-state=done]")
    page.wait_for_selector("#fill[data-score-loaded=true]")
    instance_id = page.inner_text(".done-id").strip()
    assert "ตรงกับผลเบื้องต้น" in page.inner_text(".done .done-score")  # the server's result, the same
    page.click(".done .show-meeting")
    meeting.wait_for(state="visible")
    assert meeting.get_attribute("data-source") == "server"
    server = meeting.evaluate(SHOWN)
    assert server["provisional"] is False
    # The server's result is the provisional one; it adds the change since the previous assessment,
    # with the previous round's date.
    assert server["changes"] == EXPECTED_CHANGES
    assert server["previous"].startswith("ครั้งก่อน last time 12 มี.ค. 2566: ระดับ ต้องพัฒนา 57% → ▼ -14")
    assert {**server, "changes": None, "provisional": None, "previous": None} == {
        **shown, "changes": None, "provisional": None, "previous": None}

    # The server-rendered route shows the same, with the change per group in whole points.
    page.goto(f"/submissions/{instance_id}/meeting")
    meeting = page.locator("#meeting")
    routed = meeting.evaluate(SHOWN)
    assert {**routed, "provisional": None} == {**server, "provisional": None}
    assert page.locator('.mt-bar[data-group="law"] .mt-bar-change').inner_text().startswith("▲ +34 (เดิม 33%)")
    assert page.locator('.mt-bar[data-group="meet"] .mt-bar-change').inner_text().startswith("▼ -100 (เดิม 100%)")
    assert readable_on_every_screen(page, meeting) == []
    # 10-inch tablet in landscape, and a phone: the same rules.
    for size in (LANDSCAPE, PHONE):
        resize(page, meeting, size)
        assert readable_on_every_screen(page, meeting) == [], size
    # One A4 page for the committee's file.
    assert pdf_pages(page.pdf(format="A4")) == 1


def six_principles(context):
    """The bundled 21-indicator shape: six principles with long names and advice, five strengths and
    weaknesses; a submission of it (uuid:sg21) with passed and failed principles."""
    from tests.forms.openrosa_helpers import root_name
    from tests.xlsform.xlsx_builder import make_xlsx

    groups = ["rule_of_law", "morality", "transparency", "participation", "accountability", "value"]
    names = ["หลักนิติธรรม", "หลักคุณธรรม", "หลักความโปร่งใส", "หลักการมีส่วนร่วม", "หลักความรับผิดชอบ", "หลักความคุ้มค่า"]
    survey = [mw.SURVEY[0], ["select_one groups", "group", "กลุ่ม", "Group", "yes", "", "", ""]]
    for i in range(21):
        survey.append(["select_one lv03", f"i{i + 1:02d}", f"ตัวชี้วัดที่ {i + 1} ที่มีข้อความยาวพอสมควรเพื่อทดสอบการตัดบรรทัด",
                       f"Indicator {i + 1}", "yes", groups[i // 4 if i < 20 else 5], "", ""])
    score_groups = [mw.SCORE_GROUPS[0]] + [
        [g, name, g.replace("_", " ").title(), 60,
         "คำแนะนำสำหรับการพัฒนากลุ่มตามหลักธรรมาภิบาลในหลักนี้ ซึ่งอาจยาวหลายบรรทัดเมื่อเขียนเต็มตามที่สำนักงานพัฒนาชุมชนจังหวัดกำหนด",
         "Advice for this principle, which may run to several lines when written out in full"]
        for g, name in zip(groups, names)]
    levels = [mw.LEVELS[0], ["fair", "ระดับ 2 ปานกลาง", "Fair", 50, "#d4a72c"],
              ["weak", "ระดับ 1 ต้องพัฒนา", "Needs development", None, "#cf222e"]]
    data = make_xlsx(survey, mw.CHOICES, [["form_id", "version", "form_title", "default_language"],
                                          ["sg21_shape", "1", "แบบประเมินตามหลักธรรมาภิบาล 21 ตัวชี้วัด (ฉบับร่าง)", "Thai (th)"]],
                     score_groups=score_groups, levels=levels)
    fv = publish_workbook("sg21.xlsx", data, "tester").form_version
    answers = "".join(f"<i{i + 1:02d}>{(i * 7) % 4}</i{i + 1:02d}>" for i in range(21))
    root = root_name(fv)
    xml = (f'<{root} id="sg21_shape" version="1"><group>g2</group>{answers}'
           f"<meta><instanceID>uuid:sg21</instanceID></meta></{root}>").encode()
    assert receive_submission(xml, {}, context.user.username, sender=context.user).status == 201
    return fv


def test_six_principles_read_across_the_room_on_the_server_screen(page, context, app):
    six_principles(context)
    page.set_viewport_size(LANDSCAPE)
    page.goto("/forms/sg21_shape/submissions/uuid:sg21")
    with page.expect_navigation():
        page.click("a.show-meeting")
    meeting = page.locator("#meeting")
    page.wait_for_selector('#meeting[data-laid-out="1280x800"]')
    shown = meeting.evaluate(SHOWN)
    assert len(shown["bars"]) == 6 and shown["group"].startswith("กลุ่มออมทรัพย์บ้านหนองบัว")
    # They do not fit one screen at these sizes: one screen at a time, with the step buttons.
    assert meeting.get_attribute("data-layout") == "steps"
    assert meeting.locator(".mt-step-next").bounding_box()["height"] >= 56
    problems = readable_on_every_screen(page, meeting)
    assert problems == []
    for size in (PORTRAIT, PHONE):
        resize(page, meeting, size)
        assert readable_on_every_screen(page, meeting) == [], size
    # The keyboard (a presenter's clicker sends PageDown) steps too.
    resize(page, meeting, LANDSCAPE)
    page.keyboard.press("PageDown")
    assert meeting.get_attribute("data-step") == "1"
    assert pdf_pages(page.pdf(format="A4")) == 1


def test_six_principles_read_across_the_room_on_the_offline_twin(page, context, app):
    fv = six_principles(context)
    page.set_viewport_size(LANDSCAPE)
    page.goto(f"/forms/{fv.form.form_id}/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    page.check('.q[data-path$="/group"] input[value="g2"]')
    for i in range(21):
        if page.locator(f'.q[data-path$="/i{i + 1:02d}"]').is_hidden():
            page.click(".page-next")
        page.check(f'.q[data-path$="/i{i + 1:02d}"] input[value="{(i * 7) % 4}"]')
    while page.locator(".fill-pager .page-next").is_visible():
        page.click(".page-next")
    page.click(".fill-pager .show-meeting")
    meeting = page.locator("#meeting")
    meeting.wait_for(state="visible")
    page.wait_for_selector('#meeting[data-laid-out="1280x800"]')
    assert meeting.get_attribute("data-source") == "provisional"
    assert readable_on_every_screen(page, meeting) == []
    resize(page, meeting, PORTRAIT)
    assert readable_on_every_screen(page, meeting) == []
    # The twin draws what the server draws for the same answers.
    twin = meeting.evaluate(SHOWN)
    page.goto("/submissions/uuid:sg21/meeting")
    server = page.locator("#meeting").evaluate(SHOWN)
    assert {**twin, "provisional": None} == {**server, "provisional": None}


def test_an_unanswered_scored_question_shows_no_level_and_says_how_many_remain(page, form_version):
    page.goto(f"/forms/{form_version.form.form_id}/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    page.check('.q[data-path$="/group"] input[value="g1"]')
    page.fill('.q[data-path$="/assessed_on"] input', "2024-03-10")
    # Next would stop at the first empty required indicator: go to the last page directly.
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    page.click(".fill-pager .show-meeting")
    assert page.locator("#meeting").count() == 0 or page.locator("#meeting").is_hidden()
    status = page.locator(".fill-status")
    assert "ยังไม่ได้ตอบคำถามที่มีคะแนนอีก 5 ข้อ" in status.inner_text()
    assert "5 scored questions are not answered" in status.inner_text()
    assert page.get_attribute("#fill", "data-page") == "1"  # taken to the first one (i01)


def test_the_servers_result_takes_over_by_itself_after_an_offline_submit(live_server, launch_profile, form_version,
                                                                         make_user):
    """Submit with no signal: the provisional result; back online, the outbox sends it and the fill
    page's meeting screen and done card switch to the server's result, with no reload, and say so."""
    user = make_user("admin", username="meeting-offline")
    ctx = launch_profile(live_server)
    page = sign_in_context(ctx, user.username)
    ctx.route("**/submission", lambda route: route.abort("internetdisconnected"))
    fill(page, form_version)
    page.click(".fill-pager .submit")
    page.wait_for_selector(".done[data-kind=saved]")
    page.click(".done .show-meeting")
    meeting = page.locator("#meeting")
    meeting.wait_for(state="visible")
    assert meeting.get_attribute("data-source") == "provisional"
    provisional = meeting.evaluate(SHOWN)
    page.evaluate("window.__samePage = true")

    ctx.unroute("**/submission")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the page's own trigger (sync.js)
    page.wait_for_selector('#meeting[data-source="server"]', timeout=30_000)
    assert page.evaluate("window.__samePage") is True  # no reload
    server = meeting.evaluate(SHOWN)
    assert server["provisional"] is False
    assert {**server, "provisional": None} == {**provisional, "provisional": None}
    note = page.inner_text("#meeting .mt-server")
    assert "ผลจากเซิร์ฟเวอร์ (ส่งแล้ว) ตรงกับผลเบื้องต้น" in note
    assert page.get_attribute(".done", "data-kind") == "sent"
    assert "ส่งถึงเซิร์ฟเวอร์แล้ว" in page.inner_text(".done .done-note")
    assert "ตรงกับผลเบื้องต้น" in page.inner_text(".done .done-score")


def test_a_server_result_that_differs_says_what_changed(page, form_version):
    """The difference is shown (the server's answer is altered on its way here: levels agree in
    practice, so the altered one stands for a server whose rules changed meanwhile)."""
    import json as _json

    def altered(route):
        response = route.fetch()
        body = response.json()
        body["result"]["groups"][0]["percent"] = 100
        body["result"]["groups"][0]["passed"] = True
        route.fulfill(response=response, body=_json.dumps(body))

    page.route("**/api/v1/submissions/*/score", altered)
    fill(page, form_version)
    page.click(".fill-pager .submit")
    page.wait_for_selector("#fill[data-score-loaded=true]")
    assert "ต่างจากผลเบื้องต้น" in page.inner_text(".done .done-score")
    assert "หลักนิติธรรม 67% → 100%" in page.inner_text(".done .done-score")
    page.click(".done .show-meeting")
    assert "หลักนิติธรรม 67% → 100%" in page.inner_text("#meeting .mt-server")


def test_the_meeting_route_is_404_for_a_plain_form_or_an_unknown_record(page):
    from tests.forms.openrosa_helpers import new_instance_id, publish, submission_xml

    fv = publish()
    iid = new_instance_id()
    assert receive_submission(submission_xml(fv, iid), {}, "x").status == 201
    assert page.goto(f"/submissions/{iid}/meeting").status == 404
    assert page.goto("/submissions/uuid:nothing/meeting").status == 404
