"""The form runtime in real Chromium: filling every type, language switch, paging, repeats, the
required check, image downscaling, geopoint, and the OpenRosa submission it sends."""
from __future__ import annotations

import email.parser
import email.policy
import struct
import zlib

import pytest
from lxml import etree

from tests.fixtures.workbooks import ALL_TYPES_FORM_ID, all_types_workbook

pytestmark = pytest.mark.browser

FILL_URL = f"/forms/{ALL_TYPES_FORM_ID}/fill"
OPENROSA_OK = ('<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
               '<message nature="submit_success">ได้รับแล้ว / Received</message></OpenRosaResponse>')
PAGES = 8  # see tests/forms/test_fill_page.py::test_pages_are_top_level_groups_and_runs_of_loose_questions


# ---- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def published(app):
    from app.forms.publishing import publish_workbook

    return publish_workbook("all_types.xlsx", all_types_workbook(), "tester").form_version


@pytest.fixture
def form(page, published):
    """The all-types form open in the browser, runtime started."""
    page.goto(FILL_URL)
    page.wait_for_selector("#fill[data-ready=true]")
    return page


@pytest.fixture
def captured(form):
    """Intercepts POST /submission: the requests are collected, answered 201 like the server."""
    requests = []

    def handle(route):
        requests.append(route.request)
        route.fulfill(status=201, body=OPENROSA_OK, headers={"Content-Type": "text/xml; charset=utf-8",
                                                             "X-OpenRosa-Version": "1.0"})

    form.route("**/submission", handle)
    return requests


def q(page, name):
    return page.locator(f'.q[data-name="{name}"]')


def serialized(page) -> etree._Element:
    return etree.fromstring(page.evaluate("window.chumchon.model.serialize()").encode())


def next_page(page):
    page.locator(".page-next").click()


def page_no(page) -> int:
    return int(page.locator("#fill").get_attribute("data-page"))


def multipart(request) -> dict[str, tuple[str | None, str, bytes]]:
    """{field name: (filename, content type, bytes)} of a multipart request."""
    raw = (f"Content-Type: {request.headers['content-type']}\r\n\r\n").encode() + request.post_data_buffer
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    parts = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    return parts


def png(width: int, height: int) -> bytes:
    """A real RGB PNG (a gradient, so it is not trivially small) without Pillow."""
    row = bytes(((x * 255) // width) for x in range(width) for _ in range(3))
    raw = b"".join(b"\x00" + row for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's SOF marker."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no SOF marker")


def fill_required(page):
    """Answers the three required questions (pages 1 and 3) and comes back to page 1."""
    page.evaluate("window.chumchon.view.showPage(0)")
    q(page, "respondent").locator("input").fill("สมชาย ใจดี")
    q(page, "age").locator("input").fill("42")
    page.evaluate("window.chumchon.view.showPage(2)")
    q(page, "has_fund").get_by_text("ใช่", exact=True).click()


def go_to_last_page(page):
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")


# ---- tests ---------------------------------------------------------------------------------------

def test_filling_every_type_sends_the_answers_at_their_paths(form, captured, context, tmp_path):
    page = form
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 17.4860, "longitude": 101.7223, "accuracy": 8})
    photo = tmp_path / "big.png"
    photo.write_bytes(png(3000, 2000))

    # Page 1: loose questions
    q(page, "respondent").locator("input").fill("สมชาย ใจดี")
    q(page, "comments").locator("textarea").fill("บรรทัดหนึ่ง\nบรรทัดสอง")
    q(page, "age").locator("input").fill("42")
    q(page, "income").locator("input").fill("1500.75")
    assert q(page, "village").locator("input").input_value() == "บ้านหนองบัว"  # default from the template
    next_page(page)
    # Page 2: field-list group of dates and times
    q(page, "visit_date").locator("input").fill("2026-01-05")
    q(page, "visit_time").locator("input").fill("14:30")
    q(page, "visit_dt").locator("input").fill("2026-01-05T09:15")
    next_page(page)
    # Page 3: selects in every appearance
    q(page, "has_fund").get_by_text("ใช่", exact=True).click()
    q(page, "fund_minimal").locator("select").select_option("no")
    q(page, "fund_likert").get_by_text("มาก", exact=True).click()
    q(page, "fund_horizontal").get_by_text("ไม่ใช่", exact=True).click()
    q(page, "fund_compact").get_by_text("ใช่", exact=True).click()
    q(page, "fund_columns").get_by_text("ปานกลาง", exact=True).click()
    q(page, "fund_columns3").get_by_text("น้อย", exact=True).click()
    q(page, "crops").get_by_text("ข้าว", exact=True).click()
    q(page, "crops").get_by_text("ยางพารา", exact=True).click()
    next_page(page)
    # Page 4: acknowledge, range, geopoint, image
    q(page, "consent").locator("input[type=checkbox]").check()
    q(page, "satisfaction").locator("input[type=range]").fill("6")
    assert q(page, "satisfaction").locator(".range-out").text_content() == "6"
    q(page, "location").locator(".geo-get").click()
    page.wait_for_function("window.chumchon.model.serialize().includes('17.486 101.7223')")
    assert "± 8 ม." in q(page, "location").locator(".geo-acc-out").text_content()
    q(page, "photo").locator("input[type=file]").set_input_files(str(photo))
    q(page, "photo").locator(".img-thumb[src]").wait_for()
    next_page(page)
    # Page 5: repeat with a nested group; one item is there to start with
    q(page, "member_name").locator("input").fill("แม่บ้าน")
    q(page, "member_age").locator("input").fill("60")
    page.locator('.repeat[data-path="/data/members"] .repeat-add').click()
    q(page, "member_name").nth(1).locator("input").fill("ลูก")
    next_page(page)
    # Page 6: fixed-count repeat
    q(page, "attendees").nth(0).locator("input").fill("12")
    q(page, "attendees").nth(1).locator("input").fill("15")
    next_page(page)
    next_page(page)  # page 7: unsupported types, skipped
    # Page 8: the note with an output, then submit
    assert "ขอบคุณ สมชาย ใจดี" in q(page, "thanks").inner_text()
    page.locator(".submit").click()
    page.wait_for_selector("#fill[data-state=done]")
    assert page.locator(".done").is_visible()

    assert len(captured) == 1
    request = captured[0]
    assert request.method == "POST" and request.headers["x-openrosa-version"] == "1.0"
    parts = multipart(request)
    filename, ctype, xml = parts["xml_submission_file"]
    assert filename == "xml_submission_file.xml" and ctype == "text/xml"
    data = etree.fromstring(xml)
    assert data.tag == "data" and data.get("id") == ALL_TYPES_FORM_ID and data.get("version")
    v = data.findtext
    assert v("respondent") == "สมชาย ใจดี"
    assert v("comments") == "บรรทัดหนึ่ง\nบรรทัดสอง"
    assert (v("age"), v("income"), v("village")) == ("42", "1500.75", "บ้านหนองบัว")
    assert v("when/visit_date") == "2026-01-05"
    assert v("when/visit_time") == "14:30:00.000+07:00"
    assert v("when/visit_dt") == "2026-01-05T09:15:00.000+07:00"
    assert [v(f"choices/{n}") for n in ("has_fund", "fund_minimal", "fund_likert", "fund_horizontal",
                                        "fund_compact", "fund_columns", "fund_columns3", "crops")] == [
        "yes", "no", "3", "no", "yes", "2", "1", "rice rubber"]
    assert (v("consent"), v("satisfaction")) == ("OK", "6")
    lat, lon, alt, acc = v("location").split()
    assert (float(lat), float(lon), float(acc)) == (17.486, 101.7223, 8)
    assert v("hidden_code") == "H1" and v("rounds_count") == "2"
    members = data.findall("members")
    assert [(m.findtext("member_name"), m.findtext("member_detail/member_age")) for m in members] == [
        ("แม่บ้าน", "60"), ("ลูก", "")]
    assert [r.findtext("attendees") for r in data.findall("rounds")] == ["12", "15"]
    assert not data.xpath("//*[@*[local-name()='template']]"), "repeat templates must not be submitted"
    assert v("meta/instanceID").startswith("uuid:") and len(v("meta/instanceID")) == 41
    assert v("start").startswith("20") and v("end").startswith("20") and v("end") >= v("start")
    # The photo: named in the instance, sent as a JPEG part under that name, at most 1600 px.
    photo_name = v("photo")
    assert photo_name.startswith("photo-") and photo_name.endswith(".jpg")
    fname, ptype, content = parts[photo_name]
    assert (fname, ptype) == (photo_name, "image/jpeg")
    assert jpeg_size(content) == (1600, 1067)
    assert page.locator(".done-id").text_content() == v("meta/instanceID")


def test_submission_reaches_the_real_endpoint_and_is_stored(form, app):
    from sqlalchemy import select

    from app import db
    from app.models import Submission

    page = form
    fill_required(page)
    go_to_last_page(page)
    page.locator(".submit").click()
    page.wait_for_selector("#fill[data-state=done]")
    instance_id = page.evaluate("window.chumchon.model.instanceID")
    db.session.remove()
    stored = db.session.scalar(select(Submission).where(Submission.instance_id == instance_id))
    assert stored is not None, "the submission was not stored"
    assert "<respondent>สมชาย ใจดี</respondent>" in stored.xml


def test_language_switch_shows_labels_and_choices_in_the_chosen_language(form):
    page = form
    label = q(page, "respondent").locator(".q-label")
    assert label.inner_text().startswith("ชื่อผู้ตอบ")
    assert "Respondent name" not in label.inner_text()
    page.locator(".lang-switch").get_by_role("button", name="English", exact=True).click()  # the form's switch
    assert label.inner_text().startswith("Respondent name")
    assert "ชื่อผู้ตอบ" not in label.inner_text()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert q(page, "fund_minimal").locator("option[value=yes]").text_content() == "Yes"
    page.evaluate("window.chumchon.view.showPage(2)")
    assert q(page, "has_fund").locator(".choice").first.inner_text() == "Yes"
    page.locator(".lang-switch").get_by_role("button", name="ไทย", exact=True).click()  # the form's, not the header's
    assert q(page, "has_fund").locator(".choice").first.inner_text() == "ใช่"
    assert q(page, "fund_minimal").locator("option[value=yes]").text_content() == "ใช่"
    # The choice is remembered for this form.
    page.locator(".lang-switch").get_by_role("button", name="English", exact=True).click()  # the form's switch
    page.reload()
    page.wait_for_selector("#fill[data-ready=true]")
    assert q(page, "respondent").locator(".q-label").inner_text().startswith("Respondent name")


def test_pages_move_with_next_and_back_and_show_progress(form):
    page = form
    progress = page.locator(".page-progress")
    assert page_no(page) == 0
    assert progress.evaluate("p => [p.value, p.max]") == [1, PAGES]
    assert f"1 / {PAGES}" in page.locator(".page-count").inner_text()
    assert page.locator(".page-back").is_disabled()
    assert q(page, "respondent").is_visible() and not q(page, "visit_date").is_visible()
    # Next checks the page's required answers and stays, naming them (checks.js).
    next_page(page)
    assert page_no(page) == 0
    status = page.locator(".fill-status").inner_text()
    assert "ยังไม่ได้ตอบคำถามที่จำเป็น 2 ข้อ" in status and "2 required questions are not answered" in status
    assert "ชื่อผู้ตอบ" in status
    fill_required(page)
    page.evaluate("window.chumchon.view.showPage(0)")
    assert not page.locator(".fill-status").is_visible()  # answered: the banner went by itself
    next_page(page)
    assert page_no(page) == 1
    assert q(page, "visit_date").is_visible() and not q(page, "respondent").is_visible()
    assert progress.evaluate("p => p.value") == 2
    page.locator(".page-back").click()
    assert page_no(page) == 0 and q(page, "respondent").is_visible()
    for _ in range(PAGES - 1):
        assert page.locator(".page-next").is_visible() and not page.locator(".submit").is_visible()
        next_page(page)
    assert page_no(page) == PAGES - 1
    assert not page.locator(".page-next").is_visible() and page.locator(".submit").is_visible()
    assert q(page, "thanks").is_visible()


def test_repeats_add_and_remove_instances_and_fixed_counts_stay(form):
    page = form
    page.evaluate("window.chumchon.view.showPage(4)")
    members = page.locator('.repeat[data-path="/data/members"] .repeat-item')
    assert members.count() == 1
    add = page.locator('.repeat[data-path="/data/members"] .repeat-add')
    add.click()
    add.click()
    assert members.count() == 3
    assert [members.nth(i).locator(".repeat-no").text_content() for i in range(3)] == ["1", "2", "3"]
    for i, name in enumerate(["ก", "ข", "ค"]):
        members.nth(i).locator('[data-name="member_name"] input').fill(name)
    page.on("dialog", lambda d: d.accept())
    members.nth(0).locator(".repeat-remove").click()
    assert members.count() == 2
    assert [members.nth(i).locator(".repeat-no").text_content() for i in range(2)] == ["1", "2"]
    data = serialized(page)
    assert [m.findtext("member_name") for m in data.findall("members")] == ["ข", "ค"]
    # Inputs of different items stay distinct (ids are unique).
    ids = page.eval_on_selector_all("#odk-form [id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))
    # The repeat with jr:count 2 has exactly two items and no add/remove buttons.
    page.evaluate("window.chumchon.view.showPage(5)")
    rounds = page.locator('.repeat[data-path="/data/rounds"]')
    assert rounds.locator(".repeat-item").count() == 2
    assert rounds.locator(".repeat-add, .repeat-remove").count() == 0
    assert len(data.findall("rounds")) == 2
    # Removing every member, then adding again, puts the new one back in template order.
    page.evaluate("window.chumchon.view.showPage(4)")
    page.locator('.repeat[data-path="/data/members"] .repeat-remove').first.click()
    page.locator('.repeat[data-path="/data/members"] .repeat-remove').first.click()
    assert members.count() == 0 and not serialized(page).findall("members")
    add.click()
    names = [el.tag for el in serialized(page)]
    assert names.index("members") == names.index("hidden_code") + 1


def test_required_questions_block_submit_and_show_where(form, captured):
    page = form
    go_to_last_page(page)
    page.locator(".submit").click()
    assert page_no(page) == 0, "submit should jump to the first page with a missing answer"
    respondent_msg = q(page, "respondent").locator(".q-msg")
    assert respondent_msg.is_visible()
    assert "กรุณาตอบคำถามนี้" in respondent_msg.inner_text() and "needs an answer" in respondent_msg.inner_text()
    age_msg = q(page, "age").locator(".q-msg")
    assert "กรุณากรอกอายุ" in age_msg.inner_text()  # jr:requiredMsg, in the current language
    assert "Please enter the age" not in age_msg.inner_text()
    assert "3" in page.locator(".fill-status").inner_text()
    assert not q(page, "comments").locator(".q-msg").is_visible()
    assert captured == [], "nothing may be sent while required answers are missing"
    # Answering clears the message.
    q(page, "respondent").locator("input").fill("ก")
    assert not respondent_msg.is_visible()
    fill_required(page)
    go_to_last_page(page)
    page.locator(".submit").click()
    page.wait_for_selector("#fill[data-state=done]")
    assert len(captured) == 1


def test_server_errors_are_shown_and_the_answers_kept(form):
    """Outbox first (static/js/offline): a refusal (409) ends in "needs attention" with the server's
    message, a 5xx or no connection in "saved on this device"; the answers are in the outbox."""
    page = form
    answers = iter([
        (409, '<OpenRosaResponse xmlns="http://openrosa.org/http/response"><message>ซ้ำ / conflict</message></OpenRosaResponse>'),
        (500, '<OpenRosaResponse xmlns="http://openrosa.org/http/response"><message>ระบบขัดข้อง / Server broke</message></OpenRosaResponse>'),
    ])

    def handle(route):  # then no connection at all (retries of the sync included)
        status, body = next(answers, (None, None))
        if status is None:
            route.abort()
        else:
            route.fulfill(status=status, body=body, headers={"Content-Type": "text/xml"})

    page.route("**/submission", handle)
    done = page.locator(".done")
    for expected, text in (("attention", "kept aside"), ("saved", "Saved on this device")):
        fill_required(page)
        go_to_last_page(page)
        page.locator(".submit").click()
        page.wait_for_selector(f".done[data-kind={expected}]")
        assert text in done.inner_text()
        page.goto(FILL_URL)
        page.wait_for_selector("#fill[data-ready=true]")
    fill_required(page)
    go_to_last_page(page)
    page.locator(".submit").click()
    page.wait_for_selector(".done[data-kind=saved]")
    items = page.evaluate("window.chumchon.outbox.list().then(l => l.map(r => [r.state, r.xml]))")
    assert [state for state, _ in items] == ["attention", "queued", "queued"]
    assert all("สมชาย ใจดี" in xml for _, xml in items)


def test_image_is_downscaled_to_1600_px_and_kept_for_the_submission(form, tmp_path):
    page = form
    big = tmp_path / "tall.png"
    big.write_bytes(png(1200, 4000))
    page.evaluate("window.chumchon.view.showPage(3)")
    q(page, "photo").locator("input[type=file]").set_input_files(str(big))
    q(page, "photo").locator(".img-thumb[src]").wait_for()
    info = page.evaluate("""async () => {
        const m = window.chumchon.model;
        const name = m.get(m.find('/data/photo'));
        const blob = m.attachments.get(name);
        const bmp = await createImageBitmap(blob);
        return {name, type: blob.type, size: blob.size, w: bmp.width, h: bmp.height, count: m.attachments.size};
    }""")
    assert info["type"] == "image/jpeg" and info["name"].endswith(".jpg")
    assert (info["w"], info["h"]) == (480, 1600)
    assert info["count"] == 1
    # A second photo replaces the first; removing it clears the answer and the blob.
    q(page, "photo").locator("input[type=file]").set_input_files(str(big))
    page.wait_for_function("window.chumchon.model.attachments.size === 1 && "
                           f"window.chumchon.model.get(window.chumchon.model.find('/data/photo')) !== '{info['name']}'")
    q(page, "photo").locator(".img-clear").click()
    assert page.evaluate("window.chumchon.model.attachments.size") == 0
    assert serialized(page).findtext("photo") == ""


def test_geopoint_uses_the_device_position_or_typed_coordinates(form, context):
    page = form
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 16.43, "longitude": 102.83, "accuracy": 25})
    page.evaluate("window.chumchon.view.showPage(3)")
    loc = q(page, "location")
    loc.locator(".geo-get").click()
    page.wait_for_function("window.chumchon.model.serialize().includes('<location>16.43 102.83')")
    assert loc.locator(".geo-lat-out").text_content() == "16.43"
    assert loc.locator(".geo-lon-out").text_content() == "102.83"
    assert "± 25 ม." in loc.locator(".geo-acc-out").text_content()
    loc.locator(".geo-clear").click()
    assert serialized(page).findtext("location") == ""
    loc.locator(".geo-manual summary").click()
    loc.locator(".geo-lat").fill("17.5")
    loc.locator(".geo-lon").fill("101.7")
    loc.locator(".geo-lon").blur()
    assert serialized(page).findtext("location") == "17.5 101.7 0 0"


def test_typed_coordinates_reach_the_record_before_the_field_is_left(form):
    page = form
    page.evaluate("window.chumchon.view.showPage(3)")
    loc = q(page, "location")
    loc.locator(".geo-manual summary").click()
    loc.locator(".geo-lat").fill("17.5")
    loc.locator(".geo-lon").press_sequentially("101.75")
    # Still in the longitude field (no blur, no change event): the record already has the point,
    # so a draft saved now keeps it; the field keeps what was typed.
    assert serialized(page).findtext("location") == "17.5 101.75 0 0"
    assert loc.locator(".geo-lon").input_value() == "101.75"


def test_a_draft_the_device_refuses_to_keep_is_said_on_the_page(form):
    page = form
    page.evaluate("""() => { IDBObjectStore.prototype.put = function () {
        throw new DOMException("quota", "QuotaExceededError"); }; }""")
    q(page, "respondent").locator("input").fill("สมชาย")
    warning = page.locator(".draft-unsaved")
    warning.wait_for(state="visible", timeout=5000)
    assert "บันทึกร่างไม่ได้" in warning.inner_text() and "could not keep the draft" in warning.inner_text()


def test_geopoint_refused_permission_offers_manual_entry(form):
    page = form  # no permission granted: Chromium refuses
    page.evaluate("window.chumchon.view.showPage(3)")
    loc = q(page, "location")
    loc.locator(".geo-get").click()
    page.wait_for_function("document.querySelector('.q-geopoint .geo-status').textContent.includes('permission')")
    assert "ไม่ได้รับอนุญาต" in loc.locator(".geo-status").inner_text()
    assert loc.locator(".geo-manual").evaluate("d => d.open")


def test_phone_width_keeps_every_control_reachable(form):
    page = form
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page scrolls sideways at 360 px"
    for selector in (".page-next", ".lang-switch button", ".q-text input"):
        box = page.locator(selector).first.bounding_box()
        assert box["height"] >= 48, selector
    page.evaluate("window.chumchon.view.showPage(2)")
    assert page.locator('.q[data-name="has_fund"] .choice').first.bounding_box()["height"] >= 48
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_unknown_form_is_a_bilingual_404(page, app):
    response = page.goto("/forms/missing/fill")
    assert response.status == 404
    body = page.locator("body").inner_text()
    assert "ไม่พบแบบฟอร์มนี้" in body and "This form was not found" in body


def test_every_corpus_form_starts_without_errors(page, app, corpus):
    """The runtime starts on every publishable workbook of the shared corpus (whatever it holds)."""
    from app.forms.publishing import publish_workbook

    opened = 0
    for path in sorted(corpus.glob("*.xls*")):
        try:
            fv = publish_workbook(path.name, path.read_bytes(), "tester").form_version
        except Exception:  # noqa: BLE001 - workbooks the publisher rejects are not this test's concern
            continue
        page.goto(f"/forms/{fv.form.form_id}/versions/{fv.version}/fill")
        page.wait_for_selector("#fill[data-ready]")
        assert page.locator("#fill").get_attribute("data-ready") == "true", path.name
        assert page.evaluate("window.chumchon.model.instanceID").startswith("uuid:"), path.name
        opened += 1
    assert opened >= 20
    assert not page.js_errors
