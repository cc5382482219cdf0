"""The group picker of the bundled assessment (form/widgets/picker.js) with a district of 400 savings
groups, on a 10-inch tablet: the officer finds a group by typing part of its village's Thai name, with
the page's own registry list and no network; groups are in natural order (2 before 10), the officer's
assigned group comes first, a group assessed this round is marked with its date; once chosen the
list folds to that group."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from app import db
from app.models import Group, GroupStatus, OfficerAssignment, Village
from tests.browser.conftest import sign_in_page
from tests.conftest import TEST_PASSWORD

DISTRICT = "4209"
COUNT = 400
FAR_VILLAGE = ("42090499", "บ้านโคกสะอาดพัฒนา")  # the one village typed for, among the demo villages


def code(n: int) -> str:
    return f"SG-{DISTRICT}-P{n:03d}"


@pytest.fixture
def district_of_400(app, make_user):
    from app.demo import publish_bundled
    from app.registry.seed import seed_villages

    publish_bundled()
    seed_villages()
    db.session.add(Village(code=FAR_VILLAGE[0], name_th=FAR_VILLAGE[1], tambon_code="420904",
                           tambon_th="ตำบลทดลอง 4", district_code=DISTRICT))
    villages = [f"{DISTRICT}01{v:02d}" for v in range(1, 13)]
    db.session.execute(insert(Group), [
        {"code": code(n), "kind": "savings", "name": f"กลุ่มออมทรัพย์เพื่อการผลิตทดสอบ {n}",
         "village_code": FAR_VILLAGE[0] if n == 273 else villages[n % len(villages)], "district_code": DISTRICT,
         "status": GroupStatus.APPROVED, "registration_no": f"{DISTRICT}/{n}", "registered_on": date(2015, 1, 1),
         "decided_by": "test", "entity_id": f"test:{code(n)}", "properties": {}} for n in range(1, COUNT + 1)])
    db.session.commit()
    officer = make_user("officer", district=DISTRICT, username="officer-picker")
    db.session.add(OfficerAssignment(user_id=officer.id, group_id=db.session.scalar(
        select(Group.id).where(Group.code == code(350))), assigned_by="test"))
    db.session.commit()
    assess(officer, code(12))
    return officer


def assess(officer, group: str) -> None:
    """An assessment of `group` today (this round), sent by the officer through the receiving path."""
    from app.demo import instance_xml
    from app.forms.definitions import definition_of
    from app.forms.receiving import receive_submission
    from app.models import Form

    fv = db.session.scalar(select(Form).where(Form.form_id == "sg_assessment_21")).latest
    answers = {"group": group, "assessed_on": date.today().isoformat(), "assessor_name": "ทดสอบ",
               "members_total": "20", "members_present": "15", "fund_total": "1000", "loans_outstanding": "500",
               **{f"i{n:02d}": "2" for n in range(1, 22)}}
    xml = instance_xml(fv.xform, definition_of(fv), answers, f"uuid:picker-{group}")
    assert receive_submission(xml, {}, officer.username, sender=officer).status == 201


def test_the_picker_finds_a_group_by_a_thai_village_substring_among_400(page, live_server, district_of_400):
    page.context.clear_cookies()
    sign_in_page(page, district_of_400.username, TEST_PASSWORD)
    page.goto("/forms/sg_assessment_21/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    group_q = page.locator('.q[data-name="group"]')
    search = group_q.locator(".picker-search")
    assert search.is_visible()
    options = group_q.locator(".choice")
    assert options.count() == COUNT

    # First the officer's assigned group, then all in natural order (2 before 10); a group assessed
    # this round carries its date.
    sections = [t.split(" ")[0] for t in group_q.locator(".picker-section:visible").all_inner_texts()]
    assert sections == ["กลุ่มที่รับผิดชอบ", "ประเมินล่าสุด", "ทั้งหมด"]  # assigned, recent (this officer's), all
    shown = group_q.locator(".choice:visible .choice-label").all_inner_texts()
    assert shown[:2] == ["กลุ่มออมทรัพย์เพื่อการผลิตทดสอบ 350", "กลุ่มออมทรัพย์เพื่อการผลิตทดสอบ 12"]
    assert shown[2:5] == [f"กลุ่มออมทรัพย์เพื่อการผลิตทดสอบ {n}" for n in (1, 2, 3)]  # natural order, not 1, 10, 100
    assert group_q.locator(".choice.assessed").count() == 1
    done = group_q.locator(f'.choice.assessed:has(input[value="{code(12)}"]) .picker-done').inner_text()
    today = date.today()
    assert done.startswith("ประเมินแล้ว") and str(today.year + 543) in done

    # Offline: everything the picker needs is in the page.
    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    search.fill("โคกสะอาด")
    visible = group_q.locator(".choice:visible")
    assert visible.count() == 1
    assert visible.locator(".choice-label").inner_text() == "กลุ่มออมทรัพย์เพื่อการผลิตทดสอบ 273"
    assert "บ้านโคกสะอาดพัฒนา" in visible.locator(".choice-meta").inner_text()
    search.press("Enter")  # the only match is chosen
    assert page.evaluate("window.chumchon.model.get(window.chumchon.model.find('/data/header/group'))") == code(273)
    # Chosen: the list folds to it, so the page stays short; "change" opens it again.
    assert group_q.locator(".choice:visible").count() == 1 and group_q.locator(".picker-chosen").is_visible()
    assert group_q.bounding_box()["height"] < 400
    group_q.locator(".picker-change").click()
    search.fill(code(27))  # by code too
    assert group_q.locator(".choice:visible").count() == 1
    page.context.unroute("**/*")
