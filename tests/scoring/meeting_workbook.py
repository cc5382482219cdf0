"""A small scored workbook for the score-table and meeting-screen tests: a group (select_one), an
assessment date, five indicators in three score groups (one a calculate), two levels.

Pages (top-level groups): header, rule of law (i01, i02), money (i03, rate -> i04), meetings (i05).
Maximum 3+3+3+3+2 = 14."""
from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

from app.models import FormVersion
from tests.forms.openrosa_helpers import root_name
from tests.xlsform.xlsx_builder import make_xlsx

TH, EN = "label::Thai (th)", "label::English (en)"
FORM_ID = "sg_meeting_test"

SURVEY = [
    ["type", "name", TH, EN, "required", "score_group", "calculation", "score_max"],
    ["begin group", "head", "ข้อมูลกลุ่ม", "The group", "", "", "", ""],
    ["select_one groups", "group", "กลุ่มที่ประเมิน", "Group assessed", "yes", "", "", ""],
    ["date", "assessed_on", "วันที่ประเมิน", "Assessment date", "yes", "", "", ""],
    ["end group", "", "", "", "", "", "", ""],
    ["begin group", "p_law", "หลักนิติธรรม", "Rule of law", "", "", "", ""],
    ["select_one lv03", "i01", "มีระเบียบกลุ่มเป็นลายลักษณ์อักษร", "Written group rules", "yes", "law", "", ""],
    ["select_one lv03", "i02", "ทบทวนระเบียบกับสมาชิก", "Rules reviewed with members", "yes", "law", "", ""],
    ["end group", "", "", "", "", "", "", ""],
    ["begin group", "p_money", "หลักความโปร่งใส", "Transparency", "", "", "", ""],
    ["select_one lv03", "i03", "บัญชีเป็นปัจจุบัน", "Books up to date", "yes", "money", "", ""],
    ["decimal", "rate", "อัตราดอกเบี้ยร้อยละต่อปี", "Interest rate % a year", "yes", "", "", ""],
    ["calculate", "i04", "ดอกเบี้ยไม่เกินร้อยละ 15", "Interest at most 15 %", "", "money",
     "if(${rate} > 15, 0, 3)", 3],
    ["end group", "", "", "", "", "", "", ""],
    ["begin group", "p_meet", "หลักการมีส่วนร่วม", "Participation", "", "", "", ""],
    ["select_one yn", "i05", "สมาชิกร่วมตัดสินใจในที่ประชุม", "Members decide in meetings", "yes", "meet", "", ""],
    ["end group", "", "", "", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", TH, EN, "score"],
    ["groups", "g1", "กลุ่มออมทรัพย์บ้านนาดี", "Ban Na Di savings group", None],
    ["groups", "g2", "กลุ่มออมทรัพย์บ้านหนองบัว", "Ban Nong Bua savings group", None],
    ["lv03", "0", "ไม่มี", "None", 0],
    ["lv03", "1", "มีบ้าง", "Partly", 1],
    ["lv03", "2", "ส่วนใหญ่", "Mostly", 2],
    ["lv03", "3", "ครบถ้วน", "Fully", 3],
    ["yn", "yes", "ใช่", "Yes", 2],
    ["yn", "no", "ไม่ใช่", "No", 0],
]
SCORE_GROUPS = [
    ["name", TH, EN, "pass_mark", "advice::Thai (th)", "advice::English (en)"],
    ["law", "หลักนิติธรรม", "Rule of law", 60, "สมาชิกร่วมกันทบทวนระเบียบกลุ่ม", "Members revise the rules together"],
    ["money", "หลักความโปร่งใส", "Transparency", 60, "อบรมการทำบัญชีอย่างง่าย", "Simple bookkeeping training"],
    ["meet", "หลักการมีส่วนร่วม", "Participation", 50, "จัดประชุมให้สมาชิกกล้าพูดและร่วมตัดสินใจ",
     "Livelier meetings where members decide"],
]
LEVELS = [
    ["name", TH, EN, "min_percent", "colour"],
    ["good", "ระดับ ดี", "Good", 75, "#1a7f37"],
    ["develop", "ระดับ ต้องพัฒนา", "Needs development", None, "#cf222e"],
]


def workbook(version: str = "1") -> bytes:
    return make_xlsx(SURVEY, CHOICES,
                     [["form_id", "version", "form_title", "default_language"],
                      [FORM_ID, version, "ประเมินกลุ่ม (ทดสอบ)", "Thai (th)"]],
                     score_groups=SCORE_GROUPS, levels=LEVELS)


def xml(fv: FormVersion, *, group="g1", assessed_on="2024-03-10", i01="3", i02="3", i03="2", rate="12",
        i04=None, i05="yes", instance_id: str | None = None, deprecated_id: str | None = None) -> bytes:
    """Submission XML as a device sends it (i04 is the calculate: the server recomputes it)."""
    root = root_name(fv)
    iid = instance_id or f"uuid:{uuid.uuid4()}"
    if i04 is None:
        i04 = "" if rate == "" else ("0" if float(rate) > 15 else "3")
    meta = f"<instanceID>{escape(iid)}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{escape(deprecated_id)}</deprecatedID>"
    return (f'<?xml version="1.0" encoding="UTF-8"?><{root} id="{FORM_ID}" version="{fv.version}">'
            f"<head><group>{group}</group><assessed_on>{assessed_on}</assessed_on></head>"
            f"<p_law><i01>{i01}</i01><i02>{i02}</i02></p_law>"
            f"<p_money><i03>{i03}</i03><rate>{rate}</rate><i04>{i04}</i04></p_money>"
            f"<p_meet><i05>{i05}</i05></p_meet>"
            f"<meta>{meta}</meta></{root}>").encode()
