"""The province report at /province: scope (the province's own districts; district offices and
officers 404), the figures from the score table and the monthly reports, every on-screen figure the
same number in the XLSX export, the groups behind a number, SVG charts drawn on the server."""
from __future__ import annotations

import re
from datetime import date

from app.models import District, Province
from app import db
from tests.conftest import sign_in
from tests.reports.monthly_helpers import send_monthly
from tests.reports.report_helpers import assert_screen_equals_export, screen_tables


def client_of(app, user):
    c = app.test_client()
    sign_in(c, user.username)
    return c


def test_levels_targets_discipline_changes_and_principles_from_the_data(app, oversight):
    oversight.assess("g1", "2023-03-10", good=False)  # 2566: level 1
    oversight.assess("g1", "2024-03-10")  # 2567: good -> moved up
    oversight.assess("g2", "2024-02-01", good=False)
    oversight.assess("g2", "2024-03-01", good=False)  # assessed twice in 2567: counted once (the latest)
    for m in (10, 11, 12):
        send_monthly(oversight.monthly, oversight.officer, "g1", 2566 if m >= 10 else 2567, m, new_members=4)
    c = client_of(app, oversight.province_user)
    c.post("/targets", data={"fy": "2567", "t-4201-new_members": "10", "t-4201-level3_share": "60"})
    html = c.get("/province?fy=2567").get_data(as_text=True)
    tables = screen_tables(html)
    mueang = tables["levels"][0]
    assert (mueang["sg_groups"], mueang["sg_level1"], mueang["sg_level2"], mueang["sg_level3"], mueang["sg_share3"]) == \
        ("2", "1", "0", "1", "50.00")
    targets = tables["targets"][0]
    assert (targets["new_members_target"], targets["new_members_actual"], targets["new_members_pct"]) == ("10", "12", "120.00")
    assert (targets["level3_share_actual"], targets["level3_share_pct"]) == ("50.00", "83.33")
    assert 'class="bar-cell met"' in re.search(r'<td class="k-percent" data-key="new_members_pct".*?</td>', html, re.S).group(0)
    discipline = tables["discipline"][0]
    assert discipline["received"] == "3"
    changes = tables["changes"][0]
    assert (changes["up"], changes["same"], changes["down"], changes["new"]) == ("1", "0", "0", "1")
    principles = tables["principles"][-1]
    assert principles["assessed"] == "2" and principles["p_law"] == "50.00"
    assert html.count("<svg class=\"chart\"") == 4 and "<script" not in html.split("<main")[1]
    # the district links down to its groups, a count to the groups at that level
    assert 'href="/district/4201/groups?fy=2567&amp;level=1"' in html
    groups = c.get("/district/4201/groups?fy=2567&level=1").get_data(as_text=True)
    assert "กลุ่มออมทรัพย์ g2" in groups and "กลุ่มออมทรัพย์ g1" not in groups
    up = c.get("/district/4201/groups?fy=2567&change=up").get_data(as_text=True)
    assert "กลุ่มออมทรัพย์ g1" in up and "กลุ่มออมทรัพย์ g2" not in up
    export = c.get("/province/export.xlsx?fy=2567")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    assert_screen_equals_export(html, export.data)


def test_scope_province_reads_its_own_districts_district_and_officer_get_404(app, oversight, make_user):
    other = Province(code="99", name_th="ทดสอบ", name_en="Testland")
    db.session.add(other)
    db.session.add(District(code="9901", district_no=1, name_th="เมืองทดสอบ", name_en="Test", province=other))
    db.session.commit()
    outsider = make_user("officer", district="9901")
    from app.forms.receiving import receive_submission
    from tests.scoring import meeting_workbook as mw

    receive_submission(mw.xml(oversight.assessment, group="g1", assessed_on="2024-03-10"), {}, outsider.username,
                       sender=outsider)
    oversight.assess("g2", "2024-03-10")
    html = client_of(app, oversight.province_user).get("/province?fy=2567").get_data(as_text=True)
    rows = screen_tables(html)["levels"]
    assert len(rows) == 15 and rows[-1]["sg_groups"] == "1"  # 14 Loei districts + total; 9901's not counted
    assert "เมืองทดสอบ" not in html
    for role_user in (oversight.district_user, oversight.officer):
        c = client_of(app, role_user)
        assert c.get("/province").status_code == 404
        assert c.get("/province/export.xlsx").status_code == 404
    admin = client_of(app, make_user("admin"))
    assert "เมืองทดสอบ" in admin.get("/province?province=99&fy=2567").get_data(as_text=True)


def test_the_report_opens_on_the_latest_fiscal_year_with_data(app, oversight):
    oversight.assess("g1", "2023-03-10")
    html = client_of(app, oversight.province_user).get("/province").get_data(as_text=True)
    assert "ปีงบประมาณ 2566" in html  # today is in 2568; the data is 2566's
    assert '<option value="2568"' in html


def test_otop_path_counts_the_registry_and_the_groups_development_path(app, oversight):
    from app.models import Group, GroupPath, GroupStatus, Household

    og1 = Group(code="OG-1", kind="occupational", name="กลุ่มอาชีพทอผ้า", district_code="4201",
                status=GroupStatus.APPROVED, registered_on=date(2024, 1, 1))
    db.session.add_all([Household(entity_id="h1", village_code="42010101", house_no="1", district_code="4201"),
                        Household(entity_id="h2", village_code="42010101", house_no="2", district_code="4201"),
                        og1,
                        Group(code="OG-2", kind="occupational", name="กลุ่มอาชีพจักสาน", district_code="4201",
                              status=GroupStatus.SUBMITTED)])
    db.session.flush()
    # product and OTOP registration within FY 2567 (Oct 2023 - Sep 2024); online selling only in 2568
    db.session.add(GroupPath(group_id=og1.id, district_code="4201", product_developed_on=date(2024, 2, 1),
                             otop_registered_on=date(2024, 6, 1), selling_online_on=date(2024, 11, 1)))
    db.session.commit()
    html = client_of(app, oversight.province_user).get("/province?fy=2567").get_data(as_text=True)
    otop = screen_tables(html)["otop"][0]
    assert (otop["households"], otop["og_registered"], otop["og_approved"], otop["product_developed"],
            otop["otop_registered"], otop["selling_online"]) == ("2", "2", "1", "1", "1", "0")
    later = screen_tables(client_of(app, oversight.province_user).get("/province?fy=2568").get_data(as_text=True))
    assert later["otop"][0]["selling_online"] == "1"
