"""Our own checks of a workbook, run beside pyxform: they find every occurrence (pyxform stops at the
first error) and catch traps pyxform lets through (smart quotes in formulas, empty groups).

Each finding is a Problem with sheet, Excel row and column header as written. Errors block
publishing; warnings are shown and do not.
"""
from __future__ import annotations

import re

from app.xlsform.problems import Problem
from app.xlsform.sheets import Sheets, base_column as _base, cell as _cell, columns as _columns
from app.xlsform.sheets import find_sheet as _find_sheet
from app.xlsform.workbook import read_sheets


# Columns holding XPath expressions (base name before "::", lower case, spaces as _).
EXPRESSION_COLUMNS = {
    "relevant", "relevance", "constraint", "calculation", "calculate", "required", "choice_filter",
    "repeat_count", "jr:count", "count", "default", "trigger", "read_only", "readonly",
}
SMART_QUOTES = "“”‘’„‟‚‛″′«»"
_STRAIGHTEN = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'"})


def straighten_quotes(expression: str) -> str | None:
    """The expression with curly quotes made straight, when that is surely what the author meant:
    it has no straight quotes of its own (so no curly quote sits inside a real string literal) and no
    other look-alike marks. None when it cannot be fixed safely."""
    if "'" in expression or '"' in expression or any(c in expression for c in "″′«»"):
        return None
    fixed = expression.translate(_STRAIGHTEN)
    return fixed if fixed != expression else None


def straighten_workbook_quotes(rows: list[dict]) -> None:
    """Fix curly quotes in the expression columns of pyxform's survey rows, in place."""
    for row in rows:
        for key, value in row.items():
            if isinstance(value, str) and _base(key) in EXPRESSION_COLUMNS:
                fixed = straighten_quotes(value)
                if fixed is not None:
                    row[key] = fixed
REF_RE = re.compile(r"\$\{([^}]*)\}")
CHOICE_NAME_OK = re.compile(r"^[\w.\-:]+$", re.UNICODE)
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00a0", "\u2060"}
MULTI_SELECT_RE = re.compile(r"^(select_multiple|select multiple|select all that apply|rank)\s+(\S+)")
CONTROL_RE = re.compile(r"^(begin|end)[ _]+(group|repeat|loop|lgroup|looped group)\b")






def _settings(sheets: Sheets) -> dict[str, str]:
    found = _find_sheet(sheets, "settings")
    if not found or len(found[1]) < 2:
        return {}
    rows = found[1]
    return {_base(h): (_cell(rows[1], i)) for i, h in enumerate(rows[0]) if h}


def lint_workbook(data: bytes) -> list[Problem]:
    """Read an .xlsx (already sniffed) and check it. Raises WorkbookRejected if it cannot be read."""
    return lint_sheets(read_sheets(data))


def lint_sheets(sheets: Sheets) -> list[Problem]:
    problems: list[Problem] = []
    survey = _find_sheet(sheets, "survey")
    choices = _find_sheet(sheets, "choices")
    settings = _settings(sheets)
    names: set[str] = set()
    multi_lists: set[str] = set()
    if survey:
        problems += _check_survey(survey[0], survey[1], names, multi_lists)
        problems += _check_references(survey[0], survey[1], names)
        problems += _check_languages(survey[0], survey[1], settings)
    if choices:
        allow_dupes = settings.get("allow_choice_duplicates", "").lower() in {"yes", "true", "true()"}
        problems += _check_choices(choices[0], choices[1], multi_lists, allow_dupes)
        if survey:
            problems += _check_references(choices[0], choices[1], names, only_text=True)
    return problems


def _check_survey(sheet: str, rows: list[list[str | None]], all_names: set[str],
                  multi_lists: set[str]) -> list[Problem]:
    out: list[Problem] = []
    cols = _columns(rows)
    type_ci, name_ci = cols.get("type"), cols.get("name")
    type_header = rows[0][type_ci] if type_ci is not None else "type"
    name_header = rows[0][name_ci] if name_ci is not None else "name"
    # Stack of open groups: (kind, name, excel_row, names_in_scope, has_children)
    stack: list[dict] = [{"kind": "survey", "name": None, "row": None, "names": {}, "children": 0}]

    expr_cols = [(i, h) for i, h in enumerate(rows[0] if rows else []) if _base(h) in EXPRESSION_COLUMNS]

    for ri, row in enumerate(rows[1:], start=2):
        for ci, header in expr_cols:
            value = _cell(row, ci)
            bad = sorted({c for c in value if c in SMART_QUOTES})
            if not bad:
                continue
            fixed = straighten_quotes(value) is not None
            out.append(Problem(
                message_th=(f"สูตรในคอลัมน์ {header} ใช้เครื่องหมายคำพูดแบบโค้ง ({' '.join(bad)}) "
                            + ("ระบบเปลี่ยนเป็นแบบตรงให้ตอนเผยแพร่แล้ว" if fixed else "ซึ่งโปรแกรมอ่านไม่ออก")),
                message_en=(f"The formula in column {header} uses curly quotes ({' '.join(bad)}); "
                            + ("they were replaced with straight quotes when publishing." if fixed
                               else "forms cannot read them.")),
                hint_th="แก้ในไฟล์ Excel เป็นเครื่องหมายคำพูดตรง ' หรือ \" (Excel เปลี่ยนให้อัตโนมัติ: ปิดได้ที่ "
                        "ตัวเลือกการแก้ไขอัตโนมัติ › จัดรูปแบบอัตโนมัติขณะพิมพ์)",
                hint_en="Use straight quotes ' or \" in the workbook (Excel's AutoCorrect › AutoFormat As You Type "
                        "creates curly ones).",
                sheet=sheet, row=ri, column=header, code="smart_quotes",
                level="warning" if fixed else "error",
            ))
        qtype = _cell(row, type_ci)
        qtype_norm = re.sub(r"\s+", " ", qtype.lower())
        name = _cell(row, name_ci)
        if not qtype and not name:
            continue
        m = CONTROL_RE.match(qtype_norm)
        if mm := MULTI_SELECT_RE.match(qtype_norm):
            multi_lists.add(mm.group(2))
        top = stack[-1]
        if m and m.group(1) == "end":
            kind = "repeat" if m.group(2) in ("lgroup", "looped group") else m.group(2)
            if len(stack) == 1:
                out.append(Problem(
                    message_th=f"พบ 'end {kind}' โดยไม่มี 'begin {kind}' ที่คู่กัน",
                    message_en=f"'end {kind}' without a matching 'begin {kind}'.",
                    hint_th="ลบแถวนี้ หรือเพิ่มแถว begin ก่อนคำถามแรกของกลุ่ม",
                    hint_en="Delete this row, or add the begin row before the group's first question.",
                    sheet=sheet, row=ri, column=type_header, code="unmatched_end",
                ))
                continue
            if top["kind"] != kind:
                out.append(Problem(
                    message_th=f"'end {kind}' ปิด 'begin {top['kind']}' ของแถว {top['row']} ซึ่งเป็นคนละชนิด",
                    message_en=f"'end {kind}' closes the 'begin {top['kind']}' of row {top['row']}, "
                               "which is a different kind.",
                    hint_th=f"เปลี่ยนเป็น end {top['kind']} หรือตรวจว่าแถว begin/end ขาดหรือเกิน",
                    hint_en=f"Change it to end {top['kind']}, or look for a missing or extra begin/end row.",
                    sheet=sheet, row=ri, column=type_header, code="begin_end_mismatch",
                ))
            stack.pop()
            if top["children"] == 0:
                out.append(Problem(
                    message_th=f"กลุ่ม '{top['name'] or ''}' ว่างเปล่า ไม่มีคำถามอยู่ระหว่าง begin และ end",
                    message_en=f"The {top['kind']} '{top['name'] or ''}' is empty: nothing between begin and end.",
                    hint_th="ใส่คำถามในกลุ่ม หรือลบแถว begin/end ของกลุ่มนี้",
                    hint_en="Put questions inside it, or delete its begin and end rows.",
                    sheet=sheet, row=top["row"], column=type_header, level="warning", code="empty_group",
                ))
            continue
        top["children"] += 1
        if name:
            all_names.add(name)
            seen = top["names"]
            if name in seen:
                out.append(Problem(
                    message_th=f"ชื่อคำถาม '{name}' ซ้ำกับแถว {seen[name]} ในกลุ่มเดียวกัน",
                    message_en=f"The name '{name}' is already used on row {seen[name]} in the same group.",
                    hint_th="ชื่อคำถาม (name) ต้องไม่ซ้ำกันภายในกลุ่มเดียวกัน เปลี่ยนชื่อใดชื่อหนึ่ง",
                    hint_en="Question names must be unique within their group: rename one of them.",
                    sheet=sheet, row=ri, column=name_header, code="duplicate_name",
                ))
            else:
                seen[name] = ri
        if m and m.group(1) == "begin":
            kind = "repeat" if m.group(2) in ("lgroup", "looped group") else m.group(2)
            stack.append({"kind": kind, "name": name, "row": ri, "names": {}, "children": 0})
    for open_group in stack[1:]:
        out.append(Problem(
            message_th=f"'begin {open_group['kind']}' ชื่อ '{open_group['name'] or ''}' ไม่มี 'end {open_group['kind']}' ปิดท้าย",
            message_en=f"'begin {open_group['kind']}' '{open_group['name'] or ''}' has no matching "
                       f"'end {open_group['kind']}'.",
            hint_th=f"เพิ่มแถว end {open_group['kind']} หลังคำถามสุดท้ายของกลุ่ม",
            hint_en=f"Add an 'end {open_group['kind']}' row after the group's last question.",
            sheet=sheet, row=open_group["row"], column=type_header, code="unclosed_begin",
        ))
    return out


def _check_references(sheet: str, rows: list[list[str | None]], names: set[str],
                      only_text: bool = False) -> list[Problem]:
    out: list[Problem] = []
    if not rows:
        return out
    skip = {"type", "name", "list_name"}
    text_cols = {"label", "hint", "guidance_hint", "constraint_message", "required_message", "image", "audio",
                 "video", "big-image"}
    cols = [(i, h) for i, h in enumerate(rows[0]) if h and _base(h) not in skip
            and (not only_text or _base(h) in text_cols)]
    for ri, row in enumerate(rows[1:], start=2):
        for ci, header in cols:
            value = _cell(row, ci)
            if "${" not in value:
                continue
            for ref in REF_RE.findall(value):
                ref = ref.strip()
                if ref and ref not in names:
                    out.append(Problem(
                        message_th=f"คอลัมน์ {header} อ้างถึงคำถาม '{ref}' ที่ไม่มีในชีต survey",
                        message_en=f"Column {header} refers to '{ref}', which is not a question on the survey sheet.",
                        hint_th="ตรวจตัวสะกดใน ${...} ให้ตรงกับคอลัมน์ name ของคำถาม (ตัวพิมพ์เล็ก/ใหญ่ต้องตรงกัน)",
                        hint_en="Check that the name in ${...} matches a question's name exactly (same letter case).",
                        sheet=sheet, row=ri, column=header, code="unknown_reference",
                    ))
    return out


def _check_choices(sheet: str, rows: list[list[str | None]], multi_lists: set[str],
                   allow_duplicates: bool) -> list[Problem]:
    out: list[Problem] = []
    cols = _columns(rows)
    list_ci, name_ci = cols.get("list_name"), cols.get("name")
    if name_ci is None:
        return out
    name_header = rows[0][name_ci]
    seen: dict[tuple[str, str], int] = {}
    for ri, row in enumerate(rows[1:], start=2):
        list_name = _cell(row, list_ci)
        raw = row[name_ci] if name_ci < len(row) else None
        name = (raw or "").strip()
        if not name:
            continue
        if any(c.isspace() for c in name) or any(c in INVISIBLE for c in raw or ""):
            is_multi = list_name in multi_lists
            out.append(Problem(
                message_th=f"ชื่อตัวเลือก '{name}' มีช่องว่างหรืออักขระที่มองไม่เห็น"
                           + (" ซึ่งใช้กับคำถามเลือกได้หลายข้อไม่ได้" if is_multi else ""),
                message_en=f"The choice name '{name}' contains spaces or invisible characters"
                           + (", which a select_multiple cannot use." if is_multi else "."),
                hint_th="ใช้ชื่อสั้นๆ ไม่มีช่องว่าง เช่น 1, 2, 3 หรือ farm_work (ข้อความที่ผู้ตอบเห็นใส่ใน label)",
                hint_en="Use short names without spaces, e.g. 1, 2, 3 or farm_work (the visible text goes in label).",
                sheet=sheet, row=ri, column=name_header, level="error" if is_multi else "warning",
                code="choice_name_space",
            ))
        elif not CHOICE_NAME_OK.match(name):
            out.append(Problem(
                message_th=f"ชื่อตัวเลือก '{name}' มีอักขระพิเศษ อาจทำให้สูตรและการส่งออกข้อมูลผิดพลาด",
                message_en=f"The choice name '{name}' contains unusual characters that can break formulas and exports.",
                hint_th="ใช้เฉพาะตัวอักษร ตัวเลข และ _ เช่น 1, 2, farm_work",
                hint_en="Use letters, digits and _ only, e.g. 1, 2, farm_work.",
                sheet=sheet, row=ri, column=name_header, level="warning", code="choice_name_chars",
            ))
        key = (list_name, name)
        if key in seen and not allow_duplicates:
            out.append(Problem(
                message_th=f"ชื่อตัวเลือก '{name}' ซ้ำกับแถว {seen[key]} ในรายการ '{list_name}'",
                message_en=f"The choice name '{name}' repeats row {seen[key]} in the list '{list_name}'.",
                hint_th="ชื่อตัวเลือกในรายการเดียวกันต้องไม่ซ้ำกัน เปลี่ยนชื่อใดชื่อหนึ่ง",
                hint_en="Choice names must be unique within one list: rename one of them.",
                sheet=sheet, row=ri, column=name_header, code="duplicate_choice",
            ))
        else:
            seen.setdefault(key, ri)
    return out


def _check_languages(sheet: str, rows: list[list[str | None]], settings: dict[str, str]) -> list[Problem]:
    if not rows:
        return []
    headers = [(h or "").strip() for h in rows[0]]
    translated = [h for h in headers if _base(h) == "label" and "::" in h]
    plain_label = any(_base(h) == "label" and "::" not in h for h in headers)
    if not translated:
        return []
    languages = [h.split("::", 1)[1].strip() for h in translated]
    default = settings.get("default_language", "")
    if default and default in languages:
        return []
    if not default and plain_label:
        return []
    if default:
        th = (f"default_language ในชีต settings คือ '{default}' แต่ไม่มีคอลัมน์ label::{default} "
              f"(ภาษาที่มี: {', '.join(languages)})")
        en = (f"default_language on the settings sheet is '{default}' but there is no label::{default} column "
              f"(languages found: {', '.join(languages)}).")
    else:
        th = (f"ชีต survey มีข้อความหลายภาษา ({', '.join(languages)}) แต่ไม่ได้ตั้ง default_language "
              "และไม่มีคอลัมน์ label แบบไม่ระบุภาษา")
        en = (f"The survey has translated labels ({', '.join(languages)}) but no default_language setting "
              "and no untranslated label column.")
    return [Problem(
        message_th=th, message_en=en,
        hint_th=f"ในชีต settings เพิ่มคอลัมน์ default_language แล้วใส่ {languages[0]} (สะกดให้ตรงกับหัวคอลัมน์)",
        hint_en=f"On the settings sheet add a default_language column with {languages[0]} (spelled as in the header).",
        sheet=sheet, row=1, column=translated[0], level="warning", code="default_language",
    )]


# ------------------------------------------------------------------ expressions (after pyxform)
# Node attribute -> the survey columns (base names) it comes from, first match wins.
_EXPRESSION_SOURCES = {
    "relevant": ("relevant", "relevance"),
    "required": ("required",),
    "constraint": ("constraint",),
    "calculate": ("calculation", "calculate"),
    "readonly": ("read_only", "readonly"),
    "repeat_count": ("repeat_count", "jr:count", "count"),
    "choice_filter": ("choice_filter",),
    "default": ("default",),
    "trigger": ("trigger",),
}
_WHAT = {
    "relevant": ("เงื่อนไขการแสดงคำถาม", "relevance condition"),
    "required": ("เงื่อนไขการบังคับตอบ", "required condition"),
    "constraint": ("เงื่อนไขตรวจคำตอบ", "constraint"),
    "calculate": ("สูตรคำนวณ", "calculation"),
    "readonly": ("เงื่อนไขอ่านอย่างเดียว", "read-only condition"),
    "repeat_count": ("จำนวนรอบของกลุ่มซ้ำ", "repeat count"),
    "choice_filter": ("ตัวกรองตัวเลือก", "choice filter"),
    "default": ("ค่าเริ่มต้นแบบสูตร", "dynamic default"),
    "trigger": ("ตัวกระตุ้น (trigger)", "trigger"),
}


def _survey_rows(sheets: Sheets, root_name: str) -> tuple[str, list[list[str | None]], dict[str, int]]:
    """(sheet title, rows, {instance path: Excel row}) for the survey sheet's named rows."""
    found = _find_sheet(sheets, "survey")
    if not found:
        return "survey", [], {}
    title, rows = found
    cols = _columns(rows)
    type_ci, name_ci = cols.get("type"), cols.get("name")
    paths: dict[str, int] = {}
    stack: list[str] = []
    for ri, row in enumerate(rows[1:], start=2):
        qtype = re.sub(r"\s+", " ", _cell(row, type_ci).lower())
        name = _cell(row, name_ci)
        m = CONTROL_RE.match(qtype)
        if m and m.group(1) == "end":
            if stack:
                stack.pop()
            continue
        if name:
            path = "/" + "/".join([root_name, *stack, name])
            paths.setdefault(path, ri)
        if m and m.group(1) == "begin":
            stack.append(name)
    return title, rows, paths


def _column_of(rows: list[list[str | None]], kind: str) -> tuple[int | None, str | None]:
    wanted = _EXPRESSION_SOURCES[kind]
    header = rows[0] if rows else []
    for base in wanted:
        for i, h in enumerate(header):
            b = _base(h)
            if b == "bind" and h and "::" in h:  # bind::relevant and friends
                b = _base(h.split("::", 1)[1])
            if b == base:
                return i, h
    return None, None


def _node_expressions(node) -> list[tuple[str, str]]:  # noqa: ANN001 - app.xlsform.definition.Node
    """(kind, expression) of every expression a converted node carries."""
    import json

    out = [(kind, getattr(node, kind)) for kind in ("relevant", "required", "constraint", "calculate", "readonly",
                                                     "repeat_count")]
    if node.itemset is not None and node.itemset.choice_filter:
        out.append(("choice_filter", node.itemset.nodeset))
    try:
        actions = json.loads(node.extra.get("actions") or "[]")
    except ValueError:
        actions = []
    for action in actions:
        if action.get("value"):
            out.append(("calculate" if action.get("trigger") else "default", action["value"]))
    for ref in (node.extra.get("trigger") or "").split():
        out.append(("trigger", ref))
    return [(k, e) for k, e in out if isinstance(e, str) and e.strip()]


def check_expressions(definition, sheets: Sheets) -> list[Problem]:  # noqa: ANN001 - FormDefinition
    """Every expression of a converted form must parse with the server's XPath parser (which also
    knows every function name ODK has): each one that does not is an error at its survey cell."""
    from app.xlsform.xpath import XPathError, compile as compile_xpath

    sheet, rows, paths = _survey_rows(sheets, definition.root.name)
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for node in definition.nodes():
        if node is definition.root:
            continue
        for kind, expression in _node_expressions(node):
            try:
                compile_xpath(expression)
                continue
            except XPathError as exc:
                error = exc
            if (node.path, kind) in seen:
                continue
            seen.add((node.path, kind))
            row = paths.get(node.path)
            ci, header = _column_of(rows, kind)
            written = _cell(rows[row - 1], ci) if row and ci is not None and row - 1 < len(rows) else ""
            shown = written or expression.strip()
            near_th = near_en = ""
            if error.position is not None and 0 <= error.position < len(expression):
                snippet = expression[error.position:error.position + 20].strip()
                if snippet:
                    near_th, near_en = f" (ตรงที่ “{snippet}”)", f" (at “{snippet}”)"
            what_th, what_en = _WHAT[kind]
            if error.message_en.startswith("Unknown axis"):
                hint_th = ("รูปแบบ “ชื่อ::ภาษา” ใช้ได้เฉพาะในหัวคอลัมน์ ในสูตรให้อ้างถึงคอลัมน์ด้วยชื่ออย่างเดียว "
                           "เช่น label หรือใช้ jr:choice-name(${คำถาม}, '${คำถาม}')")
                hint_en = ("“name::language” only works in column headers; in an expression refer to a column by "
                           "its name alone (e.g. label), or use jr:choice-name(${q}, '${q}').")
            elif error.message_en.startswith("Unknown function"):
                hint_th = ("ตรวจตัวสะกดชื่อฟังก์ชัน ใช้ได้เฉพาะฟังก์ชันของ ODK เช่น if, selected, concat, "
                           "count-selected, today, format-date (รายชื่อเต็ม: docs.getodk.org/form-operators-functions)")
                hint_en = ("Check the function's spelling: only ODK's functions work, e.g. if, selected, concat, "
                           "count-selected, today, format-date (full list: docs.getodk.org/form-operators-functions).")
            else:
                hint_th = ("ตรวจว่าวงเล็บและเครื่องหมายคำพูดเปิด-ปิดครบคู่ อ้างถึงคำถามด้วย ${ชื่อ} "
                           "และใช้ and / or / = / != / < / > ระหว่างค่า")
                hint_en = ("Check that every bracket and quote is closed, questions are referred to as ${name}, "
                           "and values are joined with and / or / = / != / < / >.")
            out.append(Problem(
                message_th=f"{what_th}ของคำถาม '{node.name}' อ่านไม่ได้: {error.message_th}{near_th} — สูตร: {shown}",
                message_en=f"The {what_en} of question '{node.name}' cannot be read: {error.message_en}{near_en} "
                           f"— expression: {shown}",
                hint_th=hint_th, hint_en=hint_en,
                sheet=sheet, row=row, column=header, code="expression_error",
            ))
    return out


def check_calculation_cycles(definition, sheets: Sheets) -> list[Problem]:  # noqa: ANN001 - FormDefinition
    """Calculations that depend on each other in a circle (c0 = ${c1} + 1, c1 = ${c0} + 1) have no
    value: a tablet shows NaN, JavaRosa refuses the form. One error per circle, at its first cell,
    naming every cell of it. Found as strongly connected components (Tarjan, without recursion)."""
    from app.xlsform.xpath import XPathError, compile as compile_xpath

    calcs = {n.path: n for n in definition.nodes() if n is not definition.root and (n.calculate or "").strip()}
    edges: dict[str, list[str]] = {}
    for path, node in calcs.items():
        try:
            refs = compile_xpath(node.calculate).references(path)
        except XPathError:
            refs = set()  # reported by check_expressions
        edges[path] = sorted(r for r in refs if r in calcs)
    sheet, rows, paths = _survey_rows(sheets, definition.root.name)
    _ci, header = _column_of(rows, "calculate")
    out: list[Problem] = []
    for cycle in _cycles(list(calcs), edges):
        cycle.sort(key=lambda p: paths.get(p) or 0)
        names = [calcs[p].name for p in cycle]
        where = [f"{calcs[p].name} (แถว {paths.get(p, '?')})" for p in cycle]
        where_en = [f"{calcs[p].name} (row {paths.get(p, '?')})" for p in cycle]
        loop_th = " → ".join(where + where[:1])
        loop_en = " → ".join(where_en + where_en[:1])
        out.append(Problem(
            message_th=f"สูตรคำนวณอ้างถึงกันเป็นวง จึงคำนวณค่าไม่ได้: {loop_th}",
            message_en=f"These calculations depend on each other in a circle, so none has a value: {loop_en}",
            hint_th=f"แก้สูตรในคอลัมน์ {header or 'calculation'} ของ {', '.join(names)} "
                    "ให้อย่างน้อยหนึ่งข้อไม่อ้างถึงข้ออื่นในวงนี้",
            hint_en=f"Change the {header or 'calculation'} of {', '.join(names)} so that at least one of them "
                    "does not read the others.",
            sheet=sheet, row=paths.get(cycle[0]), column=header, code="calculation_cycle"))
    return out


def _cycles(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """The circles of a directed graph: strongly connected components with more than one node, or
    one node that reads itself. Iterative Tarjan."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            targets = edges.get(v, [])
            if i < len(targets):
                work.append((v, i + 1))
                w = targets[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1 or v in edges.get(v, []):
                    found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return found
