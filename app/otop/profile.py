"""The household profile of an area (district, tambon or village) in a fiscal year, as tables: every
figure the profile page shows, its charts draw and its XLSX export writes comes from one `Table` built
here, so page and export cannot disagree. Aggregated with SQL GROUP BY over the typed tables that
app/otop/store.py writes at receipt (HouseholdProfile.counted rows only); no submission is read.
No Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select

from app import db
from app.models import (HouseholdChoice, HouseholdOccupation, HouseholdProfile, KkcjTarget, OccupationProblem,
                        Village)
from app.otop.rules import (MIN_GROUP_MEMBERS, MappedHousehold, Occupation, OccupationFigures, candidate_groups,
                             candidate_key, spanning_villages, star_scores)
from app.otop.workbook import HouseholdForm, label, occupation_label
from app.periods import percent_cut

HP, HO = HouseholdProfile, HouseholdOccupation
PROBLEM_AREAS = ("production", "management", "marketing")
DEBT_SOURCES = (("debt_formal", "หนี้ในระบบ", "Formal lenders"), ("debt_community", "หนี้กองทุนชุมชน", "Community funds"),
                ("debt_informal", "หนี้นอกระบบ", "Informal lenders"))


@dataclass(frozen=True)
class Area:
    district_code: str
    fiscal_year: int
    tambon_code: str | None = None
    village_code: str | None = None

    def where(self) -> list:
        """Conditions on HouseholdProfile: the counted rows of the area and year."""
        out = [HP.counted.is_(True), HP.district_code == self.district_code, HP.fiscal_year == self.fiscal_year]
        if self.tambon_code:
            out.append(HP.tambon_code == self.tambon_code)
        if self.village_code:
            out.append(HP.village_code == self.village_code)
        return out


@dataclass
class Column:
    key: str
    th: str
    en: str
    kind: str = "int"  # text | en (the English twin of the text column before it) | int | money | percent | number


@dataclass
class Table:
    key: str
    th: str
    en: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    note: tuple[str, str] | None = None
    chart: tuple[int, int] | None = None  # (label column, value column) drawn as bars
    links: list[str | None] = field(default_factory=list)  # per row, an optional link for the first cell

    @property
    def shown(self) -> list[tuple[int, Column, int | None]]:
        """The columns a page shows, as (index, column, index of its English twin or None): a column of
        kind "en" is the English twin of the text column before it, one cell on the page, two in the XLSX."""
        cols = self.columns
        return [(i, c, i + 1 if i + 1 < len(cols) and cols[i + 1].kind == "en" else None)
                for i, c in enumerate(cols) if c.kind != "en"]


def _key_expr():  # noqa: ANN202
    """SQL: the occupation key of a HouseholdOccupation row (rules.Occupation.key)."""
    return case((and_(HO.otop_subgroup.is_not(None), HO.otop_subgroup != ""), literal("otop:") + HO.otop_subgroup),
                else_=literal("category:") + func.coalesce(HO.category, ""))


def _dec(v: Any) -> Decimal:
    return Decimal(str(v)) if v is not None else Decimal(0)


def _avg(total: Any, count: Any) -> Decimal | None:
    if not count:
        return None
    return (_dec(total) / Decimal(count)).quantize(Decimal("0.01"))


def fiscal_years(district_codes: list[str] | None) -> list[int]:
    """Fiscal years with mapped households in these districts (None: all), newest first."""
    stmt = select(HP.fiscal_year).where(HP.counted.is_(True)).distinct()
    if district_codes is not None:
        stmt = stmt.where(HP.district_code.in_(district_codes))
    return sorted(db.session.scalars(stmt), reverse=True)


def households_by_district(district_codes: list[str] | None, fiscal_year: int) -> dict[str, dict[str, int]]:
    """{district: {"mapped": households counted, "kkcj_target": of them กข.คจ. target households}} in a fiscal
    year, for the province report (None: every district with mapped households)."""
    stmt = (select(HP.district_code, func.count(HP.id), func.sum(case((HP.kkcj_target.is_(True), 1), else_=0)))
            .where(HP.counted.is_(True), HP.fiscal_year == fiscal_year).group_by(HP.district_code))
    if district_codes is not None:
        stmt = stmt.where(HP.district_code.in_(district_codes))
    out = {c: {"mapped": 0, "kkcj_target": 0} for c in district_codes or []}
    for district, mapped, target in db.session.execute(stmt):
        if district is not None:
            out[district] = {"mapped": int(mapped), "kkcj_target": int(target or 0)}
    return out


# ------------------------------------------------------------------------------------ sections

def summary(area: Area) -> dict[str, Any]:
    row = db.session.execute(select(
        func.count(HP.id), func.sum(case((HP.kkcj_target.is_(True), 1), else_=0)),
        func.sum(case((HP.below_threshold.is_(True), 1), else_=0)),
        func.sum(case((HP.join_group.is_(True), 1), else_=0)),
        func.sum(case((HP.otop_register.is_(True), 1), else_=0))).where(*area.where())).one()
    mapped, target_mapped, below, join, otop = (int(v or 0) for v in row)
    targets = _targets(area)
    target_total = sum(targets.values())
    return {"mapped": mapped, "target_mapped": target_mapped, "targets": target_total,
            "coverage": percent_cut(target_mapped, target_total), "below": below,
            "below_percent": percent_cut(below, mapped), "join": join, "join_percent": percent_cut(join, mapped),
            "otop": otop, "otop_percent": percent_cut(otop, mapped)}


def _targets(area: Area) -> dict[str, int]:
    stmt = (select(KkcjTarget.village_code, KkcjTarget.households)
            .where(KkcjTarget.district_code == area.district_code, KkcjTarget.fiscal_year == area.fiscal_year))
    if area.tambon_code or area.village_code:
        stmt = stmt.join(Village, Village.code == KkcjTarget.village_code)
        if area.tambon_code:
            stmt = stmt.where(Village.tambon_code == area.tambon_code)
        if area.village_code:
            stmt = stmt.where(Village.code == area.village_code)
    return {code: int(n or 0) for code, n in db.session.execute(stmt)}


def summary_table(area: Area) -> Table:
    s = summary(area)
    rows = [
        ["ครัวเรือนที่สำรวจแล้ว", "Households mapped", s["mapped"], None],
        ["ครัวเรือนเป้าหมาย กข.คจ. (ตามที่อำเภอกำหนด)", "KKCJ target households (set by the district)", s["targets"], None],
        ["ครัวเรือนเป้าหมายที่สำรวจแล้ว (ความครอบคลุม)", "Target households mapped (coverage)", s["target_mapped"], s["coverage"]],
        ["รายได้ต่ำกว่าเกณฑ์ จปฐ.", "Below the basic-needs income threshold", s["below"], s["below_percent"]],
        ["สนใจรวมกลุ่มอาชีพ", "Would join an occupational group", s["join"], s["join_percent"]],
        ["สนใจขึ้นทะเบียน OTOP", "Would register as an OTOP producer", s["otop"], s["otop_percent"]],
    ]
    return Table("summary", "สรุป", "Summary",
                 [Column("item", "รายการ", "Item", "text"), Column("item_en", "", "Item (English)", "en"),
                  Column("households", "ครัวเรือน", "Households"), Column("percent", "ร้อยละ", "%", "percent")], rows,
                 note=("ร้อยละของครัวเรือนที่สำรวจ ยกเว้นความครอบคลุม = ครัวเรือนเป้าหมายที่สำรวจ ÷ ครัวเรือนเป้าหมาย",
                       "Percent of households mapped, except coverage = target households mapped ÷ target households"))


def coverage_table(area: Area) -> Table:
    targets = _targets(area)
    mapped = {code: (int(n), int(t or 0), int(b or 0)) for code, n, t, b in db.session.execute(
        select(HP.village_code, func.count(HP.id), func.sum(case((HP.kkcj_target.is_(True), 1), else_=0)),
               func.sum(case((HP.below_threshold.is_(True), 1), else_=0)))
        .where(*area.where()).group_by(HP.village_code))}
    codes = sorted(set(targets) | set(mapped))
    names = {v.code: v for v in db.session.scalars(select(Village).where(Village.code.in_(codes)))} if codes else {}
    rows, links = [], []
    totals = [0, 0, 0, 0]
    for code in codes:
        v = names.get(code)
        n, t, b = mapped.get(code, (0, 0, 0))
        target = targets.get(code)
        rows.append([v.name_th if v else code, code, target, n, t, percent_cut(t, target) if target else None, b,
                     percent_cut(b, n)])
        links.append(code)
        totals = [totals[0] + (target or 0), totals[1] + n, totals[2] + t, totals[3] + b]
    total = ["รวม", "", totals[0], totals[1], totals[2], percent_cut(totals[2], totals[0]), totals[3],
             percent_cut(totals[3], totals[1])]
    return Table("coverage", "ความครอบคลุมรายหมู่บ้าน", "Coverage by village",
                 [Column("village", "หมู่บ้าน", "Village", "text"), Column("code", "รหัส", "Code", "text"),
                  Column("targets", "ครัวเรือนเป้าหมาย กข.คจ.", "KKCJ target households"),
                  Column("mapped", "สำรวจแล้ว", "Mapped"),
                  Column("target_mapped", "เป้าหมายที่สำรวจแล้ว", "Target households mapped"),
                  Column("coverage", "ความครอบคลุม %", "Coverage %", "percent"),
                  Column("below", "ต่ำกว่าเกณฑ์ จปฐ.", "Below threshold"),
                  Column("below_percent", "ต่ำกว่าเกณฑ์ %", "Below threshold %", "percent")],
                 rows, total, chart=(0, 5), links=links)


def _occupation_rows(area: Area, column) -> list[tuple]:  # noqa: ANN001
    return db.session.execute(
        select(column, func.count(func.distinct(HP.id)), func.count(HO.id), func.sum(HO.income),
               func.sum(HO.potential), func.count(HO.potential))
        .join(HP, HP.id == HO.profile_id).where(*area.where()).group_by(column)).all()


def occupations_table(area: Area, hf: HouseholdForm, kind: str) -> Table:
    """kind: category | otop_type | otop_subgroup."""
    column = {"category": HO.category, "otop_type": HO.otop_type, "otop_subgroup": HO.otop_subgroup}[kind]
    question = {"category": "occ_category", "otop_type": "occ_otop_type", "otop_subgroup": "occ_otop_subgroup"}[kind]
    data = _occupation_rows(area, column)
    data.sort(key=lambda r: (-(r[1] or 0), str(r[0] or "~")))
    rows = []
    for value, households, occupations, income, pot_sum, pot_n in data:
        th, en = label(hf.labels, question, value)
        rows.append([th, en, value or "", int(households), int(occupations), _dec(income), _avg(pot_sum, pot_n)])
    total = ["รวม", "Total", "", None, sum(r[4] for r in rows), sum((r[5] for r in rows), Decimal(0)), None]
    titles = {"category": ("อาชีพตามประเภท", "Occupations by category"),
              "otop_type": ("อาชีพตามประเภทผลิตภัณฑ์ OTOP", "Occupations by OTOP product type"),
              "otop_subgroup": ("อาชีพตามกลุ่มย่อยผลิตภัณฑ์ OTOP", "Occupations by OTOP sub-group")}[kind]
    return Table(f"occupations_{kind}", titles[0], titles[1],
                 [Column("label", "อาชีพ", "Occupation", "text"), Column("label_en", "", "Occupation (English)", "en"),
                  Column("code", "รหัส", "Code", "text"), Column("households", "ครัวเรือน", "Households"),
                  Column("occupations", "รายการอาชีพ", "Occupations"),
                  Column("income", "รายได้รวม (บาท/ปี)", "Total income (baht a year)", "money"),
                  Column("potential", "ศักยภาพเฉลี่ย (1-5)", "Average potential (1-5)", "number")],
                 rows, total, chart=(0, 3),
                 note=("ครัวเรือนหนึ่งมีได้หลายอาชีพ จึงนับได้ในหลายแถว", "A household may have several occupations, "
                       "so it may count in several rows"))


def problems_table(area: Area, hf: HouseholdForm) -> Table:
    key = _key_expr()
    per_occ = {k: int(n) for k, n in db.session.execute(
        select(key, func.count(HO.id)).join(HP, HP.id == HO.profile_id).where(*area.where()).group_by(key))}
    counts = {(k, a, p): int(n) for k, a, p, n in db.session.execute(
        select(key, OccupationProblem.area, OccupationProblem.problem, func.count(func.distinct(HO.id)))
        .join(HO, HO.id == OccupationProblem.occupation_id).join(HP, HP.id == HO.profile_id)
        .where(*area.where()).group_by(key, OccupationProblem.area, OccupationProblem.problem))}
    problems = []
    for a in PROBLEM_AREAS:
        question = f"occ_problems_{a}"
        for name in hf.labels.get(question, {}):
            problems.append((a, name))
    for (_k, a, p) in counts:  # options older versions had, or the workbook no longer names
        if (a, p) not in problems:
            problems.append((a, p))
    area_names = {"production": ("ผลิต", "production"), "management": ("บริหาร", "management"),
                  "marketing": ("ตลาด", "marketing")}
    columns = [Column("occupation", "อาชีพ", "Occupation", "text"), Column("occupations", "รายการอาชีพ", "Occupations")]
    for a, p in problems:
        th, en = label(hf.labels, f"occ_problems_{a}", p)
        an = area_names.get(a, (a, a))
        columns.append(Column(f"{a}:{p}", f"{an[0]}: {th} %", f"{an[1]}: {en} %", "percent"))
    rows = []
    for k, n in sorted(per_occ.items(), key=lambda kv: (-kv[1], kv[0])):
        occ = Occupation.parse(k)
        name = occupation_label(hf.labels, occ)[0] if occ else k
        rows.append([name, n] + [percent_cut(counts.get((k, a, p), 0), n) for a, p in problems])
    return Table("problems", "ปัญหาของอาชีพ (ร้อยละของรายการอาชีพที่ระบุปัญหา)",
                 "Problems per occupation (% of its occupation entries naming the problem)", columns, rows,
                 note=("ใช้เลือกหัวข้ออบรมให้ตรงกับอาชีพ", "Where to train, and on what"))


def _choice_counts(area: Area, question: str, by_village: bool = False) -> list[tuple]:
    cols = [HP.village_code] if by_village else []
    return db.session.execute(
        select(*cols, HouseholdChoice.value, func.count(func.distinct(HP.id)))
        .join(HP, HP.id == HouseholdChoice.profile_id)
        .where(*area.where(), HouseholdChoice.question == question)
        .group_by(*cols, HouseholdChoice.value)).all()


def _options(hf: HouseholdForm, question: str, seen: set[str]) -> list[str]:
    names = list(hf.labels.get(question, {}))
    return names + sorted(v for v in seen if v not in names)


def training_table(area: Area, hf: HouseholdForm) -> Table:
    data = _choice_counts(area, "training_wanted", by_village=True)
    topics = _options(hf, "training_wanted", {t for _v, t, _n in data})
    per_village: dict[str, dict[str, int]] = {}
    for village, topic, n in data:
        per_village.setdefault(village, {})[topic] = int(n)
    names = {v.code: v.name_th for v in db.session.scalars(select(Village).where(Village.code.in_(list(per_village))))} \
        if per_village else {}
    columns = [Column("village", "หมู่บ้าน", "Village", "text")]
    for t in topics:
        th, en = label(hf.labels, "training_wanted", t)
        columns.append(Column(t, th, en))
    rows = [[names.get(v, v)] + [counts.get(t, 0) for t in topics] for v, counts in sorted(per_village.items())]
    total = ["รวม"] + [sum(r[i + 1] for r in rows) for i in range(len(topics))]
    return Table("training", "การอบรมที่ต้องการ (ครัวเรือน)", "Training wanted (households)", columns, rows, total,
                 note=("จะจัดอบรมเรื่องใด ที่หมู่บ้านใด", "What to organise, and where"))


def training_totals(table: Table) -> Table:
    """The training table's total row as one row per topic (what the chart draws)."""
    rows = [[c.th, c.en, table.total[i]] for i, c in enumerate(table.columns) if i > 0] if table.total else []
    return Table("training_totals", "การอบรมที่ต้องการ รวมทุกหมู่บ้าน", "Training wanted, all villages",
                 [Column("topic", "หัวข้อ", "Topic", "text"), Column("topic_en", "", "Topic (English)", "en"),
                  Column("households", "ครัวเรือน", "Households")], rows, chart=(0, 2))


def savings_table(area: Area, hf: HouseholdForm, mapped: int) -> Table:
    data = {v: int(n) for v, n in _choice_counts(area, "saves_in")}
    rows = []
    for place in _options(hf, "saves_in", set(data)):
        th, en = label(hf.labels, "saves_in", place)
        rows.append([th, en, data.get(place, 0), percent_cut(data.get(place, 0), mapped)])
    return Table("savings", "ครัวเรือนออมเงินที่ใด", "Where households save",
                 [Column("place", "ที่ออม", "Where", "text"), Column("place_en", "", "Where (English)", "en"),
                  Column("households", "ครัวเรือน", "Households"), Column("percent", "ร้อยละของครัวเรือนที่สำรวจ",
                                                                       "% of households mapped", "percent")],
                 rows, chart=(0, 2), note=("ครัวเรือนหนึ่งตอบได้หลายแห่ง", "A household may name several places"))


def debts_table(area: Area, mapped: int) -> Table:
    cols = []
    for name, _th, _en in DEBT_SOURCES:
        c = getattr(HP, name)
        cols += [func.sum(case((c > 0, 1), else_=0)), func.sum(c)]
    any_debt = func.sum(case(((func.coalesce(HP.debt_formal, 0) + func.coalesce(HP.debt_community, 0)
                               + func.coalesce(HP.debt_informal, 0)) > 0, 1), else_=0))
    result = db.session.execute(select(*cols, any_debt).where(*area.where())).one()
    rows = []
    for i, (_name, th, en) in enumerate(DEBT_SOURCES):
        n, amount = int(result[2 * i] or 0), _dec(result[2 * i + 1])
        rows.append([th, en, n, percent_cut(n, mapped), amount, _avg(amount, n)])
    n_any = int(result[-1] or 0)
    total_amount = sum((r[4] for r in rows), Decimal(0))
    total = ["มีหนี้ (แหล่งใดก็ได้)", "In debt (any lender)", n_any, percent_cut(n_any, mapped), total_amount,
             _avg(total_amount, n_any)]
    return Table("debts", "ครัวเรือนเป็นหนี้ใคร", "Whom households owe",
                 [Column("source", "แหล่งหนี้", "Lender", "text"), Column("source_en", "", "Lender (English)", "en"),
                  Column("households", "ครัวเรือนที่มีหนี้", "Households in debt"),
                  Column("percent", "ร้อยละของครัวเรือนที่สำรวจ", "% of households mapped", "percent"),
                  Column("amount", "ยอดหนี้รวม (บาท)", "Total owed (baht)", "money"),
                  Column("average", "เฉลี่ยต่อครัวเรือนที่มีหนี้ (บาท)", "Average per household in debt (baht)", "money")],
                 rows, total, chart=(0, 2))


def occupation_figures(area: Area) -> list[OccupationFigures]:
    key = _key_expr()
    interested = func.count(func.distinct(case((HP.join_group.is_(True), HP.id))))
    out = []
    for k, households, pot_sum, pot_n, income, n_interested in db.session.execute(
            select(key, func.count(func.distinct(HP.id)), func.sum(HO.potential), func.count(HO.potential),
                   func.sum(HO.income), interested)
            .join(HP, HP.id == HO.profile_id).where(*area.where()).group_by(key)):
        occ = Occupation.parse(k)
        if occ is None:
            continue
        out.append(OccupationFigures(occ, int(households), int(pot_sum or 0), int(pot_n or 0), _dec(income),
                                     int(n_interested or 0)))
    return out


def stars_table(area: Area, hf: HouseholdForm) -> Table:
    ranked = star_scores(occupation_figures(area), hf.star.weights, hf.star.potential_max)
    rows = []
    for s in ranked:
        f = s.figures
        name = occupation_label(hf.labels, f.occupation)
        avg = f.average_potential
        rows.append([s.rank, name[0], name[1], f.households,
                     None if avg is None else (Decimal(avg.numerator) / Decimal(avg.denominator)).quantize(Decimal("0.01")),
                     f.income, _pct(s.factors["income_share"]), _pct(s.factors["interest"]), s.score])
    return Table("stars", "อาชีพดาวเด่น", "Star occupations",
                 [Column("rank", "อันดับ", "Rank"), Column("occupation", "อาชีพ", "Occupation", "text"),
                  Column("occupation_en", "", "Occupation (English)", "en"),
                  Column("households", "ครัวเรือน", "Households"),
                  Column("potential", "ศักยภาพเฉลี่ย", "Average potential", "number"),
                  Column("income", "รายได้รวม (บาท/ปี)", "Total income (baht a year)", "money"),
                  Column("income_share", "สัดส่วนรายได้ %", "Income share %", "percent"),
                  Column("interest", "สนใจรวมกลุ่ม %", "Interested in a group %", "percent"),
                  Column("score", "คะแนนดาวเด่น (เต็ม 100)", "Star score (of 100)", "number")],
                 rows, chart=(1, 8))


def _pct(f) -> Decimal:  # noqa: ANN001 - Fraction 0..1
    return percent_cut(Decimal(f.numerator), Decimal(f.denominator)) if f.denominator else Decimal(0)


# --------------------------------------------------------------------------- candidate groups

def mapped_households(area: Area) -> list[MappedHousehold]:
    """The area's counted households who would join a group, with their occupations (one query), for
    rules.candidate_groups. Households without an occupation can join no candidate and are left out."""
    places: dict[int, tuple] = {}
    occs: dict[int, set[Occupation]] = {}
    for pid, d, t, v, h, k in db.session.execute(
            select(HP.id, HP.district_code, HP.tambon_code, HP.village_code, HP.house_no, _key_expr())
            .join(HO, HO.profile_id == HP.id).where(*area.where(), HP.join_group.is_(True))):
        places[pid] = (d or "", t or "", v or "", h or "")
        occ = Occupation.parse(k)
        if occ is not None:
            occs.setdefault(pid, set()).add(occ)
    return [MappedHousehold(pid, *place, True, frozenset(occs.get(pid, ()))) for pid, place in places.items()]


def candidates(area: Area, scope: str) -> list:
    """The area's candidate groups with their members; at tambon scope only those spanning villages
    (rules.spanning_villages). The profile page's table needs only their sizes: candidate_counts."""
    found = candidate_groups(mapped_households(area), scope)
    return spanning_villages(found) if scope == "tambon" else found


def candidate_counts(area: Area) -> list[tuple[str, str, Occupation, int]]:
    """(scope, area code, occupation, households) of the area's candidate groups, as rules.candidate_groups
    and rules.spanning_villages find them, counted by SQL GROUP BY: the profile page needs the sizes only,
    not each member (a district of 10,000 households: no household row comes to Python). Village
    candidates first, then tambon ones; each biggest first, then by area and occupation."""
    occupation = and_(HP.join_group.is_(True), or_(and_(HO.otop_subgroup.is_not(None), HO.otop_subgroup != ""),
                                                   and_(HO.category.is_not(None), HO.category != "")))
    members = func.count(HP.id.distinct())
    out: list[tuple[str, str, Occupation, int]] = []
    for scope, column in (("village", HP.village_code), ("tambon", HP.tambon_code)):
        key = _key_expr()  # one object in SELECT and GROUP BY (PostgreSQL: the same bound literals)
        stmt = (select(column, key, members).join(HO, HO.profile_id == HP.id)
                .where(*area.where(), occupation, column.is_not(None), column != "")
                .group_by(column, key).having(members >= MIN_GROUP_MEMBERS))
        if scope == "tambon":  # those that bring two or more villages together
            stmt = stmt.having(func.count(func.coalesce(HP.village_code, "").distinct()) > 1)
        found = [(scope, code, Occupation.parse(key), n) for code, key, n in db.session.execute(stmt)]
        out += sorted((f for f in found if f[2] is not None), key=lambda f: (-f[3], f[1], f[2]))
    return out


def candidates_table(area: Area, hf: HouseholdForm) -> Table:
    rows, links = [], []
    village_names = {v.code: v for v in db.session.scalars(select(Village).where(Village.district_code == area.district_code))}
    tambons = {v.tambon_code: v.tambon_th for v in village_names.values()}
    for scope, code, occupation, size in candidate_counts(area):
        where = village_names[code].name_th if scope == "village" and code in village_names else tambons.get(code, code)
        rows.append(["หมู่บ้าน" if scope == "village" else "ตำบล", where, occupation_label(hf.labels, occupation)[0], size])
        links.append(candidate_key(scope, code, occupation))
    return Table("candidates", "กลุ่มที่อาจจัดตั้งได้ (ครัวเรือนที่สนใจ อาชีพเดียวกัน พื้นที่เดียวกัน ตั้งแต่ 5 ครัวเรือน)",
                 "Candidate groups (interested households, same occupation, same area, 5 or more)",
                 [Column("scope", "ระดับ", "Scope", "text"), Column("area", "พื้นที่", "Area", "text"),
                  Column("occupation", "อาชีพ", "Occupation", "text"), Column("households", "ครัวเรือน", "Households")],
                 rows, links=links)


def profile_tables(area: Area, hf: HouseholdForm) -> list[Table]:
    """Every table of the profile page, in page order."""
    s = summary_table(area)
    mapped = s.rows[0][2]
    training = training_table(area, hf)
    return [s, coverage_table(area), occupations_table(area, hf, "category"), occupations_table(area, hf, "otop_type"),
            occupations_table(area, hf, "otop_subgroup"), problems_table(area, hf), training, training_totals(training),
            savings_table(area, hf, mapped), debts_table(area, mapped), stars_table(area, hf), candidates_table(area, hf)]
