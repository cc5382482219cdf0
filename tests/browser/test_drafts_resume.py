"""Drafts on a 10-inch tablet: every answer, the assessment date included, survives a reload (a
dynamic default such as today() is applied to a new record only, as ODK's odk-instance-first-load);
opening the form again offers to continue the latest draft or start new; choosing a group that has a
draft offers that group's draft (form/resume.js)."""
from __future__ import annotations

from datetime import date
from urllib.parse import unquote

import pytest

from tests.xlsform.xlsx_builder import make_xlsx

TH, EN = "label::Thai (th)", "label::English (en)"
SURVEY = [
    ["type", "name", TH, EN, "required", "default"],
    ["begin group", "head", "ข้อมูลกลุ่ม", "The group", "", ""],
    ["select_one groups", "group", "กลุ่ม", "Group", "yes", ""],
    ["date", "assessed_on", "วันที่ประเมิน", "Assessment date", "yes", "today()"],
    ["text", "chair", "ประธานกลุ่ม", "Chair", "", ""],
    ["end group", "", "", "", "", ""],
    ["begin group", "more", "เพิ่มเติม", "More", "", ""],
    ["text", "notes", "บันทึก", "Notes", "", ""],
    ["end group", "", "", "", "", ""],
]
CHOICES = [["list_name", "name", TH, EN],
           ["groups", "g1", "กลุ่มออมทรัพย์บ้านนาดี", "Ban Na Di"],
           ["groups", "g2", "กลุ่มออมทรัพย์บ้านหนองบัว", "Ban Nong Bua"]]


@pytest.fixture
def draft_form(app):
    from app.forms.publishing import publish_workbook

    data = make_xlsx(SURVEY, CHOICES, [["form_id", "version", "default_language"], ["draft_form", "1", "Thai (th)"]])
    return publish_workbook("draft.xlsx", data, "tester").form_version


def q(page, name):
    return page.locator(f'.q[data-name="{name}"]')


def open_new(page):
    page.goto("/forms/draft_form/fill")
    page.wait_for_selector("#fill[data-ready=true]")


def drafts(page) -> list[dict]:
    return page.evaluate("window.chumchon.offline.listDrafts().then((l) => l.map((d) => "
                         "({id: d.instanceID, group: d.group, label: d.groupLabel})))")


def test_every_answer_and_the_date_survive_a_reload_and_reopening_offers_the_draft(page, draft_form):
    open_new(page)
    page.wait_for_selector("#fill[data-settled=true]")  # the logic's deferred part ran: no answer yet
    page.evaluate("window.chumchon.drafts.flush()")
    assert drafts(page) == [] and "draft=" not in page.url  # opening a form keeps nothing
    date_input = q(page, "assessed_on").locator("input")
    assert date_input.input_value() == date.today().isoformat()  # a new record: today()
    q(page, "group").locator('input[value="g1"]').check()
    date_input.fill("2024-03-10")
    q(page, "chair").locator("input").fill("นายสมศักดิ์")
    page.wait_for_url("**/fill?draft=*")  # the draft is saved and the address names it
    draft_id = unquote(page.url.split("draft=")[1])
    for _ in range(100):  # the last answers reach IndexedDB 300 ms after typing
        if page.evaluate("window.chumchon.offline.listDrafts().then((l) => l.some((d) => d.xml.includes('2024-03-10')"
                         " && d.xml.includes('นายสมศักดิ์')))"):
            break
        page.wait_for_timeout(100)

    page.reload()
    page.wait_for_selector("#fill[data-ready=true]")
    assert date_input.input_value() == "2024-03-10"  # not today again
    assert q(page, "chair").locator("input").input_value() == "นายสมศักดิ์"
    assert q(page, "group").locator('input[value="g1"]').is_checked()

    # Opening the form again offers to continue it (with its group) or start new.
    open_new(page)
    offer = page.locator("#fill > .draft-offer")
    offer.wait_for()
    assert "กลุ่มออมทรัพย์บ้านนาดี" in offer.inner_text() and "Continue" in offer.inner_text()
    with page.expect_navigation():
        offer.locator(".draft-continue").click()
    page.wait_for_selector("#fill[data-ready=true]")
    assert unquote(page.url).endswith(f"draft={draft_id}")
    assert date_input.input_value() == "2024-03-10"

    # Start new: the offer goes; choosing the group that has a draft offers that group's draft.
    open_new(page)
    page.locator("#fill > .draft-offer .draft-new").click()
    assert page.locator("#fill > .draft-offer").count() == 0
    q(page, "group").locator('input[value="g2"]').check()
    page.wait_for_url("**/fill?draft=*")
    assert q(page, "group").locator(".draft-offer").count() == 0  # g2 has no other draft
    q(page, "group").locator('input[value="g1"]').check()
    inline = q(page, "group").locator(".draft-offer")
    inline.wait_for()
    assert "กลุ่มนี้มีแบบที่กรอกค้างไว้" in inline.inner_text()
    with page.expect_navigation():
        inline.locator(".draft-continue").click()
    page.wait_for_selector("#fill[data-ready=true]")
    assert unquote(page.url).endswith(f"draft={draft_id}")
    # The record that held only the chosen group was not kept as a second draft.
    assert drafts(page) == [{"id": draft_id, "group": "g1", "label": "กลุ่มออมทรัพย์บ้านนาดี"}]
