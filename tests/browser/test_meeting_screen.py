"""The meeting screen ("show to the group"): a scored form filled on a 10-inch tablet shows its
provisional result (the JavaScript twin) before it is sent; after the submit the same screen shows the
server's result, equal to the provisional one; the server's meeting route shows the change since the
group's previous assessment; nothing scrolls at 1280x800 or 800x1280; the print is one A4 page."""
from __future__ import annotations

import re

import pytest

from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from tests.scoring import meeting_workbook as mw

# What the filled answers give: law 4/6 (66.67 %, pass), money 2/6 (33.33 %, fail: rate 18 scores 0),
# meet 0/2 (0 %, fail); total 6/14 = 42.86 % -> "develop".
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
    strengths: Array.from(el.querySelectorAll('.mt-strengths li')).map((li) => li.textContent.trim()),
    weaknesses: Array.from(el.querySelectorAll('.mt-weaknesses li')).map((li) => li.textContent.trim()),
    advice: Array.from(el.querySelectorAll('.mt-advice li')).map((li) => li.textContent.replace(/\\s+/g, ' ').trim()),
    changes: Object.fromEntries(Array.from(el.querySelectorAll('.mt-bar')).map((b) =>
        [b.dataset.group, b.querySelector('.mt-change')?.dataset.change ?? null])),
    provisional: !el.querySelector('.mt-provisional').hidden,
})"""

FITS = """(el) => {
    const parts = [el, ...el.querySelectorAll('.mt-groups, .mt-side, .mt-head, .mt-screen')];
    const over = parts.filter((p) => p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1)
        .map((p) => `${p.className}: ${p.scrollWidth}x${p.scrollHeight} in ${p.clientWidth}x${p.clientHeight}`);
    const doc = document.scrollingElement;
    if (doc.scrollHeight > window.innerHeight + 1) over.push(`page ${doc.scrollHeight} > ${window.innerHeight}`);
    const clipped = Array.from(el.querySelectorAll('.mt-bar, .mt-strengths li:not(.mt-more), .mt-weaknesses li:not(.mt-more), .mt-level, .mt-total'))
        .filter((n) => n.getBoundingClientRect().bottom > window.innerHeight + 1).map((n) => n.className || n.textContent);
    return over.concat(clipped);
}"""


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


def test_show_to_the_group_before_and_after_sending(page, form_version, previous):
    fill(page, form_version)
    button = page.locator(".fill-pager .show-meeting")
    assert button.is_visible()
    button.click()
    meeting = page.locator("#meeting")
    meeting.wait_for(state="visible")
    assert meeting.get_attribute("data-source") == "provisional"
    shown = meeting.evaluate(SHOWN)
    assert shown["provisional"] is True
    assert page.locator(".mt-provisional").inner_text().startswith("ผลเบื้องต้น ยังไม่ได้ส่ง")
    assert shown["level"] == "develop" and shown["levelText"].startswith("ระดับ ต้องพัฒนา")
    assert "6 / 14" in shown["total"] and "42.86%" in shown["total"]
    assert shown["group"].startswith("กลุ่มออมทรัพย์บ้านนาดี")
    assert shown["date"].startswith("10 มี.ค. 2567")
    assert [b[:3] for b in shown["bars"]] == EXPECTED_BARS
    assert [b[3] for b in shown["bars"]] == ["66.67", "33.33", "0"]  # SVG widths, no inline style
    assert shown["advice"][0].startswith("หลักความโปร่งใส: อบรมการทำบัญชีอย่างง่าย")
    assert meeting.evaluate(FITS) == []  # 800x1280 portrait: no scrolling

    page.click("#meeting .mt-close")
    assert meeting.is_hidden()
    page.click(".fill-pager .submit")
    page.wait_for_selector("#fill[data-state=done]")
    page.wait_for_selector("#fill[data-score-loaded=true]")
    instance_id = page.inner_text(".done-id").strip()
    page.click(".done .show-meeting")
    meeting.wait_for(state="visible")
    assert meeting.get_attribute("data-source") == "server"
    server = meeting.evaluate(SHOWN)
    assert server["provisional"] is False
    # The server's result is the provisional one; it adds the change since the previous assessment.
    assert server["changes"] == EXPECTED_CHANGES
    assert {**server, "changes": None, "provisional": None} == {**shown, "changes": None, "provisional": None}

    # The server-rendered route shows the same, with the change per group.
    page.goto(f"/submissions/{instance_id}/meeting")
    routed = page.locator("#meeting").evaluate(SHOWN)
    assert {**routed, "provisional": None} == {**server, "provisional": None}
    assert page.locator('.mt-bar[data-group="law"] .mt-change').inner_text().startswith("▲ +33.34")
    assert page.locator('.mt-bar[data-group="meet"] .mt-change').inner_text().startswith("▼ -100")

    # 10-inch tablet in landscape: nothing scrolls or falls off the screen.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator("#meeting").evaluate(FITS) == []
    # One A4 page for the committee's file.
    assert pdf_pages(page.pdf(format="A4")) == 1


def test_the_detail_page_links_to_the_meeting_screen_and_six_groups_fit(page, context, app):
    """The bundled 21-indicator shape: six principles, five strengths and weaknesses, six advices."""
    from tests.xlsform.xlsx_builder import make_xlsx

    groups = ["rule_of_law", "morality", "transparency", "participation", "accountability", "value"]
    survey = [mw.SURVEY[0], ["select_one groups", "group", "กลุ่ม", "Group", "yes", "", "", ""]]
    for i in range(21):
        survey.append(["select_one lv03", f"i{i + 1:02d}", f"ตัวชี้วัดที่ {i + 1} ที่มีข้อความยาวพอสมควรเพื่อทดสอบการตัดบรรทัด",
                       f"Indicator {i + 1}", "yes", groups[i // 4 if i < 20 else 5], "", ""])
    score_groups = [mw.SCORE_GROUPS[0]] + [
        [g, f"หลัก {g}", g.title(), 60, "คำแนะนำสำหรับการพัฒนากลุ่มในหลักนี้ ซึ่งอาจยาวหลายบรรทัดเมื่อเขียนเต็ม",
         "Advice for this principle, which may run to several lines"] for g in groups]
    levels = [mw.LEVELS[0], ["fair", "ระดับ 2 ปานกลาง", "Fair", 50, "#d4a72c"],
              ["weak", "ระดับ 1 ต้องพัฒนา", "Needs development", None, "#cf222e"]]
    data = make_xlsx(survey, mw.CHOICES, [["form_id", "version", "form_title", "default_language"],
                                          ["sg21_shape", "1", "แบบประเมิน 21 ตัวชี้วัด (ฉบับร่าง)", "Thai (th)"]],
                     score_groups=score_groups, levels=levels)
    fv = publish_workbook("sg21.xlsx", data, "tester").form_version
    answers = "".join(f"<i{i + 1:02d}>{(i * 7) % 4}</i{i + 1:02d}>" for i in range(21))
    from tests.forms.openrosa_helpers import root_name

    root = root_name(fv)
    xml = (f'<{root} id="sg21_shape" version="1"><group>g2</group>{answers}'
           f"<meta><instanceID>uuid:sg21</instanceID></meta></{root}>").encode()
    assert receive_submission(xml, {}, context.user.username, sender=context.user).status == 201

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/forms/sg21_shape/submissions/uuid:sg21")
    with page.expect_navigation():
        page.click("a.show-meeting")
    meeting = page.locator("#meeting")
    shown = meeting.evaluate(SHOWN)
    assert len(shown["bars"]) == 6 and shown["group"].startswith("กลุ่มออมทรัพย์บ้านหนองบัว")
    assert meeting.evaluate(FITS) == []
    page.set_viewport_size({"width": 800, "height": 1280})
    assert meeting.evaluate(FITS) == []
    assert pdf_pages(page.pdf(format="A4")) == 1


def test_the_meeting_route_is_404_for_a_plain_form_or_an_unknown_record(page):
    from tests.forms.openrosa_helpers import new_instance_id, publish, submission_xml

    fv = publish()
    iid = new_instance_id()
    assert receive_submission(submission_xml(fv, iid), {}, "x").status == 201
    assert page.goto(f"/submissions/{iid}/meeting").status == 404
    assert page.goto("/submissions/uuid:nothing/meeting").status == 404
