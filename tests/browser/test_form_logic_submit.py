"""End to end in Chromium, no request intercepted (issue 3): the logic form (cascading selects, a
repeat driven by repeat_count, a constraint, a relevant chain, a calculate chain) filled and sent to
the real /submission endpoint; the stored submission carries the server's recomputed calculates and
blanks for non-relevant questions, also when the browser was tampered with. And form media: a
select_one_from_file over an attached CSV shows the CSV's choices and cascades with choice_filter,
pulldata reads the same CSV."""
from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from tests.browser.test_form_logic import FORM_ID, logic_workbook, q, value
from tests.forms.test_form_media import FORM_ID as MEDIA_FORM_ID
from tests.forms.test_form_media import VILLAGES_CSV, media_workbook

pytestmark = pytest.mark.browser


def open_form(page, form_id: str):
    page.goto(f"/forms/{form_id}/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    return page


def submit_for_real(page) -> str:
    """Goes to the last page, presses Submit and waits for the server's answer; the instanceID."""
    instance_id = page.evaluate("window.chumchon.model.instanceID")
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    page.locator(".submit").click()
    page.wait_for_selector("#fill[data-state=done]", timeout=15_000)
    return instance_id


def stored(instance_id: str):
    from app import db
    from app.models import Submission

    db.session.remove()  # the live server wrote it in another session
    return db.session.scalar(select(Submission).where(Submission.instance_id == instance_id))


def fill_logic_form(page):
    # cascading selects
    q(page, "province").get_by_text("ภาคเหนือ", exact=True).click()
    assert q(page, "district").locator(".choice:visible").all_inner_texts() == ["เมือง", "นาด้วง"]
    q(page, "district").get_by_text("นาด้วง", exact=True).click()
    # the constraint blocks Next, then passes
    q(page, "age").locator("input").fill("12")
    page.locator(".page-next").click()
    assert page.locator("#fill").get_attribute("data-page") == "0"
    q(page, "age").locator("input").fill("30")
    # relevant chain a -> b -> c, answered, then a turned off: b and c become non-relevant
    q(page, "a").get_by_text("ใช่", exact=True).click()
    q(page, "b").locator("input").fill("123-4")
    q(page, "c").locator("input").fill("กรุงไทย")
    q(page, "a").get_by_text("ไม่ใช่", exact=True).click()
    assert not q(page, "b").is_visible() and not q(page, "c").is_visible()
    page.locator(".page-next").click()
    assert page.locator("#fill").get_attribute("data-page") == "1"
    # repeat_count
    q(page, "n").locator("input").fill("2")
    items = page.locator('.repeat[data-path="/data/p2/members"] .repeat-item')
    assert items.count() == 2
    items.nth(0).locator('[data-name="member_name"] input').fill("ก")
    items.nth(1).locator('[data-name="member_name"] input').fill("ข")
    assert value(page, "/data/double_age") == "60" and value(page, "/data/double_plus") == "61"


def test_real_submission_stores_the_servers_calculates_and_blanks(page, app):
    from app.forms.publishing import publish_workbook

    publish_workbook("logic.xlsx", logic_workbook(), "tester")
    open_form(page, FORM_ID)
    fill_logic_form(page)
    instance_id = submit_for_real(page)

    sub = stored(instance_id)
    assert sub is not None and sub.status == "accepted", sub and sub.errors
    data = sub.data
    assert data["/data/p1/province"] == "north" and data["/data/p1/district"] == "d2"
    assert data["/data/p1/age"] == "30" and data["/data/p1/a"] == "no"
    assert data["/data/p1/b"] == "" and data["/data/p1/c"] == "", "non-relevant answers are stored blank"
    assert data["/data/double_age"] == "60" and data["/data/double_plus"] == "61"
    assert [m["/data/p2/members/member_name"] for m in data["/data/p2/members"]] == ["ก", "ข"]
    assert not [e for e in sub.errors if e["code"] == "calculate_differs"]
    # the JSON API gives the same record
    api = page.request.get(f"/api/v1/submissions/{instance_id}")
    assert api.ok
    assert api.json()["data"]["/data/double_plus"] == "61"


def test_a_calculate_tampered_with_in_the_browser_is_stored_with_the_servers_value(page, app):
    from app.forms.publishing import publish_workbook

    publish_workbook("logic.xlsx", logic_workbook(), "tester")
    open_form(page, FORM_ID)
    fill_logic_form(page)
    # after the logic settled: write a wrong value straight into the instance, and a value into a
    # question that is not relevant (bypassing the relevance the runtime keeps)
    page.evaluate("""() => {
        const m = window.chumchon.model;
        m.set(m.find('/data/double_plus'), '999');
        m.find('/data/p1/b')._nr = false;
        m.find('/data/p1/b').textContent = 'smuggled';
    }""")
    assert value(page, "/data/double_plus") == "999"
    instance_id = submit_for_real(page)

    sub = stored(instance_id)
    sent = etree.fromstring(sub.xml.encode())
    assert sent.findtext("double_plus") == "999", "the browser did send the tampered value"
    assert sub.data["/data/double_plus"] == "61", "the server's value is stored"
    assert sub.data["/data/p1/b"] == "", "a non-relevant answer is blanked by the server"
    differs = [e for e in sub.errors if e["code"] == "calculate_differs"]
    assert len(differs) == 1 and differs[0]["path"] == "/data/double_plus"
    assert differs[0]["value"] == "999" and differs[0]["level"] == "warning"
    assert sub.status == "accepted"  # a differing calculate is a warning, not an error


def test_select_one_from_file_shows_the_csv_choices_and_cascades(page, app):
    from app.forms.publishing import publish_workbook

    publish_workbook("villages.xlsx", media_workbook(), "tester", media={"villages.csv": VILLAGES_CSV})
    open_form(page, MEDIA_FORM_ID)
    village = q(page, "village")
    assert village.locator(".choice:visible").count() == 0  # no district yet: the filter matches nothing
    q(page, "district").get_by_text("เมือง", exact=True).click()
    assert village.locator(".choice:visible").all_inner_texts() == ["บ้านนาดี", "บ้านโคก"]
    village.get_by_text("บ้านโคก", exact=True).click()
    assert value(page, "/data/village") == "v2"
    assert value(page, "/data/population") == "80"  # pulldata over the same CSV
    assert "ประชากร 80 คน" in q(page, "pop_note").inner_text()
    q(page, "district").get_by_text("หาดใหญ่", exact=True).click()
    assert village.locator(".choice:visible").all_inner_texts() == ["บ้านหาดใหญ่"]
    assert value(page, "/data/village") == "", "an answer no longer offered is cleared"
    village.get_by_text("บ้านหาดใหญ่", exact=True).click()
    instance_id = submit_for_real(page)
    sub = stored(instance_id)
    assert sub.data["/data/village"] == "v3" and sub.data["/data/population"] == "300"
    assert not [e for e in sub.errors if e["code"] == "calculate_differs"]


def test_the_csv_loads_once_with_the_page_and_the_runtime_uses_that_copy(page, app):
    """The fill page preloads its media files (<link rel=preload as=fetch>), so the runtime does not
    wait for a request it starts only after its own start; a preload the runtime did not reuse would
    show as a second request for the same file."""
    from app.forms.publishing import publish_workbook

    publish_workbook("villages.xlsx", media_workbook(), "tester", media={"villages.csv": VILLAGES_CSV})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if r.url.endswith("/villages.csv") else None)
    open_form(page, MEDIA_FORM_ID)
    preload = page.locator('link[rel=preload][as=fetch][href$="/villages.csv"]')
    assert preload.count() == 1 and preload.get_attribute("crossorigin") == "anonymous"
    q(page, "district").get_by_text("เมือง", exact=True).click()
    assert q(page, "village").locator(".choice:visible").all_inner_texts() == ["บ้านนาดี", "บ้านโคก"]
    assert len(requested) == 1, requested
