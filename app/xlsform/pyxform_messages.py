"""Turn pyxform's English error and warning messages into Problems: where (sheet, Excel row, column),
what (Thai and English) and how to fix it (hint). Unknown messages still become a Problem.

pyxform numbers rows as Excel does (the header is row 1), so "[row : 5]" is the row the user sees.
Messages built from pyxform's ErrorCode templates are matched by a pattern made from the template
itself, so a new pyxform release that rewords a message falls back to the generic translation
instead of mistranslating it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from string import Formatter
from typing import Any, Iterable

from app.xlsform.problems import Problem

Sheets = dict[str, list[list[str | None]]]

ROW_RE = re.compile(r"\[row\s*:\s*(\d+)\]")
SHEET_COL_RE = re.compile(r"On the '(?P<sheet>[^']+)' sheet, the '(?P<column>[^']+)' value")
SHEET_RE = re.compile(r"On the '(?P<sheet>[^']+)' sheet")

GENERIC_HINT_TH = "อ่านข้อความภาษาอังกฤษด้านล่าง แก้ไขในไฟล์ Excel แล้วอัปโหลดใหม่"
GENERIC_HINT_EN = "Read the message, fix the workbook in Excel and upload it again."


@dataclass
class _Th:
    """Thai message template ({group} from the English message) and the hint."""

    th: str
    hint_th: str = ""
    hint_en: str = ""
    sheet: str | None = None
    column: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Messages from pyxform.errors.ErrorCode, by enum name.
_NAME_RULE_TH = "ชื่อต้องขึ้นต้นด้วยตัวอักษรภาษาอังกฤษหรือ _ ตามด้วยตัวอักษร ตัวเลข _ - หรือ . เท่านั้น (ห้ามเว้นวรรค ห้ามใช้ภาษาไทย)"
_NAME_RULE_EN = "Use English letters, digits and _ only, starting with a letter, e.g. hh_size."
ERROR_CODES_TH: dict[str, _Th] = {
    "HEADER_001": _Th("หัวคอลัมน์ของชีต '{sheet_name}' ไม่ถูกต้อง อาจไม่มีแถวหัวตาราง",
                      "แถวที่ 1 ของชีตต้องเป็นหัวคอลัมน์ เช่น type, name, label",
                      "Row 1 of the sheet must hold the column headers, e.g. type, name, label.", column=None),
    "HEADER_002": _Th("ชีต '{sheet_name}' มีสองคอลัมน์ที่หมายถึงสิ่งเดียวกัน: {other} และ {header}",
                      "ลบหรือเปลี่ยนชื่อคอลัมน์ใดคอลัมน์หนึ่ง", "Remove or rename one of the two columns."),
    "HEADER_003": _Th("ชีต '{sheet_name}' ไม่มีคอลัมน์ที่จำเป็น: {missing}",
                      "เพิ่มคอลัมน์ที่ขาดในแถวที่ 1 ของชีต (ตัวสะกดต้องตรงกัน)",
                      "Add the missing column header in row 1 of the sheet (exact spelling)."),
    "HEADER_004": _Th("หัวคอลัมน์ '{column}' ในชีต choices ไม่ถูกต้อง: ต้องไม่ว่างและไม่มีช่องว่าง",
                      "แทนช่องว่างในหัวคอลัมน์ด้วย _", "Replace spaces in the header with _.", sheet="choices"),
    "HEADER_005": _Th("ชีต entities มีคอลัมน์ที่ไม่รองรับ: {columns}",
                      "ตรวจตัวสะกดหรือลบคอลัมน์นั้น", "Check the spelling or remove the column.", sheet="entities"),
    "LABEL_001": _Th("ตัวเลือกนี้ไม่มีข้อความ (label)",
                     "ใส่ข้อความที่ผู้ตอบจะเห็นในคอลัมน์ label", "Write the text people will see in the label column.",
                     sheet="choices", column="label"),
    "NAMES_001": _Th("ชื่อคำถาม '{value}' ซ้ำกับคำถามอื่นในกลุ่มเดียวกัน",
                     "ชื่อคำถาม (name) ต้องไม่ซ้ำกันภายในกลุ่มเดียวกัน เปลี่ยนชื่อใดชื่อหนึ่ง",
                     "Question names must be unique within their group: rename one of them.",
                     sheet="survey", column="name"),
    "NAMES_002": _Th("ชื่อคำถาม '{value}' ต่างจากชื่ออื่นแค่ตัวพิมพ์เล็ก/ใหญ่",
                     "ใช้ชื่อที่ต่างกันชัดเจน โปรแกรมวิเคราะห์ข้อมูลบางตัวไม่แยกตัวพิมพ์เล็กใหญ่",
                     "Use clearly different names; some analysis tools ignore letter case.",
                     sheet="survey", column="name"),
    "NAMES_003": _Th("ชื่อกลุ่มซ้ำ (repeat) '{value}' ซ้ำกับชื่อรากของฟอร์ม",
                     "เปลี่ยนชื่อกลุ่มซ้ำ ห้ามใช้ชื่อ data", "Rename the repeat; 'data' is reserved.",
                     sheet="survey", column="name"),
    "NAMES_004": _Th("ชื่อกลุ่มซ้ำ (repeat) '{value}' ถูกใช้มากกว่าหนึ่งครั้งในฟอร์ม",
                     "ชื่อ repeat ต้องไม่ซ้ำกันทั้งฟอร์ม", "Repeat names must be unique in the whole form.",
                     sheet="survey", column="name"),
    "NAMES_005": _Th("ห้ามใช้ชื่อ 'meta' เป็นชื่อคำถาม (สงวนไว้สำหรับข้อมูลระบบ)",
                     "เปลี่ยนชื่อคำถามนี้", "Rename this question.", sheet="survey", column="name"),
    "NAMES_006": _Th("ตัวเลือกนี้ไม่มีชื่อ (name)",
                     "ใส่ชื่อตัวเลือกเป็นภาษาอังกฤษหรือตัวเลขในคอลัมน์ name เช่น 1, yes",
                     "Give the choice a name (English letters or digits) in the name column, e.g. 1, yes.",
                     sheet="choices", column="name"),
    "NAMES_007": _Th("ชื่อตัวเลือกซ้ำกันในรายการตัวเลือกเดียวกัน",
                     "ชื่อตัวเลือก (name) ในรายการเดียวกัน (list_name เดียวกัน) ต้องไม่ซ้ำกัน",
                     "Choice names must be unique within one list (same list_name).",
                     sheet="choices", column="name"),
    "NAMES_008": _Th("ชื่อในคอลัมน์ '{column}' ไม่ถูกต้อง: " + _NAME_RULE_TH, "เช่น hh_size, q1_income",
                     _NAME_RULE_EN),
    "NAMES_009": _Th("ชื่อ '{name}' ไม่ถูกต้อง: " + _NAME_RULE_TH, "เช่น hh_size", _NAME_RULE_EN,
                     sheet="settings"),
    "NAMES_010": _Th("ชื่อในคอลัมน์ '{column}' ต้องไม่ขึ้นต้นด้วยขีดล่างสองตัว (__)", "เปลี่ยนชื่อ", "Rename it."),
    "NAMES_011": _Th("ชื่อในคอลัมน์ '{column}' ต้องไม่มีจุด (.)", "เปลี่ยนชื่อ", "Rename it."),
    "NAMES_012": _Th("ชื่อในคอลัมน์ '{column}' ห้ามเป็น 'name' หรือ 'label'", "เปลี่ยนชื่อ", "Rename it."),
    "NAMES_013": _Th("ไม่พบชีตชื่อ '{sheet}' แต่มีชีตชื่อคล้ายกัน: {candidates}",
                     "เปลี่ยนชื่อชีตให้สะกดตรง (ตัวพิมพ์เล็ก) หรือขึ้นต้นชื่อชีตด้วย _ ถ้าไม่ต้องการใช้",
                     "Rename the sheet to the exact name, or start its name with _ if it is not meant for the form."),
    "NAMES_014": _Th("ชื่อรายการ entities ซ้ำกัน", "list_name ในชีต entities ต้องไม่ซ้ำ",
                     "list_name values on the entities sheet must be unique.", sheet="entities", column="list_name"),
    "NAMES_015": _Th("รายการ entities ไม่มีชื่อ", "ใส่ list_name", "Fill in list_name.",
                     sheet="entities", column="list_name"),
    "PYREF_001": _Th("การอ้างอิงคำถามในคอลัมน์ '{column}' เขียนไม่ถูกต้อง ต้องเป็นรูปแบบ ${ชื่อคำถาม}",
                     "ตรวจวงเล็บปีกกา เช่น ${age} (ไม่ใช่ $(age) หรือ ${age )",
                     "Check the braces, e.g. ${age} (not $(age) or ${age )."),
    "PYREF_002": _Th("รายการอ้างอิงในคอลัมน์ '{column}' ต้องคั่นด้วยจุลภาค (,)",
                     "ใส่ , ระหว่างแต่ละ ${...}", "Put a comma between each ${...}."),
    "PYREF_003": _Th("คอลัมน์ '{column}' อ้างถึงคำถาม '{q}' ที่ไม่มีในชีต survey",
                     "ตรวจตัวสะกดชื่อใน ${...} ให้ตรงกับคอลัมน์ name ของคำถามในชีต survey",
                     "Check that the name inside ${...} matches a question's name on the survey sheet."),
    "PYREF_004": _Th("คอลัมน์ '{column}' อ้างถึง '{q}' แต่มีคำถามชื่อนี้มากกว่าหนึ่งข้อ",
                     "ชื่อที่ถูกอ้างถึงด้วย ${...} ต้องไม่ซ้ำกันทั้งฟอร์ม",
                     "A name used in ${...} must be unique in the whole form."),
    "SURVEY_001": _Th("พบ 'end {type}' โดยไม่มี 'begin {type}' ที่คู่กัน",
                      "ทุก begin group/repeat ต้องมี end group/repeat คู่กัน ตรวจว่าไม่มีแถวเกินหรือขาด",
                      "Every begin group/repeat needs a matching end group/repeat: look for an extra or missing row.",
                      sheet="survey", column="type"),
    "SURVEY_002": _Th("'begin {type}' ชื่อ '{name}' ไม่มี 'end {type}' ปิดท้าย",
                      "เพิ่มแถว end {type} หลังคำถามสุดท้ายของกลุ่ม",
                      "Add an end row after the last question of the group.", sheet="survey", column="type"),
    "SURVEY_003": _Th("พารามิเตอร์ incremental ของคำถามแผนที่ต้องเป็น true หรือไม่ใส่",
                      "ในคอลัมน์ parameters เขียน incremental=true หรือลบ incremental ออก",
                      "In the parameters column write incremental=true, or remove incremental."),
    "SURVEY_004": _Th("คอลัมน์ parameters เขียนไม่ถูกต้อง ต้องเป็นรูปแบบ key=value คั่นด้วยช่องว่าง",
                      "เช่น start=1 end=10 step=1", "For example: start=1 end=10 step=1",
                      sheet="survey", column="parameters"),
    "SURVEY_005": _Th("คอลัมน์ parameters มีพารามิเตอร์ที่ไม่รองรับ: {rejected} (รองรับ: {accepted})",
                      "ลบหรือแก้ตัวสะกดพารามิเตอร์", "Remove the parameter or fix its spelling.",
                      sheet="survey", column="parameters"),
}
# Families without their own Thai text: a Thai summary of the family; the English says the detail.
ERROR_PREFIX_TH: dict[str, _Th] = {
    "ENTITY_": _Th("การตั้งค่า entities ไม่ถูกต้อง", GENERIC_HINT_TH, GENERIC_HINT_EN),
    "RANGE_": _Th("พารามิเตอร์ของคำถามแบบ range ไม่ถูกต้อง", "ตรวจ start, end, step ในคอลัมน์ parameters",
                  "Check start, end and step in the parameters column.", sheet="survey", column="parameters"),
    "SURVEY_": _Th("พารามิเตอร์ของคำถามไม่ถูกต้อง", GENERIC_HINT_TH, GENERIC_HINT_EN,
                   sheet="survey", column="parameters"),
    "INTERNAL_": _Th("pyxform เกิดข้อผิดพลาดภายใน", "แจ้งผู้ดูแลระบบพร้อมไฟล์นี้",
                     "Tell the system administrator and send them this file."),
}

# ---------------------------------------------------------------------------------------------
# Messages pyxform builds by hand (no ErrorCode). Pattern -> Thai. Row prefixes are removed first.
RAW_RULES: list[tuple[str, str, _Th]] = [
    (r"Unknown question type '(?P<type>.*)'\.?", "unknown_type",
     _Th("ไม่รู้จักชนิดคำถาม '{type}'",
         "ตรวจตัวสะกดในคอลัมน์ type เช่น text, integer, select_one รายการ, begin group",
         "Check the spelling in the type column, e.g. text, integer, select_one list, begin group.",
         sheet="survey", column="type")),
    (r"Duplicate column header: (?P<header>.*)", "duplicate_header",
     _Th("มีหัวคอลัมน์ '{header}' ซ้ำกันสองคอลัมน์", "ลบคอลัมน์ที่ซ้ำ หรือรวมข้อมูลไว้คอลัมน์เดียว",
         "Delete the duplicate column or merge them into one.", column="{header}")),
    (r"You must have a sheet named 'survey'.*", "no_survey_sheet",
     _Th("ไม่พบชีตชื่อ survey", "สมุดงานต้องมีชีตชื่อ survey (ตัวพิมพ์เล็ก) ที่มีคอลัมน์ type, name, label",
         "The workbook needs a sheet named survey with the columns type, name, label.")),
    (r"Question with no type\..*", "no_type",
     _Th("แถวนี้ไม่มีชนิดคำถาม (type)", "ใส่ชนิดคำถามในคอลัมน์ type หรือลบแถวนี้",
         "Fill in the type column, or delete the row.", sheet="survey", column="type")),
    (r"Question or group with no name\.", "no_name",
     _Th("คำถามหรือกลุ่มนี้ไม่มีชื่อ (name)",
         "ใส่ชื่อภาษาอังกฤษในคอลัมน์ name เช่น hh_size", "Fill in the name column, e.g. hh_size.",
         sheet="survey", column="name")),
    (r"Missing calculation\.", "no_calculation",
     _Th("คำถามแบบ calculate ไม่มีสูตรคำนวณ", "ใส่สูตรในคอลัมน์ calculation",
         "Write the formula in the calculation column.", sheet="survey", column="calculation")),
    (r" ?List name not in choices sheet: (?P<list>.*)", "list_not_found",
     _Th("ไม่พบรายการตัวเลือก '{list}' ในชีต choices",
         "ตรวจว่า list_name ในชีต choices สะกดตรงกับชื่อหลัง select_one / select_multiple",
         "Check that list_name on the choices sheet matches the name after select_one / select_multiple.",
         sheet="survey", column="type")),
    (r" ?List name not in external choices sheet: (?P<list>.*)", "list_not_found",
     _Th("ไม่พบรายการตัวเลือก '{list}' ในชีต external_choices", "ตรวจตัวสะกด list_name",
         "Check the list_name spelling.", sheet="survey", column="type")),
    (r"There should be a choices sheet in this xlsform\..*", "no_choices_sheet",
     _Th("ฟอร์มมีคำถามแบบเลือกตอบ แต่ไม่มีชีต choices",
         "เพิ่มชีตชื่อ choices ที่มีคอลัมน์ list_name, name, label",
         "Add a sheet named choices with the columns list_name, name, label.")),
    (r"There should be an external_choices sheet in this xlsform\..*", "no_external_choices_sheet",
     _Th("ฟอร์มใช้ select_one_external แต่ไม่มีชีต external_choices", "เพิ่มชีต external_choices",
         "Add an external_choices sheet.")),
    (r"Choice names with spaces cannot be added to multiple choice selects\. See \[(?P<choice>.*)\] in \[(?P<list>.*)\]",
     "choice_name_space",
     _Th("ชื่อตัวเลือก '{choice}' ในรายการ '{list}' มีช่องว่าง ใช้กับ select_multiple ไม่ได้",
         "แทนช่องว่างในชื่อตัวเลือกด้วย _", "Replace the spaces in the choice name with _.",
         sheet="choices", column="name")),
    (r"Media type: (?P<media>.*) not supported", "media_not_supported",
     _Th("ไม่รองรับคอลัมน์สื่อชนิด '{media}'", "ลบคอลัมน์นี้ หรือใช้ image, audio, video, big-image",
         "Remove the column, or use image, audio, video or big-image.", column="{media}")),
    (r"This section has not been included\.", "include_not_supported",
     _Th("ฟอร์มนี้ใช้คำสั่ง include (ดึงส่วนจากไฟล์อื่น) ซึ่งไม่รองรับ",
         "คัดลอกคำถามของส่วนนั้นมาใส่ในชีต survey โดยตรง",
         "Copy that section's questions into the survey sheet itself.", sheet="survey", column="type")),
    (r"Repeat loop without list name\.", "loop_no_list",
     _Th("คำสั่ง begin loop ไม่ได้ระบุรายการ", "เขียน begin loop over ชื่อรายการ",
         "Write begin loop over list_name.", sheet="survey", column="type")),
    (r"Choice filter not supported with or_other\.", "or_other_filter",
     _Th("ใช้ choice_filter ร่วมกับ or_other ไม่ได้", "เพิ่มตัวเลือก 'อื่นๆ' เองแทน or_other",
         "Add your own 'other' choice instead of or_other.", sheet="survey", column="choice_filter")),
    (r"Choice filter not supported for table-list appearance\.", "table_list_filter",
     _Th("ใช้ choice_filter กับ appearance table-list ไม่ได้",
         "ลบ choice_filter ของคำถามในตาราง หรือเลิกใช้ table-list แล้วแยกคำถามออกมา",
         "Remove the choice_filter of the questions in the table, or stop using table-list and ask them "
         "one by one.", sheet="survey", column="choice_filter")),
    (r"Audits must always be named 'audit\.'.*", "audit_name",
     _Th("คำถามชนิด audit ต้องเว้นคอลัมน์ name ว่างไว้", "ลบชื่อออก", "Leave the name empty.",
         sheet="survey", column="name")),
    (r"Row without name, text, or label is being skipped:.*", "row_skipped",
     _Th("แถวนี้ไม่มีชื่อหรือข้อความ ระบบจะข้ามแถวนี้", "ลบแถวว่างนี้ หรือเติมข้อมูลให้ครบ",
         "Delete this row or complete it.", sheet="survey")),
    (r"(?P<kind>Group|Repeat|Loop) has no label: .*", "group_no_label",
     _Th("กลุ่มนี้ไม่มีข้อความหัวข้อ (label)", "ใส่หัวข้อของกลุ่มในคอลัมน์ label (แนะนำ)",
         "Give the group a heading in the label column (recommended).", sheet="survey", column="label")),
    (r"Use the max-pixels parameter to speed up submission sending and save storage space\..*", "max_pixels",
     _Th("คำถามถ่ายรูปไม่ได้จำกัดขนาดรูป รูปใหญ่ทำให้ส่งข้อมูลช้า",
         "ใส่ max-pixels=1024 ในคอลัมน์ parameters", "Put max-pixels=1024 in the parameters column.",
         sheet="survey", column="parameters")),
    (r"(?P<type>\w+) is no longer supported on most devices\..*", "deprecated_metadata",
     _Th("'{type}' ใช้ไม่ได้บนอุปกรณ์ส่วนใหญ่แล้ว", "ลบแถวนี้", "Remove this row.",
         sheet="survey", column="type")),
    (r"The 'disabled' column header is not part of the current spec\..*", "disabled_column",
     _Th("คอลัมน์ disabled เลิกใช้แล้ว", "ใช้คอลัมน์ relevant แทน", "Use the relevant column instead.",
         sheet="survey", column="disabled")),
    (r"select one external is only meant for filtered selects\.", "external_no_filter",
     _Th("select_one_external ใช้สำหรับตัวเลือกที่กรองด้วย choice_filter เท่านั้น",
         "ใช้ select_one ธรรมดาแทน", "Use a plain select_one instead.", sheet="survey", column="type")),
    (r"The following language declarations do not contain valid machine-readable codes: (?P<langs>.*?)\."
     r"( Learn more.*)?", "language_code",
     _Th("ชื่อภาษา {langs} ไม่มีรหัสภาษา", "ตั้งชื่อภาษาแบบมีรหัส เช่น label::Thai (th) และ label::English (en)",
         "Name languages with their code, e.g. label::Thai (th) and label::English (en).")),
    (r"Language '(?P<lang>.*)' is missing the (?P<sheet>survey|choices) (?:columns (?P<cols>.*)|(?P<col>\S+) column)\.",
     "missing_translation",
     _Th("ภาษา '{lang}' ยังไม่มีคอลัมน์ {cols}{col} ในชีต {sheet}",
         "เพิ่มคอลัมน์ของภาษานี้ (เช่น hint::Thai (th)) หรือตั้ง default_language ในชีต settings",
         "Add this language's column (e.g. hint::Thai (th)), or set default_language on the settings sheet.",
         sheet="{sheet}")),
    (r"This form uses or_other and translations, which is not recommended\..*", "or_other_translations",
     _Th("ฟอร์มใช้ or_other ร่วมกับหลายภาษา ตัวเลือก 'อื่นๆ' จะแสดงเป็นภาษาอังกฤษเท่านั้น",
         "เพิ่มตัวเลือก 'อื่นๆ' เองพร้อมข้อความทุกภาษา", "Add your own 'other' choice, labelled in every language.")),
    (r"The form_id and id_string column headers are both specified.*", "form_id_twice",
     _Th("ชีต settings มีทั้งคอลัมน์ form_id และ id_string", "ลบคอลัมน์ id_string",
         "Delete the id_string column.", sheet="settings")),
    (r"Cannot omit instanceID, it is required for encryption\.", "instanceid_required",
     _Th("ฟอร์มที่เข้ารหัสต้องมี instanceID",
         "ลบ omit_instanceID ในชีต settings หรือเลิกเข้ารหัส (ลบ public_key ในชีต settings)",
         "Remove what omits the instanceID (omit_instanceID on the settings sheet), or stop encrypting "
         "(remove public_key from the settings sheet).", sheet="settings")),
    (r"Question '(?P<name>.*)' is a select from file type, using 'search\(\)'.*", "search_from_file",
     _Th("คำถาม '{name}' ใช้ search() กับตัวเลือกจากไฟล์ ซึ่งใช้ร่วมกันไม่ได้",
         "ลบ search() ออกจาก appearance (ใช้ choice_filter กรองแทน) หรือเปลี่ยนเป็น select_one ธรรมดา "
         "แล้วใส่ไฟล์ใน appearance search()",
         "Remove search() from the appearance (filter with choice_filter instead), or make it a plain "
         "select_one and name the file inside search().", sheet="survey", column="appearance")),
    (r"Error reading \.xlsx file: .*", "unreadable_workbook",
     _Th("อ่านสมุดงานไม่ได้ ไฟล์อาจเสียหาย", "เปิดใน Excel แล้วบันทึกใหม่เป็น .xlsx",
         "Open it in Excel and save it again as .xlsx.")),
    (r"For 'background-geopoint' questions, the '(?P<column>\w+)' column must (?P<rule>.*)\.", "background_geopoint",
     _Th("คำถาม background-geopoint: คอลัมน์ '{column}' ไม่ถูกต้อง",
         "background-geopoint ต้องมี trigger ชี้ไปที่คำถามอื่น และเว้นคอลัมน์ '{column}' ตามที่ข้อความภาษาอังกฤษบอก",
         "A background-geopoint needs a trigger naming another question; fix the '{column}' column as the "
         "message says.", sheet="survey", column="{column}")),
]


def _template_regex(template: str) -> re.Pattern:
    parts, seen = [], set()
    for literal, name, _spec, _conv in Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            if name in seen:
                parts.append(f"(?P={name})")
            else:
                seen.add(name)
                parts.append(f"(?P<{name}>.*?)")
    return re.compile("".join(parts), re.DOTALL)


def _error_code_rules() -> list[tuple[str, re.Pattern]]:
    try:
        from pyxform.errors import ErrorCode
    except Exception:  # noqa: BLE001 - a pyxform without ErrorCode: the raw rules still apply
        return []
    rules = []
    for code in ErrorCode:
        try:
            rules.append((code.name, _template_regex(code.value.msg)))
        except (re.error, ValueError, AttributeError):
            continue
    return rules


_CODE_RULES = _error_code_rules()
_RAW_RULES = [(re.compile(p, re.DOTALL), code, th) for p, code, th in RAW_RULES]


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fmt(template: str | None, groups: dict[str, Any]) -> str | None:
    """`template` with the message's values put in ({column}, {type}: None gives ""); any other brace
    text, such as the ${age} of a hint's example, stays as written."""
    if template is None:
        return None
    return _PLACEHOLDER.sub(lambda m: ("" if groups[m.group(1)] is None else str(groups[m.group(1)]))
                            if m.group(1) in groups else m.group(0), template)


def _split(message: str) -> list[str]:
    """pyxform joins several row errors with newlines (e.g. duplicate choices): one Problem each."""
    lines = [ln for ln in message.split("\n") if ln.strip()]
    if len(lines) > 1 and all(ROW_RE.match(ln.strip()) or ln.startswith("Language '") for ln in lines):
        return lines
    return [message]


def _find_row(sheets: Sheets | None, sheet: str | None, column: str, value: str) -> tuple[str | None, int | None, str | None]:
    """Where a value sits in a column (by header base name), for messages that give no row."""
    if not sheets:
        return sheet, None, None
    for name, rows in sheets.items():
        if sheet and name.lower() != sheet:
            continue
        if not rows:
            continue
        headers = [(h or "").strip() for h in rows[0]]
        for ci, h in enumerate(headers):
            if h.lower() != column:
                continue
            for ri, row in enumerate(rows[1:], start=2):
                if ci < len(row) and row[ci] is not None and row[ci].strip() == value:
                    return name, ri, h
    return sheet, None, None


def _locate_header(sheets: Sheets | None, header: str, duplicated: bool = False) -> str | None:
    if not sheets:
        return None
    for name, rows in sheets.items():
        if not rows:
            continue
        heads = [(h or "").strip() for h in rows[0]]
        if (heads.count(header) > 1) if duplicated else (header in heads or any(
                header in [t.strip() for t in h.split("::")] for h in heads)):
            return name
    return None


def translate(message: str, level: str = "error", sheets: Sheets | None = None) -> list[Problem]:
    """One pyxform message -> Problems (several when pyxform packed several rows into one message)."""
    out = []
    for part in _split(str(message)):
        try:
            out.append(_translate_one(part.strip(), level, sheets))
        except Exception:  # noqa: BLE001 - translating must never be the thing that fails
            out.append(_generic(part.strip(), level))
    return out


def _generic(text: str, level: str, sheet: str | None = None, row: int | None = None,
             column: str | None = None) -> Problem:
    return Problem(
        message_th=f"pyxform แจ้งว่า: {text}" if level == "error" else f"pyxform เตือนว่า: {text}",
        message_en=text,
        hint_th=GENERIC_HINT_TH,
        hint_en=GENERIC_HINT_EN,
        sheet=sheet,
        row=row,
        column=column,
        level=level,
        code="pyxform",
    )


def _translate_one(text: str, level: str, sheets: Sheets | None) -> Problem:
    row = None
    m = ROW_RE.match(text)
    rest = text
    if m:
        row = int(m.group(1))
        rest = text[m.end():].strip()
    elif (m := ROW_RE.search(text)) is not None:
        row = int(m.group(1))
    sheet = column = None
    if (sc := SHEET_COL_RE.search(text)) is not None:
        sheet, column = sc.group("sheet"), sc.group("column")
    elif (s := SHEET_RE.search(text)) is not None:
        sheet = s.group("sheet")

    for name, pattern in _CODE_RULES:
        cm = pattern.fullmatch(text)
        if cm is None:
            continue
        groups = cm.groupdict()
        th = ERROR_CODES_TH.get(name) or next(
            (v for k, v in ERROR_PREFIX_TH.items() if name.startswith(k)), None)
        if th is None:
            return _generic(rest, level, _sheet_name(sheets, sheet), row, column)
        sheet = sheet or groups.get("sheet_name") or _fmt(th.sheet, groups)
        column = column or _fmt(th.column, groups)
        if name == "HEADER_001" and sheets is not None:
            column = None
        return Problem(
            message_th=_fmt(th.th, groups) or "",
            message_en=rest,
            hint_th=_fmt(th.hint_th, groups),
            hint_en=_fmt(th.hint_en, groups),
            sheet=_sheet_name(sheets, sheet),
            row=row if row else None,
            column=column,
            level=level,
            code=f"pyxform.{name}",
        )

    for pattern, code, th in _RAW_RULES:
        rm = pattern.fullmatch(rest) or pattern.fullmatch(text)
        if rm is None:
            continue
        groups = rm.groupdict()
        p_sheet = sheet or _fmt(th.sheet, groups)
        p_col = column or _fmt(th.column, groups)
        p_row = row
        if code == "unknown_type" and p_row is None:
            p_sheet, p_row, p_col = _find_row(sheets, "survey", "type", groups.get("type", ""))
            p_sheet, p_col = p_sheet or "survey", p_col or "type"
        elif code == "duplicate_header":
            p_sheet = _locate_header(sheets, groups.get("header", ""), duplicated=True) or p_sheet
            p_row = 1
        elif code == "media_not_supported":
            p_sheet = _locate_header(sheets, groups.get("media", "")) or p_sheet
            p_row = 1
        elif code == "include_not_supported" and p_row is None:
            p_sheet, p_row, p_col = _find_include_row(sheets)
        return Problem(
            message_th=_fmt(th.th, groups) or "",
            message_en=rest,
            hint_th=_fmt(th.hint_th, groups),
            hint_en=_fmt(th.hint_en, groups),
            sheet=_sheet_name(sheets, p_sheet),
            row=p_row,
            column=p_col,
            level=level,
            code=f"pyxform.{code}",
        )
    return _generic(rest, level, _sheet_name(sheets, sheet), row, column)


def _find_include_row(sheets: Sheets | None) -> tuple[str | None, int | None, str | None]:
    if not sheets:
        return "survey", None, "type"
    for name, rows in sheets.items():
        if name.lower() != "survey" or not rows:
            continue
        heads = [(h or "").strip().lower() for h in rows[0]]
        if "type" not in heads:
            break
        ci = heads.index("type")
        for ri, r in enumerate(rows[1:], start=2):
            if ci < len(r) and r[ci] and r[ci].strip().lower().startswith("include"):
                return name, ri, rows[0][ci]
    return "survey", None, "type"


def _sheet_name(sheets: Sheets | None, sheet: str | None) -> str | None:
    """The sheet's name as the user wrote it (pyxform lower-cases names)."""
    if not sheet or not sheets:
        return sheet
    for name in sheets:
        if name.lower() == sheet.lower():
            return name
    return sheet


def from_exception(exc: BaseException, sheets: Sheets | None = None) -> list[Problem]:
    """Problems for an exception raised while pyxform converted a workbook (any exception)."""
    try:
        from pyxform.errors import PyXFormError
    except Exception:  # noqa: BLE001
        PyXFormError = ()  # type: ignore[assignment]  # noqa: N806
    if PyXFormError and isinstance(exc, PyXFormError):
        return translate(str(exc), "error", sheets)
    # Not a pyxform error: a bug in pyxform on an unusual workbook. Say so plainly.
    text = f"{type(exc).__name__}: {exc}"
    return [Problem(
        message_th="ระบบแปลงแบบฟอร์มไม่ได้เนื่องจากโครงสร้างของสมุดงานผิดปกติ",
        message_en=f"The form could not be converted; the workbook has an unusual structure ({text[:300]}).",
        hint_th="ตรวจว่าชีต survey, choices, settings มีหัวคอลัมน์ในแถวที่ 1 และไม่มีเซลล์ผสาน (merge) ถ้ายังไม่ได้ให้แจ้งผู้ดูแลระบบพร้อมไฟล์นี้",
        hint_en="Check that the survey, choices and settings sheets have headers in row 1 and no merged cells; "
                "if it still fails, send the file to the system administrator.",
        level="error",
        code="pyxform.crash",
    )]


def from_warnings(messages: Iterable[str], sheets: Sheets | None = None) -> list[Problem]:
    out: list[Problem] = []
    for msg in messages:
        out.extend(translate(msg, "warning", sheets))
    return out
