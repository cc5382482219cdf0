"""Writes the bundled questionnaires (.xlsx) from the readable tables in this module.

The .xlsx files are what staff edit in Excel; this script is their readable source (content:
../shared/QUESTIONNAIRES.md). Run after changing a table, then publish:
    .venv/bin/python -m app.questionnaires.make_workbooks
    .venv/bin/flask --app wsgi forms import app/questionnaires

Conventions:
- Thai first (`label::Thai (th)`), English second; `default_language` = Thai (th).
- The assessment is a DRAFT instrument (title says ฉบับร่าง, version says draft): its indicators,
  evidence labels, scores (`score` column of choices), principles (`score_groups`) and levels
  (`levels`) are data staff replace in Excel; the scoring engine reads them (app/xlsform/scoring_spec.py).
- `groups.csv` and `villages.csv` are not files in this folder: the server generates them from the
  registry for the signed-in user (app/registry/media.py).
- Entities (ODK Entities spec): an `entities` sheet (`list_name`, `label`) and a `save_to` column.
"""
from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

HERE = Path(__file__).resolve().parent
TH, EN = "Thai (th)", "English (en)"
OTOP_CSV = HERE.parent / "registry" / "data" / "otop_product_types.csv"

# Survey columns in sheet order (a column is written only when a form uses it).
SURVEY_COLUMNS = [
    "type", "name", f"label::{TH}", f"label::{EN}", f"hint::{TH}", f"hint::{EN}", "required", "relevant",
    "constraint", f"constraint_message::{TH}", f"constraint_message::{EN}", "calculation", "default",
    "appearance", "choice_filter", "parameters", "read_only", "score_group", "score_max", "save_to",
]


def q(type_: str, name: str = "", th: str = "", en: str = "", *, hint: tuple[str, str] | None = None,
      required: bool = False, relevant: str = "", constraint: str = "", msg: tuple[str, str] | None = None,
      calc: str = "", default: str = "", appearance: str = "", choice_filter: str = "", parameters: str = "",
      read_only: bool = False, score_group: str = "", score_max: str | int = "", save_to: str = "") -> dict:
    """One survey row."""
    row = {"type": type_, "name": name, f"label::{TH}": th, f"label::{EN}": en, "required": "yes" if required
           else "", "relevant": relevant, "constraint": constraint, "calculation": calc, "default": default,
           "appearance": appearance, "choice_filter": choice_filter, "parameters": parameters,
           "read_only": "yes" if read_only else "", "score_group": score_group, "score_max": str(score_max),
           "save_to": save_to}
    if hint:
        row[f"hint::{TH}"], row[f"hint::{EN}"] = hint
    if msg:
        row[f"constraint_message::{TH}"], row[f"constraint_message::{EN}"] = msg
    if type_ == "image" and not parameters:
        row["parameters"] = "max-pixels=1600"  # photos are downscaled on the tablet (saves data in villages)
    return row


def end(kind: str = "group") -> dict:
    return {"type": f"end {kind}"}


def choices(list_name: str, rows: list[tuple], **extra_cols: list) -> list[dict]:
    """Choice rows from (name, Thai, English[, extra values...]) tuples; extra_cols names extra columns."""
    names = list(extra_cols)
    out = []
    for r in rows:
        row = {"list_name": list_name, "name": r[0], f"label::{TH}": r[1], f"label::{EN}": r[2]}
        for i, col in enumerate(names):
            row[col] = r[3 + i]
        out.append(row)
    return out


YES_NO = [("yes", "ใช่", "Yes"), ("no", "ไม่ใช่", "No")]

# The Thai national ID checksum: digit 13 = (11 - (sum of d_i * (14 - i), i = 1..12) mod 11) mod 10.
# substr() is ODK's 0-based (start, end) substring.
NATIONAL_ID_CONSTRAINT = (
    "regex(., '^[0-9]{13}$') and (11 - ("
    + " + ".join(f"number(substr(., {i}, {i + 1})) * {13 - i}" for i in range(12))
    + ") mod 11) mod 10 = number(substr(., 12, 13))"
)
NATIONAL_ID_MSG = ("เลขประจำตัวประชาชนต้องมี 13 หลักและเลขตรวจสอบ (หลักที่ 13) ต้องถูกต้อง กรุณาตรวจกับบัตรอีกครั้ง",
                   "A national ID has 13 digits and a valid check digit (the 13th); check it against the card.")

# The registry's villages.csv: one row per district, tambon and village (column `level`), so one
# file drives the whole cascade (choice_filter on level and the parent's code).
VILLAGE_CASCADE = [
    q("select_one_from_file villages.csv", "district", "อำเภอ", "District", required=True,
      choice_filter="level = 'district'"),
    q("select_one_from_file villages.csv", "tambon", "ตำบล", "Tambon (sub-district)", required=True,
      choice_filter="level = 'tambon' and district = ${district}"),
    q("select_one_from_file villages.csv", "village", "หมู่บ้าน", "Village", required=True,
      choice_filter="level = 'village' and tambon = ${tambon}"),
]


def otop_choices() -> list[dict]:
    """OTOP product types and sub-groups (the department's five types), from the registry's CSV copy."""
    with OTOP_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    types, subs = [], []
    for r in rows:
        if not any(t[0] == r["type_code"] for t in types):
            types.append((r["type_code"], r["type_th"], r["type_en"]))
        subs.append((r["subgroup_code"], r["subgroup_th"], r["subgroup_en"], r["type_code"]))
    return choices("otop_type", types) + choices("otop_subgroup", subs, otop_type=[])


# ============================================================================ 1. sg_assessment_21

# The six governance principles (DOMAIN.md); advice = the development action when a group fails one.
PRINCIPLES = [
    ("rule_of_law", "หลักนิติธรรม", "Rule of law",
     "สมาชิกร่วมกันทบทวนและปรับปรุงระเบียบกลุ่มให้ทันสมัย",
     "Members revise and update the group's rules together."),
    ("morality", "หลักคุณธรรม", "Morality and integrity",
     "กล่าวคุณธรรม ๕ ประการก่อนการประชุมทุกครั้ง",
     "Recite the five virtues before every meeting."),
    ("transparency", "หลักความโปร่งใส", "Transparency",
     "อบรมการทำบัญชีอย่างง่ายและงบการเงิน และให้คณะกรรมการตรวจสอบทำงานอย่างจริงจัง",
     "Simple bookkeeping and financial-statement training; an active audit committee."),
    ("participation", "หลักการมีส่วนร่วม", "Participation",
     "จัดการประชุมให้มีชีวิตชีวา ให้สมาชิกกล้าแสดงความคิดเห็นและร่วมตัดสินใจ",
     "Livelier meetings where members dare to speak and decide."),
    ("accountability", "หลักความรับผิดชอบ", "Accountability",
     "กำหนดเป้าหมายประจำปีเสนอต่อที่ประชุมใหญ่ และจัดระบบติดตามหนี้ค้างชำระที่ได้ผล",
     "Yearly goals presented at the annual general meeting; an effective arrears follow-up."),
    ("value", "หลักความคุ้มค่า", "Value for money",
     "อบรมการกู้ยืมอย่างรู้เท่าทัน (กู้จากกลุ่มเทียบกับแหล่งเงินกู้อื่น)",
     "Training on borrowing wisely (the group versus other lenders)."),
]

LEVELS = [  # best first; the last level is the floor
    ("3", "ระดับ 3 ดี", "Level 3 good", 75, "#1a7f37"),
    ("2", "ระดับ 2 ปานกลาง", "Level 2 fair", 50, "#b58100"),
    ("1", "ระดับ 1 ต้องพัฒนา", "Level 1 needs development", 0, "#c62828"),
]

# (number, principle, Thai, English, evidence labels 0..3 as (Thai, English)) for the 0-3 indicators.
SCALE_INDICATORS = [
    (1, "rule_of_law", "มีระเบียบกลุ่มเป็นลายลักษณ์อักษรที่ที่ประชุมใหญ่รับรอง",
     "Written group rules adopted by a general meeting",
     [("ไม่มีระเบียบเป็นลายลักษณ์อักษร", "No written rules"),
      ("มีร่างระเบียบ แต่ที่ประชุมใหญ่ยังไม่รับรอง", "Draft rules, not adopted by a general meeting"),
      ("ที่ประชุมใหญ่รับรองแล้ว แต่ไม่มีรายงานการประชุมบันทึกไว้", "Adopted, but no minutes record it"),
      ("ที่ประชุมใหญ่รับรอง มีรายงานการประชุม และสมาชิกได้รับสำเนา", "Adopted, recorded in minutes, members have a copy")]),
    (2, "rule_of_law", "ทบทวนระเบียบร่วมกับสมาชิกภายใน 3 ปีที่ผ่านมา",
     "Rules reviewed with members within the last 3 years",
     [("ไม่เคยทบทวน", "Never reviewed"),
      ("ทบทวนครั้งล่าสุดเกิน 3 ปีมาแล้ว", "Last reviewed more than 3 years ago"),
      ("ทบทวนภายใน 3 ปี โดยคณะกรรมการเท่านั้น", "Reviewed within 3 years by the committee only"),
      ("ทบทวนภายใน 3 ปี ร่วมกับสมาชิกในที่ประชุมใหญ่ มีบันทึก", "Reviewed within 3 years with members at a general "
                                                           "meeting, recorded")]),
    (3, "rule_of_law", "รับฝากเงินและให้กู้เฉพาะสมาชิก คิดดอกเบี้ยไม่เกินร้อยละ 15 ต่อปี",
     "Deposits and loans only with members; interest at most 15 % a year",
     [("รับฝากหรือให้กู้แก่บุคคลภายนอกเป็นประจำ", "Regularly deposits from or lends to non-members"),
      ("มีบางรายการกับบุคคลภายนอก", "Some transactions with non-members"),
      ("เฉพาะสมาชิก แต่ทะเบียนไม่แสดงให้เห็นชัดเจน", "Members only, but the registers do not show it clearly"),
      ("เฉพาะสมาชิก ทะเบียนแสดงชัดเจน", "Members only, clearly shown in the registers")]),
    (4, "rule_of_law", "อนุมัติเงินกู้ตามหลักเกณฑ์ที่เขียนไว้ เหมือนกันสำหรับสมาชิกทุกคน",
     "Loans approved by the same written criteria for every member",
     [("ไม่มีหลักเกณฑ์เป็นลายลักษณ์อักษร", "No written criteria"),
      ("มีหลักเกณฑ์ แต่ไม่ได้ใช้จริง", "Written criteria, not applied"),
      ("ใช้หลักเกณฑ์ แต่มีข้อยกเว้นบางราย", "Criteria applied with some exceptions"),
      ("ใช้หลักเกณฑ์เดียวกันทุกราย มีบันทึกการพิจารณา", "The same criteria for everyone; decisions recorded")]),
    (7, "morality", "ไม่มีเรื่องร้องเรียนความไม่สุจริตของคณะกรรมการในปีนี้",
     "No complaint of dishonesty against the committee this year",
     [("มีเรื่องร้องเรียนและพบความผิด", "A complaint was made and wrongdoing found"),
      ("มีเรื่องร้องเรียน ยังไม่ได้ข้อยุติ", "A complaint was made, not yet settled"),
      ("มีเรื่องร้องเรียน ตรวจสอบแล้วไม่พบความผิด", "A complaint was made, checked, no wrongdoing found"),
      ("ไม่มีเรื่องร้องเรียน", "No complaint")]),
    (8, "morality", "ปฏิบัติตามคุณธรรม ๕ ประการ (เช่น กล่าวคุณธรรมก่อนการประชุม)",
     "The five virtues are practised (e.g. recited before meetings)",
     [("ไม่มีการปฏิบัติ", "Not practised"),
      ("รู้จักคุณธรรม ๕ ประการ แต่ไม่ได้ปฏิบัติเป็นประจำ", "Known, not practised regularly"),
      ("กล่าวคุณธรรมในการประชุมบางครั้ง", "Recited at some meetings"),
      ("กล่าวคุณธรรมก่อนการประชุมทุกครั้ง และใช้ในการตัดสินใจ", "Recited before every meeting and used in decisions")]),
    (9, "transparency", "ทะเบียนครบถ้วนและเป็นปัจจุบัน (สมาชิก เงินสัจจะ ลูกหนี้ สมุดเงินสด)",
     "Registers complete and current (members, savings, debtors, cash book)",
     [("ไม่มีทะเบียน", "No registers"), ("มีบางทะเบียน", "Some registers"),
      ("มีครบ แต่ไม่เป็นปัจจุบัน", "All registers, not up to date"),
      ("มีครบและเป็นปัจจุบัน", "All registers, up to date")]),
    (10, "transparency", "รายงานรายรับ-รายจ่ายให้สมาชิกทราบทุกเดือน", "Income and expenses reported to members every month",
     [("ไม่มีการรายงาน", "Never reported"), ("รายงานปีละครั้ง", "Once a year"), ("รายงานบางเดือน", "Some months"),
      ("รายงานทุกเดือน (ในที่ประชุมหรือติดประกาศ)", "Every month (at a meeting or on the notice board)")]),
    (11, "transparency", "เสนองบดุลและงบกำไรขาดทุนต่อที่ประชุมใหญ่ประจำปี",
     "Balance sheet and profit-and-loss presented at the annual meeting",
     [("ไม่ได้จัดทำ", "Not prepared"), ("จัดทำแต่ไม่ได้เสนอที่ประชุมใหญ่", "Prepared, not presented"),
      ("เสนอที่ประชุมใหญ่ แต่ไม่ครบทั้งสองงบ", "Presented, but not both statements"),
      ("เสนอครบทั้งสองงบ และที่ประชุมใหญ่รับรอง", "Both presented and approved by the meeting")]),
    (12, "transparency", "คณะกรรมการตรวจสอบตรวจบัญชีอย่างน้อยเดือนละครั้ง และนำเงินฝากเข้าบัญชีของกลุ่ม",
     "The audit committee checks the books at least monthly; cash is banked in the group's account",
     [("ไม่มีคณะกรรมการตรวจสอบ เงินสดอยู่กับบุคคล", "No audit committee; cash kept by a person"),
      ("มีคณะกรรมการตรวจสอบ แต่ไม่ได้ตรวจ", "An audit committee that does not check"),
      ("ตรวจบางเดือน หรือเงินบางส่วนไม่ได้ฝากเข้าบัญชีกลุ่ม", "Checks some months, or some cash is not banked"),
      ("ตรวจทุกเดือน และฝากเงินเข้าบัญชีกลุ่มทุกครั้ง", "Checks every month; all cash banked")]),
    (14, "participation", "สมาชิกร่วมเสนอ วางแผน และตัดสินใจ รายงานการประชุมบันทึกมติ",
     "Members propose, plan and decide; minutes record resolutions",
     [("คณะกรรมการตัดสินใจเองทั้งหมด ไม่มีรายงานการประชุม", "The committee decides alone; no minutes"),
      ("สมาชิกรับฟังเท่านั้น", "Members only listen"),
      ("สมาชิกเสนอความเห็นบ้าง มีรายงานการประชุม", "Members propose sometimes; minutes kept"),
      ("สมาชิกร่วมเสนอและลงมติ รายงานการประชุมบันทึกมติชัดเจน", "Members propose and vote; minutes record resolutions")]),
    (15, "participation", "คณะกรรมการมาจากการเลือกตั้งของสมาชิก และเลือกใหม่ตามวาระ",
     "The committee is elected by members and renewed by term",
     [("ไม่มีการเลือกตั้ง", "No election"), ("เลือกตั้งครั้งแรกเท่านั้น ไม่มีวาระ", "Elected once, no term"),
      ("มีวาระ แต่ไม่เลือกใหม่เมื่อครบวาระ", "A term is set but not renewed"),
      ("สมาชิกเลือกตั้ง และเลือกใหม่เมื่อครบวาระ", "Elected by members and renewed every term")]),
    (16, "accountability", "คณะกรรมการประชุมทุกเดือนและทำหน้าที่ตามที่ระเบียบกำหนด",
     "The committee meets monthly and does the duties the rules set",
     [("ไม่มีการประชุม", "No meetings"), ("ประชุมไม่สม่ำเสมอ", "Irregular meetings"),
      ("ประชุมเกือบทุกเดือน", "Meets most months"),
      ("ประชุมทุกเดือน มีรายงาน ทำหน้าที่ครบ", "Meets every month, minutes kept, duties done")]),
    (17, "accountability", "มีแผนงานประจำปีพร้อมเป้าหมาย และรายงานผลต่อที่ประชุมใหญ่",
     "A yearly plan with goals, and results reported to the annual meeting",
     [("ไม่มีแผน", "No plan"), ("มีแผนแต่ไม่มีเป้าหมาย", "A plan without goals"),
      ("มีแผนและเป้าหมาย แต่ไม่ได้รายงานผล", "A plan with goals, results not reported"),
      ("มีแผนและเป้าหมาย รายงานผลต่อที่ประชุมใหญ่", "A plan with goals, results reported to the annual meeting")]),
    (18, "accountability", "ติดตามหนี้ค้างชำระอย่างเป็นระบบ", "Arrears are followed up with a working system",
     [("ไม่มีการติดตาม", "No follow-up"), ("ติดตามเป็นครั้งคราว", "Occasional follow-up"),
      ("มีระบบติดตาม แต่ยังได้ผลน้อย", "A system, with little effect"),
      ("มีระบบติดตามที่ได้ผล (ผู้ค้ำประกัน การเตือน แผนผ่อนชำระ)",
       "An effective system (guarantors, reminders, repayment plans)")]),
    (20, "value", "จัดสรรกำไรเป็นเงินปันผล เฉลี่ยคืน และสวัสดิการหรือสาธารณประโยชน์",
     "Profit shared as dividends and welfare or public benefit",
     [("ไม่มีการจัดสรรกำไร", "Profit not shared"), ("ปันผลเท่านั้น", "Dividends only"),
      ("ปันผลและสวัสดิการบางส่วน", "Dividends and some welfare"),
      ("ปันผล เฉลี่ยคืน สวัสดิการ และสาธารณประโยชน์ตามระเบียบ",
       "Dividends, rebates, welfare and public benefit as the rules set")]),
    (21, "value", "ใช้เงินกู้เพื่อการผลิตและสร้างรายได้ (ไม่ใช่เพื่อการบริโภค)",
     "Loans used for production and income (not consumption)",
     [("ส่วนใหญ่ใช้เพื่อการบริโภค", "Mostly for consumption"), ("เพื่อการผลิตไม่ถึงครึ่ง", "Less than half for production"),
      ("เพื่อการผลิตเกินครึ่ง", "More than half for production"),
      ("เกือบทั้งหมดเพื่อการผลิตและสร้างรายได้ มีการติดตามการใช้เงิน",
       "Nearly all for production and income; use followed up")]),
]


def _band(share: str, steps: tuple[int, int, int], lower_is_better: bool = False) -> str:
    """A calculate giving 3/2/1/0 points by where `share` (a percent) falls; '' when unknown."""
    a, b, c = steps
    op = "<=" if lower_is_better else ">="
    return (f"if({share} = '', '', if({share} {op} {a}, 3, if({share} {op} {b}, 2, "
            f"if({share} {op} {c}, 1, 0))))")


def _indicator_rows(n: int, principle: str) -> list[dict]:
    """The survey rows of indicator n (its questions; the scored row carries score_group)."""
    name = f"i{n:02d}"
    for num, grp, th, en, _labels in SCALE_INDICATORS:
        if num == n and n != 3:
            return [q(f"select_one {name}", name, f"{n}. {th}", f"{n}. {en}", required=True, score_group=grp)]
    if n == 3:
        _n, grp, th, en, _labels = next(i for i in SCALE_INDICATORS if i[0] == 3)
        return [
            q("select_one i03", "i03_practice", f"{n}. {th}", f"{n}. {en}", required=True),
            q("decimal", "interest_rate", "อัตราดอกเบี้ยเงินกู้ของกลุ่ม (ร้อยละต่อปี)", "The group's loan interest rate (% a year)",
              required=True, constraint=". >= 0 and . <= 100",
              msg=("ใส่ร้อยละ 0 ถึง 100", "Enter a percent from 0 to 100"),
              hint=("ดอกเบี้ยเกินร้อยละ 15 ต่อปี ตัวชี้วัดนี้ได้ 0 คะแนน", "A rate above 15 % a year scores 0 on this indicator")),
            q("calculate", name, f"{n}. {th}", f"{n}. {en}", score_group=grp, score_max=3,
              calc="if(${i03_practice} = '' or ${interest_rate} = '', '', if(${interest_rate} > 15, 0, "
                   "coalesce(instance('i03')/root/item[name = ${i03_practice}]/score, 0)))"),
        ]
    if n == 5:
        return [
            q("integer", "savers_all_year", f"{n}. จำนวนสมาชิกที่ออมเงินสัจจะครบทุกเดือนในปีนี้",
              f"{n}. Members who saved every month this year", required=True,
              constraint=". >= 0 and . <= ${members_total}",
              msg=("ต้องไม่เกินจำนวนสมาชิกทั้งหมด", "Cannot exceed the total members")),
            q("calculate", "savers_share", calc="if(${members_total} > 0 and ${savers_all_year} != '', "
                                                "round(${savers_all_year} div ${members_total} * 100, 2), '')"),
            q("calculate", name, f"{n}. สัดส่วนสมาชิกที่ออมครบทุกเดือน", f"{n}. Share of members who saved every month",
              score_group=principle, score_max=3, calc=_band("${savers_share}", (90, 75, 50))),
        ]
    if n == 6:
        return [
            q("decimal", "loans_overdue", f"{n}. ยอดเงินกู้ที่ค้างชำระเกินกำหนด (บาท)", f"{n}. Overdue loans (baht)",
              required=True, constraint=". >= 0 and . <= ${loans_outstanding}",
              msg=("ต้องไม่เกินยอดเงินกู้คงค้าง", "Cannot exceed the loans outstanding")),
            q("calculate", "overdue_share", calc="if(${loans_overdue} = '' or ${loans_outstanding} = '', '', "
                                                 "if(${loans_outstanding} > 0, round(${loans_overdue} div "
                                                 "${loans_outstanding} * 100, 2), 0))"),
            q("calculate", name, f"{n}. ผู้กู้ชำระคืนตามกำหนด", f"{n}. Borrowers repay on schedule",
              score_group=principle, score_max=3, calc=_band("${overdue_share}", (5, 10, 20), lower_is_better=True)),
        ]
    if n == 13:
        return [
            q("integer", "agm_present", f"{n}. จำนวนสมาชิกที่เข้าประชุมใหญ่สามัญประจำปีครั้งล่าสุด",
              f"{n}. Members at the last annual general meeting", required=True,
              constraint=". >= 0 and . <= ${members_total}",
              msg=("ต้องไม่เกินจำนวนสมาชิกทั้งหมด", "Cannot exceed the total members")),
            q("calculate", "agm_share", calc="if(${members_total} > 0 and ${agm_present} != '', "
                                             "round(${agm_present} div ${members_total} * 100, 2), '')"),
            q("calculate", name, f"{n}. สัดส่วนสมาชิกที่เข้าประชุมใหญ่", f"{n}. Share of members at the annual meeting",
              score_group=principle, score_max=3, calc=_band("${agm_share}", (80, 60, 40))),
        ]
    if n == 19:
        return [
            q("calculate", "lent_share", calc="if(${fund_total} = '' or ${loans_outstanding} = '', '', "
                                              "if(${fund_total} > 0, round(${loans_outstanding} div ${fund_total} "
                                              "* 100, 2), 0))"),
            q("calculate", name, f"{n}. เงินทุนถูกนำไปให้สมาชิกกู้ ไม่จมอยู่เฉย ๆ", f"{n}. The fund is lent out rather than idle",
              score_group=principle, score_max=3, calc=_band("${lent_share}", (70, 50, 30))),
            q("note", "lent_note", f"{n}. ให้กู้ไปแล้วร้อยละ ${{lent_share}} ของเงินทุนทั้งหมด",
              f"{n}. ${{lent_share}} % of the fund is lent out"),
        ]
    raise KeyError(n)


def _score_expr(n: int) -> tuple[str, str]:
    """(points, max) expressions of indicator n for the provisional summary at the end of the form."""
    name = f"i{n:02d}"
    if n in (3, 5, 6, 13, 19):
        return f"coalesce(${{{name}}}, 0)", "3"
    return (f"coalesce(instance('{name}')/root/item[name = ${{{name}}}]/score, 0)",
            f"max(instance('{name}')/root/item/score)")


def assessment() -> dict:
    survey = [
        q("begin group", "header", "ข้อมูลการประเมิน", "About this assessment"),
        q("note", "draft_note", "แบบประเมินนี้เป็นฉบับร่าง (ยังไม่ใช่แบบประเมินทางการของกรมการพัฒนาชุมชน)",
          "This assessment is a working draft, not the department's official instrument."),
        q("select_one_from_file groups.csv", "group", "กลุ่มออมทรัพย์เพื่อการผลิต", "Savings group for production",
          required=True, choice_filter="kind = 'savings'", appearance="autocomplete",
          hint=("รายชื่อกลุ่มที่อำเภอรับรองแล้วในอำเภอของท่าน", "Groups approved by the district office, in your district")),
        q("date", "assessed_on", "วันที่ประเมิน", "Assessment date", required=True, default="today()",
          constraint=". <= today()", msg=("วันที่ประเมินต้องไม่อยู่ในอนาคต", "The date cannot be in the future")),
        q("username", "assessor"),
        q("text", "assessor_name", "ผู้ประเมิน", "Assessor", required=True,
          hint=("ชื่อพัฒนากรผู้ประเมิน", "The officer's name")),
        q("integer", "members_total", "จำนวนสมาชิกทั้งหมดของกลุ่ม", "Total members of the group", required=True,
          constraint=". >= 1", msg=("ต้องมีสมาชิกอย่างน้อย 1 คน", "At least 1 member")),
        q("integer", "members_present", "จำนวนสมาชิกที่เข้าร่วมการประเมินครั้งนี้", "Members present at this meeting",
          required=True, constraint=". >= 0 and . <= ${members_total}",
          msg=("ต้องไม่เกินจำนวนสมาชิกทั้งหมด", "Cannot exceed the total members")),
        q("decimal", "fund_total", "เงินทุนทั้งหมดของกลุ่ม (บาท)", "The group's total fund (baht)", required=True,
          constraint=". >= 0", hint=("เงินสัจจะสะสม เงินฝาก และทุนอื่น ณ วันประเมิน", "Pledged savings, deposits and other "
                                                                              "capital on the day")),
        q("decimal", "loans_outstanding", "ยอดเงินกู้คงค้างทั้งหมด (บาท)", "Loans outstanding (baht)", required=True,
          constraint=". >= 0 and . <= ${fund_total}", msg=("ต้องไม่เกินเงินทุนทั้งหมด", "Cannot exceed the total fund")),
        q("geopoint", "meeting_place", "จุดที่ประชุม", "Meeting place", hint=("ไม่บังคับ", "Optional")),
        end(),
    ]
    numbers_by_principle: dict[str, list[int]] = {p[0]: [] for p in PRINCIPLES}
    all_numbers = sorted({i[0] for i in SCALE_INDICATORS} | {5, 6, 13, 19})
    principle_of = {i[0]: i[1] for i in SCALE_INDICATORS} | {5: "morality", 6: "morality", 13: "participation",
                                                               19: "value"}
    for n in all_numbers:
        numbers_by_principle[principle_of[n]].append(n)
    for pi, (key, th, en, _a, _b) in enumerate(PRINCIPLES, start=1):
        survey.append(q("begin group", f"p{pi}", f"หลักที่ {pi} {th}", f"Principle {pi}: {en}"))
        for n in numbers_by_principle[key]:
            survey.extend(_indicator_rows(n, key))
        survey.append(end())
    # Provisional result at the end: the same sums the scoring engine makes (the official result is
    # computed by the server and the meeting screen from the score_groups and levels sheets).
    survey.append(q("begin group", "summary", "ผลการประเมินเบื้องต้น", "Provisional result"))
    for key, _th, _en, _a, _b in PRINCIPLES:
        pts = " + ".join(_score_expr(n)[0] for n in numbers_by_principle[key])
        mx = " + ".join(_score_expr(n)[1] for n in numbers_by_principle[key])
        survey.append(q("calculate", f"score_{key}", calc=pts))
        survey.append(q("calculate", f"max_{key}", calc=mx))
    survey.append(q("calculate", "total_score", calc=" + ".join(f"${{score_{p[0]}}}" for p in PRINCIPLES)))
    survey.append(q("calculate", "total_max", calc=" + ".join(f"${{max_{p[0]}}}" for p in PRINCIPLES)))
    survey.append(q("calculate", "total_percent",
                    calc="if(${total_max} > 0, round(${total_score} div ${total_max} * 100, 2), 0)"))
    lv = LEVELS
    survey.append(q("calculate", "provisional_level",
                    calc=f"if(${{total_percent}} >= {lv[0][3]}, '{lv[0][1]}', if(${{total_percent}} >= {lv[1][3]}, "
                         f"'{lv[1][1]}', '{lv[2][1]}'))"))
    # No level before every indicator is answered: the note says how many are left instead.
    survey.append(q("calculate", "scored_left", calc=" + ".join(f"if(${{i{n:02d}}} = '', 1, 0)" for n in all_numbers)))
    survey.append(q("note", "left_note", "ยังตอบไม่ครบ: เหลือตัวชี้วัดที่ยังไม่ได้ตอบอีก ${scored_left} ข้อ จึงยังไม่แสดงระดับ",
                    "Not complete: ${scored_left} indicators are not answered yet, so no level is shown",
                    relevant="${scored_left} > 0"))
    lines_th = "\n".join(f"- {th}: ${{score_{key}}} / ${{max_{key}}}" for key, th, _e, _a, _b in PRINCIPLES)
    lines_en = "\n".join(f"- {en}: ${{score_{key}}} / ${{max_{key}}}" for key, _t, en, _a, _b in PRINCIPLES)
    survey.append(q("note", "result_note",
                    "คะแนนรวมเบื้องต้น ${total_score} / ${total_max} (ร้อยละ ${total_percent})\n"
                    "ระดับเบื้องต้น: ${provisional_level}\n" + lines_th,
                    "Provisional total ${total_score} / ${total_max} (${total_percent} %)\n"
                    "Provisional level: ${provisional_level}\n" + lines_en, relevant="${scored_left} = 0"))
    survey.append(q("note", "ready_note", "พร้อมแสดงผลให้กลุ่ม", "Ready to show the group", relevant="${scored_left} = 0"))
    survey.append(end())

    choice_rows = []
    for num, _g, _th, _en, labels in SCALE_INDICATORS:
        name = f"i{num:02d}"
        choice_rows += [{"list_name": name, "name": str(s), f"label::{TH}": th, f"label::{EN}": en, "score": str(s)}
                        for s, (th, en) in enumerate(labels)]
    return {
        "title": "แบบประเมินศักยภาพกลุ่มออมทรัพย์เพื่อการผลิตตามหลักธรรมาภิบาล (๒๑ ตัวชี้วัด) ฉบับร่าง",
        "version": "draft-2",
        "instance_name": "concat('ประเมิน ', ${group}, ' ', ${assessed_on})",
        "survey": survey,
        "choices": choice_rows,
        "score_groups": [{"name": key, f"label::{TH}": th, f"label::{EN}": en,
                          "max": 3 * len(numbers_by_principle[key]), "pass_mark": 60,
                          f"advice::{TH}": a_th, f"advice::{EN}": a_en}
                         for key, th, en, a_th, a_en in PRINCIPLES],
        "levels": [{"name": name, f"label::{TH}": th, f"label::{EN}": en, "min_percent": mn, "colour": colour}
                   for name, th, en, mn, colour in LEVELS],
    }


# ============================================================================ 2. hh_mapping

CONSENT = "${consent} = 'OK'"

SAVINGS_PLACES = [("cash", "เก็บเป็นเงินสด", "Cash at home"), ("bank", "ธนาคาร", "Bank"),
                  ("cooperative", "สหกรณ์", "Cooperative"), ("savings_group", "กลุ่มออมทรัพย์เพื่อการผลิต", "Savings group"),
                  ("community_fund", "กองทุนชุมชน", "Community fund"),
                  ("nsf", "กองทุนการออมแห่งชาติ (กอช.)", "National Savings Fund"), ("insurance", "ประกันชีวิต", "Insurance"),
                  ("gold", "ทองคำ", "Gold"), ("land", "ที่ดิน", "Land"), ("other", "อื่น ๆ", "Other")]
OCCUPATION_CATEGORIES = [("rice", "ทำนา", "Rice"), ("field_crops", "พืชไร่", "Field crops"),
                         ("orchard", "สวนผลไม้", "Orchard"), ("fishery", "ประมง", "Fishery"),
                         ("livestock", "เลี้ยงสัตว์", "Livestock"), ("trade", "ค้าขาย", "Trade"),
                         ("wage", "รับจ้าง", "Wage labour"), ("services", "บริการ", "Services"),
                         ("own_business", "ธุรกิจส่วนตัว", "Own business"),
                         ("processing", "แปรรูป/หัตถกรรม", "Processing / handicraft"), ("other", "อื่น ๆ", "Other")]
PROBLEMS = {
    "problems_production": [("no_distinctive", "ผลิตภัณฑ์ไม่มีเอกลักษณ์", "No distinctive product"),
                            ("uneven_quality", "คุณภาพไม่สม่ำเสมอ", "Uneven quality"),
                            ("copying", "ลอกเลียนแบบผู้อื่น", "Copying others")],
    "problems_management": [("no_bookkeeping", "ไม่ทำบัญชี", "No bookkeeping"),
                            ("no_costing", "ไม่คิดต้นทุน", "No costing"),
                            ("no_stock_control", "ไม่ควบคุมสต็อก", "No stock control")],
    "problems_marketing": [("no_market_knowledge", "ไม่รู้ตลาด", "No market knowledge"),
                           ("no_brand", "ไม่มีตราสินค้าหรือบรรจุภัณฑ์", "No brand or packaging"),
                           ("no_online", "ไม่มีช่องทางออนไลน์", "No online channel")],
}
TRAINING = [("design", "ออกแบบผลิตภัณฑ์และบรรจุภัณฑ์", "Product and packaging design"),
            ("storytelling", "การเล่าเรื่องและตราสินค้า", "Storytelling and brand"),
            ("costing", "การคิดต้นทุนและตั้งราคา", "Costing and pricing"),
            ("online", "การขายออนไลน์และถ่ายภาพสินค้า", "Online selling and product photos")]
POTENTIAL = [("1", "1 น้อยที่สุด", "1 lowest"), ("2", "2", "2"), ("3", "3", "3"), ("4", "4", "4"),
             ("5", "5 มากที่สุด", "5 highest")]


def _money(name: str, th: str, en: str, **kw) -> dict:
    return q("decimal", name, th, en, constraint=". >= 0", msg=("ต้องไม่ติดลบ", "Cannot be negative"), **kw)


def hh_mapping() -> dict:
    survey = [
        q("acknowledge", "consent", "ครัวเรือนรับทราบและยินยอมให้เก็บข้อมูลเพื่อวางแผนพัฒนาอาชีพ ตาม พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. ๒๕๖๒",
          "The household has been told and consents to the collection of its data for livelihood planning, under "
          "the Personal Data Protection Act 2019 (PDPA)", required=True,
          hint=("อ่านคำชี้แจงให้ครัวเรือนฟัง: ข้อมูลใช้เพื่อวางแผนพัฒนาอาชีพเท่านั้น เปิดเผยเฉพาะเจ้าหน้าที่ที่เกี่ยวข้อง ขอดูหรือลบได้",
                "Read the notice: the data serves livelihood planning only, is seen only by the officers concerned, "
                "and may be consulted or deleted on request")),
        q("begin group", "where", "ที่ตั้งครัวเรือน", "Where", relevant=CONSENT),
        # The profile's fiscal year is the survey date's (app/otop/store.py), not the day it synced.
        q("date", "surveyed_on", "วันที่สำรวจ", "Survey date", required=True, default="today()",
          constraint=". <= today()", msg=("ต้องไม่อยู่ในอนาคต", "Cannot be in the future")),
        *VILLAGE_CASCADE[:2],
        {**VILLAGE_CASCADE[2], "save_to": "village"},
        q("text", "house_no", "บ้านเลขที่", "House number", required=True, save_to="house_no"),
        q("geopoint", "location", "พิกัดบ้าน", "Location of the house"),
        end(),
        q("begin group", "who", "ข้อมูลครัวเรือน", "Household", relevant=CONSENT),
        q("text", "head_name", "ชื่อ-สกุลหัวหน้าครัวเรือน", "Household head's full name", required=True,
          save_to="head_name"),
        q("text", "national_id", "เลขประจำตัวประชาชนหัวหน้าครัวเรือน (13 หลัก)", "Household head's national ID (13 digits)",
          required=True, appearance="numbers", constraint=NATIONAL_ID_CONSTRAINT, msg=NATIONAL_ID_MSG,
          save_to="head_national_id"),
        q("integer", "members", "จำนวนสมาชิกในครัวเรือน (คน)", "Household members", required=True,
          constraint=". >= 1 and . <= 50", msg=("1 ถึง 50 คน", "From 1 to 50"), save_to="members"),
        q("integer", "members_working", "สมาชิกอายุ 15-59 ปีที่มีอาชีพ (คน)", "Members aged 15-59 with an occupation",
          required=True, constraint=". >= 0 and . <= ${members}", msg=("ต้องไม่เกินจำนวนสมาชิก", "Cannot exceed the members")),
        q("integer", "members_elderly", "สมาชิกอายุ 60 ปีขึ้นไป (คน)", "Members aged 60 and over", required=True,
          constraint=". >= 0 and . + ${members_working} <= ${members}",
          msg=("รวมกับสมาชิกวัยทำงานแล้วต้องไม่เกินจำนวนสมาชิก", "With the working-age members, cannot exceed the members")),
        end(),
        q("begin group", "kkcj", "โครงการแก้ไขปัญหาความยากจน (กข.คจ.)", "Poverty-alleviation village fund (KKCJ)",
          relevant=CONSENT),
        q("select_one yes_no", "kkcj_target", "เป็นครัวเรือนเป้าหมาย กข.คจ.", "A KKCJ target household", required=True,
          save_to="kkcj_target"),
        q("select_one yes_no", "kkcj_borrowed", "เคยยืมเงินทุน กข.คจ.", "Borrowed from the village fund", required=True),
        q("decimal", "loan_amount", "จำนวนเงินยืม (บาท)", "Amount borrowed (baht)", required=True,
          relevant="${kkcj_borrowed} = 'yes'", constraint=". > 0 and . <= 280000",
          msg=("มากกว่า 0 และไม่เกิน 280,000 บาท (ทุนของหมู่บ้าน)", "Above 0 and at most 280,000 baht (the village's fund)")),
        q("date", "loan_date", "วันที่ทำสัญญายืม", "Contract date", required=True, relevant="${kkcj_borrowed} = 'yes'",
          constraint=". <= today()", msg=("ต้องไม่อยู่ในอนาคต", "Cannot be in the future")),
        q("select_one occupation_category", "loan_occupation", "อาชีพที่นำเงินไปลงทุน", "Occupation invested in",
          required=True, relevant="${kkcj_borrowed} = 'yes'"),
        q("decimal", "loan_outstanding", "ยอดเงินยืมคงค้าง (บาท)", "Amount outstanding (baht)", required=True,
          relevant="${kkcj_borrowed} = 'yes'", constraint=". >= 0 and . <= ${loan_amount}",
          msg=("ต้องไม่เกินจำนวนเงินยืม", "Cannot exceed the amount borrowed")),
        q("select_one yes_no", "loan_default", "ผิดนัดชำระ", "In default", required=True,
          relevant="${kkcj_borrowed} = 'yes'"),
        end(),
        q("begin group", "money", "รายได้ รายจ่าย หนี้สิน และการออม (ต่อปี)", "Income, expenses, debts and savings (a year)",
          relevant=CONSENT),
        q("calculate", "income_threshold", calc="38000"),
        _money("income_main", "รายได้จากอาชีพหลัก (บาท/ปี)", "Income from the main occupation (baht a year)", required=True),
        _money("income_secondary", "รายได้จากอาชีพรอง (บาท/ปี)", "Income from secondary occupations (baht a year)",
               required=True),
        _money("income_other", "รายได้อื่น เช่น เงินช่วยเหลือ เงินส่งกลับ (บาท/ปี)",
               "Other income, e.g. allowances, remittances (baht a year)", required=True),
        _money("income_own_produce", "มูลค่าผลผลิตที่ผลิตใช้เอง (บาท/ปี)", "Own produce consumed, valued in baht (a year)",
               required=True),
        q("calculate", "income_total", calc="${income_main} + ${income_secondary} + ${income_other} + ${income_own_produce}"),
        q("calculate", "income_per_person", save_to="income_per_person",
          calc="if(${members} > 0, round(${income_total} div ${members}, 2), '')"),
        q("note", "income_note", "รายได้รวม ${income_total} บาท/ปี เฉลี่ย ${income_per_person} บาท/คน/ปี",
          "Total income ${income_total} baht a year, ${income_per_person} baht per person a year"),
        q("note", "below_threshold_note",
          "⚠ ต่ำกว่าเกณฑ์ความจำเป็นพื้นฐาน (จปฐ.) ${income_threshold} บาท/คน/ปี",
          "⚠ Below the basic-needs income threshold of ${income_threshold} baht per person a year",
          relevant="${income_per_person} != '' and ${income_per_person} < ${income_threshold}"),
        _money("exp_production", "รายจ่ายเพื่อการผลิต (บาท/ปี)", "Production costs (baht a year)", required=True),
        _money("exp_necessities", "รายจ่ายที่จำเป็นในครัวเรือน (บาท/ปี)", "Household necessities (baht a year)", required=True),
        _money("exp_nonessential", "รายจ่ายไม่จำเป็น: หวย การพนัน บุหรี่ สุรา (บาท/ปี)",
               "Non-essentials: lottery, gambling, tobacco, alcohol (baht a year)", required=True),
        _money("exp_debt", "ชำระหนี้ (บาท/ปี)", "Debt payments (baht a year)", required=True),
        q("calculate", "expense_total", calc="${exp_production} + ${exp_necessities} + ${exp_nonessential} + ${exp_debt}"),
        q("calculate", "balance", calc="${income_total} - ${expense_total}"),
        q("note", "balance_note", "รายจ่ายรวม ${expense_total} บาท/ปี คงเหลือ ${balance} บาท/ปี",
          "Total expenses ${expense_total} baht a year; balance ${balance} baht a year"),
        _money("debt_formal", "หนี้สินในระบบ เช่น ธ.ก.ส. ธนาคาร สหกรณ์ (บาท)", "Debts to formal lenders (bank, BAAC, "
                                                                        "cooperative) (baht)", required=True),
        _money("debt_community", "หนี้สินกองทุนชุมชน เช่น กองทุนหมู่บ้าน กลุ่มออมทรัพย์ (บาท)", "Debts to community funds (baht)",
               required=True),
        _money("debt_informal", "หนี้สินนอกระบบ (บาท)", "Debts to informal lenders (baht)", required=True),
        q("calculate", "debt_total", calc="${debt_formal} + ${debt_community} + ${debt_informal}"),
        q("select_multiple savings_place", "saves_in", "ครัวเรือนออมเงินที่ใดบ้าง", "Where the household saves",
          required=True),
        q("text", "saves_in_other", "ออมที่อื่น ระบุ", "Other place, specify", required=True,
          relevant="selected(${saves_in}, 'other')"),
        end(),
        q("begin repeat", "occupation", "อาชีพของครัวเรือน (หนึ่งรายการต่ออาชีพ)", "Occupations (one per occupation)",
          relevant=CONSENT),
        q("select_one occupation_category", "occ_category", "ประเภทอาชีพ", "Kind of occupation", required=True),
        q("text", "occ_product", "ผลผลิต/ผลิตภัณฑ์", "Product", required=True),
        q("select_one otop_type", "occ_otop_type", "ประเภทผลิตภัณฑ์ OTOP", "OTOP product type"),
        q("select_one otop_subgroup", "occ_otop_subgroup", "กลุ่มย่อยผลิตภัณฑ์ OTOP", "OTOP sub-group",
          relevant="${occ_otop_type} != ''", required=True, choice_filter="otop_type = ${occ_otop_type}"),
        _money("occ_income", "รายได้จากอาชีพนี้ (บาท/ปี)", "Income from it (baht a year)", required=True),
        *[q(f"select_multiple {key}", f"occ_{key}", th, en) for key, th, en in [
            ("problems_production", "ปัญหาด้านการผลิต", "Problems in production"),
            ("problems_management", "ปัญหาด้านการบริหารจัดการ", "Problems in management"),
            ("problems_marketing", "ปัญหาด้านการตลาด", "Problems in marketing")]],
        q("select_one potential", "occ_potential", "ศักยภาพของอาชีพนี้ (1-5)", "Potential of this occupation (1-5)",
          required=True, appearance="horizontal"),
        q("image", "occ_photo", "ภาพผลิตภัณฑ์", "Photo of the product"),
        end("repeat"),
        q("begin group", "interest", "ความสนใจ", "Interest", relevant=CONSENT),
        q("select_one yes_no", "join_group", "สนใจเข้าร่วมหรือจัดตั้งกลุ่มอาชีพ", "Would join or form an occupational group",
          required=True),
        q("select_one yes_no", "otop_register", "สนใจขึ้นทะเบียนผู้ผลิตผู้ประกอบการ OTOP", "Would register as an OTOP producer",
          required=True),
        q("select_multiple training", "training_wanted", "ต้องการอบรมเรื่องใด", "Training wanted"),
        end(),
    ]
    choice_rows = (choices("yes_no", YES_NO) + choices("savings_place", SAVINGS_PLACES)
                   + choices("occupation_category", OCCUPATION_CATEGORIES) + otop_choices()
                   + [r for key, rows in PROBLEMS.items() for r in choices(key, rows)]
                   + choices("potential", POTENTIAL) + choices("training", TRAINING))
    return {
        "title": "แบบสำรวจข้อมูลครัวเรือน กข.คจ. (Mapping & Profiling)",
        "version": "2026120201",
        "instance_name": "concat(${house_no}, ' ', ${head_name})",
        "survey": survey,
        "choices": choice_rows,
        "entities": [{"list_name": "households", "label": "concat(${head_name}, ' บ้านเลขที่ ', ${house_no})"}],
        "star_weights": STAR_WEIGHTS,
    }


# The "star occupation" rule of the profile page (app/otop/rules.star_scores): each factor is scaled to
# 0..1 within the district, and the score is their weighted average x 100. Staff change the weights
# in the workbook's `star_weights` sheet (a weight of 0 leaves a factor out); no code change.
STAR_WEIGHTS = [
    {"factor": "households", "weight": 3, f"label::{TH}": "จำนวนครัวเรือนที่ประกอบอาชีพนี้ (เทียบกับอาชีพที่มากที่สุด)",
     f"label::{EN}": "Households in this occupation (against the most common one)"},
    {"factor": "potential", "weight": 3, f"label::{TH}": "ศักยภาพเฉลี่ย (เต็ม 5)",
     f"label::{EN}": "Average potential (out of 5)"},
    {"factor": "income_share", "weight": 2, f"label::{TH}": "สัดส่วนรายได้จากอาชีพนี้ในรายได้จากทุกอาชีพ",
     f"label::{EN}": "Share of this occupation in the income of all occupations"},
    {"factor": "interest", "weight": 2, f"label::{TH}": "สัดส่วนครัวเรือนที่สนใจรวมกลุ่มอาชีพ",
     f"label::{EN}": "Share of its households who would join an occupational group"},
]


# ============================================================================ 3. group_registration

SAVINGS = "${group_kind} = 'savings'"
OCCUPATIONAL = "${group_kind} = 'occupational'"
ROLES = [("none", "ไม่มีตำแหน่ง", "None"), ("president", "ประธาน", "President"),
         ("vice_president", "รองประธาน", "Vice-president"), ("secretary", "เลขานุการ", "Secretary"),
         ("treasurer", "เหรัญญิก", "Treasurer"), ("committee", "กรรมการ", "Member of the committee")]
DOCUMENTS = [("member_list", "บัญชีรายชื่อสมาชิกและคณะกรรมการ", "Member and committee list"),
             ("rules", "ระเบียบกลุ่ม", "Rules"), ("plan", "แผนการดำเนินงาน", "Activity plan"),
             ("minutes", "รายงานการประชุมจัดตั้ง", "Minutes of the founding meeting"),
             ("president_id", "สำเนาบัตรประชาชนประธาน", "President's ID card copy"),
             ("president_house", "สำเนาทะเบียนบ้านประธาน", "President's house registration copy"),
             ("photos", "ภาพถ่าย (ที่ทำการ การประชุม ผลิตภัณฑ์)", "Photos (office, meeting, products)")]


def _role_count(role: str) -> str:
    return f"count(${{member}}[m_role = '{role}'])"


def group_registration() -> dict:
    survey = [
        q("select_one group_kind", "group_kind", "ประเภทกลุ่มที่ขอขึ้นทะเบียน", "Kind of group", required=True,
          save_to="kind"),
        q("begin group", "about", "ข้อมูลกลุ่ม", "The group"),
        q("text", "group_name", "ชื่อกลุ่ม", "Group name", required=True, save_to="group_name",
          constraint="${group_kind} != 'occupational' or starts-with(., 'กลุ่มอาชีพ')",
          msg=("ชื่อกลุ่มอาชีพต้องขึ้นต้นด้วย \"กลุ่มอาชีพ\"", "An occupational group's name must start with \"กลุ่มอาชีพ\"")),
        q("text", "occupation", "อาชีพ/ผลิตภัณฑ์ของกลุ่ม", "Occupation or product", required=True, relevant=OCCUPATIONAL),
        q("select_one otop_type", "otop_type", "ประเภทผลิตภัณฑ์ OTOP", "OTOP product type", relevant=OCCUPATIONAL),
        q("select_one otop_subgroup", "otop_subgroup", "กลุ่มย่อยผลิตภัณฑ์ OTOP", "OTOP sub-group", required=True,
          relevant="${otop_type} != ''", choice_filter="otop_type = ${otop_type}"),
        q("text", "objectives", "วัตถุประสงค์ของกลุ่ม", "Objectives", required=True, appearance="multiline"),
        # Filled when the registration starts from a candidate group of the household profile (/otop/candidates):
        # the group's development path remembers where it came from (app/otop/store.py).
        q("text", "candidate_ref", "กลุ่มที่เสนอจากการสำรวจครัวเรือน: ${candidate_ref}",
          "Candidate group from the household mapping: ${candidate_ref}",
          read_only=True, relevant=f"{OCCUPATIONAL} and ${{candidate_ref}} != ''", save_to="candidate",
          hint=("กรอกให้อัตโนมัติเมื่อเริ่มจากหน้ากลุ่มที่เสนอ", "Filled in when started from a candidate group")),
        *VILLAGE_CASCADE[:2],
        {**VILLAGE_CASCADE[2], "save_to": "village"},
        q("text", "address", "ที่ตั้งที่ทำการกลุ่ม", "Address of the group's office", required=True),
        q("geopoint", "location", "พิกัดที่ทำการกลุ่ม", "Location of the office"),
        q("date", "founded_on", "วันที่ประชุมจัดตั้งกลุ่ม", "Founding meeting date", required=True,
          constraint=". <= today()", msg=("ต้องไม่อยู่ในอนาคต", "Cannot be in the future"), save_to="founded_on"),
        q("image", "minutes_photo", "ภาพรายงานการประชุมจัดตั้ง", "Photo of the founding meeting's minutes", required=True),
        end(),
        q("begin repeat", "member", "สมาชิก (หนึ่งรายการต่อคน)", "Members (one per person)"),
        q("text", "m_name", "ชื่อ-สกุล", "Full name", required=True),
        q("text", "m_national_id", "เลขประจำตัวประชาชน (13 หลัก)", "National ID (13 digits)", required=True,
          appearance="numbers", constraint=NATIONAL_ID_CONSTRAINT, msg=NATIONAL_ID_MSG),
        q("date", "m_birth_date", "วันเกิด", "Date of birth", required=True, constraint=". <= today()",
          msg=("ต้องไม่อยู่ในอนาคต", "Cannot be in the future")),
        q("calculate", "m_age",
          calc="if(${m_birth_date} = '', '', int((decimal-date-time(today()) - decimal-date-time(${m_birth_date})) "
               "div 365.25))"),
        q("select_one yes_no", "m_thai", "มีสัญชาติไทย", "Thai nationality", required=True, constraint=". = 'yes'",
          msg=("สมาชิกต้องมีสัญชาติไทย", "Members must be Thai nationals")),
        q("select_one yes_no", "m_domiciled", "มีภูมิลำเนาในพื้นที่ของกลุ่ม", "Domiciled in the group's area", required=True,
          constraint=". = 'yes'", msg=("สมาชิกต้องมีภูมิลำเนาในพื้นที่", "Members must be domiciled in the area")),
        q("text", "m_occupation", "อาชีพ", "Occupation", required=True),
        q("select_one committee_role", "m_role", "ตำแหน่งในคณะกรรมการ", "Committee role", required=True, default="none",
          constraint=". != 'president' or count(../../member[m_role = 'president']) <= 1",
          msg=("มีประธานได้คนเดียว", "There can be only one president")),
        q("decimal", "m_pledge", "เงินสัจจะสะสมต่อเดือน (บาท)", "Monthly pledged saving (baht)", required=True,
          relevant=SAVINGS, constraint=". > 0", msg=("ต้องมากกว่า 0", "Must be above 0")),
        q("image", "m_consent_photo", "ภาพหนังสือยินยอมของผู้ปกครอง (สมาชิกอายุต่ำกว่า 20 ปี)",
          "Photo of the parental consent (member under 20)", required=True, relevant="${m_age} != '' and ${m_age} < 20"),
        end("repeat"),
        q("begin group", "committee", "คณะกรรมการ", "Committee"),
        q("calculate", "member_count", calc="count(${member})"),
        q("calculate", "n_president", calc=_role_count("president")),
        q("calculate", "n_secretary", calc=_role_count("secretary")),
        q("calculate", "n_treasurer", calc=_role_count("treasurer")),
        q("note", "committee_note", "สมาชิก ${member_count} คน ประธาน ${n_president} เลขานุการ ${n_secretary} "
                                    "เหรัญญิก ${n_treasurer}",
          "${member_count} members; president ${n_president}, secretary ${n_secretary}, treasurer ${n_treasurer}"),
        q("acknowledge", "members_checked", "ตรวจแล้ว จำนวนสมาชิกครบตามเกณฑ์", "Checked: enough members", required=True,
          constraint="${group_kind} != 'occupational' or ${member_count} >= 5",
          msg=("กลุ่มอาชีพต้องมีสมาชิกอย่างน้อย 5 คน", "An occupational group needs at least 5 members")),
        q("acknowledge", "committee_checked", "ตรวจแล้ว คณะกรรมการครบตามเกณฑ์", "Checked: the committee is complete",
          required=True, constraint="${n_president} = 1 and ${n_secretary} >= 1 and ${n_treasurer} >= 1",
          msg=("ต้องมีประธาน 1 คนพอดี เลขานุการอย่างน้อย 1 คน และเหรัญญิกอย่างน้อย 1 คน",
               "Exactly one president, at least one secretary and at least one treasurer")),
        q("integer", "term_years", "วาระของคณะกรรมการ (ปี)", "Committee term (years)", required=True,
          constraint=". >= 1 and . <= 5", msg=("1 ถึง 5 ปี", "From 1 to 5 years")),
        end(),
        q("begin group", "savings", "เฉพาะกลุ่มออมทรัพย์เพื่อการผลิต", "Savings group only", relevant=SAVINGS),
        q("integer", "saving_day", "วันที่ฝากเงินสัจจะของทุกเดือน (1-31)", "Saving day of the month (1-31)", required=True,
          constraint=". >= 1 and . <= 31", msg=("1 ถึง 31", "From 1 to 31")),
        q("calculate", "first_saving_total", calc="sum(${m_pledge})"),
        q("note", "first_saving_note", "เงินสัจจะงวดแรกรวม ${first_saving_total} บาท",
          "First saving, all members: ${first_saving_total} baht"),
        end(),
        q("begin group", "rules_plan", "ระเบียบและแผนงาน", "Rules and plan"),
        q("image", "rules_photo", "ภาพระเบียบกลุ่ม", "Photo of the written rules", required=True),
        end(),
        q("begin repeat", "activity", "แผนการดำเนินงาน (หนึ่งรายการต่อกิจกรรม)", "Activity plan (one per activity)"),
        q("text", "act_name", "กิจกรรม", "Activity", required=True),
        q("text", "act_period", "ช่วงเวลา", "Period", required=True),
        q("decimal", "act_budget", "งบประมาณ (บาท)", "Budget (baht)", required=True, constraint=". >= 0",
          msg=("ต้องไม่ติดลบ", "Cannot be negative")),
        end("repeat"),
        q("begin group", "documents", "เอกสารและภาพถ่าย", "Documents and photos"),
        q("select_multiple document", "documents_checklist", "เอกสารที่แนบครบ", "Documents attached", required=True),
        q("image", "photo_office", "ภาพที่ทำการกลุ่ม", "Photo of the office"),
        q("image", "photo_meeting", "ภาพการประชุม", "Photo of the meeting", required=True),
        q("image", "photo_products", "ภาพผลิตภัณฑ์", "Photo of the products", relevant=OCCUPATIONAL),
        q("image", "president_id_card", "สำเนาบัตรประชาชนประธาน", "Copy of the president's ID card", required=True),
        q("image", "president_house_reg", "สำเนาทะเบียนบ้านประธาน", "Copy of the president's house registration",
          required=True),
        end(),
    ]
    choice_rows = (choices("group_kind", [("occupational", "กลุ่มอาชีพ", "Occupational group"),
                                          ("savings", "กลุ่มออมทรัพย์เพื่อการผลิต", "Savings group for production")])
                   + otop_choices() + choices("yes_no", YES_NO) + choices("committee_role", ROLES)
                   + choices("document", DOCUMENTS))
    return {
        "title": "แบบขึ้นทะเบียนกลุ่มอาชีพ / กลุ่มออมทรัพย์เพื่อการผลิต",
        "version": "2026120201",
        "instance_name": "${group_name}",
        "survey": survey,
        "choices": choice_rows,
        "entities": [{"list_name": "groups", "label": "${group_name}"}],
    }


# ============================================================================ 4. group_followup

# The development path of an occupational group after its registration (the OTOP proposal): each "yes"
# sets the stage's date on the group's path (app/otop/store.py); the district may also set it on the
# group's page. The proposal's three indicators and their targets are the `indicators` sheet.
ONLINE_CHANNELS = [("facebook", "เฟซบุ๊ก", "Facebook"), ("line", "ไลน์ (LINE)", "LINE"),
                   ("shopee", "ช้อปปี้", "Shopee"), ("lazada", "ลาซาด้า", "Lazada"), ("tiktok", "ติ๊กต็อก", "TikTok"),
                   ("website", "เว็บไซต์ของกลุ่ม", "The group's website"), ("other", "อื่น ๆ", "Other")]
FOLLOWUP_INDICATORS = [  # stage reached, out of groups at stage `of`, target percent (the proposal's)
    {"name": "product_developed", "of": "registered", "target_percent": 80,
     f"label::{TH}": "กลุ่มที่เข้าร่วมพัฒนาผลิตภัณฑ์ใหม่หรือปรับปรุงผลิตภัณฑ์",
     f"label::{EN}": "Participating groups with a new or improved product"},
    {"name": "otop_registered", "of": "registered", "target_percent": 50,
     f"label::{TH}": "กลุ่มที่เข้าร่วมขึ้นทะเบียนเป็นผู้ผลิตผู้ประกอบการ OTOP",
     f"label::{EN}": "Participating groups registered as OTOP producers"},
    {"name": "selling_online", "of": "otop_registered", "target_percent": 60,
     f"label::{TH}": "กลุ่ม OTOP ที่ขายสินค้าออนไลน์", f"label::{EN}": "OTOP groups selling online"},
]


def _stage(name: str, th: str, en: str, date_th: str, date_en: str, *extra: dict) -> list[dict]:
    return [q("select_one yes_no", name, th, en, required=True),
            q("date", f"{name}_on", date_th, date_en, required=True, relevant=f"${{{name}}} = 'yes'",
              constraint=". <= today()", msg=("ต้องไม่อยู่ในอนาคต", "Cannot be in the future")),
            *extra]


def group_followup() -> dict:
    survey = [
        q("select_one_from_file groups.csv", "group", "กลุ่มอาชีพ", "Occupational group", required=True,
          choice_filter="kind = 'occupational'",
          hint=("กลุ่มอาชีพที่อำเภอรับรองแล้วในอำเภอของท่าน", "Occupational groups approved by your district office")),
        q("date", "followed_on", "วันที่ติดตาม", "Follow-up date", required=True, default="today()",
          constraint=". <= today()", msg=("ต้องไม่อยู่ในอนาคต", "Cannot be in the future")),
        *_stage("product_developed", "กลุ่มพัฒนาผลิตภัณฑ์ใหม่หรือปรับปรุงผลิตภัณฑ์แล้ว", "The group has a new or improved product",
                "วันที่พัฒนาผลิตภัณฑ์สำเร็จ", "Date the product was ready",
                q("text", "product_name", "ผลิตภัณฑ์ที่พัฒนา", "The product", required=True,
                  relevant="${product_developed} = 'yes'")),
        *_stage("otop_registered", "กลุ่มขึ้นทะเบียนเป็นผู้ผลิตผู้ประกอบการ OTOP แล้ว", "The group is registered as an OTOP producer",
                "วันที่ขึ้นทะเบียน OTOP", "Date of the OTOP registration",
                q("text", "otop_registration_no", "เลขทะเบียนผู้ผลิตผู้ประกอบการ OTOP", "OTOP registration number",
                  relevant="${otop_registered} = 'yes'")),
        *_stage("selling_online", "กลุ่มขายสินค้าออนไลน์แล้ว", "The group sells online",
                "วันที่เริ่มขายออนไลน์", "Date online selling began",
                q("select_multiple online_channel", "online_channels", "ช่องทางออนไลน์", "Online channels", required=True,
                  relevant="${selling_online} = 'yes'")),
        q("text", "followup_note", "บันทึกเพิ่มเติม", "Notes", appearance="multiline"),
    ]
    return {
        "title": "แบบติดตามเส้นทางพัฒนากลุ่มอาชีพสู่ OTOP",
        "version": "2026120201",
        "instance_name": "concat('ติดตาม ', ${group}, ' ', ${followed_on})",
        "survey": survey,
        "choices": choices("yes_no", YES_NO) + choices("online_channel", ONLINE_CHANNELS),
        "indicators": FOLLOWUP_INDICATORS,
    }


# ============================================================================ 5. sg_monthly_status

# The group's monthly financial status (แบบรายงานสถานะเงินกลุ่ม), due by the 20th of the following month.
# Its figures land in the typed table monthly_reports (app/reports/monthly.py reads the questions by
# these names); one report per group and month: changing a sent report is an edit (deprecatedID).
ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"]
REPORT_MONTH = ("if(${report_year} = '' or ${report_month_no} = '', '', concat(${report_year} - 543, '-', "
                "if(${report_month_no} < 10, concat('0', ${report_month_no}), ${report_month_no}), '-01'))")


def _count(name: str, th: str, en: str, **kw) -> dict:
    return q("integer", name, th, en, required=True, constraint=kw.pop("constraint", ". >= 0"),
             msg=kw.pop("msg", ("ต้องไม่ติดลบ", "Cannot be negative")), **kw)


def sg_monthly_status() -> dict:
    from app.periods import THAI_MONTHS

    survey = [
        q("note", "due_note", "รายงานของเดือนใดส่งภายในวันที่ 20 ของเดือนถัดไป รายงานกลุ่มละหนึ่งฉบับต่อเดือน "
                              "หากต้องแก้ไขให้แก้ไขฉบับที่ส่งแล้ว",
          "A month's report is due by the 20th of the following month: one report per group and month; "
          "to change a report that was sent, correct it (do not send a second one)."),
        q("select_one_from_file groups.csv", "group", "กลุ่มออมทรัพย์เพื่อการผลิต", "Savings group for production",
          required=True, choice_filter="kind = 'savings'"),
        q("integer", "report_year", "ปี พ.ศ. ของเดือนที่รายงาน", "Year (Buddhist Era) of the month reported",
          required=True, default="int(format-date(today(), '%Y')) + 543", constraint=". >= 2500 and . <= 2700",
          msg=("ใส่ปี พ.ศ. เช่น 2567", "Enter the Buddhist-Era year, e.g. 2567 (= 2024)")),
        q("select_one month", "report_month_no", "เดือนที่รายงาน", "Month reported", required=True,
          constraint="${report_month} = '' or date(${report_month}) <= today()",
          msg=("เดือนที่รายงานต้องไม่อยู่ในอนาคต", "The month reported cannot be in the future")),
        q("calculate", "report_month", calc=REPORT_MONTH),
        q("begin group", "members_group", "สมาชิก", "Members"),
        _count("members_end", "จำนวนสมาชิก ณ สิ้นเดือน (คน)", "Members at the end of the month"),
        _count("new_members", "สมาชิกใหม่ในเดือนนี้ (คน)", "New members this month"),
        _count("left_members", "สมาชิกที่ลาออกหรือพ้นสภาพในเดือนนี้ (คน)", "Members who left this month"),
        end(),
        q("begin group", "money", "การเงินของกลุ่ม ณ สิ้นเดือน", "The group's money at the end of the month"),
        q("decimal", "savings_balance", "เงินสัจจะสะสม (บาท)", "Pledged savings balance (baht)", required=True,
          constraint=". >= 0", msg=("ต้องไม่ติดลบ", "Cannot be negative")),
        q("decimal", "special_savings", "เงินฝากสัจจะพิเศษ (บาท)", "Special savings (baht)", required=True,
          constraint=". >= 0", msg=("ต้องไม่ติดลบ", "Cannot be negative")),
        q("decimal", "loans_outstanding", "เงินให้กู้คงค้าง (บาท)", "Loans outstanding (baht)", required=True,
          constraint=". >= 0", msg=("ต้องไม่ติดลบ", "Cannot be negative")),
        _count("borrowers", "จำนวนสมาชิกผู้กู้ (คน)", "Borrowers (members with a loan)",
               constraint=". >= 0 and . <= ${members_end}",
               msg=("ต้องไม่ติดลบและไม่เกินจำนวนสมาชิก", "Cannot be negative or more than the members")),
        q("decimal", "loans_overdue", "เงินกู้ค้างชำระเกินกำหนด (บาท)", "Overdue loans (baht)", required=True,
          constraint=". >= 0 and . <= ${loans_outstanding}",
          msg=("ต้องไม่ติดลบและไม่เกินเงินให้กู้คงค้าง", "Cannot be negative or more than the loans outstanding")),
        end(),
        q("begin group", "meeting", "การประชุมประจำเดือน", "Monthly meeting"),
        q("select_one yes_no", "meeting_held", "เดือนนี้กลุ่มประชุมหรือไม่", "Did the group meet this month?", required=True),
        q("date", "meeting_date", "วันที่ประชุม", "Meeting date", required=True, relevant="${meeting_held} = 'yes'",
          constraint=". <= today() and (${report_month} = '' or format-date(., '%Y-%m') = substr(${report_month}, 0, 7))",
          msg=("วันที่ประชุมต้องอยู่ในเดือนที่รายงานและไม่อยู่ในอนาคต",
               "The meeting date must be in the month reported and not in the future")),
        end(),
        q("text", "reporter_name", "ผู้รายงาน", "Reported by", required=True,
          hint=("เหรัญญิกหรือพัฒนากรผู้รับรายงาน", "The treasurer or the officer taking the report")),
    ]
    months = [(str(i), THAI_MONTHS[i - 1], ENGLISH_MONTHS[i - 1]) for i in range(1, 13)]
    return {
        "title": "รายงานสถานะเงินกลุ่มออมทรัพย์เพื่อการผลิตประจำเดือน",
        "version": "2026120101",
        "instance_name": "concat('รายงาน ', ${group}, ' ', ${report_month})",
        "survey": survey,
        "choices": choices("month", months) + choices("yes_no", YES_NO),
    }


FORMS = {"sg_assessment_21": assessment, "hh_mapping": hh_mapping, "group_registration": group_registration,
         "group_followup": group_followup, "sg_monthly_status": sg_monthly_status}


# ============================================================================ writing

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _sheet(wb: Workbook, title: str, rows: list[dict], columns: list[str] | None = None) -> None:
    ws = wb.create_sheet(title)
    used = [c for c in (columns or []) if any(r.get(c) not in (None, "") for r in rows)]
    for r in rows:
        for k in r:
            if k not in used and r.get(k) not in (None, ""):
                used.append(k)
    ws.append(used)
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for r in rows:
        ws.append([r.get(c, "") if r.get(c, "") != "" else None for c in used])
    ws.freeze_panes = "C2" if title == "survey" else "A2"
    for i, col in enumerate(used, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = 48 if col.startswith(("label", "hint", "advice", "constraint_message",
                                                                   "calculation", "constraint")) else 16


def write_workbook(form_id: str, spec: dict, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "survey", spec["survey"], SURVEY_COLUMNS)
    _sheet(wb, "choices", spec["choices"], ["list_name", "name", f"label::{TH}", f"label::{EN}", "score"])
    for extra in ("score_groups", "levels", "entities", "star_weights", "indicators"):
        if spec.get(extra):
            _sheet(wb, extra, spec[extra])
    settings = {"form_id": form_id, "version": spec["version"], "form_title": spec["title"],
                "default_language": TH, "instance_name": spec.get("instance_name", "")}
    _sheet(wb, "settings", [settings], list(settings))
    wb.save(path)


def main() -> None:
    for form_id, build in FORMS.items():
        path = HERE / f"{form_id}.xlsx"
        write_workbook(form_id, build(), path)
        print(f"wrote {path.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
