"""Demo data for `make run` / `flask --app wsgi demo load`, loaded idempotently through the normal
paths (publishing, receiving).

- Loei's 14 districts (seeded by auth), one demo account per role and one demo officer per district;
- the bundled questionnaires published (unchanged content publishes nothing new);
- the registry's demo villages and the 508 approved savings groups of 2566 (app/registry/seed.py);
- one assessment per group, sent by its district's officer through `receive_submission`, whose
  levels reproduce the report's per-district level counts (app/registry/data/loei_2566.csv) under
  whatever levels the published assessment declares (answers are chosen from FormVersion.scoring);
- a household mapping and a group registration waiting for the district office's approval;
- the OTOP pages' households, targets and occupational groups (app/otop/demo.py).
- for the province report (load_oversight): fiscal year 2567's targets, 12 monthly status reports of
  every demo group (members reaching 12,206 of the 12,032 target: 101.44 %), 35 new savings groups
  registered and approved in the year (target 31: 112.9 %), the 2567 re-assessment of two districts,
  and the กข.คจ. / Mother-of-the-Land levels of 2566 from the province's table.

Each demo submission has a fixed instanceID (uuid5 of its name), so loading twice stores nothing new.
"""
from __future__ import annotations

import copy
import random
import uuid
from fractions import Fraction
from pathlib import Path
from typing import Any

from lxml import etree

from app.forms.definitions import definition_of
from app.xlsform.definition import FormDefinition

DEMO_NS = uuid.UUID("6f1c1a52-2f0e-4c59-9d0b-5a1b0c2d3e4f")
ASSESSMENT_FORM = "sg_assessment_21"

# Demo accounts (printed by `flask --app wsgi demo load`, listed in README "Demo accounts").
# username, display name, role, district code / province code, password
DEMO_USERS = [
    ("admin", "ผู้ดูแลระบบ (ทดลอง)", "admin", None, None, "chumchon-admin-demo"),
    ("loei", "สำนักงานพัฒนาชุมชนจังหวัดเลย (ทดลอง)", "province", None, "42", "chumchon-loei-demo"),
    ("mueang", "สำนักงานพัฒนาชุมชนอำเภอเมืองเลย (ทดลอง)", "district", "4201", None, "chumchon-mueang-demo"),
    ("somchai", "นายสมชาย พัฒนากร (เมืองเลย)", "officer", "4201", None, "chumchon-somchai-demo"),
    ("malee", "นางมาลี พัฒนากร (วังสะพุง)", "officer", "4209", None, "chumchon-malee-demo"),
]
# The officer who sends a district's demo assessments (the others get "officer42NN").
DISTRICT_OFFICERS = {"4201": "somchai", "4209": "malee"}

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def thai_national_id(first12: str) -> str:
    """A 13-digit national ID with its check digit: (11 - sum(d_i * (14 - i)) mod 11) mod 10."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


# --------------------------------------------------------------------------- building instances

def instance_xml(xform: str, definition: FormDefinition, answers: dict[str, Any], instance_id: str) -> bytes:
    """The XForm's primary instance with `answers` filled in, meta/instanceID set.

    Answers are by question name; a repeat's name maps to a list of dicts (one per instance).
    Repeats without answers get no instance (`_fill` drops the jr:template prototypes that
    `instance_template` keeps). An entity's id (meta/entity/@id) gets a uuid."""
    root = copy.deepcopy(_template_root(xform))
    repeats = {n.name for n in definition.nodes() if n.kind == "repeat"}
    _fill(root, answers, repeats)
    meta = root.find("meta")
    meta.find("instanceID").text = instance_id
    entity = meta.find("entity")
    if entity is not None and not entity.get("id"):
        entity.set("id", str(uuid.uuid5(DEMO_NS, instance_id)))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


_templates: dict[int, Any] = {}


def _template_root(xform: str):  # noqa: ANN202
    """The parsed primary instance template of an XForm (parsed once per form: the demo sends thousands)."""
    key = hash(xform)
    if key not in _templates:
        from app.forms.rendering import instance_template

        if len(_templates) > 16:
            _templates.clear()
        _templates[key] = etree.fromstring(instance_template(xform))
    return _templates[key]


def _is_template(el) -> bool:  # noqa: ANN001
    return any(etree.QName(a).localname == "template" for a in el.attrib)


def _fill(el, answers: dict[str, Any], repeats: set[str]) -> None:  # noqa: ANN001
    done: set[str] = set()
    for child in list(el):
        name = child.tag
        if name in repeats:
            if name in done:
                continue
            done.add(name)
            same = [c for c in el if c.tag == name]
            proto = next((c for c in same if _is_template(c)), same[0])
            position = list(el).index(same[0])
            for c in same:
                el.remove(c)
            for k, entry in enumerate(answers.get(name) or []):
                clone = copy.deepcopy(proto)
                for a in list(clone.attrib):
                    if etree.QName(a).localname == "template":
                        del clone.attrib[a]
                _fill(clone, entry, repeats)
                el.insert(position + k, clone)
        elif len(child):
            _fill(child, answers, repeats)
        elif name in answers:
            child.text = str(answers[name])


# --------------------------------------------------------------------------- accounts, forms

def demo_officers() -> list[tuple[str, str, str, str | None, str | None, str]]:
    """One demo officer per district without a named one (they send the demo assessments)."""
    from app.registry.seed import loei_2566

    return [(f"officer{d.code}", f"พัฒนากร อ.{d.name_th} (ทดลอง)", "officer", d.code, None, f"chumchon-{d.code}-demo")
            for d in loei_2566() if d.code not in DISTRICT_OFFICERS]


def load_demo_users() -> list[tuple[str, str, str, bool]]:
    """Loei's districts and the demo accounts (idempotent): [(username, role, password, created)]."""
    from app.auth.accounts import create_user, find_user, seed_districts

    seed_districts()
    out = []
    for username, name, role, district, province, password in DEMO_USERS + demo_officers():
        created = find_user(username) is None
        if created:
            create_user(username, name, role, password, district=district, province=province, actor="demo")
        out.append((username, role, password, created))
    return out


def publish_bundled() -> None:
    """Publish the bundled questionnaires (a no-op for content already published)."""
    from flask import current_app

    from app.forms.publishing import publish_workbook

    folder = current_app.config["QUESTIONNAIRES_DIR"]
    for path in sorted(folder.glob("*.xlsx")):
        publish_workbook(path.name, path.read_bytes(), published_by="demo")


def _latest(form_id: str):  # noqa: ANN202
    from app import db
    from app.models import Form

    form = db.session.query(Form).filter_by(form_id=form_id).one_or_none()
    return form.latest if form is not None else None


def _send(version, name: str, answers: dict[str, Any], sender, files: dict | None = None):  # noqa: ANN001, ANN202
    from app.forms.receiving import receive_submission

    iid = f"uuid:{uuid.uuid5(DEMO_NS, name)}"
    xml = instance_xml(version.xform, definition_of(version), answers, iid)
    return receive_submission(xml, files or {}, submitted_by=sender.username if sender else "demo", sender=sender)


# --------------------------------------------------------------------------- assessments

# Inputs of the numeric indicators: "high" earns their best score, "low" their worst (under the
# draft's rules; other rules are measured, not assumed, see _profile_points).
PROFILES = {
    "high": {"members_total": "40", "members_present": "31", "fund_total": "500000", "loans_outstanding": "400000",
             "interest_rate": "12", "i03_practice": "3", "savers_all_year": "38", "loans_overdue": "8000",
             "agm_present": "36"},
    "low": {"members_total": "40", "members_present": "18", "fund_total": "500000", "loans_outstanding": "100000",
            "interest_rate": "18", "i03_practice": "0", "savers_all_year": "12", "loans_overdue": "40000",
            "agm_present": "10"},
}


def _indicator_questions(definition: FormDefinition, spec: dict) -> tuple[list[dict], list[dict]]:
    """(select indicators with their scored choices, calculate indicators) of the spec."""
    selects, calcs = [], []
    for ind in spec["indicators"]:
        if ind["kind"] == "select":
            options = sorted(((Fraction(str(v)), k) for k, v in (ind.get("scores") or {}).items()))
            selects.append({"name": ind["name"], "options": options})
        else:
            calcs.append(ind)
    return selects, calcs


def _profile_points(version, profile: str, selects: list[dict]) -> dict[str, str]:  # noqa: ANN001
    """The calculate indicators' values under a profile, as the server computes them."""
    from app.xlsform.revalidate import revalidate
    from app.xlsform.submission import parse_submission

    answers = {**PROFILES[profile], "group": "x", "assessed_on": "2023-03-01", "assessor_name": "x"}
    answers.update({s["name"]: s["options"][0][1] for s in selects})
    definition = definition_of(version)
    xml = instance_xml(version.xform, definition, answers, "uuid:probe")
    data = revalidate(parse_submission(xml), definition, set()).data
    out = {}
    for ind in version.scoring["indicators"]:
        if ind["kind"] == "calculate":
            out[ind["name"]] = str(data.get(ind["path"], "") or "")
    return out


def _band(levels: list[dict], index: int) -> tuple[Fraction, Fraction | None]:
    """[low, high) percent of the level at `index` (best first); high None for the best level."""
    low = Fraction(str(levels[index]["min_percent"]))
    high = None if index == 0 else Fraction(str(levels[index - 1]["min_percent"]))
    return low, high


def choose_answers(spec: dict, selects: list[dict], calc_points: dict[str, Fraction], level_index: int,
                   rng: random.Random) -> dict[str, str] | None:
    """Choices of the select indicators so that the percent falls in the level's band, or None."""
    from app.scoring import score

    total_max = sum(Fraction(str(i["max"])) for i in spec["indicators"])
    fixed = sum(calc_points.values(), Fraction(0))
    low, high = _band(spec["levels"], level_index)
    top = Fraction(100) if high is None else high
    for _attempt in range(60):
        # aim somewhere inside the band (away from its edges when it is wide enough)
        margin = min(Fraction(2), (top - low) / 4)
        target_percent = low + margin + Fraction(rng.random()).limit_denominator(1000) * max(Fraction(0), top - low - 2 * margin)
        need = target_percent * total_max / 100 - fixed
        chosen = {s["name"]: s["options"][0] for s in selects}
        remaining = need - sum(o[0] for o in chosen.values())
        order = selects[:]
        rng.shuffle(order)
        for s in order:
            base = chosen[s["name"]][0]
            fits = [o for o in s["options"] if o[0] - base <= remaining]
            best = max(fits, key=lambda o: o[0]) if fits else chosen[s["name"]]
            remaining -= best[0] - base
            chosen[s["name"]] = best
        answers = {name: o[1] for name, o in chosen.items()}
        result = score(spec, {**answers, **{k: str(v) for k, v in calc_points.items()}})
        level = result.level["name"] if result.level else None
        if level == spec["levels"][level_index]["name"]:
            return answers
    return None


def level_targets(levels: list[dict], d) -> list[int]:  # noqa: ANN001
    """Level indexes (best first) for a district's groups: report level 3 = the best level, level 1 the
    worst, level 2 the one after the best."""
    worst = len(levels) - 1
    middle = min(1, worst)
    return [0] * d.level3 + [middle] * d.level2 + [worst] * d.level1


def load_assessments(round_dates: tuple[str, ...] = ("2023-03-06", "2023-03-13", "2023-03-20")) -> list[tuple[str, int]]:
    """One assessment per demo savings group (see the module docstring)."""
    from app.auth.accounts import find_user
    from app.registry.seed import demo_group_code, loei_2566

    kit = _assessment_kit()
    if kit is None:
        return []
    version, selects, profiles, names = kit
    spec = version.scoring
    results = []
    for d in loei_2566():
        sender = find_user(DISTRICT_OFFICERS.get(d.code, f"officer{d.code}"))
        rng = random.Random(f"demo-{d.code}")
        for n, level_index in enumerate(level_targets(spec["levels"], d), start=1):
            code = demo_group_code(d.code, n)
            outcome = _send_assessment(version, selects, profiles, names, code, level_index,
                                       round_dates[n % len(round_dates)], f"assessment-2566-{code}", sender, rng)
            results.append((outcome.instance_id, outcome.status))
    return results


def _assessment_kit():  # noqa: ANN202 - (version, selects, profiles, names) | None
    """What sending demo assessments needs, read once: the assessment's latest version (None when it
    is not published or not scored), its indicator questions, the answer profiles' points, its fields."""
    version = _latest(ASSESSMENT_FORM)
    if version is None or not version.scoring:
        return None
    definition = definition_of(version)
    names = {n.name for n in definition.nodes() if n.kind == "field"}
    selects, _calcs = _indicator_questions(definition, version.scoring)
    profiles = {p: {k: Fraction(v) if v else Fraction(0) for k, v in _profile_points(version, p, selects).items()}
                for p in PROFILES}
    return version, selects, profiles, names


def _send_assessment(version, selects: list[dict], profiles: dict, names: set[str], code: str,  # noqa: ANN001, ANN202
                     level_index: int, assessed_on: str, name: str, sender, rng: random.Random):  # noqa: ANN001
    """Send one assessment of `code` whose result is the level at `level_index` (best first)."""
    spec = version.scoring
    profile_order = ["high", "low"] if level_index == 0 else (
        ["low", "high"] if level_index == len(spec["levels"]) - 1 else rng.sample(["high", "low"], 2))
    chosen = None
    for profile in profile_order:
        chosen = choose_answers(spec, selects, profiles[profile], level_index, rng)
        if chosen is not None:
            break
    if chosen is None:
        raise RuntimeError(f"no answers reach level {spec['levels'][level_index]['name']} for {code}")
    answers = {**PROFILES[profile], **chosen, "group": code, "assessed_on": assessed_on,
               "assessor_name": sender.display_name if sender else "demo"}
    answers = {k: v for k, v in answers.items() if k in names}
    return _send(version, name, answers, sender)


# --------------------------------------------------------------------------- registration, mapping

def registration_answers() -> dict[str, Any]:
    roles = ["president", "secretary", "treasurer", "committee", "none"]
    members = [{"m_name": name, "m_national_id": thai_national_id(f"34201{i:07d}"), "m_birth_date": born,
                "m_age": age, "m_thai": "yes", "m_domiciled": "yes", "m_occupation": "ทอผ้า", "m_role": role}
               for i, (name, born, age, role) in enumerate([
                   ("นางบุญมี ทอดี", "1968-04-02", "57", roles[0]), ("นางสาวจันทร์ ใจงาม", "1975-09-12", "50", roles[1]),
                   ("นางคำปุ่น ศรีเลย", "1980-01-30", "45", roles[2]), ("นางแสงดาว มีสุข", "1990-07-07", "35", roles[3]),
                   ("นางสาวดาวเรือง ทองคำ", "1995-11-20", "30", roles[4])], start=1)]
    return {"group_kind": "occupational", "group_name": "กลุ่มอาชีพทอผ้าบ้านทดลอง", "occupation": "ทอผ้าฝ้ายมัดหมี่",
            "otop_type": "3", "otop_subgroup": "3.1", "objectives": "สร้างรายได้เสริมจากการทอผ้าของสมาชิก",
            "district": "4201", "tambon": "420101", "village": "42010101", "address": "ศาลาหมู่บ้าน หมู่ 1",
            "location": "17.4860 101.7223 260 8", "founded_on": "2025-02-01", "minutes_photo": "minutes.png",
            "member": members, "members_checked": "OK", "committee_checked": "OK", "term_years": "2",
            "rules_photo": "rules.png",
            "activity": [{"act_name": "อบรมออกแบบลายผ้า", "act_period": "มีนาคม 2569", "act_budget": "5000"}],
            "documents_checklist": "member_list rules plan minutes president_id president_house photos",
            "photo_meeting": "meeting.png", "president_id_card": "id.png", "president_house_reg": "house.png"}


REGISTRATION_FILES = {n: (PNG, "image/png") for n in ("minutes.png", "rules.png", "meeting.png", "id.png", "house.png")}


def household_answers() -> dict[str, Any]:
    return {"consent": "OK", "surveyed_on": "2026-01-12", "district": "4201", "tambon": "420101", "village": "42010101", "house_no": "12/1",
            "location": "17.4861 101.7220 262 6", "head_name": "นางสมศรี ใจดี",
            "national_id": thai_national_id("310040012345"), "members": "4", "members_working": "2",
            "members_elderly": "1", "kkcj_target": "yes", "kkcj_borrowed": "yes", "loan_amount": "20000",
            "loan_date": "2024-06-01", "loan_occupation": "processing", "loan_outstanding": "8000",
            "loan_default": "no", "income_main": "60000", "income_secondary": "12000", "income_other": "6000",
            "income_own_produce": "8000", "exp_production": "20000", "exp_necessities": "40000",
            "exp_nonessential": "3000", "exp_debt": "6000", "debt_formal": "30000", "debt_community": "8000",
            "debt_informal": "0", "saves_in": "cash savings_group",
            "occupation": [{"occ_category": "processing", "occ_product": "ผ้าทอมือ", "occ_otop_type": "3",
                            "occ_otop_subgroup": "3.1", "occ_income": "36000",
                            "occ_problems_marketing": "no_brand no_online", "occ_potential": "4"}],
            "join_group": "yes", "otop_register": "yes", "training_wanted": "design online"}


def load_demo() -> list[tuple[str, int]]:
    """Publish the bundled forms, seed the registry, and submit every demo record through the normal
    receiving path; returns [(instance_id, HTTP status)]."""
    from app.auth.accounts import find_user
    from app.registry.seed import seed_savings_groups, seed_villages

    publish_bundled()
    seed_villages()
    seed_savings_groups()
    results = load_assessments()
    results += load_oversight()
    somchai = find_user("somchai")
    for form_id, name, answers, files in (
            ("hh_mapping", "hh-12-1", household_answers(), {}),
            ("group_registration", "reg-weaving", registration_answers(), REGISTRATION_FILES)):
        version = _latest(form_id)
        if version is not None:
            outcome = _send(version, name, answers, somchai, files)
            results.append((outcome.instance_id, outcome.status))
    from app.otop.demo import load_otop_demo

    results += load_otop_demo()  # mapped households, targets, occupational groups' paths (app/otop/demo.py)
    return results


# --------------------------------------------------------------------------- oversight (app/reports)
# Fiscal year 2567 as the province reported it (DOMAIN.md "Targets and reporting rhythm"): 12,032 new
# members targeted, 12,206 reached; 31 new savings groups targeted, 35 registered. The report gives only
# the province's totals: the split per district below is made up for the demo (it adds up to them).

OVERSIGHT_FY = 2567
MEMBERS_TARGET, MEMBERS_REACHED = 12_032, 12_206
NEW_GROUPS_BY_DISTRICT = {  # district -> (target, registered and approved)
    "4201": (3, 4), "4202": (2, 2), "4203": (2, 3), "4204": (2, 2), "4205": (3, 3), "4206": (2, 1), "4207": (2, 2),
    "4208": (2, 2), "4209": (3, 4), "4210": (2, 3), "4211": (2, 2), "4212": (2, 3), "4213": (3, 2), "4214": (1, 2)}
LEVEL3_TARGET = 60  # % of assessed groups at level 3 (ดี), every district
REASSESSED_DISTRICTS = ("4201", "4209")  # re-assessed in March 2024 (fiscal year 2567)
FUNDS_CSV = Path(__file__).resolve().parent / "reports" / "data" / "loei_fund_levels_2566.csv"


def _split(total: int, weights: list[int], rng: random.Random | None = None, spread: float = 0.0) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), optionally varied by +-spread."""
    if rng is not None and spread:
        weights = [w * (1 + rng.uniform(-spread, spread)) for w in weights]
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[:total - sum(out)]:
        out[i] += 1
    return out


def load_oversight() -> list[tuple[str, int]]:
    """The figures of the province report (idempotent): funds, targets, new groups, monthly reports,
    re-assessments."""
    load_fund_levels()
    load_targets()
    results = load_new_groups()
    results += load_monthly_reports()
    results += load_reassessments()
    return results


def load_fund_levels() -> int:
    from sqlalchemy import func, select

    from app import db
    from app.models import District, FundLevelCount
    from app.reports.funds import parse_sheet, save_fund_levels

    if db.session.scalar(select(func.count()).select_from(FundLevelCount).where(FundLevelCount.fiscal_year == 2566)):
        return 0
    districts = list(db.session.scalars(select(District).where(District.code.like("42%"))))
    values, sheet = parse_sheet(FUNDS_CSV.name, FUNDS_CSV.read_bytes(), districts)
    if sheet.errors:
        raise RuntimeError(f"demo funds: {[p.message_en for p in sheet.errors]}")
    return save_fund_levels(2566, values, filename=FUNDS_CSV.name)


def load_targets() -> int:
    from decimal import Decimal

    from sqlalchemy import func, select

    from app import db
    from app.models import Target
    from app.registry.seed import loei_2566
    from app.reports.targets import LEVEL3_SHARE, NEW_GROUPS, NEW_MEMBERS, save_targets

    if db.session.scalar(select(func.count()).select_from(Target).where(Target.fiscal_year == OVERSIGHT_FY)):
        return 0
    districts = loei_2566()
    members = _split(MEMBERS_TARGET, [d.groups for d in districts])
    values = {}
    for d, m in zip(districts, members):
        values[(d.code, NEW_MEMBERS.key)] = Decimal(m)
        values[(d.code, NEW_GROUPS.key)] = Decimal(NEW_GROUPS_BY_DISTRICT[d.code][0])
        values[(d.code, LEVEL3_SHARE.key)] = Decimal(LEVEL3_TARGET)
    return len(save_targets(OVERSIGHT_FY, values, source="demo"))


def savings_registration_answers(district: str, village: str, n: int) -> dict[str, Any]:
    answers = registration_answers()
    for key in ("occupation", "otop_type", "otop_subgroup"):
        answers.pop(key, None)
    members = []
    for i, m in enumerate(answers["member"]):
        members.append({**m, "m_national_id": thai_national_id(f"3{district}{n:03d}{i:04d}"), "m_pledge": "100"})
    return {**answers, "group_kind": "savings", "group_name": f"กลุ่มออมทรัพย์เพื่อการผลิตบ้านใหม่ {n} ({district})",
            "district": district, "tambon": village[:6], "village": village, "member": members, "saving_day": "5",
            "founded_on": "2023-10-15", "objectives": "ส่งเสริมการออมและให้สมาชิกกู้ยืมเพื่อการผลิต"}


def load_new_groups() -> list[tuple[str, int]]:
    """35 savings groups registered through the registration form and approved in fiscal year 2567."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from app import db
    from app.auth.accounts import find_user
    from app.models import Group, GroupStatus, Submission

    version = _latest("group_registration")
    if version is None:
        return []
    results = []
    for district, (_target, count) in NEW_GROUPS_BY_DISTRICT.items():
        sender = find_user(DISTRICT_OFFICERS.get(district, f"officer{district}"))
        for n in range(1, count + 1):
            village = f"{district}0{1 + n % 4}{n:02d}"
            outcome = _send(version, f"reg-savings-{district}-{n}", savings_registration_answers(district, village, n),
                            sender, REGISTRATION_FILES)
            results.append((outcome.instance_id, outcome.status))
            sub = db.session.scalar(select(Submission).where(Submission.instance_id == outcome.instance_id))
            group = db.session.scalar(select(Group).where(Group.source_instance_id == sub.root_instance_id)) \
                if sub is not None else None
            if group is not None and group.status == GroupStatus.SUBMITTED:
                group.status = GroupStatus.APPROVED
                group.registration_no = f"{district}/2567-{n:02d}"
                group.registered_on = date(2023, 10, 20) + timedelta(days=(n * 47 + int(district[-2:]) * 13) % 330)
                group.decided_by = "demo"
                db.session.commit()
    return results


def monthly_figures() -> dict[str, list[dict[str, Any]]]:
    """Deterministic monthly figures per demo group code (12 months of fiscal year 2567): new members add
    up to 12,206 in the province; members, savings and loans move month by month."""
    from app.registry.seed import demo_group_code, loei_2566

    rng = random.Random("demo-monthly-2567")
    districts = loei_2566()
    reached = _split(MEMBERS_REACHED, [d.groups for d in districts], rng, spread=0.08)
    out: dict[str, list[dict[str, Any]]] = {}
    for d, total in zip(districts, reached):
        codes = [demo_group_code(d.code, n) for n in range(1, d.groups + 1)]
        per_group = _split(total, [rng.randint(5, 15) for _ in codes])
        for code, new_total in zip(codes, per_group):
            per_month = _split(new_total, [rng.randint(1, 6) for _ in range(12)]) if new_total else [0] * 12
            members = rng.randint(25, 70)
            savings = members * rng.randint(1500, 4000)
            rows = []
            for i, new in enumerate(per_month):
                left = 1 if (members > 20 and rng.random() < 0.12) else 0
                members += new - left
                savings += members * rng.choice((50, 100, 100, 200)) - left * 1500
                loans = int(savings * rng.uniform(0.5, 0.85))
                borrowers = min(members, max(1, int(members * rng.uniform(0.2, 0.5))))
                met = rng.random() < 0.85
                rows.append({"new_members": new, "left_members": left, "members_end": members, "savings_balance": savings,
                             "special_savings": rng.randint(0, 20) * 500, "loans_outstanding": loans,
                             "borrowers": borrowers, "loans_overdue": int(loans * rng.uniform(0, 0.08)),
                             "meeting_held": "yes" if met else "no", "meeting_day": rng.randint(1, 28),
                             "received_day": rng.choice([5, 8, 10, 12, 15, 18, 19, 20, 20, 24, 27]) if rng.random() < 0.95 else 40,
                             "month_index": i})
            out[code] = rows
    return out


def load_monthly_reports() -> list[tuple[str, int]]:
    """12 monthly status reports per demo group (fiscal year 2567), sent by the district's officer
    through receiving; their arrival dates are set back to when the group reported (mostly by the 20th)."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select

    from app import db
    from app.auth.accounts import find_user
    from app.models import MonthlyReport, Submission
    from app.periods import add_months, fiscal_year_months, reported_on_time

    version = _latest("sg_monthly_status")
    if version is None:
        return []
    have = set(db.session.scalars(select(Submission.instance_id).where(Submission.form_pk == version.form_pk)))
    months = fiscal_year_months(OVERSIGHT_FY)
    senders: dict[str, Any] = {}
    results = []
    backdated = 0
    for code, rows in monthly_figures().items():
        district = code.split("-")[1]
        if district not in senders:
            senders[district] = find_user(DISTRICT_OFFICERS.get(district, f"officer{district}"))
        sender = senders[district]
        for r in rows:
            month = months[r["month_index"]]
            name = f"monthly-{OVERSIGHT_FY}-{code}-{month:%Y%m}"
            iid = f"uuid:{uuid.uuid5(DEMO_NS, name)}"
            if iid in have:
                results.append((iid, 201))
                continue
            answers = {"group": code, "report_year": str(month.year + 543), "report_month_no": str(month.month),
                       "report_month": month.isoformat(), "reporter_name": "เหรัญญิกกลุ่ม (ทดลอง)",
                       **{k: str(r[k]) for k in ("members_end", "new_members", "left_members", "savings_balance",
                                                 "special_savings", "loans_outstanding", "borrowers", "loans_overdue",
                                                 "meeting_held")}}
            if r["meeting_held"] == "yes":
                answers["meeting_date"] = month.replace(day=r["meeting_day"]).isoformat()
            outcome = _send(version, name, answers, sender)
            results.append((outcome.instance_id, outcome.status))
            sub = outcome.submission
            if sub is not None and outcome.created:
                arrived = add_months(month, 1) + timedelta(days=r["received_day"] - 1)
                sub.received_at = datetime(arrived.year, arrived.month, arrived.day, 3, 0, tzinfo=timezone.utc)
                row = db.session.scalar(select(MonthlyReport).where(MonthlyReport.submission_id == sub.id))
                if row is not None:  # a first report: its chain began when it arrived
                    row.first_received_at = sub.received_at
                    row.on_time = reported_on_time(month, arrived)
                backdated += 1
                if backdated % 200 == 0:
                    db.session.commit()
    db.session.commit()
    return results


def load_reassessments() -> list[tuple[str, int]]:
    """Fiscal year 2567's assessment of two districts (March 2024): most groups keep their level,
    some move up and a few down, so "change between years" has something to show."""
    from app.auth.accounts import find_user
    from app.registry.seed import demo_group_code, loei_2566

    kit = _assessment_kit()
    if kit is None:
        return []
    version, selects, profiles, names = kit
    spec = version.scoring
    results = []
    worst = len(spec["levels"]) - 1
    for d in loei_2566():
        if d.code not in REASSESSED_DISTRICTS:
            continue
        sender = find_user(DISTRICT_OFFICERS.get(d.code, f"officer{d.code}"))
        rng = random.Random(f"demo-2567-{d.code}")
        for n, before in enumerate(level_targets(spec["levels"], d), start=1):
            after = before
            if before > 0 and n % 3 == 0:
                after = before - 1  # moved up (index 0 is the best level)
            elif before < worst and n % 11 == 0:
                after = before + 1  # moved down
            code = demo_group_code(d.code, n)
            outcome = _send_assessment(version, selects, profiles, names, code, after, f"2024-03-{5 + n % 20:02d}",
                                       f"assessment-2567-{code}", sender, rng)
            results.append((outcome.instance_id, outcome.status))
    return results
