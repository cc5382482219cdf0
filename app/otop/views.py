"""The OTOP proposal's pages (thin: the figures come from profile.py / paths.py, the rules from rules.py).

- /otop/profile (+ .xlsx): the household profile of a district, tambon or village in a fiscal year,
  with the star occupations and the count of candidate groups; every figure is in the export.
- /otop/candidates: the candidate groups with their households (house number and head's name);
  /otop/candidates/<key>/fill opens the group registration pre-filled from one (prefill.py).
- /otop/households (+ .xlsx): the per-household list, for the district office only, audited.
- /otop/groups (+ .xlsx), /otop/groups/<id>: the occupational groups' development path and the
  proposal's indicators; the district office sets a stage's date on the group's page (audited).
- /otop/targets: the district office sets the กข.คจ. target households per village and year (audited).

Scope: app/auth/scope.district_codes (admin all, province its districts, district office and officers
their district); a district, tambon, village or group outside it answers 404.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app import db
from app.auth import audit
from app.auth.scope import district_codes, sees_national_ids
from app.models import District, Form, Group, GroupPath, GroupStatus, Household, HouseholdOccupation, \
    HouseholdProfile, KkcjTarget, Role, Village, utcnow
from app.otop import paths, profile
from app.otop.charts import bar_chart
from app.otop.export import workbook_bytes
from app.otop.profile import Area, Column, Table
from app.otop.rules import STAGES, parse_candidate_key, weight_shares
from app.otop.store import path_of
from app.otop.workbook import followup_labels, household_form, indicator_targets, label, occupation_label
from app.periods import fiscal_year, today_in_thailand

bp = Blueprint("otop", __name__, url_prefix="/otop")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

VIEW_HOUSEHOLDS, PREFILL = audit.Action.VIEW_HOUSEHOLDS, audit.Action.PREFILL_REGISTRATION
GROUP_PATH, KKCJ_TARGETS = audit.Action.GROUP_PATH, audit.Action.KKCJ_TARGETS


@bp.app_template_filter("otop_number")
def otop_number(value, kind: str = "int") -> str:  # noqa: ANN001
    """A figure as the OTOP pages print it: 1,234 / 86,000.00 / 55.31 % (charts.format_value)."""
    from decimal import Decimal

    from app.otop.charts import format_value

    if value is None:
        return "–"
    d = Decimal(str(value))
    if kind == "money":
        return f"{int(d):,}" if d == d.to_integral_value() else f"{d:,.2f}"
    if kind == "number":
        return f"{d:,.2f}"
    return format_value(d, kind == "percent")


# ------------------------------------------------------------------------------------ helpers

def _districts() -> list[District]:
    codes = district_codes(g.user)
    stmt = select(District).order_by(District.code)
    if codes is not None:
        stmt = stmt.where(District.code.in_(codes))
    return list(db.session.scalars(stmt))


def _area() -> tuple[Area, dict]:
    """The area and year the request asks for, within the user's scope (else 404)."""
    districts = _districts()
    if not districts:
        abort(404)
    wanted = request.args.get("district") or districts[0].code
    district = next((d for d in districts if d.code == wanted), None)
    if district is None:
        abort(404)
    villages = list(db.session.scalars(select(Village).where(Village.district_code == district.code)
                                       .order_by(Village.code)))
    tambons = sorted({(v.tambon_code, v.tambon_th) for v in villages})
    tambon = request.args.get("tambon") or None
    village = request.args.get("village") or None
    if tambon and tambon not in {t for t, _ in tambons}:
        abort(404)
    if village:
        v = next((v for v in villages if v.code == village), None)
        if v is None:
            abort(404)
        tambon = v.tambon_code
    years = profile.fiscal_years([district.code])
    current = fiscal_year(today_in_thailand())
    try:
        fy = int(request.args.get("fy") or (years[0] if years else current))
    except ValueError:
        abort(404)
    if not 2400 < fy < 2800:
        abort(404)
    choices = sorted(set(years) | {current, fy}, reverse=True)
    context = {"districts": districts, "district": district, "tambons": tambons,
               "villages": [v for v in villages if not tambon or v.tambon_code == tambon],
               "tambon": tambon, "village": village, "fy": fy, "years": choices}
    return Area(district.code, fy, tambon, village), context


def _area_args(area: Area) -> dict:
    return {k: v for k, v in (("district", area.district_code), ("tambon", area.tambon_code),
                              ("village", area.village_code), ("fy", area.fiscal_year)) if v}


def _about(area: Area, ctx: dict) -> list[tuple[str, str, str]]:
    place = ctx["district"].name_th
    if area.tambon_code:
        place += " / " + dict(ctx["tambons"]).get(area.tambon_code, area.tambon_code)
    if area.village_code:
        v = next((v for v in ctx["villages"] if v.code == area.village_code), None)
        place += " / " + (v.name_th if v else area.village_code)
    return [("พื้นที่", "Area", place), ("ปีงบประมาณ", "Fiscal year (B.E.)", str(area.fiscal_year)),
            ("จัดทำเมื่อ", "Made on", today_in_thailand().isoformat())]


def _chart(table: Table):  # noqa: ANN202
    if not table.chart or not table.rows:
        return None
    li, vi = table.chart
    column = table.columns[vi]
    title = f"{table.th} — {column.th}"
    return bar_chart([(r[li], r[vi]) for r in table.rows], title, percent=column.kind == "percent")


def _xlsx(data: bytes, name: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------ profile

@bp.get("/profile")
def profile_page():
    area, ctx = _area()
    hf = household_form()
    tables = profile.profile_tables(area, hf)
    for t in tables:
        if t.key == "coverage":
            t.links = [url_for("otop.profile_page", district=area.district_code, village=code, fy=area.fiscal_year)
                       for code in t.links]
        elif t.key == "candidates":
            t.links = [url_for("otop.candidates", district=area.district_code, fy=area.fiscal_year,
                               scope=key.split(":")[0], _anchor=key)
                       if g.user.role in (Role.ADMIN, Role.DISTRICT, Role.OFFICER) else None for key in t.links]
    charts = {t.key: _chart(t) for t in tables}
    return render_template("otop/profile.html", area=area, tables=tables, charts=charts, star=hf.star,
                           shares=weight_shares(hf.star.weights), args=_area_args(area), **ctx)


@bp.get("/profile.xlsx")
def profile_xlsx():
    area, ctx = _area()
    hf = household_form()
    tables = profile.profile_tables(area, hf)
    shares = weight_shares(hf.star.weights)
    about = _about(area, ctx) + [(f"น้ำหนักดาวเด่น: {hf.star.labels[k][0]}", f"Star weight: {hf.star.labels[k][1]}",
                                  f"{hf.star.weights[k]} ({shares[k]} %)") for k in hf.star.weights]
    return _xlsx(workbook_bytes(about, tables), f"otop-profile-{area.district_code}-{area.fiscal_year}.xlsx")


# --------------------------------------------------------------------------- candidate groups

def _members(candidate) -> list[dict]:  # noqa: ANN001
    ids = [m.ref for m in candidate.members]
    rows = {p.id: p for p in db.session.scalars(select(HouseholdProfile).where(HouseholdProfile.id.in_(ids)))}
    products: dict[int, list[str]] = {}
    for pid, category, subgroup, product in db.session.execute(
            select(HouseholdOccupation.profile_id, HouseholdOccupation.category, HouseholdOccupation.otop_subgroup,
                   HouseholdOccupation.product).where(HouseholdOccupation.profile_id.in_(ids))):
        occ = candidate.occupation
        if (occ.kind == "otop" and subgroup == occ.value) or (occ.kind == "category" and not subgroup and category == occ.value):
            products.setdefault(pid, []).append(product or "")
    return [{"id": m.ref, "house_no": m.house_no, "village": m.village, "name": rows[m.ref].head_name or "",
             "product": next((p for p in products.get(m.ref, []) if p), "")} for m in candidate.members if m.ref in rows]


def _started() -> dict[str, list[tuple[Group, GroupPath]]]:
    out: dict[str, list] = {}
    codes = district_codes(g.user)
    stmt = select(Group, GroupPath).join(GroupPath, GroupPath.group_id == Group.id).where(GroupPath.candidate_key.is_not(None))
    if codes is not None:
        stmt = stmt.where(Group.district_code.in_(codes))
    for group, path in db.session.execute(stmt):
        out.setdefault(path.candidate_key, []).append((group, path))
    return out


@bp.get("/candidates")
def candidates():
    area, ctx = _area()
    scope = request.args.get("scope") if request.args.get("scope") in ("village", "tambon") else "village"
    hf = household_form()
    found = profile.candidates(area, scope)
    villages = {v.code: v for v in db.session.scalars(select(Village).where(Village.district_code == area.district_code))}
    cards = [{"candidate": c, "occupation": occupation_label(hf.labels, c.occupation),
              "where": (villages[c.area].name_th if c.area in villages else c.area) if scope == "village"
              else dict(ctx["tambons"]).get(c.area, c.area), "members": _members(c)} for c in found]
    return render_template("otop/candidates.html", area=area, cards=cards, scope=scope, started=_started(),
                           args=_area_args(area), may_register=g.user.role in (Role.ADMIN, Role.DISTRICT, Role.OFFICER),
                           **ctx)


@bp.get("/candidates/<key>/fill")
def start_registration(key: str):
    """The group registration form, pre-filled from a candidate group (the form's own defaults). The path
    ends in /fill, so the service worker treats it as a form being filled (no update under it)."""
    parsed = parse_candidate_key(key)
    if parsed is None:
        abort(404)
    scope, area_code, occ = parsed
    village = db.session.scalar(select(Village).where(
        (Village.code == area_code) if scope == "village" else (Village.tambon_code == area_code)).limit(1))
    if village is None:
        abort(404)
    codes = district_codes(g.user)
    if codes is not None and village.district_code not in codes:
        abort(404)
    try:
        fy = int(request.args.get("fy") or 0)
    except ValueError:
        abort(404)
    area = Area(village.district_code, fy, tambon_code=village.tambon_code,
                village_code=village.code if scope == "village" else None)
    candidate = next((c for c in profile.candidates(area, scope) if c.key == key), None)
    form = db.session.scalar(select(Form).where(Form.form_id == "group_registration"))
    if candidate is None or form is None or form.latest is None:
        abort(404)
    fv = form.latest
    members = _members(candidate)
    hf = household_form()
    product = Counter(m["product"] for m in members if m["product"]).most_common(1)
    occupation = product[0][0] if product else occupation_label(hf.labels, occ)[0]
    values = {"group_kind": "occupational", "group_name": f"กลุ่มอาชีพ{occupation} {village.name_th if scope == 'village' else village.tambon_th}",
              "occupation": occupation, "district": village.district_code, "tambon": village.tambon_code,
              "village": village.code if scope == "village" else None, "candidate_ref": key}
    if occ.kind == "otop":
        values.update(otop_type=occ.value.split(".")[0], otop_subgroup=occ.value)
    from app.forms.fill import _fill_page
    from app.forms.rendering import instance_template
    from app.otop.prefill import prefilled_instance

    xml = prefilled_instance(instance_template(fv.xform), values,
                             {"member": [{"m_name": m["name"], "m_occupation": m["product"] or occupation} for m in members]})
    audit.record(PREFILL, "candidate", key, {"fiscal_year": fy, "members": len(members),
                                             "district": village.district_code})
    response = Response(_fill_page(fv, instance_xml=xml))
    response.headers["Cache-Control"] = "no-store"  # names of people: never kept by the service worker
    return response


# --------------------------------------------------------------------- per-household (district)

def _household_rows(area: Area) -> list[dict]:
    hf = household_form()
    profiles = list(db.session.scalars(select(HouseholdProfile).where(*area.where())
                                       .order_by(HouseholdProfile.village_code, HouseholdProfile.house_no)))
    from app.otop.rules import house_sort_key

    profiles.sort(key=lambda p: (p.village_code or "", house_sort_key(p.house_no)))
    ids = [p.id for p in profiles]
    occs: dict[int, list[str]] = {}
    if ids:
        for pid, category, product in db.session.execute(
                select(HouseholdOccupation.profile_id, HouseholdOccupation.category, HouseholdOccupation.product)
                .where(HouseholdOccupation.profile_id.in_(ids)).order_by(HouseholdOccupation.position)):
            occs.setdefault(pid, []).append(f"{label(hf.labels, 'occ_category', category)[0]}: {product or ''}")
    entities = {(h.village_code, h.house_no): h for h in db.session.scalars(
        select(Household).where(Household.district_code == area.district_code))} if profiles else {}
    full = sees_national_ids(g.user)
    from app.auth.masking import mask_value

    out = []
    for p in profiles:
        hh = entities.get((p.village_code, p.house_no))
        nid = (hh.properties or {}).get("head_national_id") if hh is not None else None
        out.append({"village": p.village_code, "house_no": p.house_no, "name": p.head_name or "",
                    "national_id": (nid if full else mask_value(nid)) if nid else "",
                    "members": p.members, "income_per_person": p.income_per_person, "below": p.below_threshold,
                    "kkcj_target": p.kkcj_target, "join_group": p.join_group, "otop_register": p.otop_register,
                    "occupations": "; ".join(occs.get(p.id, [])), "surveyed_on": p.surveyed_on})
    return out


HOUSEHOLD_COLUMNS = [Column("village", "หมู่บ้าน", "Village", "text"), Column("house_no", "บ้านเลขที่", "House no.", "text"),
                     Column("name", "หัวหน้าครัวเรือน", "Household head", "text"),
                     Column("national_id", "เลขประจำตัวประชาชน", "National ID", "text"),
                     Column("members", "สมาชิก", "Members"),
                     Column("income_per_person", "รายได้ต่อคนต่อปี (บาท)", "Income per person a year (baht)", "money"),
                     Column("below", "ต่ำกว่าเกณฑ์", "Below threshold", "text"),
                     Column("kkcj_target", "เป้าหมาย กข.คจ.", "KKCJ target", "text"),
                     Column("join_group", "สนใจรวมกลุ่ม", "Would join a group", "text"),
                     Column("otop_register", "สนใจ OTOP", "Would register for OTOP", "text"),
                     Column("occupations", "อาชีพ", "Occupations", "text"),
                     Column("surveyed_on", "วันที่สำรวจ", "Survey date", "text")]


def _audit_households(area: Area, how: str, n: int) -> None:
    audit.record(audit.Action.EXPORT if how == "xlsx" else VIEW_HOUSEHOLDS, "household_list", area.district_code,
                 {**_area_args(area), "households": n, "how": how})


@bp.get("/households")
def households():
    area, ctx = _area()
    rows = _household_rows(area)
    _audit_households(area, "page", len(rows))
    return render_template("otop/households.html", area=area, rows=rows, args=_area_args(area), **ctx)


@bp.get("/households.xlsx")
def households_xlsx():
    area, ctx = _area()
    rows = _household_rows(area)
    yes = {True: "ใช่", False: "ไม่ใช่"}
    table = Table("households", "ครัวเรือน", "Households", HOUSEHOLD_COLUMNS,
                  [[r["village"], r["house_no"], r["name"], r["national_id"], r["members"], r["income_per_person"],
                    yes[bool(r["below"])], yes[bool(r["kkcj_target"])], yes[bool(r["join_group"])],
                    yes[bool(r["otop_register"])], r["occupations"], r["surveyed_on"].isoformat()] for r in rows])
    _audit_households(area, "xlsx", len(rows))
    return _xlsx(workbook_bytes(_about(area, ctx), [table]), f"otop-households-{area.district_code}-{area.fiscal_year}.xlsx")


# ------------------------------------------------------------------------- groups and their path

def _group_clause(codes: list[str] | None):  # noqa: ANN202
    return Group.district_code.in_(codes) if codes is not None else Group.id.is_not(None)


def _groups_context():  # noqa: ANN202
    area, ctx = _area()
    rows = []
    for group, path in paths.occupational_groups(_group_clause([area.district_code])):
        dates = paths.stage_dates(group, path)
        rows.append({"group": group, "path": path, "dates": dates, "stage": paths.current_stage(dates)})
    counts, results = paths.indicators([area.district_code], area.fiscal_year, indicator_targets())
    return area, ctx, rows, counts, results


def _groups_tables(rows, counts, results) -> list[Table]:  # noqa: ANN001
    ind = Table("indicators", "ตัวชี้วัดของโครงการ", "The proposal's indicators",
                [Column("indicator", "ตัวชี้วัด", "Indicator", "text"), Column("indicator_en", "", "Indicator (English)", "en"),
                 Column("groups", "กลุ่มที่ถึงขั้นนี้", "Groups at this stage"), Column("of", "จากกลุ่มทั้งหมด", "Out of"),
                 Column("percent", "ร้อยละ", "%", "percent"), Column("target", "เป้าหมาย %", "Target %", "percent"),
                 Column("met", "ผ่านเป้าหมาย", "Met", "text")],
                [[r.target.label_th, r.target.label_en, r.numerator, r.denominator, r.percent, r.target.target_percent,
                  "" if r.met is None else ("ผ่าน" if r.met else "ยังไม่ผ่าน")] for r in results], chart=(0, 4))
    stages = Table("stages", "จำนวนกลุ่มอาชีพตามขั้นของเส้นทาง (ถึงสิ้นปีงบประมาณ)", "Occupational groups by stage (by the end of the fiscal year)",
                   [Column("stage", "ขั้น", "Stage", "text"), Column("stage_en", "", "Stage (English)", "en"),
                    Column("groups", "กลุ่ม", "Groups")],
                   [[paths.STAGE_LABELS[s][0], paths.STAGE_LABELS[s][1], counts.get(s, 0)] for s in STAGES], chart=(0, 2))
    groups = Table("groups", "กลุ่มอาชีพและวันที่ถึงแต่ละขั้น", "Occupational groups and the date of each stage",
                   [Column("name", "กลุ่ม", "Group", "text"), Column("code", "รหัส", "Code", "text"),
                    Column("stage", "ขั้นปัจจุบัน", "Current stage", "text")]
                   + [Column(s, paths.STAGE_LABELS[s][0], paths.STAGE_LABELS[s][1], "date") for s in STAGES],
                   [[r["group"].name, r["group"].code, paths.STAGE_LABELS[r["stage"]][0] if r["stage"] else ""]
                    + [r["dates"][s] for s in STAGES] for r in rows],
                   links=[url_for("otop.group", group_id=r["group"].id) for r in rows])
    return [ind, stages, groups]


@bp.get("/groups")
def groups():
    area, ctx, rows, counts, results = _groups_context()
    tables = _groups_tables(rows, counts, results)
    return render_template("otop/groups.html", area=area, rows=rows, counts=counts, results=results,
                           tables=tables[1:], charts={"stages": _chart(tables[1])}, stages=STAGES,
                           stage_labels=paths.STAGE_LABELS, args=_area_args(area), **ctx)


@bp.get("/groups.xlsx")
def groups_xlsx():
    area, ctx, rows, counts, results = _groups_context()
    return _xlsx(workbook_bytes(_about(area, ctx), _groups_tables(rows, counts, results)),
                 f"otop-groups-{area.district_code}-{area.fiscal_year}.xlsx")


VIA_TEXT = {"registration": ("แบบขึ้นทะเบียน", "the registration"), "followup": ("แบบติดตาม", "a follow-up form"),
            "district": ("สำนักงานอำเภอ", "the district office")}


def _group_or_404(group_id: int) -> Group:
    group = db.session.scalar(select(Group).where(Group.id == group_id, Group.kind == "occupational",
                                                  _group_clause(district_codes(g.user))))
    if group is None:
        abort(404)
    return group


def _group_page(group: Group, status: int = 200, error: tuple[str, str] | None = None, done: bool = False):
    path = db.session.scalar(select(GroupPath).where(GroupPath.group_id == group.id))
    dates = paths.stage_dates(group, path)
    district = db.session.scalar(select(District).where(District.code == group.district_code))
    village = db.session.scalar(select(Village).where(Village.code == group.village_code)) if group.village_code else None
    fl = followup_labels()
    channels = ", ".join(label(fl, "online_channels", c)[0] for c in (path.online_channels or "").split()) if path else ""
    return render_template("otop/group.html", group=group, path=path, dates=dates, stage=paths.current_stage(dates),
                           channels=channels, via_text=VIA_TEXT,
                           stages=STAGES, stage_labels=paths.STAGE_LABELS, editable=paths.EDITABLE_STAGES,
                           district=district, village=village, error=error, done=done,
                           may_edit=g.user.role in (Role.ADMIN, Role.DISTRICT), today=date.today().isoformat(),
                           status_text={GroupStatus.SUBMITTED: ("รอการรับรอง", "waiting for approval"),
                                        GroupStatus.APPROVED: ("รับรองแล้ว", "approved"),
                                        GroupStatus.REJECTED: ("ไม่รับรอง", "rejected")}), status


@bp.get("/groups/<int:group_id>")
def group(group_id: int):
    return _group_page(_group_or_404(group_id), done=request.args.get("done") == "1")


@bp.post("/groups/<int:group_id>/path")
def update_path(group_id: int):
    group = _group_or_404(group_id)
    today = date.today()
    changes, bad = {}, []
    for stage in paths.EDITABLE_STAGES:
        raw = (request.form.get(f"{stage}_on") or "").strip()
        if not raw:
            changes[stage] = None
            continue
        try:
            on = date.fromisoformat(raw)
        except ValueError:
            on = None
        if on is None or on > today:
            bad.append(stage)
        else:
            changes[stage] = on
    if bad:
        names_th = ", ".join(paths.STAGE_LABELS[s][0] for s in bad)
        names_en = ", ".join(paths.STAGE_LABELS[s][1] for s in bad)
        return _group_page(group, 422, (f"วันที่ไม่ถูกต้องหรืออยู่ในอนาคต: {names_th} กรุณาแก้แล้วบันทึกอีกครั้ง",
                                        f"A date is not valid or is in the future: {names_en}. Correct it and save again."))
    path = path_of(db.session, group)
    before = {s: getattr(path, f"{s}_on") for s in paths.EDITABLE_STAGES}
    for stage, on in changes.items():
        setattr(path, f"{stage}_on", on)
    path.product_name = (request.form.get("product_name") or "").strip()[:255] or path.product_name
    path.otop_registration_no = (request.form.get("otop_registration_no") or "").strip()[:64] or path.otop_registration_no
    path.district_code = group.district_code
    path.updated_via, path.updated_by, path.updated_at = "district", g.user.username, utcnow()
    audit.record(GROUP_PATH, "group", group.code,
                 {s: {"from": before[s].isoformat() if before[s] else None,
                      "to": changes[s].isoformat() if changes[s] else None}
                  for s in paths.EDITABLE_STAGES if before[s] != changes[s]})  # commits with the change
    return redirect(url_for("otop.group", group_id=group.id, done=1), 303)


# ------------------------------------------------------------------------- กข.คจ. target households

def _targets_page(area: Area, ctx: dict, status: int = 200, error: tuple[str, str] | None = None,
                  values: dict[str, str] | None = None, done: bool = False):
    have = {t.village_code: t.households for t in db.session.scalars(select(KkcjTarget).where(
        KkcjTarget.district_code == area.district_code, KkcjTarget.fiscal_year == area.fiscal_year))}
    shown = values if values is not None else {code: str(n) for code, n in have.items()}
    return render_template("otop/targets.html", area=area, values=shown, error=error, done=done,
                           args=_area_args(area), total=sum(have.values()), **ctx), status


@bp.get("/targets")
def targets():
    area, ctx = _area()
    return _targets_page(area, ctx, done=request.args.get("done") == "1")


@bp.post("/targets")
def save_targets():
    area, ctx = _area()
    villages = {v.code: v for v in db.session.scalars(select(Village).where(Village.district_code == area.district_code))}
    wanted, bad = {}, []
    for code, v in villages.items():
        raw = (request.form.get(f"v_{code}") or "").strip().replace(",", "")
        if raw == "":
            wanted[code] = None
        elif raw.isdigit() and int(raw) <= 100_000:
            wanted[code] = int(raw)
        else:
            bad.append(v)
    if bad:
        names = ", ".join(f"{v.name_th} ({v.code})" for v in bad[:5])
        return _targets_page(area, ctx, 422, (f"จำนวนครัวเรือนเป้าหมายต้องเป็นจำนวนเต็ม 0 ถึง 100,000: {names}",
                                              f"Target households must be a whole number from 0 to 100,000: {names}"),
                             values={code: request.form.get(f"v_{code}", "") for code in villages})
    have = {t.village_code: t for t in db.session.scalars(select(KkcjTarget).where(
        KkcjTarget.district_code == area.district_code, KkcjTarget.fiscal_year == area.fiscal_year))}
    changed = {}
    for code, n in wanted.items():
        row = have.get(code)
        if n is None:
            if row is not None:
                changed[code] = {"from": row.households, "to": None}
                db.session.delete(row)
        elif row is None:
            db.session.add(KkcjTarget(village_code=code, district_code=area.district_code, fiscal_year=area.fiscal_year,
                                      households=n, updated_by=g.user.username))
            changed[code] = {"from": None, "to": n}
        elif row.households != n:
            changed[code] = {"from": row.households, "to": n}
            row.households, row.updated_by = n, g.user.username
    audit.record(KKCJ_TARGETS, "district", area.district_code, {"fiscal_year": area.fiscal_year, "changes": changed})
    return redirect(url_for("otop.targets", district=area.district_code, fy=area.fiscal_year, done=1), 303)
