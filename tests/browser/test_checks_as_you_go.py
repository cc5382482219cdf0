"""Checks as the officer goes (static/js/form/checks.js) on a 10-inch tablet: Next stays on a page
with an empty required answer and names it; numbers refuse letters and whole numbers refuse decimals
with a message, keeping nothing in the instance until fixed; a constraint and a national ID are
checked when the question is left; messages follow the form's language and go as soon as the answer
is fixed, with the page's banner."""
from __future__ import annotations

import pytest

from tests.xlsform.xlsx_builder import make_xlsx

TH, EN = "label::Thai (th)", "label::English (en)"
SURVEY = [
    ["type", "name", TH, EN, "required", "constraint", "constraint_message::Thai (th)", "constraint_message::English (en)"],
    ["begin group", "p1", "ข้อมูลกลุ่ม", "The group", "", "", "", ""],
    ["text", "leader", "ชื่อประธานกลุ่ม", "Chair's name", "yes", "", "", ""],
    ["integer", "members", "จำนวนสมาชิก", "Members", "yes", ". >= 5", "ต้องมีสมาชิกอย่างน้อย 5 คน", "At least 5 members"],
    ["decimal", "fund", "เงินทุน (บาท)", "Fund (baht)", "", "", "", ""],
    ["text", "national_id", "เลขประจำตัวประชาชนประธาน", "Chair's national ID", "", "", "", ""],
    ["end group", "", "", "", "", "", "", ""],
    ["begin group", "p2", "หน้าสอง", "Page two", "", "", "", ""],
    ["text", "note_text", "บันทึก", "Notes", "", "", "", ""],
    ["end group", "", "", "", "", "", "", ""],
]
VALID_ID = "1101700207030"  # a well-formed Thai ID (check digit 0)


@pytest.fixture
def checks_form(page, app):
    from app.forms.publishing import publish_workbook

    publish_workbook("checks.xlsx", make_xlsx(SURVEY, None, [["form_id", "version", "default_language"],
                                                               ["checks_form", "1", "Thai (th)"]]), "tester")
    page.goto("/forms/checks_form/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    return page


def q(page, name):
    return page.locator(f'.q[data-name="{name}"]')


def value(page, name) -> str:
    return page.evaluate(f"window.chumchon.model.get(window.chumchon.model.find('/data/p1/{name}'))")


def test_next_stays_on_the_page_and_names_the_empty_required_answers(checks_form):
    page = checks_form
    page.click(".page-next")
    assert page.get_attribute("#fill", "data-page") == "0"
    status = page.locator(".fill-status")
    text = status.inner_text()
    assert "ยังไม่ได้ตอบคำถามที่จำเป็น 2 ข้อ: «ชื่อประธานกลุ่ม», «จำนวนสมาชิก»" in text
    assert "2 required questions are not answered" in text
    assert q(page, "leader").locator(".q-msg").is_visible() and q(page, "members").locator(".q-msg").is_visible()
    # Each message and then the banner go as soon as the answers are given.
    q(page, "leader").locator("input").fill("นายสมศักดิ์")
    assert not q(page, "leader").locator(".q-msg").is_visible() and status.is_visible()
    q(page, "members").locator("input").fill("12")
    assert not q(page, "members").locator(".q-msg").is_visible() and not status.is_visible()
    page.click(".page-next")
    assert page.get_attribute("#fill", "data-page") == "1"


def test_numbers_refuse_letters_and_whole_numbers_refuse_decimals(checks_form):
    page = checks_form
    members, msg = q(page, "members").locator("input"), q(page, "members").locator(".q-msg")
    members.fill("12.5")
    assert msg.is_visible() and "ต้องเป็นจำนวนเต็ม ไม่มีทศนิยม" in msg.inner_text()
    assert "A whole number is needed" in msg.inner_text()
    assert value(page, "members") == ""  # refused: the answer is not 12.5 (nor 12, nor 125)
    assert members.input_value() == "12.5"  # what was typed stays to be corrected
    members.fill("1a")
    assert "ใส่ได้เฉพาะตัวเลข" in msg.inner_text() and value(page, "members") == ""
    members.fill("๑๒")  # Thai digits are numbers
    assert not msg.is_visible() and value(page, "members") == "12"
    fund = q(page, "fund").locator("input")
    fund.fill("500,000.50")  # thousands separators are accepted in a decimal
    assert value(page, "fund") == "500000.50" and not q(page, "fund").locator(".q-msg").is_visible()
    fund.fill("ห้าแสน")
    assert "ใส่ได้เฉพาะตัวเลข" in q(page, "fund").locator(".q-msg").inner_text() and value(page, "fund") == ""
    # Next counts the wrong number among the answers to correct.
    q(page, "leader").locator("input").fill("นายสมศักดิ์")
    page.click(".page-next")
    assert page.get_attribute("#fill", "data-page") == "0"
    assert "มีคำตอบที่ต้องแก้ 1 ข้อ: «เงินทุน (บาท)»" in page.locator(".fill-status").inner_text()


def test_a_constraint_is_checked_when_the_question_is_left(checks_form):
    page = checks_form
    members, msg = q(page, "members").locator("input"), q(page, "members").locator(".q-msg")
    members.fill("3")
    assert not msg.is_visible()  # typing: not yet
    members.blur()
    assert msg.is_visible() and "ต้องมีสมาชิกอย่างน้อย 5 คน" in msg.inner_text()
    members.fill("30")  # fixed: the message goes at once
    assert not msg.is_visible()


def test_a_national_id_is_checked_when_left_and_pasted_as_printed(checks_form):
    page = checks_form
    field, msg = q(page, "national_id").locator("input"), q(page, "national_id").locator(".q-msg")
    assert (field.get_attribute("inputmode"), field.get_attribute("maxlength")) == ("numeric", "13")
    field.fill("110170020703")
    field.blur()
    assert "เลขประจำตัวประชาชนมี 13 หลัก (ใส่แล้ว 12 หลัก)" in msg.inner_text()
    field.fill("1101700207031")
    field.blur()
    assert "เลขตรวจสอบ" in msg.inner_text() and "check digit" in msg.inner_text()
    field.fill("")
    field.focus()
    page.evaluate("""(id) => {  // a paste of the number as the card prints it, with spaces
        const input = document.querySelector('.q[data-name="national_id"] input');
        const data = new DataTransfer();
        data.setData('text/plain', id);
        input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }""", "1 1017 00207 03 0")
    assert field.input_value() == VALID_ID and value(page, "national_id") == VALID_ID
    field.blur()
    assert not msg.is_visible()


def test_messages_follow_the_forms_language(checks_form):
    page = checks_form
    page.locator(".lang-switch").get_by_role("button", name="English", exact=True).click()
    req = q(page, "leader").locator(".req")
    assert req.inner_text().strip() == "* required"  # "* จำเป็น" follows the language
    page.click(".page-next")
    text = page.locator(".fill-status").inner_text()
    assert text.startswith("2 required questions are not answered") and "«Chair's name», «Members»" in text
    msg = q(page, "leader").locator(".q-msg").inner_text()
    assert msg.startswith("This question needs an answer") and "กรุณาตอบคำถามนี้" in msg
    page.locator(".lang-switch").get_by_role("button", name="ไทย", exact=True).click()
    assert q(page, "leader").locator(".q-msg").inner_text().startswith("กรุณาตอบคำถามนี้")
    assert req.inner_text().strip() == "* จำเป็น"
