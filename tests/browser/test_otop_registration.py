"""From mapped households to a registered occupational group, in real Chromium: the district office opens
the household profile, picks a candidate group, the group registration opens pre-filled (area,
occupation, proposed members) through the form's own defaults, is completed with no network, waits in
the outbox, syncs when the network is back, is approved, and the group's path shows "registered"."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.demo import thai_national_id
from app.models import Group, GroupPath, Submission, SubmissionStatus
from tests.browser.conftest import sign_in_context
from tests.browser.test_fill_runtime import png
from tests.otop.conftest import DISTRICT, forms, otop_demo  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
KEY = "village:42010101:otop:3.1"  # the demo's weaving households of บ้านทดลอง 1


def q(path_end: str) -> str:
    return f'.q[data-path$="/{path_end}"]'


def image(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": png(64, 48)}


def wait_until(page, check, message: str, timeout_ms: int = 20_000) -> None:
    """Polls `check` with page.wait_for_timeout (Playwright keeps serving the page meanwhile)."""
    waited = 0
    while not check():
        assert waited < timeout_ms, message
        page.wait_for_timeout(250)
        waited += 250


def complete_registration(page) -> list[str]:
    """Answers what the founding meeting adds, page by page; returns the members' names as pre-filled."""
    names: list[str] = []
    while True:
        current = page.locator("#fill .page").nth(page.evaluate("window.chumchon.view.page"))
        current.wait_for(state="visible")
        if current.locator(q("objectives")).count():
            current.locator(f'{q("objectives")} textarea').fill("สร้างรายได้จากผ้าทอมือของสมาชิก")
            current.locator(f'{q("address")} input').fill("ศาลาหมู่บ้าน หมู่ 1")
            current.locator(f'{q("founded_on")} input').fill("2026-11-20")
            current.locator(f'{q("minutes_photo")} input[type=file]').set_input_files(image("minutes.png"))
        items = current.locator(".repeat[data-path$='/member'] .repeat-item")
        for i in range(items.count()):
            item = items.nth(i)
            names.append(item.locator(f'{q("m_name")} input').input_value())
            item.locator(f'{q("m_national_id")} input').fill(thai_national_id(f"34201{i + 1:07d}"))
            item.locator(f'{q("m_birth_date")} input').fill(f"19{70 + i}-05-01")
            item.locator(f'{q("m_thai")} input[value=yes]').check()
            item.locator(f'{q("m_domiciled")} input[value=yes]').check()
            role = {0: "president", 1: "secretary", 2: "treasurer"}.get(i)
            if role:
                item.locator(f'{q("m_role")} input[value={role}]').check()
        if current.locator(q("members_checked")).count():
            current.locator(f'{q("members_checked")} input').check()
            current.locator(f'{q("committee_checked")} input').check()
            current.locator(f'{q("term_years")} input').fill("2")
        if current.locator(q("rules_photo")).count():
            current.locator(f'{q("rules_photo")} input[type=file]').set_input_files(image("rules.png"))
        activities = current.locator(".repeat[data-path$='/activity'] .repeat-item")
        for i in range(activities.count()):
            activities.nth(i).locator(f'{q("act_name")} input').fill("อบรมออกแบบลายผ้า")
            activities.nth(i).locator(f'{q("act_period")} input').fill("มกราคม 2570")
            activities.nth(i).locator(f'{q("act_budget")} input').fill("5000")
        if current.locator(q("documents_checklist")).count():
            for box in current.locator(f'{q("documents_checklist")} input[type=checkbox]').all():
                box.check()
            for name in ("photo_meeting", "photo_products", "president_id_card", "president_house_reg"):
                current.locator(f'{q(name)} input[type=file]').set_input_files(image(f"{name}.png"))
        if page.locator(".fill-pager .submit").is_visible():
            return names  # the last page
        before = page.evaluate("window.chumchon.view.page")
        page.click(".page-next")
        page.wait_for_function(f"window.chumchon.view.page !== {before}")


def test_district_turns_a_candidate_group_into_a_registered_group_offline(live_server, launch_profile, otop_demo):  # noqa: F811
    ctx = launch_profile(live_server)  # service workers blocked: the route below sees every request
    page = sign_in_context(ctx, *DISTRICT)

    page.goto("/otop/profile")
    assert page.locator("#otop-profile").get_attribute("data-fiscal-year") == "2569"
    assert page.locator("#otop-profile svg.otop-chart").count() >= 5
    assert page.locator('table[data-table="candidates"] tbody tr').count() >= 2
    page.click("text=ดูรายชื่อครัวเรือนและเริ่มขึ้นทะเบียนกลุ่ม")
    card = page.locator(f'.otop-candidate[data-key="{KEY}"]')
    proposed = [t.split(" — ")[1].split(" · ")[0] for t in card.locator(".otop-members li").all_inner_texts()]
    assert len(proposed) == 6
    card.locator("a.otop-register").click()

    page.wait_for_selector("#fill[data-ready=true]")
    assert "/otop/candidates/" in page.url
    assert page.locator(f'{q("group_kind")} input[value=occupational]').is_checked()
    assert page.locator(f'{q("group_name")} input').input_value().startswith("กลุ่มอาชีพผ้าทอมือมัดหมี่")
    assert KEY in page.locator(q("candidate_ref")).inner_text()
    members = page.locator(".repeat[data-path$='/member'] .repeat-item")
    assert members.count() == 6
    assert sorted(members.nth(i).locator(f'{q("m_name")} input').input_value() for i in range(6)) == sorted(proposed)

    # The first answer makes it a draft on the tablet; then the network goes.
    page.click(".page-next")
    page.locator(f'{q("objectives")} textarea').fill("ร่าง")
    page.wait_for_url("**/forms/group_registration/versions/*/fill?draft=*")
    ctx.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.click(".page-back")
    names = complete_registration(page)
    assert sorted(names) == sorted(proposed)
    page.click(".fill-pager .submit")
    page.wait_for_selector(".done[data-kind=saved]")  # in the outbox: nothing reached the server
    instance_id = page.inner_text(".done-id").strip()
    db.session.remove()
    assert db.session.scalar(select(Submission).where(Submission.instance_id == instance_id)) is None

    # Signal again: opening the app sends the outbox by itself.
    ctx.unroute("**/*")
    page.goto("/otop/candidates")
    wait_until(page, lambda: (db.session.remove() or db.session.scalar(
        select(Submission.status).where(Submission.instance_id == instance_id))) is not None, "the outbox never synced")
    sub = db.session.scalar(select(Submission).where(Submission.instance_id == instance_id))
    assert sub.status == SubmissionStatus.ACCEPTED, sub.errors
    group = db.session.scalar(select(Group).where(Group.entity_id == instance_id))
    path = db.session.scalar(select(GroupPath).where(GroupPath.group_id == group.id))
    assert path.candidate_key == KEY and str(path.formed_on) == "2026-11-20"
    page.reload()
    assert group.name in page.locator(f'.otop-candidate[data-key="{KEY}"]').inner_text()  # "registration started"

    # The district office approves it; the group's path now shows "registered".
    page.goto("/registry/groups")
    row = page.locator(f"#group-{group.id}")
    row.locator("input[name=registration_no]").fill("ลย 4201/2570-01")
    row.locator("button[type=submit]").first.click()
    page.wait_for_url("**/registry/groups?done=approved")
    page.goto("/otop/groups?fy=2570")
    page.click(f"text={group.name}")
    page.wait_for_selector("#otop-group")
    assert page.locator("#otop-group").get_attribute("data-stage") == "registered"
    registered = page.locator('.otop-step[data-stage="registered"]')
    assert "reached" in registered.get_attribute("class") and registered.get_attribute("data-date")
    assert "reached" in page.locator('.otop-step[data-stage="formed"]').get_attribute("class")
    assert "reached" not in page.locator('.otop-step[data-stage="product_developed"]').get_attribute("class")


def test_the_otop_pages_run_under_the_real_content_security_policy(browser, live_server, otop_demo):  # noqa: F811
    """No bypass_csp here: a style attribute, an inline script or handler would be refused and logged."""
    from tests.browser.conftest import TABLET, sign_in_page

    ctx = browser.new_context(viewport=TABLET, base_url=live_server, locale="th-TH", timezone_id="Asia/Bangkok",
                              service_workers="block")
    page = ctx.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    sign_in_page(page, *DISTRICT)
    group_id = db.session.scalar(select(Group.id).where(Group.kind == "occupational"))
    for url in ("/otop/profile", "/otop/candidates", "/otop/candidates?scope=tambon", "/otop/groups",
                f"/otop/groups/{group_id}", "/otop/households", "/otop/targets"):
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.locator(".otop-page").count() == 1, url
    assert page.evaluate("document.querySelectorAll('[style]').length") == 0
    ctx.close()
    assert console == []
