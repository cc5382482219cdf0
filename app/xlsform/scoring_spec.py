"""The scoring a workbook declares, read and checked at publish. Pure: no Flask, no database.

A workbook is *scored* when it has a `score_groups` sheet, a `levels` sheet, or any `score_group`
cell on the survey sheet; otherwise it is a plain form and `read_scoring_spec` returns None. A
scored workbook declares:

- `choices`, column `score`: the points of an option (a number >= 0, at most 2 decimals). An option
  of a scored list left without a score means "not assessed" (e.g. "not applicable"): choosing it
  leaves the indicator out of both the score and the maximum. That is allowed, with a warning.
- `survey`, column `score_group`: the group an indicator counts toward. An indicator is a
  `select_one` whose list has scores (its max = its best option) or a `calculate` whose value is the
  points (its max is the `score_max` column on the same row, required). Indicators may sit in groups
  but not in repeats, and their names must be unique in the form.
- sheet `score_groups`: `name`, any `label::<language>` (or `label`), `max` (optional: a check the
  author writes; the maximum used is always the sum of the group's indicators' maxima, and a
  different `max` is reported as a warning), `pass_mark` (a percent: 60 or "60%"; blank = the group
  is not judged pass/fail), any `advice::<language>` (or `advice`): the development action when the
  group fails. Every group needs at least one indicator.
- sheet `levels`: `name`, any `label::<language>`, `min_percent`, `colour`, ordered from best to
  worst. min_percent must strictly decrease; the last level is the floor: its min_percent is 0 or
  blank (meaning "below the previous level"). A result is at the first level whose min_percent it
  reaches (exactly: 75.0 % reaches 75).

Percents are 0-100 with at most 2 decimals. A number strictly between 0 and 1 is refused: it is how
Excel stores a cell formatted as a percent (60 % -> 0.6); type 60 instead.

The spec (JSON-serialisable; numbers are ints when whole, else floats with at most 2 decimals)::

    {"groups": [{"name", "label": {lang: text}, "max", "pass_mark" (number or null),
                 "advice": {lang: text}, "indicators": [indicator names, form order]}],   # sheet order
     "levels": [{"name", "label": {lang: text}, "min_percent", "colour" (str or null)}],   # best first
     "indicators": [{"name", "path", "group", "label": {lang: text}, "kind": "select"|"calculate",
                     "scores": {choice name: points} | null, "max"}]}                     # form order

Language keys are the text after "::" in the header ("Thai (th)"), or "default" for a plain column,
as in app.xlsform.definition.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.xlsform.problems import Problem
from app.xlsform.sheets import Sheets, base_column as _base, cell as _cell, columns as _columns
from app.xlsform.sheets import find_sheet as _find


_CONTROL_RE = re.compile(r"^(begin|end)[ _]+(group|repeat|loop|lgroup|looped group)\b")
_SELECT_ONE_RE = re.compile(r"^select[ _]one[ _](?!from[ _]file\b)(\S+)(\s+or[ _]other)?$", re.IGNORECASE)
_COLOUR_RE = re.compile(r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]+)$")
_HUNDRED = Decimal(100)






def _header(rows: list[list[str | None]], ci: int | None, fallback: str) -> str:
    if rows and ci is not None and ci < len(rows[0]) and rows[0][ci]:
        return str(rows[0][ci]).strip()
    return fallback


def _texts(rows: list[list[str | None]], row: list[str | None], base: str) -> dict[str, str]:
    """{language: text} from the `base` and `base::<language>` columns of one row."""
    out: dict[str, str] = {}
    for i, h in enumerate(rows[0] if rows else []):
        if _base(h) != base:
            continue
        lang = h.split("::", 1)[1].strip() if "::" in h else "default"
        value = _cell(row, i)
        if value and lang not in out:
            out[lang] = value
    return out


def _json_number(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _number(text: str) -> Decimal | None:
    try:
        d = Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _two_decimals(d: Decimal) -> bool:
    return d == d.quantize(Decimal("0.01"))


class _Reader:
    def __init__(self, sheets: Sheets):
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.group_refs: list[tuple[str, str, int]] = []  # (question, score_group, row) of every scored row

    def problem(self, code: str, th: str, en: str, hint_th: str, hint_en: str, sheet: str | None = None,
                row: int | None = None, column: str | None = None, level: str = "error") -> None:
        self.problems.append(Problem(message_th=th, message_en=en, hint_th=hint_th, hint_en=hint_en,
                                     sheet=sheet, row=row, column=column, level=level, code=code))

    # --- percents (pass_mark, min_percent) ----------------------------------------------------------

    def percent(self, raw: str, sheet: str, row: int, column: str, code: str) -> Decimal | None:
        text = raw.strip()
        if text.endswith("%"):
            text = text[:-1].strip()
        d = _number(text)
        hint_th = "ใส่ตัวเลขร้อยละ 0 ถึง 100 ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 60 หรือ 60% (ถ้าจัดรูปแบบเซลล์เป็นเปอร์เซ็นต์ " \
                  "Excel จะเก็บ 60% เป็น 0.6 ให้เปลี่ยนรูปแบบเซลล์เป็นตัวเลขแล้วพิมพ์ 60)"
        hint_en = "Write a percent from 0 to 100 with at most 2 decimals, e.g. 60 or 60% (a cell formatted as a " \
                  "percent stores 60% as 0.6: format the cell as a number and type 60)."
        if d is None:
            self.problem(code, f"'{raw}' ไม่ใช่ตัวเลขร้อยละ", f"'{raw}' is not a percent.", hint_th, hint_en,
                         sheet, row, column)
            return None
        if d < 0 or d > 100 or 0 < d < 1 or not _two_decimals(d):
            why_th = "อยู่นอกช่วง 0 ถึง 100" if (d < 0 or d > 100) else (
                "น้อยกว่า 1 ซึ่งน่าจะเป็นเซลล์ที่จัดรูปแบบเป็นเปอร์เซ็นต์" if 0 < d < 1 else "มีทศนิยมเกิน 2 ตำแหน่ง")
            why_en = "is outside 0 to 100" if (d < 0 or d > 100) else (
                "is below 1, most likely a cell formatted as a percent" if 0 < d < 1 else "has more than 2 decimals")
            self.problem(code, f"ค่าร้อยละ {raw} {why_th}", f"The percent {raw} {why_en}.", hint_th, hint_en,
                         sheet, row, column)
            return None
        return d

    # --- choices ------------------------------------------------------------------------------------

    def read_choices(self) -> dict[str, list[dict[str, Any]]]:
        """list name -> [{name, score (Decimal | None), row}] for every list, in sheet order."""
        found = _find(self.sheets, "choices")
        lists: dict[str, list[dict[str, Any]]] = {}
        if not found:
            return lists
        self.choices_sheet, rows = found
        cols = _columns(rows)
        list_ci, name_ci, score_ci = cols.get("list_name"), cols.get("name"), cols.get("score")
        self.score_header = _header(rows, score_ci, "score")
        self.choices_rows = rows
        for ri, row in enumerate(rows[1:], start=2):
            list_name, name = _cell(row, list_ci), _cell(row, name_ci)
            if not list_name or not name:
                continue
            raw = _cell(row, score_ci)
            score: Decimal | None = None
            bad = False
            if raw:
                score = _number(raw)
                if score is None or score < 0 or not _two_decimals(score):
                    bad = True
                    score = None
            lists.setdefault(list_name, []).append({"name": name, "score": score, "raw": raw, "bad": bad,
                                                    "row": ri})
        return lists

    # --- survey -------------------------------------------------------------------------------------

    def read_indicators(self, lists: dict[str, list[dict[str, Any]]], root: str) -> list[dict[str, Any]]:
        found = _find(self.sheets, "survey")
        if not found:
            return []
        sheet, rows = found
        cols = _columns(rows)
        type_ci, name_ci, group_ci = cols.get("type"), cols.get("name"), cols.get("score_group")
        max_ci = cols.get("score_max")
        group_header = _header(rows, group_ci, "score_group")
        max_header = _header(rows, max_ci, "score_max")
        stack: list[tuple[str, str]] = []  # (kind, name) of open groups/repeats
        out: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        reported_lists: set[str] = set()
        for ri, row in enumerate(rows[1:], start=2):
            type_text = re.sub(r"\s+", " ", _cell(row, type_ci))
            qtype = type_text.lower()
            name = _cell(row, name_ci)
            m = _CONTROL_RE.match(qtype)
            if m:
                kind = "repeat" if m.group(2) in ("repeat", "loop", "lgroup", "looped group") else "group"
                if m.group(1) == "begin":
                    stack.append((kind, name))
                elif stack:
                    stack.pop()
                continue
            group = _cell(row, group_ci)
            if not group:
                continue
            where = dict(sheet=sheet, row=ri, column=group_header)
            self.group_refs.append((name, group, ri))
            if any(kind == "repeat" for kind, _ in stack):
                self.problem(
                    "scoring_in_repeat",
                    f"ตัวชี้วัด '{name}' อยู่ในกลุ่มซ้ำ (repeat) จึงนับคะแนนไม่ได้",
                    f"The indicator '{name}' is inside a repeat, so it cannot be scored.",
                    "ย้ายตัวชี้วัดออกจาก begin repeat/end repeat หรือลบค่าในคอลัมน์ score_group",
                    "Move the indicator out of the repeat, or clear its score_group cell.", **where)
                continue
            if name in seen:
                self.problem(
                    "scoring_duplicate_indicator",
                    f"ตัวชี้วัดชื่อ '{name}' ซ้ำกับแถว {seen[name]}",
                    f"The indicator name '{name}' repeats row {seen[name]}.",
                    "ตัวชี้วัดที่มีคะแนนต้องมีชื่อ (name) ไม่ซ้ำกันทั้งฟอร์ม", "Scored questions need names unique in the "
                    "whole form.", sheet=sheet, row=ri, column=_header(rows, name_ci, "name"))
                continue
            seen[name] = ri
            path = "/".join([root] + [n for _, n in stack] + [name])
            label = _texts(rows, row, "label")
            sel = _SELECT_ONE_RE.match(type_text)
            if sel:
                ind = self._select_indicator(name, sel.group(1), lists, where, reported_lists)
            elif qtype == "calculate":
                ind = self._calculate_indicator(name, _cell(row, max_ci), dict(sheet=sheet, row=ri,
                                                                                column=max_header))
                if ind is not None and not label:
                    self.problem(
                        "scoring_no_label",
                        f"ตัวชี้วัด '{name}' (calculate) ไม่มีข้อความ label ผลการประเมินจะแสดงเป็นชื่อ '{name}'",
                        f"The scored calculate '{name}' has no label; results will show its name '{name}'.",
                        "ใส่ข้อความในคอลัมน์ label ของแถวนี้ (เช่น สมาชิกออมทุกเดือน)",
                        "Write the indicator's text in the label columns of this row.",
                        sheet=sheet, row=ri, column="label", level="warning")
            else:
                self.problem(
                    "scoring_bad_type",
                    f"คำถาม '{name}' ชนิด '{_cell(row, type_ci)}' นับคะแนนไม่ได้",
                    f"The question '{name}' of type '{_cell(row, type_ci)}' cannot be scored.",
                    "ตัวชี้วัดต้องเป็น select_one ที่ตัวเลือกมีคะแนน (คอลัมน์ score ในชีต choices) หรือ calculate ที่คิดคะแนน "
                    "เช่น if(${rate} > 15, 0, 3) พร้อมคะแนนเต็มในคอลัมน์ score_max",
                    "An indicator is a select_one whose choices have a score, or a calculate that computes the "
                    "points, e.g. if(${rate} > 15, 0, 3), with its maximum in score_max.", **where)
                continue
            if ind is None:
                continue
            ind.update(name=name, path=path, group=group, label=label, row=ri)
            out.append(ind)
        self.survey_sheet, self.group_header = sheet, group_header
        return out

    def _select_indicator(self, name: str, list_name: str, lists: dict[str, list[dict[str, Any]]],
                          where: dict[str, Any], reported: set[str]) -> dict[str, Any] | None:
        options = lists.get(list_name, [])
        if not any(o["raw"] for o in options):
            self.problem(
                "scoring_no_scores",
                f"ตัวชี้วัด '{name}' ใช้รายการตัวเลือก '{list_name}' ที่ไม่มีคะแนน",
                f"The indicator '{name}' uses the choice list '{list_name}', which has no scores.",
                "ในชีต choices ใส่คะแนนของตัวเลือกแต่ละข้อของรายการนี้ในคอลัมน์ score (เช่น 0, 1, 2, 3)",
                "On the choices sheet, give each option of this list its points in a score column (e.g. 0, 1, 2, 3).",
                **where)
            return None
        sheet = getattr(self, "choices_sheet", "choices")
        fine = True
        if list_name not in reported:
            reported.add(list_name)
            for o in options:
                if o["bad"]:
                    fine = False
                    self.problem(
                        "scoring_bad_score",
                        f"คะแนน '{o['raw']}' ของตัวเลือก '{o['name']}' ในรายการ '{list_name}' ไม่ใช่ตัวเลขที่ใช้ได้",
                        f"The score '{o['raw']}' of option '{o['name']}' in list '{list_name}' is not a usable number.",
                        "คะแนนต้องเป็นตัวเลขตั้งแต่ 0 ขึ้นไป ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 0, 1, 2, 3 หรือ 1.5",
                        "A score is a number of 0 or more with at most 2 decimals, e.g. 0, 1, 2, 3 or 1.5.",
                        sheet=sheet, row=o["row"], column=self.score_header)
                elif not o["raw"]:
                    self.problem(
                        "scoring_unscored_option",
                        f"ตัวเลือก '{o['name']}' ในรายการ '{list_name}' ไม่มีคะแนน ถ้าเลือกข้อนี้ ตัวชี้วัดจะไม่ถูกนับ "
                        "(ไม่รวมทั้งคะแนนที่ได้และคะแนนเต็ม)",
                        f"Option '{o['name']}' of list '{list_name}' has no score: choosing it leaves the indicator "
                        "out of both the score and the maximum (not assessed).",
                        "ถ้าตั้งใจให้เป็น 'ไม่เกี่ยวข้อง' ไม่ต้องแก้ ถ้าลืมใส่ ให้ใส่คะแนนในคอลัมน์ score (ใส่ 0 ถ้าไม่ได้คะแนน)",
                        "Fine if it means 'not applicable'; otherwise give it a score (0 if it earns nothing).",
                        sheet=sheet, row=o["row"], column=self.score_header, level="warning")
        elif any(o["bad"] for o in options):
            fine = False
        if not fine:
            return None
        scores = {o["name"]: o["score"] for o in options if o["score"] is not None}
        top = max(scores.values())
        if top <= 0:
            self.problem(
                "scoring_zero_max",
                f"ตัวชี้วัด '{name}' ได้คะแนนสูงสุดเป็น 0 ทุกตัวเลือก", f"Every option of indicator '{name}' scores 0.",
                f"ให้ตัวเลือกที่ดีที่สุดของรายการ '{list_name}' มีคะแนนมากกว่า 0",
                f"Give the best option of list '{list_name}' more than 0 points.", **where)
            return None
        return {"kind": "select", "scores": scores, "max": top}

    def _calculate_indicator(self, name: str, raw_max: str, where: dict[str, Any]) -> dict[str, Any] | None:
        d = _number(raw_max) if raw_max else None
        if d is None or d <= 0 or not _two_decimals(d):
            self.problem(
                "scoring_score_max",
                f"ตัวชี้วัดแบบคำนวณ '{name}' ต้องมีคะแนนเต็มในคอลัมน์ score_max" + (f" ('{raw_max}' ใช้ไม่ได้)" if raw_max
                                                                                 else ""),
                f"The scored calculate '{name}' needs its maximum points in column score_max"
                + (f" ('{raw_max}' is not usable)." if raw_max else "."),
                "ใส่คะแนนเต็มของตัวชี้วัดนี้ เป็นตัวเลขมากกว่า 0 เช่น 3 ในคอลัมน์ score_max ของชีต survey",
                "Write the indicator's maximum, a number above 0 such as 3, in the survey's score_max column.",
                **where)
            return None
        return {"kind": "calculate", "scores": None, "max": d}

    # --- score_groups -------------------------------------------------------------------------------

    def read_groups(self) -> list[dict[str, Any]]:
        found = _find(self.sheets, "score_groups")
        if not found:
            self.problem(
                "scoring_missing_sheet", "ฟอร์มนี้มีการให้คะแนน แต่ไม่มีชีต score_groups",
                "This form is scored but has no score_groups sheet.",
                "เพิ่มชีต score_groups ที่มีคอลัมน์ name, label::Thai (th), label::English (en), max, pass_mark, "
                "advice::Thai (th), advice::English (en) หนึ่งแถวต่อหนึ่งหมวด (หลักธรรมาภิบาล)",
                "Add a score_groups sheet with columns name, label::Thai (th), label::English (en), max, pass_mark, "
                "advice::Thai (th), advice::English (en), one row per group (principle).", sheet="score_groups")
            return []
        sheet, rows = found
        self.groups_sheet = sheet
        cols = _columns(rows)
        name_ci, max_ci, pass_ci = cols.get("name"), cols.get("max"), cols.get("pass_mark")
        if name_ci is None:
            self.problem("scoring_missing_column", "ชีต score_groups ไม่มีคอลัมน์ name",
                         "The score_groups sheet has no name column.",
                         "ใส่หัวคอลัมน์ name ในแถวที่ 1 แล้วใส่ชื่อหมวดที่ใช้ในคอลัมน์ score_group ของชีต survey",
                         "Add a name header in row 1 and the group names used in the survey's score_group column.",
                         sheet=sheet, row=1, column="name")
            return []
        groups: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for ri, row in enumerate(rows[1:], start=2):
            if not any(c not in (None, "") for c in row):
                continue
            name = _cell(row, name_ci)
            if not name:
                self.problem("scoring_group_no_name", "หมวดคะแนนแถวนี้ไม่มีชื่อ (name)",
                             "This score group has no name.", "ใส่ชื่อหมวดในคอลัมน์ name หรือลบแถวนี้",
                             "Write the group's name in the name column, or delete the row.",
                             sheet=sheet, row=ri, column=_header(rows, name_ci, "name"))
                continue
            if name in seen:
                self.problem("scoring_duplicate_group", f"ชื่อหมวดคะแนน '{name}' ซ้ำกับแถว {seen[name]}",
                             f"The score group '{name}' repeats row {seen[name]}.",
                             "ชื่อหมวดต้องไม่ซ้ำกัน ลบแถวที่ซ้ำหรือเปลี่ยนชื่อ", "Group names must be unique: delete or "
                             "rename one.", sheet=sheet, row=ri, column=_header(rows, name_ci, "name"))
                continue
            seen[name] = ri
            declared_max = None
            raw_max = _cell(row, max_ci)
            if raw_max:
                declared_max = _number(raw_max)
                if declared_max is None or declared_max <= 0:
                    self.problem("scoring_bad_max", f"คะแนนเต็ม (max) '{raw_max}' ของหมวด '{name}' ไม่ใช่ตัวเลขที่ใช้ได้",
                                 f"The max '{raw_max}' of group '{name}' is not a usable number.",
                                 "ใส่ผลรวมคะแนนเต็มของตัวชี้วัดในหมวดนี้ หรือเว้นว่างให้ระบบรวมให้",
                                 "Write the sum of its indicators' maxima, or leave it blank to have it summed.",
                                 sheet=sheet, row=ri, column=_header(rows, max_ci, "max"))
            pass_mark = None
            raw_pass = _cell(row, pass_ci)
            if raw_pass:
                pass_mark = self.percent(raw_pass, sheet, ri, _header(rows, pass_ci, "pass_mark"),
                                         "scoring_bad_pass_mark")
            groups.append({"name": name, "label": _texts(rows, row, "label"), "declared_max": declared_max,
                           "pass_mark": pass_mark, "advice": _texts(rows, row, "advice"), "row": ri,
                           "max_column": _header(rows, max_ci, "max"),
                           "name_column": _header(rows, name_ci, "name")})
        if not groups and not any(p.sheet == sheet for p in self.problems):
            self.problem("scoring_no_groups", "ชีต score_groups ไม่มีหมวดคะแนน", "The score_groups sheet lists no group.",
                         "ใส่หนึ่งแถวต่อหนึ่งหมวด เริ่มแถวที่ 2", "Add one row per group, from row 2.", sheet=sheet)
        return groups

    # --- levels ---------------------------------------------------------------------------------------

    def read_levels(self) -> list[dict[str, Any]]:
        hint_th = ("เรียงระดับจากดีที่สุดไปต่ำสุด min_percent ต้องลดลงทุกแถว และแถวสุดท้ายต้องเป็น 0 หรือเว้นว่าง (ต่ำกว่าระดับก่อนหน้า) "
                   "เช่น ระดับ 3 = 75, ระดับ 2 = 50, ระดับ 1 = 0")
        hint_en = ("Order levels from best to worst: min_percent must decrease on every row and the last must be 0 or "
                   "blank (below the previous level), e.g. level 3 = 75, level 2 = 50, level 1 = 0.")
        found = _find(self.sheets, "levels")
        if not found:
            self.problem("scoring_missing_sheet", "ฟอร์มนี้มีการให้คะแนน แต่ไม่มีชีต levels",
                         "This form is scored but has no levels sheet.",
                         "เพิ่มชีต levels ที่มีคอลัมน์ name, label::Thai (th), label::English (en), min_percent, colour. "
                         + hint_th, "Add a levels sheet with columns name, label::Thai (th), label::English (en), "
                         "min_percent, colour. " + hint_en, sheet="levels")
            return []
        sheet, rows = found
        cols = _columns(rows)
        name_ci, min_ci, colour_ci = cols.get("name"), cols.get("min_percent"), cols.get("colour", cols.get("color"))
        min_header = _header(rows, min_ci, "min_percent")
        if name_ci is None or min_ci is None:
            missing = "name" if name_ci is None else "min_percent"
            self.problem("scoring_missing_column", f"ชีต levels ไม่มีคอลัมน์ {missing}",
                         f"The levels sheet has no {missing} column.", hint_th, hint_en, sheet=sheet, row=1,
                         column=missing)
            return []
        levels: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for ri, row in enumerate(rows[1:], start=2):
            if not any(c not in (None, "") for c in row):
                continue
            name = _cell(row, name_ci)
            if not name:
                self.problem("scoring_level_no_name", "ระดับในแถวนี้ไม่มีชื่อ (name)", "This level has no name.",
                             "ใส่ชื่อระดับ เช่น 3, 2, 1 หรือลบแถวนี้", "Write the level's name (e.g. 3, 2, 1) or delete "
                             "the row.", sheet=sheet, row=ri, column=_header(rows, name_ci, "name"))
                continue
            if name in seen:
                self.problem("scoring_duplicate_level", f"ชื่อระดับ '{name}' ซ้ำกับแถว {seen[name]}",
                             f"The level '{name}' repeats row {seen[name]}.", hint_th, hint_en, sheet=sheet, row=ri,
                             column=_header(rows, name_ci, "name"))
                continue
            seen[name] = ri
            raw = _cell(row, min_ci)
            value = self.percent(raw, sheet, ri, min_header, "scoring_bad_min_percent") if raw else None
            colour = _cell(row, colour_ci) or None
            if colour and not _COLOUR_RE.match(colour):
                self.problem("scoring_bad_colour", f"สี '{colour}' ของระดับ '{name}' อาจแสดงไม่ได้",
                             f"The colour '{colour}' of level '{name}' may not display.",
                             "ใช้รหัสสีแบบ #1a7f37 หรือชื่อสีภาษาอังกฤษ เช่น green", "Use a colour code like #1a7f37 "
                             "or a colour name such as green.", sheet=sheet, row=ri,
                             column=_header(rows, colour_ci, "colour"), level="warning")
            levels.append({"name": name, "label": _texts(rows, row, "label"), "raw": raw, "min_percent": value,
                           "colour": colour, "row": ri})
        if not levels:
            self.problem("scoring_no_levels", "ชีต levels ไม่มีระดับ", "The levels sheet lists no level.", hint_th,
                         hint_en, sheet=sheet)
            return []
        previous: dict[str, Any] | None = None
        for i, lv in enumerate(levels):
            last = i == len(levels) - 1
            if lv["raw"] and lv["min_percent"] is None:
                return []  # already reported as a bad percent
            if last:
                if lv["raw"] and lv["min_percent"] != 0:
                    self.problem("scoring_levels_floor",
                                 f"ระดับสุดท้าย '{lv['name']}' มี min_percent {lv['raw']} ผลที่ต่ำกว่านี้จะไม่มีระดับ",
                                 f"The last level '{lv['name']}' has min_percent {lv['raw']}: results below it would "
                                 "have no level.", hint_th, hint_en, sheet=sheet, row=lv["row"], column=min_header)
                    return []
                lv["min_percent"] = Decimal(0)
            elif lv["min_percent"] is None:
                self.problem("scoring_levels_order",
                             f"ระดับ '{lv['name']}' ไม่มี min_percent (เว้นว่างได้เฉพาะระดับสุดท้าย)",
                             f"The level '{lv['name']}' has no min_percent (only the last level may be blank).",
                             hint_th, hint_en, sheet=sheet, row=lv["row"], column=min_header)
                return []
            if previous is not None and lv["min_percent"] >= previous["min_percent"]:
                self.problem("scoring_levels_order",
                             f"min_percent ของระดับ '{lv['name']}' ({_json_number(lv['min_percent'])}) ไม่น้อยกว่าระดับ "
                             f"'{previous['name']}' แถว {previous['row']} ({_json_number(previous['min_percent'])}) "
                             "ช่วงคะแนนจึงซ้อนกันหรือเรียงผิด",
                             f"The min_percent of level '{lv['name']}' ({_json_number(lv['min_percent'])}) is not below "
                             f"that of '{previous['name']}' on row {previous['row']} "
                             f"({_json_number(previous['min_percent'])}): the levels overlap or are out of order.",
                             hint_th, hint_en, sheet=sheet, row=lv["row"], column=min_header)
                return []
            previous = lv
        return levels


    # --- a calculate that repeats the levels ---------------------------------------------------------

    _LEVEL_TEST = re.compile(r">=\s*(-?[\d.]+)\s*,\s*(['\"])(.*?)\2")

    def check_level_calculates(self, levels: list[dict[str, Any]]) -> None:
        """An XForm cannot read the levels sheet, so a form that shows a provisional level on the
        tablet repeats its thresholds in a calculation (`if(${percent} >= 75, 'Level 3', …)`). Every
        `>= N, 'label'` there whose label names a level must use that level's min_percent: otherwise
        the tablet would show the group one level and the meeting screen (from the sheet) another."""
        found = _find(self.sheets, "survey")
        if not found or not levels:
            return
        sheet, rows = found
        cols = _columns(rows)
        calc_ci = cols.get("calculation")
        if calc_ci is None:
            return
        by_text: dict[str, dict[str, Any]] = {}
        for lv in levels:
            for text in [lv["name"], *lv["label"].values()]:
                if text:
                    by_text[text.strip()] = lv
        header = _header(rows, calc_ci, "calculation")
        for ri, row in enumerate(rows[1:], start=2):
            expr = _cell(row, calc_ci)
            for m in self._LEVEL_TEST.finditer(expr):
                lv = by_text.get(m.group(3).strip())
                n = _number(m.group(1))
                if lv is None or n is None or n == lv["min_percent"]:
                    continue
                want = _json_number(lv["min_percent"])
                self.problem(
                    "scoring_level_calculate",
                    f"สูตรนี้ให้ '{m.group(3)}' เมื่อร้อยละ >= {m.group(1)} แต่ชีต levels กำหนด {want}",
                    f"This calculation gives '{m.group(3)}' from {m.group(1)} % but the levels sheet says {want} %.",
                    f"เปลี่ยน {m.group(1)} ในสูตรเป็น {want} ให้ตรงกับชีต levels (หรือแก้ชีต levels) "
                    "มิฉะนั้นแท็บเล็ตจะแสดงระดับไม่ตรงกับหน้าจอแสดงผลต่อกลุ่ม",
                    f"Change {m.group(1)} to {want} to match the levels sheet (or change the sheet); otherwise the "
                    "tablet shows the group a different level than the meeting screen.",
                    sheet=sheet, row=ri, column=header)


def is_scored(sheets: Sheets) -> bool:
    if _find(sheets, "score_groups") or _find(sheets, "levels"):
        return True
    found = _find(sheets, "survey")
    if not found:
        return False
    rows = found[1]
    ci = _columns(rows).get("score_group")
    return ci is not None and any(_cell(r, ci) for r in rows[1:])


def read_scoring_spec(sheets: Sheets, root: str = "/data") -> tuple[dict[str, Any] | None, list[Problem]]:
    """The workbook's scoring spec (None for a plain form) and every problem found in it.

    The spec is None as well when there is any error (the problems say why). `root` is the primary
    instance path used to build indicator paths; `with_definition_paths` replaces them by the XForm's."""
    if not is_scored(sheets):
        return None, []
    r = _Reader(sheets)
    lists = r.read_choices()
    indicators = r.read_indicators(lists, root)
    groups = r.read_groups()
    levels = r.read_levels()
    r.check_level_calculates(levels)

    known = {g["name"] for g in groups}
    for q_name, q_group, q_row in r.group_refs:
        if groups and q_group not in known:
            r.problem("scoring_unknown_group",
                      f"หมวดคะแนน '{q_group}' ของตัวชี้วัด '{q_name}' ไม่มีในชีต score_groups",
                      f"The score group '{q_group}' of indicator '{q_name}' is not on the score_groups sheet.",
                      f"สะกดให้ตรงกับคอลัมน์ name ของชีต score_groups (มี: {', '.join(sorted(known))}) "
                      "หรือเพิ่มหมวดนี้ในชีต score_groups",
                      f"Spell it as in the score_groups sheet's name column ({', '.join(sorted(known))}), or add the "
                      "group there.", sheet=r.survey_sheet, row=q_row, column=r.group_header)
    if not indicators and not any(p.code in ("scoring_in_repeat", "scoring_bad_type", "scoring_no_scores",
                                             "scoring_bad_score", "scoring_score_max", "scoring_zero_max",
                                             "scoring_duplicate_indicator") for p in r.problems):
        r.problem("scoring_no_indicators", "ฟอร์มนี้มีชีตการให้คะแนน แต่ไม่มีคำถามที่ระบุ score_group",
                  "This form has scoring sheets but no question with a score_group.",
                  "ในชีต survey เพิ่มคอลัมน์ score_group แล้วใส่ชื่อหมวดที่ตัวชี้วัดแต่ละข้อนับคะแนนเข้า",
                  "Add a score_group column on the survey sheet and name, for each indicator, the group it counts "
                  "toward.", sheet="survey", column="score_group")
    for g in groups:
        members = [i for i in indicators if i["group"] == g["name"]]
        g["indicators"] = [i["name"] for i in members]
        g["max"] = sum((i["max"] for i in members), Decimal(0))
        if not members:
            # An indicator dropped for its own error may belong here: do not blame the group twice.
            if not any(p.is_error and p.sheet != r.groups_sheet for p in r.problems):
                r.problem("scoring_empty_group", f"หมวดคะแนน '{g['name']}' ไม่มีตัวชี้วัด",
                          f"The score group '{g['name']}' has no indicator.",
                          "ใส่ชื่อหมวดนี้ในคอลัมน์ score_group ของตัวชี้วัดในชีต survey หรือลบแถวนี้ออกจากชีต score_groups",
                          "Put this name in the score_group column of its indicators on the survey sheet, or delete "
                          "the row from score_groups.", sheet=r.groups_sheet, row=g["row"],
                          column=g["name_column"])
        elif g["declared_max"] is not None and g["declared_max"] != g["max"] and not any(
                p.is_error for p in r.problems):
            r.problem("scoring_max_mismatch",
                      f"คะแนนเต็ม (max) ของหมวด '{g['name']}' คือ {_json_number(g['declared_max'])} แต่ผลรวมคะแนนเต็มของ"
                      f"ตัวชี้วัด {len(members)} ข้อคือ {_json_number(g['max'])} ระบบใช้ {_json_number(g['max'])}",
                      f"The max of group '{g['name']}' says {_json_number(g['declared_max'])} but its "
                      f"{len(members)} indicators add up to {_json_number(g['max'])}; {_json_number(g['max'])} is used.",
                      "แก้ค่า max ให้ตรงกับผลรวม หรือตรวจว่าตัวชี้วัดและคะแนนครบถูกต้อง (เว้นว่าง max ได้)",
                      "Correct max, or check the indicators and their scores (max may be left blank).",
                      sheet=r.groups_sheet, row=g["row"], column=g["max_column"], level="warning")

    if any(p.is_error for p in r.problems):
        return None, r.problems
    spec = {
        "groups": [{"name": g["name"], "label": g["label"], "max": _json_number(g["max"]),
                    "pass_mark": None if g["pass_mark"] is None else _json_number(g["pass_mark"]),
                    "advice": g["advice"], "indicators": g["indicators"]} for g in groups],
        "levels": [{"name": lv["name"], "label": lv["label"], "min_percent": _json_number(lv["min_percent"]),
                    "colour": lv["colour"]} for lv in levels],
        "indicators": [{"name": i["name"], "path": i["path"], "group": i["group"], "label": i["label"],
                        "kind": i["kind"],
                        "scores": None if i["scores"] is None else {k: _json_number(v) for k, v in i["scores"].items()},
                        "max": _json_number(i["max"])} for i in indicators],
    }
    return spec, r.problems


def with_definition_paths(spec: dict[str, Any] | None, definition: Any) -> dict[str, Any] | None:
    """The spec with each indicator's path taken from the XForm definition (matched by name)."""
    if spec is None or definition is None:
        return spec
    paths: dict[str, list[str]] = {}
    for node in definition.nodes():
        if node.kind == "field":
            paths.setdefault(node.name, []).append(node.path)
    for ind in spec["indicators"]:
        found = paths.get(ind["name"], [])
        if len(found) == 1:
            ind["path"] = found[0]
        elif ind["path"] not in found and found:
            ind["path"] = found[0]
    return spec
