"""app/xlsform/diff.py on pairs of workbooks: every kind of change gives exactly the expected lines
(table-driven), in Thai and English; nothing else is reported."""
from __future__ import annotations

import copy

import pytest

from app.xlsform.convert import convert_workbook
from app.xlsform.diff import Change, by_section, diff_forms
from app.xlsform.versions import is_newer, next_version, version_key
from tests.scoring import meeting_workbook as mw
from tests.xlsform.xlsx_builder import make_xlsx

TH, EN = "Thai (th)", "English (en)"
SETTINGS = [["form_id", "version", "form_title", "default_language"], [mw.FORM_ID, "1", "ประเมินกลุ่ม", TH]]


def sheets():
    return {"survey": copy.deepcopy(mw.SURVEY), "choices": copy.deepcopy(mw.CHOICES),
            "settings": copy.deepcopy(SETTINGS), "score_groups": copy.deepcopy(mw.SCORE_GROUPS),
            "levels": copy.deepcopy(mw.LEVELS)}


def convert(s):
    data = make_xlsx(s["survey"], s["choices"], s["settings"], score_groups=s["score_groups"], levels=s["levels"])
    return convert_workbook("form.xlsx", data)


def row(s, sheet, first, second=None):
    """The row of `sheet` whose column 1 (survey: name) is `first` (and column 0 is `second`)."""
    col = 1 if sheet in ("survey", "choices") else 0
    for r in s[sheet]:
        if r[col] == first and (second is None or r[0] == second):
            return r
    raise KeyError(first)


def col(s, sheet, header):
    return s[sheet][0].index(header)


def set_cell(s, sheet, name, header, value, list_name=None):
    row(s, sheet, name, list_name)[col(s, sheet, header)] = value


def survey_insert(s, before_name, new_row):
    i = next(k for k, r in enumerate(s["survey"]) if r[1] == before_name)
    s["survey"].insert(i, new_row + [""] * (len(s["survey"][0]) - len(new_row)))


def move_row(s, name, before_name):
    r = row(s, "survey", name)
    s["survey"].remove(r)
    i = next(k for k, x in enumerate(s["survey"]) if x[1] == before_name)
    s["survey"].insert(i, r)


# Each case: (id, mutation, expected {(section, kind, item, language)}).
CASES = [
    ("question added", lambda s: survey_insert(s, "i02", ["text", "remark", "หมายเหตุ", "Remark"]),
     {("questions", "added", "remark", None)}),
    ("question removed", lambda s: s["survey"].remove(row(s, "survey", "assessed_on")),
     {("questions", "removed", "assessed_on", None)}),
    ("group removed with its question moved out", lambda s: (
        s["survey"].remove(row(s, "survey", "p_meet", "begin group")),
        s["survey"].pop(max(k for k, r in enumerate(s["survey"]) if r[0] == "end group"))),
     {("questions", "removed", "p_meet", None), ("questions", "moved", "i05", None)}),
    ("question moved to another group", lambda s: move_row(s, "i02", "assessed_on"),
     {("questions", "moved", "i02", None)}),
    ("question reordered within its group", lambda s: move_row(s, "i02", "i01"),
     {("questions", "reordered", "i02", None)}),
    ("relabelled in Thai only", lambda s: set_cell(s, "survey", "i01", mw.TH, "ระเบียบกลุ่มเขียนไว้"),
     {("questions", "label", "i01", TH)}),
    ("relabelled in English only", lambda s: set_cell(s, "survey", "i01", mw.EN, "Written rules"),
     {("questions", "label", "i01", EN)}),
    ("type changed", lambda s: set_cell(s, "survey", "rate", "type", "integer"),
     {("questions", "type", "rate", None)}),
    ("required changed", lambda s: set_cell(s, "survey", "i03", "required", ""),
     {("questions", "required", "i03", None)}),
    ("relevant added", lambda s: (s["survey"][0].append("relevant"),
                                  [r.append("") for r in s["survey"][1:]],
                                  set_cell(s, "survey", "i02", "relevant", "${i01} != '0'")),
     {("questions", "relevant", "i02", None)}),
    ("constraint added", lambda s: (s["survey"][0].append("constraint"),
                                    [r.append("") for r in s["survey"][1:]],
                                    set_cell(s, "survey", "rate", "constraint", ". <= 100")),
     {("questions", "constraint", "rate", None)}),
    ("calculate changed", lambda s: set_cell(s, "survey", "i04", "calculation", "if(${rate} > 12, 0, 3)"),
     {("questions", "calculate", "i04", None)}),
    ("choice added", lambda s: s["choices"].append(["yn", "dk", "ไม่ทราบ", "Don't know", None]),
     {("choices", "added", "yn/dk", None)}),
    ("choice removed", lambda s: s["choices"].remove(row(s, "choices", "g2", "groups")),
     {("choices", "removed", "groups/g2", None)}),
    ("choice relabelled in English", lambda s: set_cell(s, "choices", "no", mw.EN, "Not really", "yn"),
     {("choices", "label", "yn/no", EN)}),
    ("choices reordered", lambda s: s["choices"].insert(3, s["choices"].pop(s["choices"].index(row(s, "choices", "3", "lv03")))),
     {("choices", "reordered", "lv03/3", None)}),
    ("title changed", lambda s: s["settings"][1].__setitem__(2, "ประเมินกลุ่ม ฉบับใหม่"),
     {("settings", "title", "title", None)}),
    ("version changed", lambda s: s["settings"][1].__setitem__(1, "2"),
     {("settings", "version", "version", None)}),
    ("option score changed (the best one: the maximum follows)", lambda s: set_cell(s, "choices", "yes", "score", 3, "yn"),
     {("scoring", "option_score", "i05/yes", None), ("scoring", "indicator_max", "i05", None)}),
    ("option score changed", lambda s: set_cell(s, "choices", "no", "score", 1, "yn"),
     {("scoring", "option_score", "i05/no", None)}),
    ("shared list's score changes every indicator using it", lambda s: set_cell(s, "choices", "1", "score", 0.5, "lv03"),
     {("scoring", "option_score", f"{i}/1", None) for i in ("i01", "i02", "i03")}),
    ("indicator moved to another score group", lambda s: set_cell(s, "survey", "i03", "score_group", "law"),
     {("scoring", "indicator_group", "i03", None)}),
    # i02 leaves the score (law keeps i01: a score group needs an indicator)
    ("indicator no longer scored", lambda s: set_cell(s, "survey", "i02", "score_group", ""),
     {("scoring", "indicator_removed", "i02", None)}),
    ("calculate indicator's maximum changed", lambda s: set_cell(s, "survey", "i04", "score_max", 4),
     {("scoring", "indicator_max", "i04", None)}),
    ("pass mark changed", lambda s: set_cell(s, "score_groups", "money", "pass_mark", 70),
     {("score_groups", "pass_mark", "money", None)}),
    ("score group relabelled in Thai", lambda s: set_cell(s, "score_groups", "meet", mw.TH, "การมีส่วนร่วมของสมาชิก"),
     {("score_groups", "label", "meet", TH)}),
    ("advice changed in English", lambda s: set_cell(s, "score_groups", "law", "advice::English (en)", "Update the rules"),
     {("score_groups", "advice", "law", EN)}),
    ("level threshold changed", lambda s: set_cell(s, "levels", "good", "min_percent", 70),
     {("levels", "min_percent", "good", None)}),
    ("level added", lambda s: s["levels"].insert(2, ["fair", "ระดับ พอใช้", "Fair", 50, "#9a6700"]),
     {("levels", "added", "fair", None)}),
    ("level relabelled and recoloured", lambda s: (set_cell(s, "levels", "develop", mw.EN, "To develop"),
                                                 set_cell(s, "levels", "develop", "colour", "#aa0000")),
     {("levels", "label", "develop", EN), ("levels", "colour", "develop", None)}),
]


def keyset(changes: list[Change]) -> set[tuple]:
    return {(c.section, c.kind, c.item, c.language) for c in changes}


@pytest.fixture(scope="module")
def base():
    return convert(sheets())


@pytest.mark.parametrize("name,mutate,expected", CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_change_gives_exactly_its_lines(base, name, mutate, expected):
    s = sheets()
    mutate(s)
    new = convert(s)
    changes = diff_forms(base.definition, new.definition, base.scoring, new.scoring)
    assert keyset(changes) == expected, [c.to_dict() for c in changes]
    for c in changes:  # every line says what changed in both languages, naming the item
        assert c.item in c.message_th and c.item in c.message_en
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in c.message_th)


def test_identical_forms_have_no_changes(base):
    assert diff_forms(base.definition, convert(sheets()).definition, base.scoring, base.scoring) == []


def test_moving_a_question_does_not_flag_the_expressions_that_name_it(base):
    """i04's calculate reads ${rate}: moving rate into another group changes the XForm's absolute paths
    but not the expression as written, so only the move is reported."""
    s = sheets()
    move_row(s, "rate", "assessed_on")
    new = convert(s)
    assert keyset(diff_forms(base.definition, new.definition, base.scoring, new.scoring)) == {
        ("questions", "moved", "rate", None)}


def test_values_before_and_after_are_kept_for_the_page(base):
    s = sheets()
    set_cell(s, "levels", "good", "min_percent", 80)
    set_cell(s, "survey", "i04", "calculation", "if(${rate} > 12, 0, 3)")
    new = convert(s)
    changes = {c.kind: c for c in diff_forms(base.definition, new.definition, base.scoring, new.scoring)}
    assert (changes["min_percent"].before, changes["min_percent"].after) == ("75", "80")
    assert changes["calculate"].before.replace(" ", "") == "if(${rate}>15,0,3)"
    assert changes["calculate"].after.replace(" ", "") == "if(${rate}>12,0,3)"
    assert "75" not in changes["min_percent"].message_en  # values travel in before/after, not the text


def test_scoring_added_to_a_plain_form():
    s = sheets()
    keep = [i for i, h in enumerate(s["survey"][0]) if h not in ("score_group", "score_max")]
    survey = [[r[i] for i in keep] for r in s["survey"]]
    plain = convert_workbook("p.xlsx", make_xlsx(survey, [r[:4] for r in s["choices"]], s["settings"]))
    scored = convert(s)
    kinds = keyset(diff_forms(plain.definition, scored.definition, plain.scoring, scored.scoring))
    assert ("settings", "scoring_added", "scoring", None) in kinds
    assert ("levels", "added", "good", None) in kinds and ("scoring", "indicator_added", "i01", None) in kinds


def test_changes_are_grouped_by_section_in_a_fixed_order(base):
    s = sheets()
    set_cell(s, "levels", "good", "min_percent", 80)
    s["settings"][1][1] = "2"
    survey_insert(s, "i02", ["text", "remark", "หมายเหตุ", "Remark"])
    new = convert(s)
    sections = [name for name, _items in by_section(diff_forms(base.definition, new.definition, base.scoring, new.scoring))]
    assert sections == ["settings", "questions", "levels"]


@pytest.mark.parametrize("older,newer", [
    ("1", "2"), ("9", "10"), ("1.9", "1.10"), ("draft-9", "draft-10"), ("draft-3", "202603151200"),
    ("2026031501", "2026031502"), ("1.0", "1.0.1"), ("v1", "v2"), ("a", "b"),
])
def test_version_order(older, newer):
    assert is_newer(newer, older) and not is_newer(older, newer)
    assert version_key(older) < version_key(newer)


@pytest.mark.parametrize("after,expected", [
    ("draft-3", "draft-4"), ("2026031509", "2026031510"), ("1.9", "1.10"), ("v", "v.1"), ("007", "008"),
])
def test_next_version_comes_after(after, expected):
    assert next_version(after) == expected and is_newer(expected, after)
    assert next_version(after, {expected}) not in (expected, after)
