"""The province report of one fiscal year as tables (app/reports/tables.py) and chart data: the
levels of the three funds per district, targets against results, reporting discipline, change
between years, the six principles, the OTOP path. No Flask here: `link(kind, **values)` makes the
URLs (the view passes url_for), so the XLSX export builds the very same tables.

Every aggregate is SQL (app/reports/queries.py); this module only arranges the numbers and applies
the calendar and attainment rules of app/periods.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from app.models import District, Province
from app.periods import (add_months, attainment, fiscal_year_months, is_late, month_label_en,
                         month_label_th_short, percent_cut)
from app.reports import otop, queries
from app.reports.funds import KKCJ, MOL
from app.reports.tables import Column, Table
from app.reports.targets import LEVEL3_SHARE, NEW_GROUPS, NEW_MEMBERS, Indicator, indicators

Link = Callable[..., str]


def _no_link(_kind: str, **_values: Any) -> str:
    return ""


@dataclass
class ProvinceReport:
    province: Province
    fy: int
    districts: list[District]
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        return self.tables[key]


def build(province: Province, districts: list[District], fy: int, *, assessment_form: str | int | None, today: date,
          link: Link = _no_link) -> ProvinceReport:
    codes = [d.code for d in districts]
    form = queries.form_pk(assessment_form) if isinstance(assessment_form, str) else assessment_form
    report = ProvinceReport(province, fy, districts)
    level_map, spec = queries.versions_info(form)
    levels = queries.levels_by_district(form, codes, fy, level_map)
    report.tables["levels"] = levels_table(districts, fy, levels, queries.fund_levels(codes, fy), link)
    inds = indicators(province.code)
    monthly = queries.monthly_by_district(codes, fy)
    report.tables["targets"] = targets_table(districts, fy, inds, queries.targets(codes, fy), levels, monthly,
                                             queries.new_groups_by_district(codes, fy), link)
    months = fiscal_year_months(fy)
    expected = queries.expected_reporters(codes, months)
    report.tables["discipline"] = discipline_table(districts, fy, months, monthly, expected, today, link)
    report.tables["changes"] = changes_table(districts, fy, queries.level_changes(form, codes, fy, level_map), link)
    report.tables["principles"] = principles_table(districts, fy, spec, queries.principles_by_district(form, codes, fy),
                                                   link)
    report.tables["otop"] = otop_table(districts, fy, queries.otop_path_by_district(codes),
                                       otop.otop_stages_by_district(codes, fy), link)
    report.charts = charts_data(report, months, monthly, expected, today)
    return report


# ------------------------------------------------------------------------------ 1. levels

SG_TH, SG_EN = "กลุ่มออมทรัพย์เพื่อการผลิต", "Savings groups for production"


def _district_cols(link_key: str | None = "district_url") -> list[Column]:
    return [Column("no", "ที่", "No.", "int"), Column("district", "อำเภอ", "District", "text", link=link_key)]


def _district_cells(d: District, fy: int, link: Link) -> dict[str, Any]:
    return {"code": d.code, "no": d.district_no, "district": d.name_th, "district_en": d.name_en,
            "district_url": link("district", district=d.code, fy=fy)}


def levels_table(districts: list[District], fy: int, levels: dict, funds: dict, link: Link) -> Table:
    cols = _district_cols() + [
        Column("sg_groups", "กลุ่มที่ประเมิน", "Groups assessed", group_th=SG_TH, group_en=SG_EN, link="sg_groups_url"),
        Column("sg_level1", "ระดับ 1", "Level 1", group_th=SG_TH, group_en=SG_EN, link="sg_level1_url"),
        Column("sg_level2", "ระดับ 2", "Level 2", group_th=SG_TH, group_en=SG_EN, link="sg_level2_url"),
        Column("sg_level3", "ระดับ 3 (ดี)", "Level 3 (good)", group_th=SG_TH, group_en=SG_EN, link="sg_level3_url"),
        Column("sg_share3", "ร้อยละระดับ 3", "% at level 3", "percent", group_th=SG_TH, group_en=SG_EN),
    ]
    for fund in (KKCJ, MOL):
        cols.append(Column(fund.total_column, "จำนวนกองทุน", "Funds", group_th=fund.label_th, group_en=fund.label_en))
        for level, col in zip(fund.levels, fund.level_columns):
            cols.append(Column(col, f"ระดับ {level}", f"Level {level}", group_th=fund.label_th, group_en=fund.label_en))
    rows = []
    total: dict[str, Any] = {"no": None, "district": "รวมทั้งจังหวัด", "district_en": "Province total"}
    for d in districts:
        lv = levels.get(d.code) or {"assessed": 0, 1: 0, 2: 0, 3: 0}
        row = _district_cells(d, fy, link)
        row.update({"sg_groups": lv["assessed"], "sg_level1": lv[1], "sg_level2": lv[2], "sg_level3": lv[3],
                    "sg_share3": percent_cut(lv[3], lv["assessed"]),
                    "sg_groups_url": link("groups", district=d.code, fy=fy)})
        for n in (1, 2, 3):
            row[f"sg_level{n}_url"] = link("groups", district=d.code, fy=fy, level=n)
        for fund in (KKCJ, MOL):
            counts = (funds.get(d.code) or {}).get(fund.key)
            if counts:
                row[fund.total_column] = sum(counts.values())
                for level, col in zip(fund.levels, fund.level_columns):
                    row[col] = counts.get(level, 0)
            else:
                row[fund.total_column] = None
                for col in fund.level_columns:
                    row[col] = None
        rows.append(row)
    for c in cols[2:]:
        if c.kind == "int":
            values = [r[c.key] for r in rows if r[c.key] is not None]
            total[c.key] = sum(values) if values else None
    total["sg_share3"] = percent_cut(total["sg_level3"] or 0, total["sg_groups"] or 0)
    return Table("levels", f"ผลการประเมินระดับของกองทุนชุมชน ปีงบประมาณ {fy}",
                 f"Levels of the community funds, fiscal year {fy} (B.E.)", cols, rows, total,
                 note_th="กลุ่มออมทรัพย์ฯ: ผลการประเมินล่าสุดของแต่ละกลุ่มในปีงบประมาณ (ไม่นับที่ต้องแก้ไข); กข.คจ. และแม่ของแผ่นดิน: ตัวเลขที่นำเข้า",
                 note_en="Savings groups: each group's latest assessment in the fiscal year (records needing correction "
                         "left out); กข.คจ. and Mother-of-the-Land: the imported figures.",
                 sheet_th="ระดับกองทุน")


# ------------------------------------------------------------------------------ 2. targets

def _weighted_share_target(targets: dict, levels: dict, districts: list[District]) -> Decimal | None:
    """The province's level-3 target: district targets weighted by their groups assessed."""
    pairs = [(_num(targets[d.code][LEVEL3_SHARE.key]), (levels.get(d.code) or {}).get("assessed", 0))
             for d in districts if LEVEL3_SHARE.key in targets.get(d.code, {})]
    if not pairs:
        return None
    weight = sum(w for _t, w in pairs)
    if weight == 0:
        return percent_cut(sum(t for t, _w in pairs), len(pairs) * 100)
    return percent_cut(sum(t * w for t, w in pairs), weight * 100)


def _num(value) -> Decimal:  # noqa: ANN001
    """A stored target as a Decimal without a spurious fraction (PostgreSQL gives 10.0, SQLite 10)."""
    d = Decimal(str(value))
    return d.to_integral_value() if d == d.to_integral_value() else d


def targets_table(districts: list[District], fy: int, inds: list[Indicator], targets: dict, levels: dict,
                  monthly: dict, new_groups: dict, link: Link) -> Table:
    cols = _district_cols()
    for ind in inds:
        kind = "percent" if ind.is_percent else "int" if ind.unit in ("people", "groups", "count") else "decimal"
        cols.append(Column(f"{ind.key}_target", "เป้าหมาย", "Target", kind, group_th=ind.label_th, group_en=ind.label_en))
        if ind.measured:
            cols.append(Column(f"{ind.key}_actual", "ผล", "Result", kind, group_th=ind.label_th, group_en=ind.label_en))
            cols.append(Column(f"{ind.key}_pct", "ร้อยละของเป้า", "% of target", "percent", group_th=ind.label_th,
                               group_en=ind.label_en, bar=True))
    members = {}
    for (district, _m), fig in monthly.items():
        members[district] = members.get(district, 0) + fig["new_members"]

    def actual(ind: Indicator, code: str | None) -> Decimal | int | None:
        if ind is NEW_MEMBERS:
            return members.get(code, 0) if code else sum(members.values())
        if ind is NEW_GROUPS:
            return new_groups.get(code, 0) if code else sum(new_groups.values())
        if ind is LEVEL3_SHARE:
            if code:
                lv = levels.get(code) or {}
                return percent_cut(lv.get(3, 0), lv.get("assessed", 0))
            return percent_cut(sum((levels.get(d.code) or {}).get(3, 0) for d in districts),
                               sum((levels.get(d.code) or {}).get("assessed", 0) for d in districts))
        return None

    def fill(row: dict, ind: Indicator, target, result) -> None:  # noqa: ANN001
        row[f"{ind.key}_target"] = target
        if ind.measured:
            row[f"{ind.key}_actual"] = result
            a = attainment(result if result is not None else 0, target) if target is not None and result is not None else None
            row[f"{ind.key}_pct"] = a.percent if a else None
            row[f"{ind.key}_pct_met"] = a.met if a else None
            row[f"{ind.key}_pct_bar"] = a.bar_percent if a else None

    rows = []
    for d in districts:
        row = _district_cells(d, fy, link)
        for ind in inds:
            t = targets.get(d.code, {}).get(ind.key)
            fill(row, ind, None if t is None else _num(t), actual(ind, d.code))
        rows.append(row)
    total: dict[str, Any] = {"no": None, "district": "รวมทั้งจังหวัด", "district_en": "Province total"}
    for ind in inds:
        if ind.is_percent:
            target = _weighted_share_target(targets, levels, districts) if ind is LEVEL3_SHARE else None
        else:
            values = [_num(targets[d.code][ind.key]) for d in districts if ind.key in targets.get(d.code, {})]
            target = sum(values) if values else None
        fill(total, ind, target, actual(ind, None))
    return Table("targets", f"เป้าหมายและผลการดำเนินงาน ปีงบประมาณ {fy}", f"Targets and results, fiscal year {fy}",
                 cols, rows, total,
                 note_th="สมาชิกใหม่: ผลรวมจากรายงานประจำเดือน; กลุ่มใหม่: กลุ่มออมทรัพย์ฯ ที่อำเภอรับรองในปีงบประมาณ; "
                         "ร้อยละของเป้า ตัดทศนิยมสองตำแหน่ง (ไม่ปัดเศษ); เป้าหมายระดับ 3 ของจังหวัด = ค่าเฉลี่ยถ่วงด้วยจำนวนกลุ่มที่ประเมิน",
                 note_en="New members: the monthly reports' sum; new groups: savings groups approved with a registration "
                         "date in the fiscal year; % of target cut (not rounded) to two decimals; the province's level-3 "
                         "target is the districts' targets weighted by their groups assessed.",
                 sheet_th="เป้าหมายและผล")


# ------------------------------------------------------------------------------ 3. discipline

month_th = month_label_th_short


def discipline_table(districts: list[District], fy: int, months: list[date], monthly: dict, expected: dict,
                     today: date, link: Link) -> Table:
    cols = _district_cols()
    for m in months:
        cols.append(Column(f"m{m:%Y%m}", month_th(m), month_label_en(m), group_th="ส่งภายในวันที่ 20 (กลุ่ม)",
                           group_en="Reported by the 20th (groups)"))
    cols += [Column("received", "รายงานที่ได้รับ", "Reports received", group_th="ทั้งปี", group_en="Year"),
             Column("on_time", "ตรงเวลา", "On time", group_th="ทั้งปี", group_en="Year"),
             Column("due", "ที่ต้องส่ง (ครบกำหนดแล้ว)", "Due so far", group_th="ทั้งปี", group_en="Year"),
             Column("on_time_pct", "ร้อยละตรงเวลา", "% on time", "percent", group_th="ทั้งปี", group_en="Year", bar=True)]
    due_months = [m for m in months if is_late(m, today)]
    rows = []
    total: dict[str, Any] = {"no": None, "district": "รวมทั้งจังหวัด", "district_en": "Province total",
                             "received": 0, "on_time": 0, "due": 0}
    for d in districts:
        row = _district_cells(d, fy, link)
        received = on_time = due = 0
        for m in months:
            fig = monthly.get((d.code, m)) or {}
            row[f"m{m:%Y%m}"] = fig.get("on_time", 0) if (fig or m in due_months) else None
            total[f"m{m:%Y%m}"] = (total.get(f"m{m:%Y%m}") or 0) + (row[f"m{m:%Y%m}"] or 0) \
                if row[f"m{m:%Y%m}"] is not None else total.get(f"m{m:%Y%m}")
            received += fig.get("received", 0)
            on_time += fig.get("on_time", 0)
            if m in due_months:
                due += expected.get((d.code, m), 0)
        row.update(received=received, on_time=on_time, due=due)
        for k in ("received", "on_time", "due"):
            total[k] += row[k]
        _on_time_pct(row)
        rows.append(row)
    _on_time_pct(total)
    return Table("discipline", f"วินัยการรายงานประจำเดือน ปีงบประมาณ {fy}", f"Monthly reporting discipline, fiscal year {fy}",
                 cols, rows, total,
                 note_th="จำนวนกลุ่มที่ส่งรายงานของเดือนภายในวันที่ 20 ของเดือนถัดไป; ที่ต้องส่ง = กลุ่มที่อำเภอรับรองแล้ว × เดือนที่ครบกำหนดแล้ว; "
                         "– = ยังไม่ครบกำหนดและยังไม่มีรายงาน",
                 note_en="Groups whose report for the month arrived by the 20th of the following month; due = approved groups "
                         "x months already due; – = not due yet and nothing received.",
                 sheet_th="วินัยการรายงาน")


def _on_time_pct(row: dict) -> None:
    a = attainment(row["on_time"], row["due"]) if row["due"] else None
    row["on_time_pct"] = a.percent if a else None
    row["on_time_pct_met"] = bool(a and a.percent is not None and a.percent >= 100)
    row["on_time_pct_bar"] = a.bar_percent if a else None


# ------------------------------------------------------------------------------ 4. change between years

def changes_table(districts: list[District], fy: int, changes: dict, link: Link) -> Table:
    g_th, g_en = f"เทียบกับปีงบประมาณ {fy - 1}", f"Compared with {fy - 1}"
    cols = _district_cols() + [
        Column("both", "ประเมินทั้งสองปี", "Assessed both years", group_th=g_th, group_en=g_en),
        Column("up", "ระดับสูงขึ้น", "Moved up", group_th=g_th, group_en=g_en, link="up_url"),
        Column("same", "ระดับเท่าเดิม", "Same level", group_th=g_th, group_en=g_en),
        Column("down", "ระดับลดลง", "Moved down", group_th=g_th, group_en=g_en, link="down_url"),
        Column("up_pct", "ร้อยละที่สูงขึ้น", "% moved up", "percent", group_th=g_th, group_en=g_en),
        Column("new", f"ประเมินครั้งแรกในปี {fy}", f"First assessed in {fy}", group_th=g_th, group_en=g_en),
        Column("not_again", f"ยังไม่ประเมินซ้ำในปี {fy}", f"Not reassessed in {fy}", group_th=g_th, group_en=g_en),
    ]
    rows = []
    keys = ("up", "same", "down", "new", "not_again")
    total: dict[str, Any] = {"no": None, "district": "รวมทั้งจังหวัด", "district_en": "Province total",
                             **{k: 0 for k in keys}}
    for d in districts:
        c = changes.get(d.code) or {k: 0 for k in keys}
        row = {**_district_cells(d, fy, link), **{k: c[k] for k in keys}}
        row["up_url"] = link("groups", district=d.code, fy=fy, change="up")
        row["down_url"] = link("groups", district=d.code, fy=fy, change="down")
        for k in keys:
            total[k] += c[k]
        rows.append(row)
    for row in (*rows, total):
        row["both"] = row["up"] + row["same"] + row["down"]
        row["up_pct"] = percent_cut(row["up"], row["both"])
    return Table("changes", f"การเปลี่ยนระดับของกลุ่มออมทรัพย์ฯ ปี {fy - 1} → {fy}",
                 f"Savings groups changing level, {fy - 1} → {fy}", cols, rows, total,
                 note_th="เทียบผลการประเมินล่าสุดของกลุ่มเดียวกันในสองปีงบประมาณ",
                 note_en="Each group's latest assessment of the two fiscal years, compared.",
                 sheet_th="การเปลี่ยนระดับ")


# ------------------------------------------------------------------------------ 5. principles

def principle_names(spec: dict) -> list[tuple[str, str, str]]:
    from app.scoring.views import texts

    return [(g["name"], texts(g.get("label")).get("th") or g["name"], texts(g.get("label")).get("en") or "")
            for g in (spec or {}).get("groups") or []]


def principles_table(districts: list[District], fy: int, spec: dict, data: dict, link: Link) -> Table:
    names = principle_names(spec)
    cols = _district_cols() + [Column("assessed", "กลุ่มที่ประเมิน", "Groups assessed")] + [
        Column(f"p_{n}", th, en, "percent", group_th="ร้อยละของกลุ่มที่ผ่านเกณฑ์", group_en="% of groups passing")
        for n, th, en in names]
    rows = []
    sums: dict[str, list[int]] = {n: [0, 0] for n, _t, _e in names}
    total_assessed = 0
    for d in districts:
        row = _district_cells(d, fy, link)
        per = data.get(d.code) or {}
        row["assessed"] = max((v[0] for v in per.values()), default=0)
        total_assessed += row["assessed"]
        for n, _t, _e in names:
            count, passed = per.get(n, (0, 0))
            row[f"p_{n}"] = percent_cut(passed, count)
            sums[n][0] += count
            sums[n][1] += passed
        rows.append(row)
    total: dict[str, Any] = {"no": None, "district": "รวมทั้งจังหวัด", "district_en": "Province total",
                             "assessed": total_assessed}
    for n, _t, _e in names:
        total[f"p_{n}"] = percent_cut(sums[n][1], sums[n][0])
    weakest = min((n for n, _t, _e in names if total[f"p_{n}"] is not None), key=lambda n: total[f"p_{n}"], default=None)
    total["weakest"] = weakest
    return Table("principles", f"หลักธรรมาภิบาล 6 ประการ: ร้อยละของกลุ่มที่ผ่านเกณฑ์ ปีงบประมาณ {fy}",
                 f"The six governance principles: share of groups passing, fiscal year {fy}", cols, rows, total,
                 note_th="ผ่านเกณฑ์ = คะแนนของหลักนั้นถึงเกณฑ์ผ่านที่แบบประเมินกำหนด; หลักที่ผ่านน้อยที่สุดคือเรื่องที่ควรอบรมต่อ",
                 note_en="Passing = the principle's score reaches the assessment's pass mark; the least-passed principle "
                         "is where to train next.",
                 sheet_th="หลักธรรมาภิบาล")


# ------------------------------------------------------------------------------ 6. OTOP path

def otop_table(districts: list[District], fy: int, path: dict, stages: dict, link: Link) -> Table:
    g_th, g_en = "เส้นทางสู่ OTOP", "Path to OTOP"
    cols = _district_cols() + [
        Column("households", "ครัวเรือน กข.คจ. ที่สำรวจ", "กข.คจ. households mapped", group_th=g_th, group_en=g_en),
        Column("og_registered", "กลุ่มอาชีพที่ยื่นขึ้นทะเบียน", "Occupational groups registering", group_th=g_th, group_en=g_en),
        Column("og_approved", "กลุ่มอาชีพที่รับรองแล้ว", "Occupational groups approved", group_th=g_th, group_en=g_en),
        Column("product_developed", "พัฒนาผลิตภัณฑ์แล้ว", "Product developed", group_th=g_th, group_en=g_en),
        Column("otop_registered", "ขึ้นทะเบียนผู้ผลิต OTOP", "Registered as OTOP producers", group_th=g_th, group_en=g_en),
        Column("selling_online", "ขายออนไลน์", "Selling online", group_th=g_th, group_en=g_en),
    ]
    rows = []
    keys = ("households", "og_registered", "og_approved")
    total: dict[str, Any] = {"no": None, "district": "รวมทั้งจังหวัด", "district_en": "Province total",
                             **{k: 0 for k in keys + otop.STAGE_KEYS}}
    for d in districts:
        p = path.get(d.code) or {k: 0 for k in keys}
        st = stages.get(d.code) or {k: 0 for k in otop.STAGE_KEYS}
        row = {**_district_cells(d, 0, link), **{k: p[k] for k in keys}, **{k: st[k] for k in otop.STAGE_KEYS}}
        for k in keys + otop.STAGE_KEYS:
            total[k] += row[k]
        rows.append(row)
    note_th = ("ครัวเรือนจากแบบสำรวจ Mapping & Profiling และกลุ่มอาชีพจากทะเบียนกลุ่ม (สะสมถึงปัจจุบัน); "
               f"พัฒนาผลิตภัณฑ์ ขึ้นทะเบียน OTOP และขายออนไลน์ จากเส้นทางพัฒนากลุ่ม ถึงสิ้นปีงบประมาณ {fy}")
    note_en = ("Households from the Mapping & Profiling survey and occupational groups from the group registry "
               f"(to date); product, OTOP registration and online selling from the groups' development path, "
               f"by the end of fiscal year {fy}.")
    return Table("otop", "เส้นทางจากครัวเรือน กข.คจ. สู่ผู้ผลิต OTOP", "From กข.คจ. households to OTOP producers",
                 cols, rows, total, note_th=note_th, note_en=note_en, sheet_th="เส้นทาง OTOP")


# ------------------------------------------------------------------------------ charts

def charts_data(report: ProvinceReport, months: list[date], monthly: dict, expected: dict, today: date) -> dict:
    levels = report.tables["levels"]
    by_district = [(r["district"], r["sg_level1"], r["sg_level2"], r["sg_level3"], r["district_url"]) for r in levels.rows]
    on_time = []
    for m in months:
        due = is_late(m, today)
        n = sum((monthly.get((d.code, m)) or {}).get("on_time", 0) for d in report.districts)
        owed = sum(expected.get((d.code, m), 0) for d in report.districts)
        on_time.append((month_th(m), percent_cut(n, owed) if (due or n) and owed else None))
    principles = report.tables["principles"]
    shares = [(c.th, principles.total.get(c.key)) for c in principles.columns if c.key.startswith("p_")]
    targets = report.tables["targets"]
    attain = [(c.group_th, targets.total.get(c.key), targets.total.get(f"{c.key}_met"))
              for c in targets.columns if c.bar]
    return {"levels": by_district, "on_time": on_time, "principles": shares, "attainment": attain,
            "next_month": add_months(months[-1], 1)}
