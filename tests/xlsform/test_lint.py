"""Our own workbook checks: each trap is found with its sheet, Excel row and column, in Thai and
English; errors block publishing (convert_workbook lists every one), warnings do not."""
from __future__ import annotations

import pytest

from app.xlsform.convert import convert_workbook
from app.xlsform.lint import lint_workbook
from app.xlsform.problems import WorkbookRejected
from app.xlsform.pyxform_messages import from_exception, translate
from tests.xlsform.xlsx_builder import make_xlsx

CHOICES = [["list_name", "name", "label"], ["yn", "yes", "ใช่"], ["yn", "no", "ไม่ใช่"]]
SETTINGS = [["form_id", "version"], ["t", "1"]]


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} in {[p.code for p in problems]}"
    for p in found:
        assert p.message_th and p.message_en and p.hint_th and p.hint_en
    return found


def test_smart_quotes_used_as_delimiters_are_straightened_with_a_warning_at_the_cell():
    data = make_xlsx([["type", "name", "label", "relevant"],
                      ["select_one yn", "q1", "ข้อ 1", ""],
                      ["text", "q2", "ข้อ 2", "${q1} = “yes”"]], CHOICES, SETTINGS)
    [p] = only(lint_workbook(data), "smart_quotes")
    assert (p.sheet, p.row, p.column, p.level) == ("survey", 3, "relevant", "warning")
    assert "“" in p.message_th and "curly quotes" in p.message_en and "replaced" in p.message_en
    conversion = convert_workbook("f.xlsx", data)
    assert 'relevant=" /data/q1  = &quot;yes&quot;"' in conversion.xform
    assert "“" not in conversion.xform


def test_smart_quotes_mixed_with_straight_quotes_are_an_error():
    data = make_xlsx([["type", "name", "label", "relevant"],
                      ["select_one yn", "q1", "ข้อ 1", ""],
                      ["text", "q2", "ข้อ 2", "${q1} = 'yes' or ${q1} = ‘no’"]], CHOICES, SETTINGS)
    [p] = only(lint_workbook(data), "smart_quotes")
    assert (p.row, p.column, p.level) == (3, "relevant", "error")
    with pytest.raises(WorkbookRejected):
        convert_workbook("f.xlsx", data)


def test_smart_quotes_in_labels_are_fine():
    data = make_xlsx([["type", "name", "label"], ["text", "q", "เขาพูดว่า “สวัสดี”"]], None, SETTINGS)
    assert not [p for p in lint_workbook(data) if p.code == "smart_quotes"]


def test_space_in_choice_name_blocks_a_select_multiple_and_warns_a_select_one():
    choices = [["list_name", "name", "label"], ["crops", "rice field", "นา"], ["yn", "not sure", "ไม่แน่ใจ"]]
    data = make_xlsx([["type", "name", "label"], ["select_multiple crops", "c", "พืช"],
                      ["select_one yn", "s", "ใช่ไหม"]], choices, SETTINGS)
    multi, single = only(lint_workbook(data), "choice_name_space")
    assert (multi.sheet, multi.row, multi.column, multi.level) == ("choices", 2, "name", "error")
    assert (single.row, single.level) == (3, "warning")


def test_odd_characters_in_choice_name_warn():
    choices = [["list_name", "name", "label"], ["yn", "yes!", "ใช่"], ["yn", "no\u200b", "ไม่"]]
    data = make_xlsx([["type", "name", "label"], ["select_one yn", "s", "?"]], choices, SETTINGS)
    problems = lint_workbook(data)
    assert only(problems, "choice_name_chars")[0].row == 2
    assert only(problems, "choice_name_space")[0].row == 3  # the invisible zero-width space


def test_duplicate_question_name_in_same_group_is_an_error_but_not_across_groups():
    data = make_xlsx([["type", "name", "label"],
                      ["text", "name", "ชื่อ"],
                      ["begin group", "g1", "กลุ่ม"],
                      ["text", "name", "ชื่อในกลุ่ม"],
                      ["text", "age", "อายุ"],
                      ["integer", "age", "อายุอีกครั้ง"],
                      ["end group", "", ""]], None, SETTINGS)
    [p] = only(lint_workbook(data), "duplicate_name")
    assert (p.sheet, p.row, p.column) == ("survey", 6, "name")
    assert "age" in p.message_th and "row 5" in p.message_en


def test_duplicate_choice_name_within_a_list_is_an_error_but_not_across_lists():
    choices = [["list_name", "name", "label"], ["yn", "1", "ใช่"], ["yn", "1", "ไม่ใช่"], ["abc", "1", "ก"]]
    data = make_xlsx([["type", "name", "label"], ["select_one yn", "s", "?"]], choices, SETTINGS)
    [p] = only(lint_workbook(data), "duplicate_choice")
    assert (p.sheet, p.row, p.column) == ("choices", 3, "name")
    assert "yn" in p.message_th


def test_duplicate_choices_are_allowed_when_settings_say_so():
    choices = [["list_name", "name", "label"], ["yn", "1", "ใช่"], ["yn", "1", "ไม่ใช่"]]
    settings = [["form_id", "allow_choice_duplicates"], ["t", "yes"]]
    data = make_xlsx([["type", "name", "label"], ["select_one yn", "s", "?"]], choices, settings)
    assert not [p for p in lint_workbook(data) if p.code == "duplicate_choice"]


def test_reference_to_missing_question_is_an_error_in_its_column():
    data = make_xlsx([["type", "name", "label", "constraint"],
                      ["integer", "age", "อายุ", ""],
                      ["integer", "kids", "ลูกกี่คน (${age})", ". < ${agee}"]], None, SETTINGS)
    [p] = only(lint_workbook(data), "unknown_reference")
    assert (p.sheet, p.row, p.column) == ("survey", 3, "constraint")
    assert "agee" in p.message_th


def test_translated_labels_without_default_language_warn():
    survey = [["type", "name", "label::Thai (th)", "label::English (en)"], ["text", "n", "ชื่อ", "Name"]]
    [p] = only(lint_workbook(make_xlsx(survey, None, SETTINGS)), "default_language")
    assert (p.sheet, p.row, p.column, p.level) == ("survey", 1, "label::Thai (th)", "warning")
    settings = [["form_id", "default_language"], ["t", "Thai (th)"]]
    assert not [p for p in lint_workbook(make_xlsx(survey, None, settings)) if p.code == "default_language"]


def test_default_language_that_matches_no_column_warns():
    survey = [["type", "name", "label::Thai (th)"], ["text", "n", "ชื่อ"]]
    settings = [["form_id", "default_language"], ["t", "Thai"]]
    [p] = only(lint_workbook(make_xlsx(survey, None, settings)), "default_language")
    assert "Thai (th)" in p.hint_en


def test_empty_group_warns_at_its_begin_row():
    data = make_xlsx([["type", "name", "label"],
                      ["text", "a", "ก"],
                      ["begin_group", "empty", "ว่าง"],
                      ["end_group", "", ""]], None, SETTINGS)
    [p] = only(lint_workbook(data), "empty_group")
    assert (p.row, p.column, p.level) == (3, "type", "warning")


def test_group_holding_only_a_group_is_not_empty():
    data = make_xlsx([["type", "name", "label"],
                      ["begin group", "outer", "นอก"], ["begin group", "inner", "ใน"],
                      ["text", "a", "ก"], ["end group", "", ""], ["end group", "", ""]], None, SETTINGS)
    assert not [p for p in lint_workbook(data) if p.code == "empty_group"]


def test_begin_end_mismatches_are_errors_at_their_rows():
    data = make_xlsx([["type", "name", "label"],
                      ["end group", "", ""],
                      ["begin repeat", "members", "สมาชิก"],
                      ["text", "m", "ชื่อ"],
                      ["end group", "", ""],
                      ["begin group", "open", "ไม่ปิด"],
                      ["text", "x", "x"]], None, SETTINGS)
    problems = lint_workbook(data)
    assert only(problems, "unmatched_end")[0].row == 2
    assert only(problems, "begin_end_mismatch")[0].row == 5
    assert only(problems, "unclosed_begin")[0].row == 6


def test_convert_lists_every_error_not_only_the_first():
    data = make_xlsx([["type", "name", "label", "relevant"],
                      ["select_one yn", "q1", "ข้อ 1", ""],
                      ["text", "q2", "ข้อ 2", "${q1} = 'no' or ${q1} = ‘yes’"],
                      ["text", "q2", "ซ้ำ", ""],
                      ["text", "q3", "ข้อ 3", "${nope} = 'x'"]],
                     CHOICES + [["yn", "yes", "ซ้ำ"]], SETTINGS)
    with pytest.raises(WorkbookRejected) as exc:
        convert_workbook("t.xlsx", data)
    codes = {p.code for p in exc.value.problems if p.is_error}
    assert {"smart_quotes", "duplicate_name", "unknown_reference", "duplicate_choice"} <= codes
    assert all(p.message_th and p.message_en for p in exc.value.problems)


def test_warnings_do_not_block_conversion():
    data = make_xlsx([["type", "name", "label"], ["text", "a", "ก"], ["begin group", "e", "ว่าง"],
                      ["end group", "", ""]], None, SETTINGS)
    conv = convert_workbook("t.xlsx", data)
    assert "empty_group" in {w.code for w in conv.warnings}
    assert all(w.level == "warning" for w in conv.warnings)


# --- pyxform's own messages -------------------------------------------------------------------

def test_pyxform_error_code_message_gets_thai_and_location():
    msg = ("[row : 6] On the 'choices' sheet, the 'name' value is invalid. Choice names must be unique for each "
           "choice list. If this is intentional, use the setting 'allow_choice_duplicates'. "
           "Learn more: https://xlsform.org/#choice-names.")
    [p] = translate(msg)
    assert (p.sheet, p.row, p.column, p.code) == ("choices", 6, "name", "pyxform.NAMES_007")
    assert p.message_th.startswith("ชื่อตัวเลือกซ้ำ") and "[row" not in p.message_en


def test_pyxform_reference_message_names_the_question():
    msg = ("[row : 3] On the 'survey' sheet, the 'relevant' value is invalid. Reference variables must contain "
           "a name from the 'survey' sheet. Could not find the name 'agee'.")
    [p] = translate(msg)
    assert (p.sheet, p.row, p.column) == ("survey", 3, "relevant")
    assert "agee" in p.message_th


def test_several_rows_in_one_pyxform_message_become_several_problems():
    line = "[row : {}] On the 'choices' sheet, the 'name' value is invalid. Choice names must be unique for each " \
           "choice list. If this is intentional, use the setting 'allow_choice_duplicates'. " \
           "Learn more: https://xlsform.org/#choice-names."
    assert [p.row for p in translate(line.format(4) + "\n" + line.format(9))] == [4, 9]


def test_unknown_pyxform_message_is_kept_in_english_with_a_thai_prefix_and_row():
    [p] = translate("[row : 12] Something brand new went wrong.", level="warning")
    assert p.row == 12 and p.level == "warning" and p.code == "pyxform"
    assert p.message_en == "Something brand new went wrong."
    assert p.message_th.startswith("pyxform เตือนว่า")


def test_any_exception_becomes_a_problem():
    [p] = from_exception(KeyError("label"))
    assert p.is_error and p.message_th and "KeyError" in p.message_en


def test_unknown_question_type_is_located_from_the_workbook():
    data = make_xlsx([["type", "name", "label"], ["text", "a", "ก"], ["textt", "b", "ข"]], None, SETTINGS)
    with pytest.raises(WorkbookRejected) as exc:
        convert_workbook("t.xlsx", data)
    [p] = [p for p in exc.value.problems if p.code == "pyxform.unknown_type"]
    assert (p.sheet, p.row, p.column) == ("survey", 3, "type")
    assert "textt" in p.message_th
