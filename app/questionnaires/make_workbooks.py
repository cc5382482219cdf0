"""Writes the bundled questionnaires as .xlsx from the readable tables below.

The .xlsx files are what staff edit in Excel; this script is their readable source. Run:
    .venv/bin/python -m app.questionnaires.make_workbooks
For now these are PLACEHOLDERS (a few real questions each, titles say so): the full content of the
three questionnaires is its own issue (see ../shared/QUESTIONNAIRES.md).
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
TH, EN = "label::Thai (th)", "label::English (en)"

FORMS: dict[str, dict] = {
    "sg_assessment_21": {
        "title": "แบบประเมินกลุ่มออมทรัพย์ ๒๑ ตัวชี้วัด (ฉบับร่าง ตัวอย่างชั่วคราว)",
        "version": "draft-0",
        "survey": [
            ("text", "group_name", "ชื่อกลุ่มออมทรัพย์เพื่อการผลิต", "Savings group name", "yes", ""),
            ("date", "assessed_on", "วันที่ประเมิน", "Assessment date", "yes", ""),
            ("integer", "members_total", "จำนวนสมาชิกทั้งหมด", "Total members", "yes", ". >= 0"),
            ("integer", "members_present", "สมาชิกที่เข้าประชุม", "Members present", "", ". >= 0"),
            ("select_one level03", "i01", "มีระเบียบกลุ่มเป็นลายลักษณ์อักษรที่ที่ประชุมใหญ่รับรอง",
             "Written group rules adopted by a general meeting", "yes", ""),
            ("select_one level03", "i02", "ทบทวนระเบียบร่วมกับสมาชิกภายใน 3 ปี",
             "Rules reviewed with members within the last 3 years", "yes", ""),
            ("geopoint", "meeting_place", "จุดที่ประชุม", "Meeting place", "", ""),
            ("note", "placeholder_note", "แบบฟอร์มนี้เป็นตัวอย่างชั่วคราว เนื้อหาเต็มจะตามมา",
             "This form is a temporary placeholder; the full content follows.", "", ""),
        ],
        "choices": [
            ("level03", "0", "ไม่มี/ไม่ปฏิบัติ", "None / not done"),
            ("level03", "1", "มีบ้าง", "Partly"),
            ("level03", "2", "ส่วนใหญ่", "Mostly"),
            ("level03", "3", "ครบถ้วน", "Fully"),
        ],
    },
    "hh_mapping": {
        "title": "แบบสำรวจข้อมูลครัวเรือน กข.คจ. (ตัวอย่างชั่วคราว)",
        "version": "placeholder-0",
        "survey": [
            ("acknowledge", "consent", "ครัวเรือนยินยอมให้เก็บข้อมูลตาม พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล",
             "The household consents to data collection under the PDPA", "yes", ""),
            ("text", "head_name", "ชื่อหัวหน้าครัวเรือน", "Household head's name", "yes", ""),
            ("integer", "members", "จำนวนสมาชิกในครัวเรือน", "Household members", "", ". >= 1"),
            ("select_multiple savings", "saves_in", "ครัวเรือนออมเงินที่ใด", "Where the household saves", "", ""),
            ("image", "product_photo", "ภาพผลิตภัณฑ์", "Photo of the product", "", ""),
        ],
        "choices": [
            ("savings", "cash", "เงินสด", "Cash"),
            ("savings", "bank", "ธนาคาร", "Bank"),
            ("savings", "savings_group", "กลุ่มออมทรัพย์", "Savings group"),
            ("savings", "other", "อื่น ๆ", "Other"),
        ],
    },
    "group_registration": {
        "title": "แบบขึ้นทะเบียนกลุ่ม (ตัวอย่างชั่วคราว)",
        "version": "placeholder-0",
        "survey": [
            ("select_one kind", "group_kind", "ประเภทกลุ่ม", "Kind of group", "yes", ""),
            ("text", "group_name", "ชื่อกลุ่ม", "Group name", "yes", ""),
            ("date", "founded_on", "วันที่ประชุมจัดตั้ง", "Founding meeting date", "", ""),
            ("begin repeat", "members", "สมาชิก", "Members", "", ""),
            ("text", "member_name", "ชื่อสมาชิก", "Member's name", "yes", ""),
            ("end repeat", "", "", "", "", ""),
        ],
        "choices": [
            ("kind", "occupational", "กลุ่มอาชีพ", "Occupational group"),
            ("kind", "savings", "กลุ่มออมทรัพย์เพื่อการผลิต", "Savings group for production"),
        ],
    },
}


def write_workbook(form_id: str, spec: dict, path: Path) -> None:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", TH, EN, "required", "constraint", "parameters"])
    for row in spec["survey"]:
        # Photos are downscaled on the tablet before sending (saves data in villages).
        survey.append(list(row) + (["max-pixels=1600"] if row[0] == "image" else []))
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", TH, EN])
    for row in spec["choices"]:
        choices.append(list(row))
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title", "default_language"])
    settings.append([form_id, spec["version"], spec["title"], "Thai (th)"])
    wb.save(path)


def main() -> None:
    for form_id, spec in FORMS.items():
        path = HERE / f"{form_id}.xlsx"
        write_workbook(form_id, spec, path)
        print(f"wrote {path.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
