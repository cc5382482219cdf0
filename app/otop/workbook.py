"""What the published workbooks say that the OTOP pages need: option labels (occupation categories, OTOP
types, problems, training, savings places), the star-occupation weights (hh_mapping's `star_weights`
sheet) and the proposal's indicators (group_followup's `indicators` sheet). Read from the latest
published version of each form, cached per version (versions are immutable). Staff change weights and
targets in Excel and publish; no code changes.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from threading import Lock

from sqlalchemy import select

from app import db
from app.models import Form, FormVersion
from app.otop.rules import PROPOSAL_INDICATORS, STAR_FACTORS, IndicatorTarget
from app.otop.store import FOLLOWUP_FORM, HOUSEHOLD_FORM
from app.xlsform.definition import text_in

log = logging.getLogger(__name__)
TH, EN = "Thai (th)", "English (en)"

# Labels when no hh_mapping is published yet (a fresh database): the codes themselves.
Labels = dict[str, dict[str, tuple[str, str]]]  # question name -> option name -> (Thai, English)


@dataclass
class StarRule:
    weights: dict[str, Decimal]
    labels: dict[str, tuple[str, str]]  # factor -> (Thai, English)
    from_workbook: bool
    problems: list[tuple[str, str]] = field(default_factory=list)  # (Thai, English) sheet problems
    potential_max: int = 5


@dataclass
class HouseholdForm:
    labels: Labels
    questions: dict[str, tuple[str, str]]  # question name -> its label
    star: StarRule


_cache: OrderedDict[tuple, object] = OrderedDict()
_lock = Lock()

DEFAULT_FACTOR_LABELS = {
    "households": ("จำนวนครัวเรือนที่ประกอบอาชีพนี้", "Households in this occupation"),
    "potential": ("ศักยภาพเฉลี่ย", "Average potential"),
    "income_share": ("สัดส่วนรายได้", "Income share"),
    "interest": ("สัดส่วนที่สนใจรวมกลุ่ม", "Share interested in a group"),
}


def _latest(form_id: str) -> FormVersion | None:
    form = db.session.scalar(select(Form).where(Form.form_id == form_id))
    return form.latest if form is not None else None


def _cached(key: tuple, make):  # noqa: ANN001, ANN202
    with _lock:
        if key in _cache:
            return _cache[key]
    value = make()
    with _lock:
        _cache[key] = value
        while len(_cache) > 16:
            _cache.popitem(last=False)
    return value


def household_form() -> HouseholdForm:
    fv = _latest(HOUSEHOLD_FORM)
    if fv is None:
        return HouseholdForm({}, {}, StarRule({k: Decimal(1) for k in STAR_FACTORS}, dict(DEFAULT_FACTOR_LABELS), False))
    return _cached(("hh", fv.id, fv.content_hash), lambda: _read_household_form(fv))


def _read_household_form(fv: FormVersion) -> HouseholdForm:
    from app.forms.definitions import definition_of

    labels: Labels = {}
    questions: dict[str, tuple[str, str]] = {}
    potential_max = 5
    for node in definition_of(fv).nodes():
        if node.kind != "field":
            continue
        questions[node.name] = (text_in(node.label, TH), text_in(node.label, EN))
        if node.choices:
            labels[node.name] = {c.name: (text_in(c.label, TH), text_in(c.label, EN)) for c in node.choices}
            if node.name == "occ_potential":
                numbers = [int(c.name) for c in node.choices if c.name.isdigit()]
                potential_max = max(numbers) if numbers else potential_max
    star = _star_rule(fv)
    star.potential_max = potential_max
    return HouseholdForm(labels, questions, star)


def _sheet(fv: FormVersion, name: str):  # noqa: ANN202
    from app.xlsform.sheets import find_sheet
    from app.xlsform.workbook import read_sheets

    data = db.session.scalar(select(FormVersion.xlsx).where(FormVersion.id == fv.id))
    try:
        return find_sheet(read_sheets(data), name) if data else None
    except Exception:  # noqa: BLE001 - an unreadable workbook falls back like a missing sheet
        log.exception("workbook of %s@%s unreadable", fv.form_id if hasattr(fv, "form_id") else fv.id, fv.version)
        return None


def _star_rule(fv: FormVersion) -> StarRule:
    from app.xlsform.sheets import cell, columns

    found = _sheet(fv, "star_weights")
    equal = {k: Decimal(1) for k in STAR_FACTORS}
    if found is None:
        return StarRule(equal, dict(DEFAULT_FACTOR_LABELS), False,
                        [("แบบสำรวจไม่มีชีต star_weights จึงให้น้ำหนักเท่ากันทุกปัจจัย",
                          "The workbook has no star_weights sheet: every factor weighs the same.")])
    title, rows = found
    cols = columns(rows)
    header = rows[0] if rows else []
    th_ci = next((i for i, h in enumerate(header) if h and h.startswith("label") and "th" in h.lower()), None)
    en_ci = next((i for i, h in enumerate(header) if h and h.startswith("label") and "en" in h.lower()), None)
    weights, labels, problems = {k: Decimal(0) for k in STAR_FACTORS}, dict(DEFAULT_FACTOR_LABELS), []
    for ri, row in enumerate(rows[1:], start=2):
        factor, raw = cell(row, cols.get("factor")), cell(row, cols.get("weight"))
        if not factor:
            continue
        if factor not in STAR_FACTORS:
            problems.append((f"ชีต {title} แถว {ri}: ไม่รู้จักปัจจัย '{factor}' (ใช้ได้: {', '.join(STAR_FACTORS)})",
                             f"Sheet {title} row {ri}: unknown factor '{factor}' (known: {', '.join(STAR_FACTORS)})"))
            continue
        try:
            w = Decimal(raw or "0")
            if not w.is_finite() or w < 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append((f"ชีต {title} แถว {ri} คอลัมน์ weight: น้ำหนักต้องเป็นตัวเลขไม่ติดลบ ('{raw}')",
                             f"Sheet {title} row {ri}, column weight: a weight is a number of at least 0 ('{raw}')"))
            continue
        weights[factor] = w
        labels[factor] = (cell(row, th_ci) or labels[factor][0], cell(row, en_ci) or labels[factor][1])
    return StarRule(weights, labels, True, problems)


def indicator_targets() -> list[IndicatorTarget]:
    fv = _latest(FOLLOWUP_FORM)
    if fv is None:
        return list(PROPOSAL_INDICATORS)
    return _cached(("ind", fv.id, fv.content_hash), lambda: _read_indicators(fv))


def _read_indicators(fv: FormVersion) -> list[IndicatorTarget]:
    from app.xlsform.sheets import cell, columns

    found = _sheet(fv, "indicators")
    if found is None:
        return list(PROPOSAL_INDICATORS)
    _title, rows = found
    cols = columns(rows)
    header = rows[0] if rows else []
    th_ci = next((i for i, h in enumerate(header) if h and h.startswith("label") and "th" in h.lower()), None)
    en_ci = next((i for i, h in enumerate(header) if h and h.startswith("label") and "en" in h.lower()), None)
    from app.otop.rules import STAGES

    out = []
    for row in rows[1:]:
        name, of, raw = cell(row, cols.get("name")), cell(row, cols.get("of")), cell(row, cols.get("target_percent"))
        try:
            target = Decimal(raw)
        except InvalidOperation:
            continue
        if name in STAGES and of in STAGES and target.is_finite():
            out.append(IndicatorTarget(name, of, target, cell(row, th_ci), cell(row, en_ci)))
    return out or list(PROPOSAL_INDICATORS)


def label(labels: Labels, question: str, value: str | None) -> tuple[str, str]:
    """(Thai, English) of an option; the code itself when the workbook does not name it."""
    if value is None or value == "":
        return ("ไม่ระบุ", "not given")
    return labels.get(question, {}).get(value, (value, value))


def occupation_label(labels: Labels, occ) -> tuple[str, str]:  # noqa: ANN001 - rules.Occupation
    """'ผ้า (OTOP 3.1)' for an OTOP sub-group, the category's label otherwise."""
    if occ.kind == "otop":
        th, en = label(labels, "occ_otop_subgroup", occ.value)
        return (f"{th} (OTOP {occ.value})", f"{en} (OTOP {occ.value})")
    return label(labels, "occ_category", occ.value)


def followup_labels() -> Labels:
    """Option labels of the group_followup form (online channels, ...)."""
    fv = _latest(FOLLOWUP_FORM)
    if fv is None:
        return {}

    def read() -> Labels:
        from app.forms.definitions import definition_of

        return {n.name: {c.name: (text_in(c.label, TH), text_in(c.label, EN)) for c in n.choices}
                for n in definition_of(fv).nodes() if n.kind == "field" and n.choices}

    return _cached(("fu", fv.id, fv.content_hash), read)
