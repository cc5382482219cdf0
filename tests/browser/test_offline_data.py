"""Offline data in real Chromium with persistent profiles (static/js/offline): drafts saved as they are
typed, the outbox, sync with no user action, needs attention, per-user storage on a shared tablet,
the last-resort export and the staff import. /submission is made unreachable by route-aborting it
(the server stays up so pages load; service workers are blocked in these profiles)."""
from __future__ import annotations

import io
import json
import random
import time

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app import db
from app.models import Attachment, Submission, SubmissionConflict
from tests.browser.conftest import ServerProcess, sign_in_context
from tests.browser.test_fill_runtime import png

pytestmark = pytest.mark.browser

FORM_ID = "hh_visit"
FILL = f"/forms/{FORM_ID}/fill"
TH, EN = "Thai (th)", "English (en)"


def workbook(version: str, extra_question: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", f"label::{TH}", f"label::{EN}", "required"])
    ws.append(["text", "hh_name", "ชื่อครัวเรือน", "Household", "yes"])
    ws.append(["integer", "members", "จำนวนสมาชิก", "Members", ""])
    ws.append(["image", "photo", "รูปถ่าย", "Photo", ""])
    ws.append(["begin_group", "more", "เพิ่มเติม", "More", ""])
    ws.append(["text", "note_text", "บันทึก", "Notes", ""])
    if extra_question:
        ws.append(["text", "new_in_v2", "คำถามใหม่", "New question", "yes"])
    ws.append(["end_group", "", "", "", ""])
    st = wb.create_sheet("settings")
    st.append(["form_id", "version", "form_title", "default_language"])
    st.append([FORM_ID, version, "เยี่ยมครัวเรือน / Household visit", TH])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def form_v1(app):
    from app.forms.publishing import publish_workbook

    return publish_workbook("hh_visit.xlsx", workbook("1"), "tester").form_version


@pytest.fixture
def officer(make_user):
    return make_user("officer", username="officer-a")


def count(model=Submission, *where) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def wait_until(page, check, timeout: float, message: str, every_ms: int = 250):
    """Polls `check`, letting Playwright run route handlers meanwhile (its sync API dispatches them
    only inside its own calls: a time.sleep would leave the page's requests hanging)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        page.wait_for_timeout(every_ms)
    raise AssertionError(message)


def open_form(page, url: str = FILL):
    page.goto(url)
    page.wait_for_selector("#fill[data-ready=true]")


def fill_and_submit(page, name: str, members: int, photo: bytes | None = None, expect: str = "saved"):
    open_form(page)
    page.locator('.q[data-name="hh_name"] input').fill(name)
    page.locator('.q[data-name="members"] input').fill(str(members))
    if photo:
        page.locator('.q[data-name="photo"] .img-file').set_input_files(
            files=[{"name": "p.png", "mimeType": "image/png", "buffer": photo}])
        page.wait_for_selector('.q[data-name="photo"] .img-preview:not([hidden])')
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    page.locator(".submit").click()
    page.wait_for_selector(f".done[data-kind={expect}]")
    return page.locator(".done-id").inner_text()


def badge(page) -> int:
    page.wait_for_selector("[data-offline-badge][data-refreshed]", state="attached")
    return int(page.locator("[data-offline-badge]").get_attribute("data-count"))


def test_three_offline_submits_arrive_once_after_relaunch_with_no_user_action(live_server, launch_profile, form_v1,
                                                                              officer):
    ctx = launch_profile(live_server)
    page = sign_in_context(ctx, officer.username)
    ctx.route("**/submission", lambda route: route.abort("internetdisconnected"))
    ids = [fill_and_submit(page, "บ้านนายดำ", 4, photo=png(320, 200)),
           fill_and_submit(page, "บ้านนางแดง", 3),
           fill_and_submit(page, "บ้านนายขาว", 5)]
    assert "Saved on this device" in page.locator(".done").inner_text()
    page.goto("/forms")
    page.wait_for_function("document.querySelector('[data-offline-badge]').dataset.count === '3'")
    assert count() == 0
    ctx.close()

    ctx = launch_profile(live_server)  # same profile; the server is reachable again
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto("/forms")  # app open: sync starts by itself
    wait_until(page, lambda: count() == 3, 20, "the three submissions did not arrive")
    page.wait_for_function("document.querySelector('[data-offline-badge]').dataset.count === '0'")
    for iid in ids:
        assert count(Submission, Submission.instance_id == iid) == 1
    photos = db.session.scalars(select(Attachment).join(Submission).where(Submission.instance_id == ids[0])).all()
    assert len(photos) == 1 and photos[0].content_type == "image/jpeg" and photos[0].size > 1000
    assert page.evaluate("window.chumchon.unsentCount()") == 0


def test_chaos_200_submissions_with_30_percent_aborts_and_a_server_restart_land_exactly_once(
        server_process: ServerProcess, launch_profile, form_v1, officer):
    ctx = launch_profile(server_process.url)
    page = sign_in_context(ctx, officer.username)
    ctx.route("**/submission", lambda route: route.abort("internetdisconnected"))
    ui_ids = [fill_and_submit(page, f"ครัวเรือน {i}", i, photo=png(64, 48) if i == 0 else None) for i in range(3)]
    open_form(page)
    # The other 197 through the page's outbox API, from the XML of a real one with a new instanceID each.
    added = page.evaluate("""async (n) => {
      const [first] = await window.chumchon.outbox.list();
      const recs = [];
      for (let i = 0; i < n; i++) {
        const id = "uuid:" + crypto.randomUUID();
        const xml = first.xml.replace(first.instanceID, id).replace(/<hh_name>[^<]*</, `<hh_name>API ${i}<`);
        recs.push({instanceID: id, formId: first.formId, version: first.version, xml, title: first.title});
      }
      return window.chumchon.outbox.addMany(recs);
    }""", 197)
    assert added == 197
    assert page.evaluate("window.chumchon.outbox.count()") == 200
    expected = set(page.evaluate("window.chumchon.outbox.list().then(l => l.map(r => r.instanceID))"))
    assert set(ui_ids) <= expected and len(expected) == 200

    rng = random.Random(20260101)
    seen = {"aborted": 0, "passed": 0}

    def chaos(route):
        if rng.random() < 0.30:
            seen["aborted"] += 1
            route.abort("connectionreset")
        else:
            seen["passed"] += 1
            route.continue_()

    ctx.unroute("**/submission")
    ctx.route("**/submission", chaos)
    t0 = time.monotonic()
    ctx.set_offline(True)  # the tablet comes back into signal: the page hears `online`
    ctx.set_offline(False)
    wait_until(page, lambda: count() >= 60, 60, "sync did not get going")
    assert count() < 200, "the restart must happen mid-sync"
    server_process.restart()  # mid-sync: in-flight requests die with the process
    wait_until(page, lambda: count() >= 200 and page.evaluate("window.chumchon.outbox.count()") == 0, 90,
               f"not everything arrived: {count()} on the server")
    took = time.monotonic() - t0
    db.session.remove()
    stored = db.session.scalars(select(Submission.instance_id)).all()
    assert len(stored) == len(set(stored)) == 200 and set(stored) == expected
    assert count(SubmissionConflict) == 0
    assert count(Attachment) == 1
    assert seen["aborted"] > 20 and server_process.restarts == 1
    print(f"chaos: 200 submissions in {took:.1f} s, {seen['aborted']} aborted, {seen['passed']} passed")


def test_draft_on_the_old_version_completes_on_it_after_a_new_version_is_published(live_server, launch_profile,
                                                                                   form_v1, officer):
    from app.forms.publishing import publish_workbook

    ctx = launch_profile(live_server)
    page = sign_in_context(ctx, officer.username)
    open_form(page)
    page.locator('.q[data-name="hh_name"] input').fill("บ้านร่างเก่า")
    page.wait_for_url("**/versions/1/fill?draft=*")  # the draft is pinned to its version
    iid = page.evaluate("window.chumchon.model.instanceID")

    v2 = publish_workbook("hh_visit.xlsx", workbook("2", extra_question=True), "tester").form_version
    assert v2.version == "2"
    # Opening the draft from the latest form's URL goes to the version it began on.
    open_form(page, f"{FILL}?draft={iid}")
    assert "/versions/1/fill" in page.url
    assert page.locator('.q[data-name="hh_name"] input').input_value() == "บ้านร่างเก่า"
    assert page.locator('.q[data-name="new_in_v2"]').count() == 0
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    page.locator(".submit").click()
    page.wait_for_selector(".done[data-kind=sent]")
    db.session.remove()
    sub = db.session.scalar(select(Submission).where(Submission.instance_id == iid))
    assert sub is not None and sub.form_version.version == "1" and sub.status == "accepted"
    assert page.evaluate("window.chumchon.unsentCount()") == 0


def test_a_409_goes_to_needs_attention_with_the_message_and_a_draft_survives_a_reload(live_server, launch_profile,
                                                                                      form_v1, officer):
    from app.forms.receiving import receive_submission

    ctx = launch_profile(live_server)
    page = sign_in_context(ctx, officer.username)
    # A draft: answers, language and page come back after a reload.
    open_form(page)
    page.locator('.q[data-name="hh_name"] input').fill("บ้านรอกรอก")
    page.locator('.q[data-name="members"] input').fill("7")
    page.locator(".lang-switch [data-li='1']").click()
    page.locator(".page-next").click()
    page.wait_for_url("**?draft=*")
    page.wait_for_timeout(500)
    page.reload()
    page.wait_for_selector("#fill[data-ready=true]")
    assert page.locator('.q[data-name="hh_name"] input').input_value() == "บ้านรอกรอก"
    assert page.locator('.q[data-name="members"] input').input_value() == "7"
    assert page.locator("#fill").get_attribute("data-li") == "1"
    assert page.locator("#fill").get_attribute("data-page") == "1"

    # Another form whose instanceID the server already holds with other content: 409.
    open_form(page)
    page.locator('.q[data-name="hh_name"] input').fill("บ้านซ้ำ")
    iid = page.evaluate("window.chumchon.model.instanceID")
    other = page.evaluate("window.chumchon.model.serialize()").replace("บ้านซ้ำ", "บ้านอื่น")
    assert receive_submission(other.encode(), {}, "someone").status == 201
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    page.locator(".submit").click()
    page.wait_for_selector(".done[data-kind=attention]")
    assert "kept aside" in page.locator(".done").inner_text()

    page.goto("/drafts")
    page.wait_for_selector("#offline-page[data-ready=true]")
    item = page.locator(f'#offline-attention [data-instance-id="{iid}"]')
    assert "409" in item.inner_text() and "kept aside" in item.inner_text()
    assert page.locator("#offline-drafts .offline-item").count() == 1
    assert page.locator("#offline-drafts .offline-item").inner_text().count("บ้านรอกรอก") == 1
    page.reload()
    page.wait_for_selector("#offline-page[data-ready=true]")
    assert page.locator(f'#offline-attention [data-instance-id="{iid}"]').count() == 1
    page.wait_for_selector("[data-offline-badge][data-refreshed]", state="attached")
    assert int(page.locator("[data-offline-badge]").get_attribute("data-attention")) == 1
    assert page.evaluate("window.chumchon.unsentCount()") == 2  # the draft and the refused record
    # Needs attention is never retried by itself.
    page.wait_for_timeout(2500)
    assert count(SubmissionConflict) == 1
    assert page.locator(f'#offline-attention [data-instance-id="{iid}"]').count() == 1


def test_shared_tablet_each_user_sees_only_their_own_and_export_import_lands_once(app, live_server, launch_profile,
                                                                                  form_v1, officer, make_user):
    from tests.conftest import csrf_token_of, sign_in

    other = make_user("officer", username="officer-b")
    ctx = launch_profile(live_server)
    page = sign_in_context(ctx, officer.username)
    ctx.route("**/submission", lambda route: route.abort("internetdisconnected"))
    ids = [fill_and_submit(page, "บ้านส่งออก 1", 2, photo=png(80, 60)), fill_and_submit(page, "บ้านส่งออก 2", 3)]
    open_form(page)
    page.locator('.q[data-name="hh_name"] input').fill("ร่างส่งออก")
    page.wait_for_url("**?draft=*")
    page.goto("/drafts")
    page.wait_for_selector("#offline-page[data-ready=true]")
    assert page.locator("#offline-page").get_attribute("data-waiting") == "2"
    with page.expect_download() as download:
        page.locator("#offline-export").click()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert exported["format"] == "chumchon-unsent" and len(exported["items"]) == 3
    assert sorted(i["kind"] for i in exported["items"]) == ["draft", "outbox", "outbox"]
    assert any(i["attachments"] for i in exported["items"])

    # Officer B on the same tablet sees none of A's records.
    page = sign_in_context(ctx, other.username)
    page.goto("/drafts")
    page.wait_for_selector("#offline-page[data-ready=true]")
    assert page.locator("#offline-page").get_attribute("data-drafts") == "0"
    assert page.locator("#offline-page").get_attribute("data-waiting") == "0"
    assert page.evaluate("window.chumchon.unsentCount()") == 0
    assert badge(page) == 0

    # B starts a draft and signs out (confirming the discard): only B's records leave the device.
    open_form(page)
    page.locator('.q[data-name="hh_name"] input').fill("ร่างของบี")
    page.wait_for_url("**?draft=*")
    wait_until(page, lambda: page.evaluate("window.chumchon.unsentCount()") == 1, 5, "B's draft was not saved")
    page.goto("/signout")
    page.locator("[data-unsent-confirm]").check()
    page.get_by_role("button", name="ออกจากระบบ").click()
    page.wait_for_url("**/signin**")
    page = sign_in_context(ctx, officer.username)
    page.goto("/drafts")
    page.wait_for_selector("#offline-page[data-ready=true]")
    assert page.locator("#offline-page").get_attribute("data-waiting") == "2"  # A's work survived B's sign-out
    assert page.locator("#offline-page").get_attribute("data-drafts") == "1"
    leftover = page.evaluate("""async () => {
        const req = indexedDB.open("chumchon-offline");
        const conn = await new Promise((ok, ko) => { req.onsuccess = () => ok(req.result); req.onerror = ko; });
        const all = await new Promise((ok) => { const r = conn.transaction("drafts").objectStore("drafts").getAll();
                                                  r.onsuccess = () => ok(r.result); });
        return all.map((d) => d.userId);
    }""")
    assert str(other.id) not in [str(u) for u in leftover]  # B's draft is gone from the tablet

    # Staff import the file: each record once; a second import stores nothing new.
    staff = make_user("district", username="district-staff")
    client = app.test_client()
    sign_in(client, staff.username)
    token = csrf_token_of(client.get("/unsent/import").get_data(as_text=True))
    raw = json.dumps(exported).encode()
    for round_no, created in ((1, 2), (2, 0)):
        r = client.post("/unsent/import", data={"csrf_token": token, "file": (io.BytesIO(raw), "export.json")},
                        content_type="multipart/form-data")
        assert r.status_code == 200, r.get_data(as_text=True)[:500]
        html = r.get_data(as_text=True)
        assert f"data-created>{created}<" in html, f"import {round_no}"
    assert count() == 2 and {s for s in db.session.scalars(select(Submission.instance_id))} == set(ids)
    sub = db.session.scalar(select(Submission).where(Submission.instance_id == ids[0]))
    assert sub.submitted_by == officer.username and len(sub.attachments) == 1


def test_a_submit_the_device_cannot_keep_leaves_the_draft_with_every_answer(live_server, launch_profile, form_v1,
                                                                            officer):
    """The outbox cannot store the submission (storage full) and there is no signal: the draft still
    holds every answer, the last one typed a moment before Submit included, and reopens on reload."""
    ctx = launch_profile(live_server)
    page = sign_in_context(ctx, officer.username)
    ctx.route("**/submission", lambda route: route.abort("internetdisconnected"))
    open_form(page)
    page.locator('.q[data-name="hh_name"] input').fill("บ้านเต็มเครื่อง")
    page.wait_for_url("**?draft=*")
    page.evaluate("""() => { const put = IDBObjectStore.prototype.put;
        IDBObjectStore.prototype.put = function (...args) {
            if (this.name === "outbox") throw new DOMException("quota", "QuotaExceededError");
            return put.apply(this, args); }; }""")
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    page.locator('.q[data-name="note_text"] input').fill("คำตอบสุดท้าย")
    page.locator(".submit").click()  # at once: the autosave of the last answer is still pending
    page.wait_for_selector(".fill-status:not([hidden])")
    page.wait_for_function("!document.querySelector('.submit').disabled")
    page.wait_for_url("**?draft=*")
    page.reload()
    page.wait_for_selector("#fill[data-ready=true]")
    xml = page.evaluate("window.chumchon.model.serialize()")
    assert "บ้านเต็มเครื่อง" in xml and "คำตอบสุดท้าย" in xml
