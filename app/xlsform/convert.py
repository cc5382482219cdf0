"""Excel workbook -> XForm, with every problem said in Thai and English. Pure: no Flask, no database.

Steps: sniff the file (size, format, zip bomb), read its cells once (our checks and the content
hash), let pyxform convert it, translate pyxform's messages, read the XForm into a FormDefinition.
Any error -> WorkbookRejected listing every problem found (our checks report all occurrences;
pyxform stops at its first error, which is added unless one of ours already says the same).
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from app.xlsform import pyxform_messages
from app.xlsform.lint import check_calculation_cycles, check_expressions, lint_sheets, straighten_workbook_quotes
from app.xlsform.problems import Problem, WorkbookRejected
from app.xlsform.scoring_spec import read_scoring_spec, with_definition_paths
from app.xlsform.workbook import DEFAULT_MAX_BYTES, read_sheets, sniff_workbook
from app.xlsform.xform import read_definition

# pyxform's message code -> our lint code that reports the same fault (keep ours: it names the column).
_SAME_FAULT = {
    "pyxform.NAMES_001": {"duplicate_name"},
    "pyxform.NAMES_007": {"duplicate_choice"},
    "pyxform.SURVEY_001": {"unmatched_end", "begin_end_mismatch"},
    "pyxform.SURVEY_002": {"unclosed_begin", "begin_end_mismatch"},
    "pyxform.PYREF_003": {"unknown_reference"},
    "pyxform.choice_name_space": {"choice_name_space"},
}


@dataclass
class Conversion:
    form_id: str
    version: str | None  # settings.version, or None when the workbook has none
    title: str
    xform: str
    survey: dict[str, Any]  # pyxform's JSON form definition
    definition: Any  # app.xlsform.definition.FormDefinition
    content_hash: str  # sha256 of every sheet's cell values: same content, same hash, whatever the zip
    warnings: list[Problem] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # e.g. itemsets.csv for external selects
    languages: list[str] = field(default_factory=list)
    default_language: str | None = None
    scoring: dict | None = None  # app.xlsform.scoring_spec: the declared scoring; None for a plain form

    def with_version(self, version: str) -> Conversion:
        """The same form stamped with `version` (for workbooks whose settings name none)."""
        survey = copy.deepcopy(self.survey)
        survey["version"] = version
        try:
            xform = _build_xform(survey, [])
            definition = read_definition(xform)
        except Exception as e:  # noqa: BLE001 - the contract: nothing but WorkbookRejected escapes
            raise WorkbookRejected(pyxform_messages.from_exception(e)) from e
        return replace(self, version=version, survey=survey, xform=xform, definition=definition)


def content_hash(sheets: dict[str, list[list[str | None]]]) -> str:
    """SHA-256 of the cell values of every sheet, in order; zip metadata and styles do not count."""
    canonical = json.dumps(
        [[name, rows] for name, rows in sheets.items()], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _fallback_form_id(filename: str) -> str:
    stem = PurePath(filename or "form").stem
    ident = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-")
    if not ident:
        ident = "form"
    if not re.match(r"[A-Za-z_]", ident):
        ident = f"form_{ident}"
    return ident


# A form id and a version travel in URLs (/forms/<id>/versions/<version>/fill, /formList/<id>/<version>/..),
# file names and cache keys. Forms written for other tools use ids like "Spec test" and versions like
# Excel's "2022-04-11 16:26:28.971000": those publish, and every URL encodes them. Refused is only what
# no encoding carries through a path segment: "/" and "\" (servers decode %2F before routing), a
# segment that is "." or ".." (browsers resolve even "%2E%2E"), control characters, and blank ends.
_UNROUTABLE = re.compile(r"[/\\\x00-\x1f\x7f]")


def _suggest(value: str) -> str:
    text = re.sub(r"[/\\\x00-\x1f\x7f]+", "-", value).strip(" .-") or "1"
    return text[:255]


def identifier_problems(survey_json: dict[str, Any]) -> list[Problem]:
    """The settings' form_id and version, refused where no URL could carry them (located, Thai/English)."""
    out = []
    checks = (("form_id", survey_json.get("id_string"), "รหัสแบบฟอร์ม (form_id)"),
              ("version", survey_json.get("version"), "รุ่น (version)"))
    for column, value, what_th in checks:
        if value in (None, ""):
            continue
        value = str(value)
        if not (_UNROUTABLE.search(value) or value.strip(" .") == "" or value != value.strip()):
            continue
        better = _suggest(value)
        shown = value.encode("unicode_escape").decode("ascii") if _UNROUTABLE.search(value) else value
        out.append(Problem(
            message_th=f"{what_th} “{shown}” มีอักขระที่ใช้ในที่อยู่เว็บไม่ได้ (/ หรือ \\) หรือเป็นจุด/ช่องว่างล้วน "
                       "ถ้าเผยแพร่ไปจะเปิดหรือดาวน์โหลดแบบฟอร์มไม่ได้",
            message_en=f"The {column} “{shown}” has a character no web address can carry (/ or \\), or is only "
                       "dots or spaces: published, the form could not be opened or downloaded.",
            hint_th=f"เปลี่ยนเป็น “{better}” (เช่น วันที่ให้เขียนเป็น 2026-03-15 หรือ 20260315)",
            hint_en=f"Write “{better}” instead (a date, for example, as 2026-03-15 or 20260315).",
            sheet="settings", row=2, column=column, code=f"bad_{column}"))
    return out


def _build_xform(survey_json: dict[str, Any], warnings: list[str]) -> str:
    from pyxform.builder import create_survey_element_from_dict

    survey = create_survey_element_from_dict(copy.deepcopy(survey_json))
    return survey.to_xml(validate=False, pretty_print=False, warnings=warnings)


def _languages(survey_json: dict[str, Any]) -> list[str]:
    langs: list[str] = []

    def visit(obj: Any) -> None:
        if isinstance(obj, dict):
            for key in ("label", "hint", "guidance_hint", "constraint_message", "required_message"):
                val = obj.get(key)
                if isinstance(val, dict):
                    for lang in val:
                        if isinstance(lang, str) and lang not in langs:
                            langs.append(lang)
            for k, v in obj.items():
                if k in ("children", "choices") or isinstance(v, (list, dict)) and k not in ("label", "hint"):
                    visit(v)
        elif isinstance(obj, list):
            for item in obj:
                visit(item)

    visit(survey_json.get("children", []))
    visit(survey_json.get("choices", {}))
    default = survey_json.get("default_language")
    if default and default in langs:
        langs.remove(default)
        langs.insert(0, default)
    return langs


def _sort(problems: list[Problem]) -> list[Problem]:
    order = {"settings": 0, "survey": 1, "choices": 2}
    return sorted(problems, key=lambda p: (
        0 if p.is_error else 1, order.get((p.sheet or "").lower(), 3) if p.sheet else -1, p.row or 0,
    ))


def _merge(ours: list[Problem], theirs: list[Problem]) -> list[Problem]:
    """pyxform's problems, except those one of ours already reports at the same place."""
    out = list(ours)
    for p in theirs:
        same = _SAME_FAULT.get(p.code, set())
        if any(o.code in same and (o.sheet or "").lower() == (p.sheet or "").lower()
               and (p.row is None or o.row == p.row) for o in ours):
            continue
        if any(o.message_en == p.message_en and o.row == p.row for o in out):
            continue
        out.append(p)
    return out


def convert_workbook(filename: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Conversion:
    """Convert an uploaded .xlsx into a Conversion; raise WorkbookRejected (every problem) if it cannot be."""
    try:
        return _convert(filename, data, max_bytes)
    except WorkbookRejected:
        raise
    except Exception as e:  # noqa: BLE001 - the contract: nothing but WorkbookRejected escapes
        raise WorkbookRejected(pyxform_messages.from_exception(e)) from e


def _convert(filename: str, data: bytes, max_bytes: int) -> Conversion:
    sniff_workbook(filename, data, max_bytes)
    sheets = read_sheets(data)
    ours = lint_sheets(sheets)
    digest = content_hash(sheets)

    from pyxform.utils import external_choices_to_csv, has_external_choices
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    pyxform_warnings: list[str] = []
    pyxform_problems: list[Problem] = []
    survey_json: dict[str, Any] | None = None
    xform = ""
    itemsets = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl: "extension is not supported" on many real files
            workbook_dict = get_xlsform(xlsform=data, file_type=".xlsx")
        straighten_workbook_quotes(workbook_dict.survey)  # reported as a warning by lint
        survey_json = workbook_to_json(
            workbook_dict=workbook_dict,
            form_name=None,
            fallback_form_name=_fallback_form_id(filename),
            warnings=pyxform_warnings,
        )
        if has_external_choices(json_struct=survey_json):
            itemsets = external_choices_to_csv(workbook_dict=workbook_dict)
        xform = _build_xform(survey_json, pyxform_warnings)
    except Exception as e:  # noqa: BLE001 - every pyxform failure becomes Problems
        pyxform_problems = pyxform_messages.from_exception(e, sheets)
        survey_json = None
    warnings_problems = pyxform_messages.from_warnings(pyxform_warnings, sheets)
    problems = _merge(ours, pyxform_problems + warnings_problems)
    scoring, scoring_problems = read_scoring_spec(sheets)
    problems += scoring_problems

    settings_sheet = next((rows for name, rows in sheets.items() if name.strip().lower() == "settings"), None)
    has_form_id = bool(settings_sheet and len(settings_sheet) > 1 and any(
        (h or "").strip().lower() in ("form_id", "id_string") and i < len(settings_sheet[1]) and settings_sheet[1][i]
        for i, h in enumerate(settings_sheet[0])))
    if survey_json is not None and not has_form_id:
        problems.append(Problem(
            message_th=f"ไม่ได้ตั้ง form_id ในชีต settings ระบบใช้ชื่อไฟล์แทน: {survey_json.get('id_string')}",
            message_en=f"No form_id on the settings sheet; the file name is used instead: {survey_json.get('id_string')}",
            hint_th="เพิ่มชีต settings ที่มีคอลัมน์ form_id (เช่น ypn_assessment) เพื่อให้เปลี่ยนชื่อไฟล์ได้โดยไม่กลายเป็นฟอร์มใหม่",
            hint_en="Add a settings sheet with a form_id column (e.g. ypn_assessment) so that renaming the file "
                    "does not make it a new form.",
            sheet="settings", column="form_id", level="warning", code="no_form_id",
        ))

    if survey_json is not None:
        problems += identifier_problems(survey_json)

    if any(p.is_error for p in problems) or survey_json is None:
        if not any(p.is_error for p in problems):  # pyxform failed without a message we could read
            problems.append(pyxform_messages.from_exception(RuntimeError("conversion failed"))[0])
        raise WorkbookRejected(_sort(problems))

    try:
        definition = read_definition(xform)
    except Exception as e:  # noqa: BLE001
        raise WorkbookRejected(_sort(problems) + [Problem(
            message_th="แปลงแบบฟอร์มได้ แต่ระบบอ่านผลลัพธ์ไม่ได้",
            message_en=f"The form converted but its XForm could not be read ({type(e).__name__}: {e}).",
            hint_th="แจ้งผู้ดูแลระบบพร้อมไฟล์นี้", hint_en="Send this file to the system administrator.",
            code="xform_unreadable",
        )]) from e

    # Every expression must parse with the server's evaluator (ODK's functions only); one that
    # does not would fail on every tablet. Skip cells our lint already refused (curly quotes).
    refused = {(p.row, p.column) for p in problems if p.is_error}
    expression_problems = [p for p in check_expressions(definition, sheets) + check_calculation_cycles(definition, sheets)
                           if (p.row, p.column) not in refused]
    if expression_problems:
        raise WorkbookRejected(_sort(problems + expression_problems))

    version = survey_json.get("version")
    media: dict[str, bytes] = {}
    if itemsets:
        media["itemsets.csv"] = itemsets.encode("utf-8")
    return Conversion(
        form_id=str(survey_json.get("id_string")),
        version=str(version) if version not in (None, "") else None,
        title=str(survey_json.get("title") or survey_json.get("id_string")),
        xform=xform,
        survey=survey_json,
        definition=definition,
        content_hash=digest,
        warnings=_sort([p for p in problems if not p.is_error]),
        media=media,
        languages=_languages(survey_json),
        default_language=survey_json.get("default_language"),
        scoring=with_definition_paths(scoring, definition),
    )
