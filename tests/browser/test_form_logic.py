"""Form logic in real Chromium (logic.js over xpath.js): cascading selects (choice_filter), a repeat
driven by repeat_count, a constraint with its Thai message blocking Next and submit, a relevant
chain A -> B -> C, a calculate chain, read_only, a trigger (setvalue), a default, outputs in a
label (with a choice label), and the submitted XML: blanks for non-relevant answers, the
calculated values."""
from __future__ import annotations

import io

import pytest
from lxml import etree
from openpyxl import Workbook

from tests.browser.test_fill_runtime import OPENROSA_OK, multipart

pytestmark = pytest.mark.browser

TH, EN = "Thai (th)", "English (en)"
FORM_ID = "logic_demo"
COLUMNS = ["type", "name", f"label::{TH}", f"label::{EN}", "relevant", "constraint",
           f"constraint_message::{TH}", f"constraint_message::{EN}", "calculation", "default", "read_only",
           "trigger", "choice_filter", "repeat_count", "appearance", "required"]
SURVEY = [
    {"type": "begin_group", "name": "p1", "th": "หน้าแรก", "en": "First page", "appearance": "field-list"},
    {"type": "select_one province", "name": "province", "th": "จังหวัด", "en": "Province"},
    {"type": "select_one district", "name": "district", "th": "อำเภอ", "en": "District",
     "choice_filter": "province=${province}"},
    {"type": "integer", "name": "age", "th": "อายุ", "en": "Age", "constraint": ". >= 18 and . <= 120",
     "cmsg_th": "อายุต้องอยู่ระหว่าง 18 ถึง 120 ปี", "cmsg_en": "Age must be 18 to 120"},
    {"type": "select_one yes_no", "name": "a", "th": "มีบัญชีหรือไม่", "en": "Has an account?"},
    {"type": "text", "name": "b", "th": "เลขบัญชี", "en": "Account number", "relevant": "${a} = 'yes'"},
    {"type": "text", "name": "c", "th": "ธนาคาร", "en": "Bank", "relevant": "string-length(${b}) > 0",
     "required": "yes"},
    {"type": "text", "name": "village", "th": "หมู่บ้าน", "en": "Village", "default": "บ้านหนองบัว"},
    {"type": "integer", "name": "ro", "th": "รหัสคงที่", "en": "Fixed code", "read_only": "yes", "default": "7"},
    {"type": "text", "name": "t1", "th": "ชื่อเล่น", "en": "Nickname"},
    {"type": "text", "name": "t2", "th": "ทักทาย", "en": "Greeting", "trigger": "${t1}",
     "calculation": "concat('สวัสดี ', ${t1})"},
    {"type": "note", "name": "summary", "th": "อายุ ${age} ปี จังหวัด ${province}",
     "en": "Age ${age}, province ${province}"},
    {"type": "end_group", "name": ""},
    {"type": "calculate", "name": "double_age", "calculation": "${age} * 2"},
    {"type": "calculate", "name": "double_plus", "calculation": "${double_age} + 1"},
    {"type": "begin_group", "name": "p2", "th": "สมาชิก", "en": "Members"},
    {"type": "integer", "name": "n", "th": "จำนวนสมาชิก", "en": "Number of members"},
    {"type": "begin_repeat", "name": "members", "th": "สมาชิก", "en": "Member", "repeat_count": "${n}"},
    {"type": "text", "name": "member_name", "th": "ชื่อสมาชิก", "en": "Member name"},
    {"type": "end_repeat", "name": ""},
    {"type": "end_group", "name": ""},
]
CHOICES = [
    ("province", "north", "ภาคเหนือ", "North", ""), ("province", "south", "ภาคใต้", "South", ""),
    ("district", "d1", "เมือง", "Mueang", "north"), ("district", "d2", "นาด้วง", "Na Duang", "north"),
    ("district", "d3", "หาดใหญ่", "Hat Yai", "south"),
    ("yes_no", "yes", "ใช่", "Yes", ""), ("yes_no", "no", "ไม่ใช่", "No", ""),
]


def logic_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(COLUMNS)
    for r in SURVEY:
        ws.append([r.get("type"), r.get("name"), r.get("th", ""), r.get("en", ""), r.get("relevant", ""),
                   r.get("constraint", ""), r.get("cmsg_th", ""), r.get("cmsg_en", ""), r.get("calculation", ""),
                   r.get("default", ""), r.get("read_only", ""), r.get("trigger", ""), r.get("choice_filter", ""),
                   r.get("repeat_count", ""), r.get("appearance", ""), r.get("required", "")])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", f"label::{TH}", f"label::{EN}", "province"])
    for row in CHOICES:
        ch.append(list(row))
    st = wb.create_sheet("settings")
    st.append(["form_id", "version", "form_title", "default_language"])
    st.append([FORM_ID, "2026112501", "ตรรกะของแบบฟอร์ม / Form logic", TH])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def form(page, app):
    from app.forms.publishing import publish_workbook

    publish_workbook("logic.xlsx", logic_workbook(), "tester")
    page.goto(f"/forms/{FORM_ID}/fill")
    if "/signin" in page.url:  # the app asks for an account: sign in through the real page
        from app.auth.accounts import create_user
        from tests.conftest import TEST_PASSWORD

        create_user("logicofficer", "logicofficer", "officer", TEST_PASSWORD, district="4201", actor="test")
        page.fill("#username", "logicofficer")
        page.fill("#password", TEST_PASSWORD)
        page.click("button.auth-submit")  # the sign-in form's own button (the header has a language form)
        page.wait_for_load_state()
        page.goto(f"/forms/{FORM_ID}/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    return page


def q(page, name):
    return page.locator(f'.q[data-name="{name}"]')


def value(page, path):
    return page.evaluate("(p) => window.chumchon.model.get(window.chumchon.model.find(p))", path)


def test_cascading_select_filters_districts_live(form):
    page = form
    districts = q(page, "district").locator(".choice:visible")
    assert districts.count() == 0  # nothing chosen: the filter matches no district
    q(page, "province").get_by_text("ภาคเหนือ", exact=True).click()
    assert districts.all_inner_texts() == ["เมือง", "นาด้วง"]
    q(page, "district").get_by_text("นาด้วง", exact=True).click()
    assert value(page, "/data/p1/district") == "d2"
    q(page, "province").get_by_text("ภาคใต้", exact=True).click()
    assert districts.all_inner_texts() == ["หาดใหญ่"]
    assert value(page, "/data/p1/district") == "", "an answer no longer offered is cleared, as in ODK"


def test_relevant_chain_calculates_default_readonly_trigger_and_outputs(form):
    page = form
    b, c = q(page, "b"), q(page, "c")
    assert not b.is_visible() and not c.is_visible()
    q(page, "a").get_by_text("ใช่", exact=True).click()
    assert b.is_visible() and not c.is_visible()
    b.locator("input").fill("123-4")
    assert c.is_visible()
    q(page, "a").get_by_text("ไม่ใช่", exact=True).click()
    assert not b.is_visible() and not c.is_visible(), "C follows B out of relevance"
    q(page, "a").get_by_text("ใช่", exact=True).click()  # back: the answers put aside return
    assert b.locator("input").input_value() == "123-4" and c.is_visible()
    # calculate chain
    q(page, "age").locator("input").fill("30")
    assert value(page, "/data/double_age") == "60" and value(page, "/data/double_plus") == "61"
    # default and read_only
    assert q(page, "village").locator("input").input_value() == "บ้านหนองบัว"
    assert q(page, "ro").locator("input").input_value() == "7"
    assert q(page, "ro").locator("input").evaluate("i => i.readOnly || i.disabled")
    # trigger: t2 is set when t1 changes
    assert value(page, "/data/p1/t2") == ""
    q(page, "t1").locator("input").fill("ต้น")
    assert value(page, "/data/p1/t2") == "สวัสดี ต้น"
    # outputs in a label, with the choice's label
    q(page, "province").get_by_text("ภาคใต้", exact=True).click()
    summary = q(page, "summary").locator(".tr[data-li='0']")
    assert summary.inner_text() == "อายุ 30 ปี จังหวัด ภาคใต้"


def test_constraint_message_blocks_next_and_submit(form):
    page = form
    age = q(page, "age")
    age.locator("input").fill("12")
    msg = age.locator(".q-msg")
    assert not msg.is_visible()  # not while typing: "1" of "18" is no mistake yet
    age.locator("input").blur()  # leaving the question checks it
    assert msg.is_visible() and "อายุต้องอยู่ระหว่าง 18 ถึง 120 ปี" in msg.inner_text()
    page.locator(".page-next").click()
    assert page.locator("#fill").get_attribute("data-page") == "0", "Next is blocked by a broken constraint"
    assert "มีคำตอบที่ต้องแก้ 1 ข้อ" in page.locator(".fill-status").inner_text()
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    requests = []
    page.route("**/submission", lambda route: (requests.append(route.request), route.fulfill(status=201, body=OPENROSA_OK)))
    page.locator(".submit").click()
    assert requests == [] and page.locator("#fill").get_attribute("data-page") == "0"
    age.locator("input").fill("45")
    assert not msg.is_visible()
    page.locator(".page-next").click()
    assert page.locator("#fill").get_attribute("data-page") == "1"


def test_repeat_count_adds_and_removes_instances(form):
    page = form
    page.evaluate("window.chumchon.view.showPage(1)")
    items = page.locator('.repeat[data-path="/data/p2/members"] .repeat-item')
    assert items.count() == 0
    q(page, "n").locator("input").fill("3")
    assert items.count() == 3
    assert page.locator('.repeat[data-path="/data/p2/members"] .repeat-add').count() == 0
    items.nth(2).locator('[data-name="member_name"] input').fill("ค")
    q(page, "n").locator("input").fill("2")
    assert items.count() == 2
    data = etree.fromstring(page.evaluate("window.chumchon.model.serialize()").encode())
    assert len(data.findall("p2/members")) == 2


def test_submission_blanks_non_relevant_and_carries_calculates(form):
    page = form
    requests = []

    def handle(route):
        requests.append(route.request)
        route.fulfill(status=201, body=OPENROSA_OK, headers={"Content-Type": "text/xml; charset=utf-8"})

    page.route("**/submission", handle)
    q(page, "a").get_by_text("ใช่", exact=True).click()
    q(page, "b").locator("input").fill("999")
    q(page, "c").locator("input").fill("กรุงไทย")
    q(page, "a").get_by_text("ไม่ใช่", exact=True).click()  # b and c become non-relevant
    q(page, "age").locator("input").fill("40")
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    page.locator(".submit").click()
    page.wait_for_selector("#fill[data-state=done]")
    assert len(requests) == 1
    xml = multipart(requests[0])["xml_submission_file"][2]
    data = etree.fromstring(xml)
    assert data.findtext("p1/b") == "" and data.findtext("p1/c") == "", "non-relevant answers are sent blank"
    assert data.findtext("p1/a") == "no" and data.findtext("p1/age") == "40"
    assert data.findtext("double_age") == "80" and data.findtext("double_plus") == "81"
    assert data.findtext("p1/village") == "บ้านหนองบัว"
    # the answer was put aside, not lost: it comes back when B is relevant again
    assert page.evaluate("window.chumchon.model.find('/data/p1/b')._kept") == "999"
