"""Targets per fiscal year and district (page and Excel import, located Thai/English errors, audited,
district read-only) and the other funds' levels imported per fiscal year."""
from __future__ import annotations

import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app import db
from app.models import AuditEvent, FundLevelCount, Target
from tests.conftest import SHARED, sign_in


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def client_of(app, user):
    c = app.test_client()
    sign_in(c, user.username)
    return c


def targets() -> dict:
    return {(t.fiscal_year, t.district_code, t.indicator): t.value for t in db.session.scalars(select(Target))}


def test_the_province_sets_targets_on_the_page_and_every_change_is_audited(app, make_user):
    prov = make_user("province")
    c = client_of(app, prov)
    page = c.get("/targets?fy=2567").get_data(as_text=True)
    assert 'name="t-4201-new_members"' in page and 'name="t-4214-level3_share"' in page
    r = c.post("/targets", data={"fy": "2567", "t-4201-new_members": "1,421", "t-4201-level3_share": "60",
                                 "t-4202-new_groups": "2"})
    assert r.status_code == 303
    assert targets() == {(2567, "4201", "new_members"): 1421, (2567, "4201", "level3_share"): 60,
                         (2567, "4202", "new_groups"): 2}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "target_set"))
    assert event.actor == prov.username and event.detail["fiscal_year"] == 2567
    assert {"district": "4201", "indicator": "new_members", "before": None, "after": "1421"} in event.detail["changes"]
    c.post("/targets", data={"fy": "2567", "t-4201-new_members": "1500", "t-4201-level3_share": ""})
    assert targets()[(2567, "4201", "new_members")] == 1500 and (2567, "4201", "level3_share") not in targets()
    last = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "target_set").order_by(AuditEvent.id)).all()[-1]
    assert {"district": "4201", "indicator": "new_members", "before": "1421", "after": "1500"} in last.detail["changes"]


def test_a_wrong_value_on_the_page_saves_nothing_and_says_where(app, make_user):
    c = client_of(app, make_user("province"))
    r = c.post("/targets", data={"fy": "2567", "t-4201-new_members": "12.5", "t-4203-level3_share": "130",
                                 "t-4202-new_groups": "3"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "อำเภอเมืองเลย · สมาชิกใหม่" in html and "Must be a whole number" in html
    assert "Chiang Khan" in html and "Cannot be more than 100" in html
    assert targets() == {}  # all or nothing


def test_excel_import_sets_targets_and_locates_every_error_by_row_and_column(app, make_user):
    c = client_of(app, make_user("province"))
    bad = xlsx([["district_code", "new_members", "level3_share", "spare"],
                ["4201", "1421", "60", "x"], ["9999", "5", "", ""], ["เชียงคาน", "abc", "", ""], ["4201", "1", "", ""]])
    r = c.post("/targets/import", data={"fy": "2567", "file": (io.BytesIO(bad), "targets.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(r"แถว 3 · คอลัมน์ district_code.*?ไม่รู้จักอำเภอ “9999”.*?Unknown district “9999”", html, re.S)
    assert re.search(r"row 4 · column new_members.*?“abc” is not a number", html, re.S)
    assert re.search(r"row 5 · column district_code.*?also in row 2", html, re.S)
    assert "Unknown column “spare”" in html  # a warning, not an error
    assert targets() == {}
    good = xlsx([["district_code", "district_th", "new_members", "new_groups", "level3_share"],
                 ["4201", "เมืองเลย", 1421, 3, 60], ["Na Duang", "", 711, 2, None], ["รวม", "", 2132, 5, None]])
    r = c.post("/targets/import", data={"fy": "2567", "file": (io.BytesIO(good), "targets.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert targets() == {(2567, "4201", "new_members"): 1421, (2567, "4201", "new_groups"): 3,
                         (2567, "4201", "level3_share"): 60, (2567, "4202", "new_members"): 711,
                         (2567, "4202", "new_groups"): 2}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "target_set")).all()[-1]
    assert event.detail["source"] == "import" and event.detail["filename"] == "targets.xlsx"


def test_the_template_holds_every_district_and_indicator_and_imports_back_unchanged(app, make_user):
    c = client_of(app, make_user("province"))
    c.post("/targets", data={"fy": "2567", "t-4201-new_members": "1421"})
    data = c.get("/targets/template.xlsx?fy=2567").data
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("district_code", "district_th", "new_members", "new_groups", "level3_share")
    assert len(rows) == 15 and rows[1][:3] == ("4201", "เมืองเลย", 1421)
    r = c.post("/targets/import", data={"fy": "2567", "file": (io.BytesIO(data), "t.xlsx")}, content_type="multipart/form-data")
    assert r.status_code == 200 and "เปลี่ยน 0 ค่า" in r.get_data(as_text=True)


def test_a_district_office_reads_its_own_targets_only_and_cannot_change_them(app, make_user):
    prov = client_of(app, make_user("province"))
    prov.post("/targets", data={"fy": "2567", "t-4201-new_members": "1421", "t-4202-new_members": "711"})
    c = client_of(app, make_user("district", district="4201"))
    html = c.get("/targets?fy=2567").get_data(as_text=True)
    assert "1,421" in html and "711" not in html and "<input name=\"t-" not in html
    assert c.post("/targets", data={"fy": "2567", "t-4201-new_members": "5"}).status_code == 403
    assert c.get("/targets/template.xlsx").status_code == 403
    assert targets()[(2567, "4201", "new_members")] == 1421


def test_the_province_adds_an_indicator_that_gets_its_own_column(app, make_user):
    c = client_of(app, make_user("province"))
    r = c.post("/targets/indicators", data={"fy": "2567", "key": "trained_committees", "label_th": "กรรมการที่ผ่านการอบรม",
                                            "label_en": "Committees trained", "unit": "people"})
    assert r.status_code == 303
    assert 'name="t-4201-trained_committees"' in c.get("/targets?fy=2567").get_data(as_text=True)
    assert c.post("/targets/indicators", data={"fy": "2567", "key": "Bad Key", "label_th": "x", "unit": "people"}).status_code == 422
    c.post("/targets", data={"fy": "2567", "t-4201-trained_committees": "12"})
    report = c.get("/province?fy=2567").get_data(as_text=True)
    assert "กรรมการที่ผ่านการอบรม" in report and 'data-key="trained_committees_target" data-value="12' in report


def test_other_funds_levels_import_from_the_provinces_table_and_errors_are_located(app, make_user):
    c = client_of(app, make_user("province"))
    csv_bytes = (SHARED / "data" / "loei_fund_levels_2566.csv").read_bytes()
    r = c.post("/province/funds", data={"fy": "2566", "file": (io.BytesIO(csv_bytes), "loei.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)[:800]
    counts = {(f.district_code, f.fund, f.level): f.count for f in db.session.scalars(select(FundLevelCount))}
    assert counts[("4203", "kkcj", "1")] == 4 and counts[("4212", "mol", "A")] == 18
    assert sum(n for (d, f, _l), n in counts.items() if f == "kkcj") == 456
    assert sum(n for (d, f, _l), n in counts.items() if f == "mol") == 436
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fund_levels_import")) is not None
    bad = xlsx([["district_no", "kkcj_funds", "kkcj_level1", "kkcj_level2", "kkcj_level3"], [1, 34, 0, 0, 33]])
    r = c.post("/province/funds", data={"fy": "2567", "file": (io.BytesIO(bad), "k.xlsx")}, content_type="multipart/form-data")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(r"แถว 2 · คอลัมน์ kkcj_funds.*?จำนวนกองทุน 34 ไม่เท่ากับผลรวมของระดับ \(33\)", html, re.S)
    not_excel = c.post("/province/funds", data={"fy": "2567", "file": (io.BytesIO(b"hello"), "k.xlsx")},
                       content_type="multipart/form-data")
    assert not_excel.status_code == 422
