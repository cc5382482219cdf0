"""The whole foundation as a user meets it, in real Chromium on a 10-inch tablet (800×1280):
staff publish a workbook on the upload page, an officer fills it (every supported type, a photo),
submits, and staff find it in the submissions list and detail and export it to Excel."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from openpyxl import load_workbook

from tests.fixtures.workbooks import ALL_TYPES_FORM_ID, all_types_workbook

pytestmark = pytest.mark.browser


def png(width: int, height: int) -> bytes:
    """A plain PNG photo stand-in, large enough to be downscaled on the device."""
    raw = b"".join(b"\x00" + bytes((x * 3 + y) % 256 for x in range(width * 3)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def q(page, name):
    return page.locator(f'.q[data-name="{name}"]')


def next_page(page):
    page.locator(".page-next").click()


def test_staff_publish_officer_fills_and_submits_staff_find_and_export_it(page, context, live_server, tmp_path):
    workbook = tmp_path / "all_types.xlsx"
    workbook.write_bytes(all_types_workbook())
    photo = tmp_path / "meeting.png"
    photo.write_bytes(png(2400, 1800))
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 17.4860, "longitude": 101.7223, "accuracy": 6})

    # Staff: upload, see the preview, publish.
    page.goto("/forms/upload")
    page.locator("#workbook").set_input_files(str(workbook))
    page.get_by_role("button", name="ตรวจไฟล์").click()
    page.locator(".form-preview").wait_for()
    assert page.locator(".form-preview").get_by_text("ชื่อผู้ตอบ").first.is_visible()
    page.locator(".publish-button").click()
    page.wait_for_url(f"**/forms/{ALL_TYPES_FORM_ID}**")
    assert context.user.username in page.content()  # the publisher is the signed-in account

    # Officer: from the form list to the fill page.
    page.goto("/")
    page.get_by_role("link", name="กรอกแบบฟอร์ม").first.click()
    page.wait_for_selector("#fill[data-ready=true]")

    q(page, "respondent").locator("input").fill("นางสมศรี ใจดี")
    q(page, "age").locator("input").fill("51")
    q(page, "income").locator("input").fill("-250.5")  # a loss: must stay a number in Excel
    next_page(page)
    q(page, "visit_date").locator("input").fill("2026-03-10")
    next_page(page)
    q(page, "has_fund").get_by_text("ใช่", exact=True).click()
    q(page, "crops").get_by_text("ข้าว", exact=True).click()
    q(page, "crops").get_by_text("มันสำปะหลัง", exact=True).click()
    next_page(page)
    q(page, "consent").locator("input[type=checkbox]").check()
    q(page, "location").locator(".geo-get").click()
    page.wait_for_function("window.chumchon.model.serialize().includes('17.486 101.7223')")
    q(page, "photo").locator("input[type=file]").set_input_files(str(photo))
    q(page, "photo").locator(".img-thumb[src]").wait_for()
    next_page(page)
    q(page, "member_name").locator("input").fill("=HYPERLINK(\"http://x\")")  # formula injection attempt
    page.evaluate("window.chumchon.view.showPage(window.chumchon.view.pages.length - 1)")
    page.locator(".submit").click()
    page.wait_for_selector("#fill[data-state=done]")

    # Staff: the list shows it, accepted; the detail lays it out with the photo.
    page.goto(f"/forms/{ALL_TYPES_FORM_ID}/submissions")
    rows = page.locator("#submission-rows tbody tr")
    assert rows.count() == 1
    assert "ผ่าน" in rows.first.inner_text() or "accepted" in rows.first.inner_text().lower()
    rows.first.locator("a.row-link").click()
    page.get_by_text("นางสมศรี ใจดี").first.wait_for()
    assert page.get_by_text("มันสำปะหลัง").first.is_visible()  # choices shown by label
    img = page.locator("img[src*='/attachments/']").first
    img.wait_for()
    img.scroll_into_view_if_needed()  # loading="lazy": load it, then wait for it
    page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    assert page.evaluate("(el) => el.complete && el.naturalWidth", img.element_handle()) == 1600

    # Staff: export to Excel from the list page.
    page.goto(f"/forms/{ALL_TYPES_FORM_ID}/submissions")
    with page.expect_download() as dl:
        page.get_by_role("button", name="ดาวน์โหลด Excel").click()
    path = dl.value.path()
    wb = load_workbook(io.BytesIO(open(path, "rb").read()))
    main = wb.worksheets[0]
    header = [c.value for c in main[1]]
    values = dict(zip(header, [c.value for c in main[2]]))
    assert "นางสมศรี ใจดี" in values.values()
    assert -250.5 in values.values()  # numbers stay numbers
    option = {str(h).rsplit("/", 1)[-1]: values[h] for h in header if h and str(h).startswith("พืชที่ปลูก/")}
    assert option == {"ข้าว": 1, "มันสำปะหลัง": 1, "ยางพารา": 0}, header  # one column per option
    members = wb.worksheets[1]
    member_cells = [c.value for row in members.iter_rows(min_row=2) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in member_cells  # made safe, not a live formula
