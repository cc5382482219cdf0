"""`demo load` on a fresh database makes the province report show the seed's figures (one demo load
for all of it: it is the slowest fixture of the suite):

- the score table holds the report's per-district level counts of Loei 2566 (100 / 127 / 281) under
  the levels the published assessment declares (moved here from tests/registry/test_demo_levels.py);
- /province?fy=2566's levels table equals ../shared/data/loei_fund_levels_2566.csv for all 14
  districts and the total (savings groups, กข.คจ., Mother-of-the-Land), on screen and in the XLSX;
- 2567: members from the monthly reports 12,206 of 12,032 = 101.44 %, new groups 35 of 31 = 112.9 %;
- loading again stores nothing new."""
from __future__ import annotations

import csv
import re
import time
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import db
from app.models import Form, MonthlyReport, Score, Submission
from app.registry.seed import loei_2566
from tests.conftest import SHARED, sign_in
from tests.reports.report_helpers import assert_screen_equals_export, screen_tables, xlsx_tables

CSV_COLUMNS = ["sg_groups", "sg_level1", "sg_level2", "sg_level3", "kkcj_funds", "kkcj_level1", "kkcj_level2",
               "kkcj_level3", "mol_funds", "mol_level_a", "mol_level_b", "mol_level_c"]


@pytest.mark.slow  # a few minutes: 508 + 124 assessments, 6,096 monthly reports, 35 registrations
def test_demo_data_gives_the_provinces_figures(app):
    from app.demo import load_demo, load_demo_users

    load_demo_users()
    started = time.perf_counter()
    results = load_demo()
    elapsed = time.perf_counter() - started
    assert all(status == 201 for _iid, status in results), Counter(s for _i, s in results)
    print(f"demo load: {len(results)} submissions in {elapsed:.1f} s")

    # -- the score table: Loei 2566's levels per district
    spec = db.session.scalar(select(Form).where(Form.form_id == "sg_assessment_21")).latest.scoring
    best, middle, worst = (lv["name"] for lv in (spec["levels"][0], spec["levels"][1], spec["levels"][-1]))
    rows = db.session.execute(select(Score.district_code, Score.level_name).where(
        Score.is_current.is_(True), Score.assessed_on < date(2023, 10, 1))).all()
    got = Counter(rows)
    for d in loei_2566():
        want = {best: d.level3, middle: d.level2, worst: d.level1}
        assert {name: got.get((d.code, name), 0) for name in want} == want, d.code
    assert len(rows) == 508
    assert db.session.scalar(select(func.count()).select_from(MonthlyReport).where(MonthlyReport.counted)) == 508 * 12

    c = app.test_client()
    sign_in(c, "loei", "chumchon-loei-demo")

    # -- 2566: the province's yearly table, exactly
    html = c.get("/province?fy=2566").get_data(as_text=True)
    export = c.get("/province/export.xlsx?fy=2566").data
    with (SHARED / "data" / "loei_fund_levels_2566.csv").open(encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    shown = screen_tables(html)["levels"]
    sheet = xlsx_tables(export)["ระดับกองทุน"]
    header = next(i for i, r in enumerate(sheet) if r and r[0] == "ที่")
    keys = [k for k in shown[0]]
    for i, want in enumerate(expected):
        row = shown[i]
        assert row["no"] == want["district_no"] and row["district"] == want["district_th"]
        assert [row[k] for k in CSV_COLUMNS] == [want[k] for k in CSV_COLUMNS], want["district_en"]
        xrow = sheet[header + 2 + i]
        assert [xrow[keys.index(k)] for k in CSV_COLUMNS] == [int(want[k]) for k in CSV_COLUMNS], want["district_en"]
    total = shown[len(expected)]
    assert [total[k] for k in CSV_COLUMNS] == [str(sum(int(w[k]) for w in expected)) for k in CSV_COLUMNS]
    assert (total["sg_groups"], total["sg_level1"], total["sg_level2"], total["sg_level3"], total["sg_share3"]) == \
        ("508", "100", "127", "281", "55.31")
    xtotal = sheet[header + 2 + len(expected)]
    assert xtotal[keys.index("sg_share3")] == 55.31 and xtotal[keys.index("kkcj_funds")] == 456
    assert xtotal[keys.index("mol_funds")] == 436
    assert_screen_equals_export(html, export)

    # -- 2567: targets against results
    html = c.get("/province?fy=2567").get_data(as_text=True)
    export = c.get("/province/export.xlsx?fy=2567").data
    total = screen_tables(html)["targets"][-1]
    assert (total["new_members_target"], total["new_members_actual"], total["new_members_pct"]) == ("12032", "12206", "101.44")
    assert (total["new_groups_target"], total["new_groups_actual"], Decimal(total["new_groups_pct"])) == ("31", "35", Decimal("112.9"))
    tfoot = re.search(r'id="table-targets">.*?<tfoot>(.*?)</tfoot>', html, re.S).group(1)
    assert ">101.44<" in tfoot and ">112.9<" in tfoot  # as the province prints them
    xsheet = xlsx_tables(export)["เป้าหมายและผล"]
    xtotal = [r for r in xsheet if r and r[1] == "รวมทั้งจังหวัด"][0]
    assert 101.44 in xtotal and 112.9 in xtotal and 12206 in xtotal and 35 in xtotal
    assert_screen_equals_export(html, export)
    changes = screen_tables(html)["changes"][-1]
    assert int(changes["up"]) > 0 and int(changes["down"]) > 0

    # -- loading again stores nothing new
    before = db.session.scalar(select(func.count()).select_from(Submission))
    again = load_demo()
    assert len(again) == len(results)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == before
