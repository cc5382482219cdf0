"""A province officer at a 1366x768 office screen: opens the province report, sorts a table, follows
a district to its groups, exports the XLSX; printing hides the navigation (A4 landscape sheet)."""
from __future__ import annotations

from openpyxl import load_workbook

from tests.browser.conftest import CHROMIUM_ARGS, sign_in_page  # noqa: F401
from tests.conftest import TEST_PASSWORD
from tests.reports.conftest import oversight  # noqa: F401 - the small district these tests read
from tests.reports.monthly_helpers import send_monthly


def test_province_user_reads_the_report_follows_a_district_to_its_groups_and_exports(browser, live_server, oversight,
                                                                                     tmp_path):
    oversight.assess("g1", "2024-03-10")
    oversight.assess("g2", "2024-03-12", good=False)
    send_monthly(oversight.monthly, oversight.officer, "g1", 2567, 3, new_members=6)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server, locale="th-TH",
                                  timezone_id="Asia/Bangkok", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in_page(page, oversight.province_user.username, TEST_PASSWORD)
        assert page.url.endswith("/province")  # the province office's home page
        page.goto("/province?fy=2567")
        levels = page.locator("#table-levels")
        assert levels.is_visible()
        assert levels.locator("tbody tr").count() == 14
        mueang = levels.locator('tbody tr[data-district="4201"]')
        assert mueang.locator('td[data-key="sg_groups"]').inner_text() == "2"
        assert page.locator("svg.chart").count() == 4
        # the whole levels table fits the office screen's width (no sideways scrolling)
        width = page.evaluate("document.querySelector('#table-levels').getBoundingClientRect().right")
        assert width <= 1366
        # sorting: "groups assessed" descending puts Mueang Loei (2 groups) first; the total row stays last
        header = levels.locator('thead th[data-key="sg_groups"]')
        header.click()
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
        assert levels.locator("tbody tr").first.get_attribute("data-district") == "4201"
        assert "รวมทั้งจังหวัด" in levels.locator("tfoot").inner_text()
        # export: the same tables as a workbook
        with page.expect_download() as download_info:
            page.click("#export-xlsx")
        path = tmp_path / "report.xlsx"
        download_info.value.save_as(path)
        wb = load_workbook(path, read_only=True)
        assert wb.sheetnames[:2] == ["ระดับกองทุน", "เป้าหมายและผล"]
        # follow the district to its view (the district office's worklist), then on to its groups
        mueang.locator('td[data-key="district"] a').click()
        page.wait_for_url("**/district/4201?fy=2567")
        assert page.locator("#not_assessed").is_visible()
        page.click("#district-groups")
        page.wait_for_url("**/district/4201/groups?fy=2567")
        rows = page.locator("#table-groups tbody tr")
        assert rows.count() == 2
        assert "กลุ่มออมทรัพย์ g1" in page.locator("#table-groups").inner_text()
        # and on to the group's meeting screen (the level links there)
        page.locator('#table-groups td[data-key="level"] a').first.click()
        page.wait_for_url("**/meeting")
        # printing: navigation and controls hidden, one A4 landscape page per table
        page.goto("/province?fy=2567")
        page.emulate_media(media="print")
        assert not page.locator("header.site-header").is_visible()
        assert not page.locator(".report-controls").is_visible()
        assert page.locator("#table-targets").is_visible()
        import re

        pdf = page.pdf(prefer_css_page_size=True)  # the report's own @page: A4 landscape
        boxes = [tuple(map(float, b)) for b in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
        assert boxes and all(w > h for w, h in boxes), boxes[:3]
        assert len(boxes) >= page.locator(".report-section").count()  # a page per table at least
        assert errors == []
    finally:
        context.close()
