"""Oversight pages (thin; the numbers come from app/reports/{province,worklist,groups,queries}.py):

- /province            the province report of a fiscal year (province office's home page); admin
                       picks a province; district offices and officers: 404, like any page out of scope
- /province/export.xlsx the same tables as a workbook (one sheet per table)
- /province/funds      import the other funds' levels (กข.คจ., Mother-of-the-Land) of a fiscal year
- /targets             targets per fiscal year and district: province/admin edit (page or Excel),
                       a district office reads its own
- /district            the worklist (district office's home page; an officer's for its assigned groups)
- /district/<code>     the same for a district in the user's area (province, admin); others 404
- /district/<code>/groups[.xlsx]  the groups behind the report's numbers (level, change, reports)

Scope: a district code outside the user's area answers 404 (app.auth.scope.district_codes).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app import db
from app.auth.scope import district_codes
from app.clock import today
from app.models import District, Province, Role
from app.periods import fiscal_year, fiscal_year_bounds
from app.reports import charts, funds, groups, province, queries, targets, worklist, xlsx
from app.reports.rules import DEFAULT_ASSESSMENT_FORM, DEFAULT_MONTHLY_FORM
from app.reports.render import table_html
from app.reports.tables import display
from app.xlsform.problems import Problem, WorkbookRejected

bp = Blueprint("reports", __name__)
bp.add_app_template_global(display, "display")
bp.add_app_template_global(province.month_th, "month_th")
bp.add_app_template_global(table_html, "table_html")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_KEYS = ("levels", "targets", "discipline", "changes", "principles", "otop")


def assessment_form() -> str:
    return current_app.config.get("REPORT_ASSESSMENT_FORM") or DEFAULT_ASSESSMENT_FORM


def monthly_form() -> str:
    return current_app.config.get("REPORT_MONTHLY_FORM") or DEFAULT_MONTHLY_FORM


@bp.app_template_global()
def filters_args(filters: dict, fy: int) -> dict:
    """The groups page's filters as URL arguments (for its export link)."""
    return {"fy": fy, **{k: v for k, v in filters.items() if v}}


_PLACEHOLDER = "__CODE__"


def _path(endpoint: str, **values: str) -> str:
    """url_for once per request and endpoint (a report page makes ~200 links: building each through
    the URL map cost more than its SQL); `values` name placeholders replaced by the caller."""
    cache = g.setdefault("report_paths", {})
    key = (endpoint, tuple(sorted(values)))
    if key not in cache:
        cache[key] = url_for(endpoint, **values)
    return cache[key]


def link(kind: str, **v: Any) -> str:
    if kind in ("groups", "district"):
        endpoint = "reports.district_groups" if kind == "groups" else "reports.district_worklist"
        path = _path(endpoint, code=_PLACEHOLDER).replace(_PLACEHOLDER, quote(str(v["district"]), safe=""))
        keys = ("fy", "level", "change") if kind == "groups" else ("fy",)
        args = {k: v[k] for k in keys if v.get(k)}
        return f"{path}?{urlencode(args)}" if args else path
    if kind == "fill":
        return url_for("fill.fill_form", form_id=v["form_id"])
    if kind == "submission":
        return url_for("submissions.submission_detail", form_id=v["form_id"], instance_id=v["instance_id"])
    if kind == "meeting":
        return _path("scoring.meeting", instance_id=_PLACEHOLDER).replace(_PLACEHOLDER, quote(v["instance_id"], safe="!$&'()*+,:;=@"))
    return ""


# ------------------------------------------------------------------------------ scope

def _report_province() -> Province:
    """The province whose report the user reads: its own (province), the one asked (admin); else 404."""
    user = g.user
    if user.role == Role.PROVINCE and user.province is not None:
        return user.province
    if user.role == Role.ADMIN:
        code = (request.values.get("province") or "").strip()
        stmt = select(Province).join(District, District.province_id == Province.id).order_by(Province.code)
        found = db.session.scalar(stmt.where(Province.code == code)) if code else db.session.scalar(stmt.limit(1))
        if found is not None:
            return found
    abort(404)


def _districts(prov: Province) -> list[District]:
    return list(db.session.scalars(select(District).where(District.province_id == prov.id)
                                   .order_by(District.district_no, District.code)))


def _district_or_404(code: str) -> District:
    allowed = district_codes(g.user)
    district = db.session.scalar(select(District).where(District.code == code))
    if district is None or (allowed is not None and code not in allowed):
        abort(404)
    return district


def _fy(default: int) -> int:
    text = (request.args.get("fy") or "").strip()
    if text.isascii() and text.isdigit() and 2400 <= int(text) <= 2800:
        return int(text)
    return default


def _year_choices(years: list[int], current: int) -> list[int]:
    return sorted(set(years) | {current}, reverse=True)


def _download(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------ province report

def _province_report() -> tuple[province.ProvinceReport, list[int], Province]:
    prov = _report_province()
    districts = _districts(prov)
    now = fiscal_year(today())
    form = queries.form_pk(assessment_form())
    years = queries.years_with_data(form, [d.code for d in districts])
    default = max([y for y in years if y <= now], default=now)
    fy = _fy(default)
    report = province.build(prov, districts, fy, assessment_form=form, today=today(), link=link)
    return report, _year_choices(years, now), prov


@bp.get("/province")
def province_report():
    report, years, prov = _province_report()
    c = report.charts
    svg = {
        "levels": charts.levels_stacked(c["levels"], f"สัดส่วนระดับของกลุ่มออมทรัพย์ฯ แต่ละอำเภอ ปี {report.fy}"),
        "attainment": charts.hbars([(n, v, m) for n, v, m in c["attainment"]], "ร้อยละของเป้าหมาย ทั้งจังหวัด", mark=100),
        "on_time": charts.columns(c["on_time"], "ร้อยละของกลุ่มที่ส่งรายงานตรงเวลา รายเดือน"),
        "principles": charts.hbars([(n, v, None) for n, v in c["principles"]], "ร้อยละของกลุ่มที่ผ่านแต่ละหลัก"),
    }
    admin_provinces = []
    if g.user.role == Role.ADMIN:
        admin_provinces = list(db.session.scalars(select(Province).join(District, District.province_id == Province.id)
                                                  .distinct().order_by(Province.code)))
    return render_template("reports/province.html", report=report, years=years, province=prov, svg=svg,
                           keys=REPORT_KEYS, bounds=fiscal_year_bounds(report.fy), admin_provinces=admin_provinces,
                           today=today())


@bp.get("/province/export.xlsx")
def province_export():
    report, _years, prov = _province_report()
    data = xlsx.workbook([report.tables[k] for k in REPORT_KEYS], f"{prov.name_th} {report.fy}")
    from app.auth import audit

    audit.record(audit.Action.EXPORT, "province_report", f"{prov.code}/{report.fy}",
                 {"province": prov.code, "fiscal_year": report.fy, "format": "xlsx"})
    return _download(data, f"province-{prov.code}-{report.fy}.xlsx")


# ------------------------------------------------------------------------------ district worklist

@bp.get("/district")
def district_home():
    user = g.user
    if user.role in (Role.DISTRICT, Role.OFFICER) and user.district is not None:
        return _worklist(user.district)
    return redirect(url_for("reports.province_report"))


@bp.get("/district/<code>")
def district_worklist(code: str):
    if g.user.role == Role.OFFICER:
        abort(404)  # officers have their own list at /district
    return _worklist(_district_or_404(code))


def _worklist(district: District):
    tambon = (request.args.get("tambon") or "").strip()[:16] or None
    officer_text = (request.args.get("officer") or "").strip()
    officer = int(officer_text) if officer_text.isascii() and officer_text.isdigit() and len(officer_text) < 10 else None
    wl = worklist.build(g.user, district, today(), assessment_form=assessment_form(), monthly_form=monthly_form(),
                        tambon=tambon, officer=officer, link=link)
    return render_template("reports/worklist.html", wl=wl, district=district, report_fy=_fy(0) or None)


@bp.get("/district/<code>/groups")
def district_groups(code: str):
    table, district, fy = _groups(code)
    return render_template("reports/groups.html", table=table, district=district, fy=fy,
                           filters={k: request.args.get(k) for k in ("level", "change", "tambon")})


@bp.get("/district/<code>/groups.xlsx")
def district_groups_export(code: str):
    table, district, fy = _groups(code)
    return _download(xlsx.workbook([table], table.title_th), f"groups-{district.code}-{fy}.xlsx")


def _groups(code: str):  # noqa: ANN202
    if g.user.role == Role.OFFICER:
        abort(404)
    district = _district_or_404(code)
    fy = _fy(fiscal_year(today()))
    level = request.args.get("level") if request.args.get("level") in groups.FILTERS["level"] else None
    change = request.args.get("change") if request.args.get("change") in groups.FILTERS["change"] else None
    tambon = (request.args.get("tambon") or "").strip()[:16] or None
    table = groups.groups_table(district, fy, assessment_form=assessment_form(), link=link, level=level,
                                change=change, tambon=tambon)
    return table, district, fy


# ------------------------------------------------------------------------------ targets

def _targets_scope() -> tuple[Province, list[District], bool]:
    """(province, districts shown, may edit). A district office reads its own row; officers 404."""
    user = g.user
    if user.role == Role.DISTRICT and user.district is not None:
        return user.district.province, [user.district], False
    if user.role in (Role.PROVINCE, Role.ADMIN):
        prov = _report_province()
        return prov, _districts(prov), True
    abort(404)


def _targets_page(fy: int | None = None, status: int = 200, problems: list[Problem] | None = None,
                  warnings: list[Problem] | None = None, done: str | None = None, form_values: dict | None = None,
                  indicator_error: tuple[str, str] | None = None):
    prov, districts, may_edit = _targets_scope()
    now = fiscal_year(today())
    fy = fy or _fy(now)
    inds = targets.indicators(prov.code)
    current = queries.targets([d.code for d in districts], fy)
    years = sorted(set(range(now - 2, now + 2)) | {fy}, reverse=True)
    return render_template("reports/targets.html", fy=fy, years=years, province=prov, districts=districts,
                           may_edit=may_edit, indicators=inds, current=current, problems=problems or [],
                           warnings=warnings or [], done=done, form_values=form_values or {},
                           units=targets.UNITS, indicator_error=indicator_error), status


@bp.get("/targets")
def targets_page():
    return _targets_page(done=request.args.get("done"))


def _editable() -> tuple[Province, list[District], int]:
    prov, districts, may_edit = _targets_scope()
    if not may_edit:
        abort(403)
    fy_text = (request.form.get("fy") or "").strip()
    if not (fy_text.isascii() and fy_text.isdigit() and 2400 <= int(fy_text) <= 2800):
        abort(400)
    return prov, districts, int(fy_text)


@bp.post("/targets")
def targets_save():
    prov, districts, fy = _editable()
    values, problems = targets.parse_form(fy, request.form, districts, targets.indicators(prov.code))
    if problems:
        return _targets_page(fy, 422, problems=problems, form_values=dict(request.form))
    changes = targets.save_targets(fy, values, source="page")
    return redirect(url_for("reports.targets_page", fy=fy, province=prov.code, done=f"saved-{len(changes)}"), 303)


@bp.post("/targets/import")
def targets_import():
    prov, districts, fy = _editable()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _targets_page(fy, 400, problems=[Problem("เลือกไฟล์ Excel (.xlsx) ก่อนนำเข้า",
                                                        "Choose an Excel file (.xlsx) to import.", code="no_file")])
    data = upload.read()
    try:
        values, sheet = targets.parse_sheet(upload.filename, data, districts, targets.indicators(prov.code))
    except WorkbookRejected as e:
        return _targets_page(fy, 422, problems=e.problems)
    warnings = [p for p in sheet.problems if not p.is_error]
    if sheet.errors:
        return _targets_page(fy, 422, problems=sheet.errors, warnings=warnings)
    changes = targets.save_targets(fy, values, source="import", filename=upload.filename[:255])
    return _targets_page(fy, 200, warnings=warnings, done=f"imported-{len(changes)}")


@bp.get("/targets/template.xlsx")
def targets_template():
    prov, districts, may_edit = _targets_scope()
    if not may_edit:
        abort(403)
    fy = _fy(fiscal_year(today()))
    inds = targets.indicators(prov.code)
    data = targets.template_xlsx(fy, districts, inds, queries.targets([d.code for d in districts], fy))
    return _download(data, f"targets-{prov.code}-{fy}.xlsx")


@bp.post("/targets/indicators")
def targets_add_indicator():
    prov, _districts_, fy = _editable()
    _row, error = targets.add_indicator(prov.code, request.form.get("key", ""), request.form.get("label_th", ""),
                                        request.form.get("label_en", ""), request.form.get("unit", ""),
                                        g.user.username)
    if error:
        return _targets_page(fy, 422, indicator_error=error)
    return redirect(url_for("reports.targets_page", fy=fy, province=prov.code, done="indicator"), 303)


# ------------------------------------------------------------------------------ the other funds

def _funds_page(fy: int | None = None, status: int = 200, problems: list[Problem] | None = None,
                warnings: list[Problem] | None = None, done: str | None = None):
    prov = _report_province()
    districts = _districts(prov)
    now = fiscal_year(today())
    fy = fy or _fy(now)
    current = queries.fund_levels([d.code for d in districts], fy)
    return render_template("reports/funds.html", fy=fy, years=sorted(set(range(now - 4, now + 1)) | {fy}, reverse=True),
                           province=prov, districts=districts, current=current, funds=funds.FUNDS,
                           problems=problems or [], warnings=warnings or [], done=done), status


@bp.get("/province/funds")
def funds_page():
    return _funds_page(done=request.args.get("done"))


@bp.post("/province/funds")
def funds_import():
    prov = _report_province()
    districts = _districts(prov)
    fy_text = (request.form.get("fy") or "").strip()
    if not (fy_text.isascii() and fy_text.isdigit() and 2400 <= int(fy_text) <= 2800):
        abort(400)
    fy = int(fy_text)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _funds_page(fy, 400, problems=[Problem("เลือกไฟล์ Excel (.xlsx) หรือ CSV ก่อนนำเข้า",
                                                      "Choose an Excel (.xlsx) or CSV file to import.", code="no_file")])
    try:
        values, sheet = funds.parse_sheet(upload.filename, upload.read(), districts)
    except WorkbookRejected as e:
        return _funds_page(fy, 422, problems=e.problems)
    warnings = [p for p in sheet.problems if not p.is_error]
    if sheet.errors:
        return _funds_page(fy, 422, problems=sheet.errors, warnings=warnings)
    n = funds.save_fund_levels(fy, values, filename=upload.filename[:255])
    return _funds_page(fy, 200, warnings=warnings, done=f"imported-{n}")


