"""The OTOP pages on the demo data: the profile's figures (and the same figures in its XLSX), star
occupations ranked by the workbook's weights, candidate groups, the pre-filled registration, the
groups' path and indicators, the กข.คจ. targets."""
from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import db
from app.models import AuditEvent, Group, GroupPath, KkcjTarget
from app.otop.demo import PLAN, TARGETS
from tests.otop.conftest import ADMIN, DISTRICT, OFFICER, PROVINCE

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "app" / "questionnaires"
MAPPED_4201 = sum(n for village, n, *_ in PLAN if village.startswith("4201"))
TARGETS_4201 = sum(n for village, n in TARGETS.items() if village.startswith("4201"))


def page_tables(text: str) -> dict[str, list[list[str]]]:
    """{table key: rows of the data-value of each number cell} as the page shows them (totals last)."""
    doc = lxml_html.fromstring(text)
    out = {}
    for table in doc.xpath("//table[@data-table]"):
        out[table.get("data-table")] = [[td.get("data-value") for td in tr.xpath("td[@data-value]")]
                                        for tr in table.xpath("tbody/tr|tfoot/tr")]
    return out


def xlsx_tables(data: bytes, kinds: dict[str, list[str]]) -> dict[str, list[list]]:
    wb = load_workbook(io.BytesIO(data))
    out = {}
    for name, columns in kinds.items():
        ws = wb[name]
        keep = [i for i, k in enumerate(columns) if k not in ("text", "en", "date")]
        out[name] = [[row[i] for i in keep] for row in ws.iter_rows(min_row=2, values_only=True)]
    return out


def _same(page_value: str, cell) -> bool:  # noqa: ANN001
    if page_value in ("", None):
        return cell is None
    return cell is not None and Decimal(page_value) == Decimal(str(cell))


def test_the_profile_shows_the_mapped_households_and_every_figure_is_in_its_xlsx(otop_demo, as_user):
    from app.otop.profile import Area, profile_tables
    from app.otop.workbook import household_form

    client = as_user(DISTRICT)
    page = client.get("/otop/profile")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-fiscal-year="2569"' in text  # the latest year with data is the default
    tables = page_tables(text)
    summary = tables["summary"]
    assert Decimal(summary[0][0]) == MAPPED_4201 and Decimal(summary[1][0]) == TARGETS_4201
    coverage_total = tables["coverage"][-1]
    assert [Decimal(v) for v in coverage_total[:3]] == [TARGETS_4201, MAPPED_4201, Decimal(summary[2][0])]
    assert "<svg" in text and 'class="otop-chart"' in text  # charts drawn on the server
    assert len(tables["candidates"]) >= 2  # weaving and chilli paste villages (+ basketry across two villages)

    kinds = {t.key: [c.kind for c in t.columns] for t in profile_tables(Area("4201", 2569), household_form())}
    export = client.get("/otop/profile.xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    sheets = xlsx_tables(export.data, kinds)
    compared = 0
    for key, rows in tables.items():
        assert len(rows) == len(sheets[key]), key
        for page_row, sheet_row in zip(rows, sheets[key]):
            assert len(page_row) == len(sheet_row), key
            for a, b in zip(page_row, sheet_row):
                assert _same(a, b), f"{key}: page {a!r} != xlsx {b!r}"
                compared += 1
    assert compared > 200


def test_star_occupations_follow_the_weights_of_the_workbook(otop_demo, as_user):
    from app.forms.publishing import publish_workbook

    client = as_user(DISTRICT)
    stars = page_tables(client.get("/otop/profile").get_data(as_text=True))["stars"]
    assert len(stars) == 7 and stars[0][0] == "1"
    # staff change the weights in Excel: only "households" counts now
    wb = load_workbook(QUESTIONNAIRES / "hh_mapping.xlsx")
    ws = wb["star_weights"]
    for row in ws.iter_rows(min_row=2):
        row[1].value = 1 if row[0].value == "households" else 0
    settings = wb["settings"]
    settings.cell(row=2, column=[c.value for c in settings[1]].index("version") + 1).value = "2099010101"
    out = io.BytesIO()
    wb.save(out)
    assert publish_workbook("hh_mapping.xlsx", out.getvalue(), "test").created
    text = client.get("/otop/profile").get_data(as_text=True)
    assert 'data-factor="households" data-weight="1"' in text and 'data-factor="potential" data-weight="0"' in text
    stars = page_tables(text)["stars"]
    # households column (index 1 of the number cells) now decides: the score is households / the most x 100
    households = [Decimal(r[1]) for r in stars]
    assert households == sorted(households, reverse=True)
    assert Decimal(stars[0][-1]) == 100


def test_candidate_groups_list_their_households_and_open_a_prefilled_registration(otop_demo, as_user):
    client = as_user(OFFICER)
    text = client.get("/otop/candidates").get_data(as_text=True)
    keys = re.findall(r'data-key="([^"]+)"', text)
    assert keys == ["village:42010101:otop:3.1", "village:42010102:otop:1.3"]
    assert "บ้านเลขที่" in text
    tambon = client.get("/otop/candidates?scope=tambon").get_data(as_text=True)
    assert re.findall(r'data-key="([^"]+)"', tambon) == ["tambon:420101:otop:4.2"]  # basketry across two villages

    r = client.get(f"/otop/candidates/{keys[0]}/fill?fy=2569")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    template = re.search(r'id="instance-template"[^>]*>(.*?)</script>', r.get_data(as_text=True), re.S).group(1)
    members = re.findall(r"<member><m_name>([^<]+)</m_name>", template)
    assert len(members) == 6
    assert "<candidate_ref>village:42010101:otop:3.1</candidate_ref>" in template
    assert "<village>42010101</village>" in template and "<otop_subgroup>3.1</otop_subgroup>" in template
    assert '<member jr:template="">' in template  # new members can still be added
    assert re.search(r"<m_national_id>\d", template) is None  # IDs are taken from the cards at the meeting
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "prefill_registration", AuditEvent.target_id == keys[0])) == 1
    assert client.get("/otop/candidates/village:42010101:otop:9.9/fill?fy=2569").status_code == 404


def test_the_groups_path_and_the_three_indicators(otop_demo, as_user):
    from app.otop.paths import stage_counts_by_district

    assert stage_counts_by_district(["4201", "4209"], 2569) == {
        "4201": {"formed": 5, "registered": 5, "product_developed": 4, "otop_registered": 2, "selling_online": 1},
        "4209": {"formed": 0, "registered": 0, "product_developed": 0, "otop_registered": 0, "selling_online": 0}}
    from app.otop.demo import household_plan
    from app.otop.profile import households_by_district

    targets = {d: sum(1 for _n, a in household_plan() if a["district"] == d and a["kkcj_target"] == "yes")
               for d in ("4201", "4209")}
    assert households_by_district(["4201", "4209", "4214"], 2569) == {
        "4201": {"mapped": MAPPED_4201, "kkcj_target": targets["4201"]},
        "4209": {"mapped": 5, "kkcj_target": targets["4209"]}, "4214": {"mapped": 0, "kkcj_target": 0}}
    assert stage_counts_by_district(["4201"], 2568)["4201"] == dict.fromkeys(
        ("formed", "registered", "product_developed", "otop_registered", "selling_online"), 0)
    client = as_user(PROVINCE)
    text = client.get("/otop/groups?district=4201&fy=2569").get_data(as_text=True)
    got = re.findall(r'data-indicator="(\w+)"\s+data-percent="([\d.]*)" data-met="(\w*)"', text)
    assert got == [("product_developed", "80.00", "yes"), ("otop_registered", "40.00", "no"),
                   ("selling_online", "50.00", "no")]
    sheet = load_workbook(io.BytesIO(client.get("/otop/groups.xlsx?district=4201&fy=2569").data))["indicators"]
    assert [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)] == [80, 40, 50]

    # the district office records an OTOP registration on the group's page
    group = db.session.scalar(select(Group).where(Group.name == "กลุ่มอาชีพจักสานบ้านทดลอง 7"))
    district = as_user(DISTRICT)
    path = db.session.scalar(select(GroupPath).where(GroupPath.group_id == group.id))
    form = {"formed_on": path.formed_on.isoformat(), "product_developed_on": path.product_developed_on.isoformat(),
            "otop_registered_on": "2026-07-01", "otop_registration_no": "ลย-OTOP-7"}
    assert district.post(f"/otop/groups/{group.id}/path", data={**form, "otop_registered_on": "2999-01-01"}).status_code == 422
    assert as_user(OFFICER).post(f"/otop/groups/{group.id}/path", data=form).status_code == 403
    assert district.post(f"/otop/groups/{group.id}/path", data=form).status_code == 303
    page = district.get(f"/otop/groups/{group.id}").get_data(as_text=True)
    assert 'data-stage="otop_registered" data-date="2026-07-01"' in page and "ลย-OTOP-7" in page
    assert stage_counts_by_district(["4201"], 2569)["4201"]["otop_registered"] == 3
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "group_path"))
    assert event.target_id == group.code and event.detail == {"otop_registered": {"from": None, "to": "2026-07-01"}}


def test_the_district_sets_the_kkcj_target_households_that_the_coverage_divides_by(otop_demo, as_user):
    client = as_user(DISTRICT)
    bad = client.post("/otop/targets?district=4201&fy=2569", data={"v_42010101": "สิบ", "v_42010102": "7"})
    assert bad.status_code == 422
    assert "บ้านทดลอง 1" in bad.get_data(as_text=True) and "whole number" in bad.get_data(as_text=True)
    assert db.session.scalar(select(KkcjTarget.households).where(KkcjTarget.village_code == "42010102")) == 10
    assert client.post("/otop/targets?district=4201&fy=2569", data={"v_42010101": "9", "v_42010102": "",
                                                                    "v_42010103": "8", "v_42010104": "8",
                                                                    "v_42010201": "9"}).status_code == 303
    targets = dict(db.session.execute(select(KkcjTarget.village_code, KkcjTarget.households)
                                      .where(KkcjTarget.district_code == "4201")).all())
    assert targets == {"42010101": 9, "42010103": 8, "42010104": 8, "42010201": 9}
    summary = page_tables(client.get("/otop/profile").get_data(as_text=True))["summary"]
    assert Decimal(summary[1][0]) == 34
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kkcj_targets"))
    assert event.detail["changes"] == {"42010101": {"from": 12, "to": 9}, "42010102": {"from": 10, "to": None}}
    assert as_user(ADMIN).get("/otop/targets?district=4209").status_code == 200


def test_text_typed_in_the_field_is_never_a_formula_in_the_exports(forms, as_user):
    from app.auth.accounts import find_user
    from app.demo import _latest, _send, household_answers

    _send(_latest("hh_mapping"), "formula", {**household_answers(), "head_name": "=HYPERLINK(\"http://x\")"},
          find_user("somchai"))
    sheet = load_workbook(io.BytesIO(as_user(DISTRICT).get("/otop/households.xlsx?fy=2569").data))["households"]
    names = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=HYPERLINK(\"http://x\")"]
