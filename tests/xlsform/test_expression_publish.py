"""Publish-time check: every expression of a converted form parses with the server's XPath parser;
one that does not blocks publishing, at its survey row and column, in Thai and English, with a hint."""
from __future__ import annotations

import pytest

from app.xlsform.convert import convert_workbook
from app.xlsform.problems import WorkbookRejected
from tests.xlsform.xlsx_builder import make_xlsx

CHOICES = [["list_name", "name", "label", "district"],
           ["yn", "yes", "ใช่", ""], ["yn", "no", "ไม่ใช่", ""],
           ["village", "v1", "บ้าน 1", "d1"], ["village", "v2", "บ้าน 2", "d2"]]
SETTINGS = [["form_id", "version"], ["t", "1"]]
HEADER = ["type", "name", "label", "relevant", "constraint", "calculation", "required", "choice_filter", "default"]


def rows(*extra: list) -> list[list]:
    return [HEADER, ["integer", "age", "อายุ", "", "", "", "", "", ""],
            ["select_one yn", "ok", "ตกลง", "", "", "", "", "", ""], *extra]


def rejected(survey: list[list]) -> list:
    with pytest.raises(WorkbookRejected) as info:
        convert_workbook("t.xlsx", make_xlsx(survey, CHOICES, SETTINGS))
    found = [p for p in info.value.problems if p.code == "expression_error"]
    assert found, [p.to_dict() for p in info.value.problems]
    for p in found:
        assert p.level == "error" and p.sheet == "survey"
        assert p.message_th and p.message_en and p.hint_th and p.hint_en
    return found


def test_a_valid_form_with_expressions_publishes():
    conv = convert_workbook("t.xlsx", make_xlsx(rows(
        ["text", "why", "ทำไม", "${age} > 60 and selected(${ok}, 'yes')", "string-length(.) <= 200",
         "", "${age} >= 18", "", ""],
        ["calculate", "area_m2", "", "", "", "enclosed-area('1 1;1 2;2 2;1 1')", "", "", ""],
        ["calculate", "name_ok", "", "", "", "jr:choice-name(${ok}, '${ok}')", "", "", ""],
        ["date", "visit", "วันที่", "", ". <= today()", "", "", "", "today()"],
    ), CHOICES, SETTINGS))
    assert conv.definition.node("/data/why").relevant


def test_unbalanced_relevant_is_refused_at_its_cell():
    [p] = rejected(rows(["text", "why", "ทำไม", "(${age} > 60", "", "", "", "", ""]))
    assert (p.row, p.column) == (4, "relevant")
    assert "(${age} > 60" in p.message_en and "(${age} > 60" in p.message_th
    assert "'why'" in p.message_en


def test_unknown_function_is_refused_with_a_spelling_hint():
    [p] = rejected(rows(["calculate", "full", "", "", "", "concatx(${age}, 'y')", "", "", ""]))
    assert (p.row, p.column) == (4, "calculation")
    assert "concatx" in p.message_en and "concatx" in p.message_th
    assert "spelling" in p.hint_en


def test_problems_inside_groups_and_every_column_are_all_reported():
    found = rejected(rows(
        ["begin group", "g", "กลุ่ม", "${age} >", "", "", "", "", ""],
        ["integer", "n", "จำนวน", "", ". >> 3", "", "", "", ""],
        ["select_one yn", "pick", "เลือก", "", "", "", "${age} = = 1", "", ""],
        ["end group", "", "", "", "", "", "", "", ""],
    ))
    assert sorted((p.row, p.column) for p in found) == [(4, "relevant"), (5, "constraint"), (6, "required")]


def test_bad_choice_filter_is_refused_at_the_choice_filter_column():
    [p] = rejected(rows(["select_one village", "vil", "หมู่บ้าน", "", "", "", "", "district = = 'd1'", ""]))
    assert (p.row, p.column) == (4, "choice_filter")


def test_bad_dynamic_default_is_refused_at_the_default_column():
    [p] = rejected(rows(["integer", "n", "จำนวน", "", "", "", "", "", "${age} + "]))
    assert (p.row, p.column) == (4, "default")
